"""The dashboard's URLs, included by ``workflow.urls`` without a namespace of their own (names in ``workflow``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data.json", views.data, name="dashboard_data"),
    path("dashboard/data/<slug:name>.json", views.section, name="dashboard_section"),
]
