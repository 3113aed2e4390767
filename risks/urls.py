"""URLs of risks, mounted at the root: the paths are the design's route table."""

from django.urls import include, path

from . import views

app_name = "risks"
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/powers/new/", views.power_edit, name="power_create"),
    path("catalogue/<int:court_id>/lock/", views.catalogue_lock, name="catalogue_lock"),
    path("catalogue/powers/<int:pk>/", views.power_detail, name="power_detail"),
    path("catalogue/powers/<int:pk>/edit/", views.power_edit, name="power_edit"),
    path("catalogue/powers/<int:pk>/steps/", views.power_steps, name="power_steps"),
    path("catalogue/posts/<int:pk>/", views.post_statement, name="post_statement"),
    path("catalogue/steps/", views.step_options, name="step_options"),
    path("pickers/<slug:kind>/", views.picker, name="picker"),
    path("catalogue/export/", views.catalogue_export, name="catalogue_export"),
    path("catalogue/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogue/import/template/", views.catalogue_template, name="catalogue_template"),
    path("risks/", views.risk_list, name="list"),
    path("risks/new/", views.risk_create, name="create"),
    path("risks/bulk/", views.risk_bulk, name="bulk"),
    path("risks/export/", views.risk_export, name="export"),
    path("risks/import/", views.risk_import, name="import"),
    path("risks/import/template/", views.risk_import_template, name="import_template"),
    path("risks/suggest-grade/", views.grade_suggestion, name="suggest_grade"),
    path("risks/<int:pk>/", views.risk_detail, name="detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="edit"),
    path(
        "risks/<int:pk>/<str:action>/",
        views.risk_action,
        name="action",
    ),
    path("risks/feedback/", views.feedback_list, name="feedback"),
    path("risks/leaders/", views.recompute_leaders, name="recompute_leaders"),
    path("public/<slug:code>/", views.public_page, name="public"),
    # The prevention measures are their own app (risks.measures); their names stay in this namespace.
    path("", include("risks.measures.urls")),
]
