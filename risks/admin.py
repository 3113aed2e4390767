"""Admin for the system administrator: the catalogue and its flowcharts are data to maintain here; risk
points are shown read-only, since every change of a risk point goes through risks.services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CollectiveDecision, KeyLink, Power, PowerStep, PublicFeedback, RiskPoint, Transition


class PowerStepInline(admin.TabularInline):
    model = PowerStep
    fk_name = "power"
    extra = 1
    fields = ["order", "name", "actor", "time_limit_days", "is_end", "next_steps"]
    filter_horizontal = []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "next_steps":
            power_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = PowerStep.objects.filter(power_id=power_id) if power_id else PowerStep.objects.none()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Power)
class PowerAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "division", "business_area", "major_matter", "time_limit_days", "is_active"]
    list_filter = ["business_area", "major_matter", "is_active", "court"]
    search_fields = ["name", "content"]
    list_select_related = ["court", "division"]
    autocomplete_fields = []
    filter_horizontal = ["posts"]
    inlines = [PowerStepInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "posts":
            from hkcourt.org.models import Post

            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            power = Power.objects.filter(pk=object_id).only("court_id").first() if object_id else None
            posts = Post.objects.select_related("division")
            kwargs["queryset"] = posts.filter(division__court_id=power.court_id) if power else posts
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(KeyLink)
class KeyLinkAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "sort_order"]
    list_filter = ["area"]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_state", "to_state", "reason_shown"]
    readonly_fields = fields

    @admin.display(description=_("理由"))
    def reason_shown(self, obj):
        return obj.reason_text  # the system's reason in the reader's language, a person's as typed

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskPoint)
class RiskPointAdmin(admin.ModelAdmin):
    list_display = ["code", "short", "court", "division", "level", "state", "grade", "source"]
    list_filter = ["state", "grade", "level", "source", "court"]
    search_fields = ["description", "manifestations"]
    list_select_related = ["court", "division"]
    inlines = [TransitionInline]

    @admin.display(description=_("风险点"))
    def short(self, obj):
        return str(obj)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["key_links"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CollectiveDecision)
class CollectiveDecisionAdmin(admin.ModelAdmin):
    list_display = ["date", "court", "created_by"]
    readonly_fields = ["court", "date", "participants", "minutes", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(PublicFeedback)
class PublicFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "court", "risk_point", "text"]
    list_filter = ["court"]
    readonly_fields = ["court", "risk_point", "text", "contact", "created_at", "ip_hash"]

    def has_add_permission(self, request):
        return False
