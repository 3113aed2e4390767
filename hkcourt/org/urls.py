from django.urls import path

from . import audit_views, roster_views, views

app_name = "org"
urlpatterns = [
    path("leading-group/", views.leading_group, name="leading_group"),
    path("roster/import/", roster_views.roster_import, name="roster_import"),
    path("roster/template.<str:fmt>", roster_views.roster_template, name="roster_template"),
    path("roster/export.<str:fmt>", roster_views.roster_export, name="roster_export"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export.<str:fmt>", audit_views.audit_export, name="audit_export"),
]
