"""URLs of the measures pages, included by ``risks.urls`` without a namespace of their own: the names live in
the ``risks`` namespace (``risks:measures``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("measures/", views.measure_list, name="measures"),
    path("measures/new/<int:risk_pk>/", views.measure_create, name="measure_create"),
    path("measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/<slug:action>/", views.measure_action, name="measure_action"),
    path("measures/evidence/<int:pk>/", views.attachment_download, name="measure_attachment"),
    path("measures/rules/new/", views.rule_create, name="rule_create"),
    path("measures/rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("measures/rules/<int:pk>/file/", views.rule_file, name="rule_file"),
]
