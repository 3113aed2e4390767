from django.contrib import admin

from .models import Campaign, Phase, PhaseTask, PhaseTaskCompletion


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["number", "name", "start", "end", "state"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "court", "covers_subordinates", "is_template"]
    list_filter = ["is_template", "year"]
    search_fields = ["name"]
    inlines = [PhaseInline]
    readonly_fields = ["builtin_key", "source", "created_by", "created_at"]


@admin.register(PhaseTask)
class PhaseTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "deadline", "responsible_role", "measure_key", "reminder_days"]
    list_filter = ["responsible_role", "phase__campaign"]
    search_fields = ["title", "code"]


@admin.register(PhaseTaskCompletion)
class PhaseTaskCompletionAdmin(admin.ModelAdmin):
    list_display = ["task", "court", "division", "person", "done_by", "done_at"]
    raw_id_fields = ["task", "person", "division", "court", "done_by"]
    readonly_fields = ["done_at"]
