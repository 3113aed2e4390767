"""URLs of risks; views arrive with its issue. Mounted at the root: paths are the design's route table."""

app_name = "risks"
urlpatterns = []
