"""URLs of commitments, mounted at the root: paths are the design's route table."""

from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("letters/", views.letter_list, name="list"),
    path("letters/progress/", views.progress, name="progress"),
    path("letters/templates/", views.template_list, name="templates"),
    path("letters/templates/new/", views.template_edit, name="template_new"),
    path("letters/templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("letters/templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("letters/templates/<int:pk>/generate/", views.generate, name="generate"),
    path("letters/layers/", views.layers, name="layers"),
    path("letters/bundles/<int:pk>/", views.bundle_status, name="bundle"),
    path("letters/bundles/<int:pk>/download", views.bundle_download, name="bundle_download"),
    path("letters/bundles/new/", views.bundle_request, name="bundle_request"),
    path("letters/<int:pk>/", views.letter_detail, name="detail"),
    path("letters/<int:pk>/pdf", views.letter_pdf, name="pdf"),
    path("letters/<int:pk>/sign/", views.sign, name="sign"),
    path("letters/<int:pk>/countersign/", views.countersign, name="countersign"),
    path("letters/<int:pk>/archive/", views.archive, name="archive"),
    path("letters/<int:pk>/supersede/", views.supersede, name="supersede"),
    path("letters/<int:pk>/supplement/", views.supplement, name="supplement"),
    path("verify/", views.verify, name="verify"),
    # The registry's post power statement as PDF (the page itself is risks:post_statement).
    path("catalogue/posts/<int:pk>/pdf", views.post_statement_pdf, name="post_statement_pdf"),
]
