from django.contrib import admin

from .models import CommitmentLetter, LetterDocument, LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "court", "year", "sign_deadline", "updated_at"]
    list_filter = ["year"]


@admin.register(CommitmentLetter)
class CommitmentLetterAdmin(admin.ModelAdmin):
    """Read-only: letters change only through the services (signing needs the signer's own password)."""

    list_display = ["__str__", "kind", "court", "division", "state", "version", "signed_at"]
    list_filter = ["kind", "state"]
    search_fields = ["verification_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LetterDocument)
class LetterDocumentAdmin(admin.ModelAdmin):
    list_display = ["letter", "edition", "sha256", "size", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
