"""URLs of workflow. Mounted at the root: paths are the design's route table."""

from django.urls import include, path

from . import views

app_name = "workflow"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/schedule/", views.campaign_schedule, name="campaign_schedule"),
    path("campaigns/tasks/<int:pk>/", views.task_detail, name="task"),
    path("campaigns/tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("campaigns/tasks/<int:pk>/urge/", views.task_urge, name="task_urge"),
    path("campaigns/completions/<int:pk>/undo/", views.completion_undo, name="completion_undo"),
    path("campaigns/completions/<int:pk>/attachment/", views.completion_attachment, name="completion_attachment"),
    # The sub-apps (the early-warning work, the dashboard, phase four) are apps of their own; their names
    # stay in this namespace, so links and bookmarks do not change.
    path("", include("workflow.assessment.urls")),
    path("", include("workflow.oversight.urls")),
    path("", include("workflow.dashboard.urls")),
]
