"""URLs of phase four, included by workflow's urls without a namespace of their own: the names live in the
``workflow`` namespace (``workflow:surveys``, ``workflow:assessment``), which the navigation names."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/items/", views.survey_item_add, name="survey_item_add"),
    path("surveys/items/<int:pk>/delete/", views.survey_item_delete, name="survey_item_delete"),
    path("surveys/items/<int:pk>/rectify/", views.survey_rectify, name="survey_rectify"),
    path("surveys/<int:pk>/send/", views.survey_send, name="survey_send"),
    path("surveys/<int:pk>/publish/", views.survey_publish, name="survey_publish"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
    path("surveys/t/<str:token>/", views.survey_answer, name="survey_answer"),
    path("surveys/p/<slug:code>/", views.survey_public, name="survey_public"),
    path("surveys/interviews/", views.interview_list, name="interviews"),
    path("surveys/interviews/<int:pk>/", views.interview_detail, name="interview"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessment/<int:pk>/weights/", views.assessment_weights, name="assessment_weights"),
    path("assessment/<int:pk>/figures/<slug:figure>/<slug:unit>/", views.assessment_figure, name="assessment_figure"),
]

urlpatterns += [
    path("assessment/acceptance/", views.acceptance_list, name="acceptances"),
    path("assessment/acceptance/new/", views.acceptance_new, name="acceptance_new"),
    path("assessment/acceptance/<int:pk>/", views.acceptance_detail, name="acceptance"),
    path("assessment/acceptance/<int:pk>/close/", views.acceptance_close, name="acceptance_close"),
    path("assessment/acceptance/units/<int:pk>/", views.acceptance_unit, name="acceptance_unit"),
    path("assessment/acceptance/units/<int:pk>/self/", views.acceptance_self, name="acceptance_self"),
    path("assessment/acceptance/units/<int:pk>/draw/", views.acceptance_draw, name="acceptance_draw"),
    path("assessment/acceptance/units/<int:pk>/spot/", views.acceptance_spot, name="acceptance_spot"),
    path("assessment/acceptance/units/<int:pk>/social/", views.acceptance_social, name="acceptance_social"),
    path("assessment/acceptance/units/<int:pk>/decide/", views.acceptance_decide, name="acceptance_decide"),
    path("assessment/acceptance/samples/<int:pk>/", views.acceptance_finding, name="acceptance_finding"),
]

urlpatterns += [
    path("assessment/<int:pk>/manual/", views.assessment_manual, name="assessment_manual"),
    path("assessment/manual/<int:pk>/evidence/", views.assessment_evidence, name="assessment_evidence"),
]

urlpatterns += [
    path("assessment/summaries/", views.summary_list, name="summaries"),
    path("assessment/summaries/new/", views.summary_new, name="summary_new"),
    path("assessment/summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("assessment/summaries/<int:pk>/edit/", views.summary_edit, name="summary_edit"),
    path("assessment/summaries/files/<int:pk>/", views.summary_attachment, name="summary_attachment"),
]

urlpatterns += [
    path("assessment/<int:pk>/report/", views.report_page, name="assessment_report"),
    path("assessment/reports/<int:pk>/", views.report_status, name="assessment_report_status"),
    path("assessment/reports/<int:pk>/<slug:kind>/", views.report_file, name="assessment_report_file"),
]
