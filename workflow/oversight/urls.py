"""URLs of the office's early-warning work, included by ``workflow.urls`` without a namespace of their own:
the names live in the ``workflow`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("signals/", views.signal_list, name="signals"),
    path("signals/<int:pk>/", views.signal_detail, name="signal"),
    path("signals/files/<int:pk>/", views.signal_attachment, name="signal_attachment"),
    path("signals/feedback/<int:pk>/convert/", views.feedback_convert, name="feedback_convert"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/evaluate/", views.warning_evaluate, name="warnings_evaluate"),
    path("warnings/rules/<int:pk>/", views.rule_update, name="warning_rule"),
    path("warnings/levels/", views.levels_update, name="warning_levels"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/close/", views.warning_close, name="warning_close"),
    path("handling/", views.handling_list, name="handling"),
    path("handling/new/<slug:source>/<int:pk>/", views.handling_create, name="handling_create"),
    path("handling/<int:pk>/", views.handling_detail, name="handling_detail"),
    path("handling/<int:pk>/report/", views.handling_report, name="handling_report"),
    path("handling/<int:pk>/close/", views.handling_close, name="handling_close"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/progress/", views.rectification_progress, name="rectification_progress"),
    path("rectifications/<int:pk>/close/", views.rectification_close, name="rectification_close"),
    path("dossier/", views.dossier_index, name="dossier"),
    path("dossier/<int:pk>/", views.dossier, name="dossier_person"),
]
