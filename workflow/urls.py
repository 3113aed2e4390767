"""URLs of workflow; views arrive with its issue. Mounted at the root: paths are the design's route table."""

app_name = "workflow"
urlpatterns = []
