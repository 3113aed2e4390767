"""The Django admin (系统管理) of the organisation. Its saves and deletes bypass the services, so
:class:`AuditedAdmin` records each of them in the audit log, the inlines' rows included."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import audit
from .models import AuditEntry, Court, Division, Person, Post, RoleAssignment

User = get_user_model()

SECRET_FIELDS = ("password",)  # never copied into the log, not even hashed


def _shown(field, value) -> str:
    """A form value as the log shows it: an object's name for a choice of objects, text otherwise."""
    if value is None:
        return ""
    queryset = getattr(field, "queryset", None)
    if queryset is not None and not isinstance(value, str) and hasattr(value, "__iter__"):
        return "、".join(_shown(field, v) for v in value)
    if queryset is not None and not hasattr(value, "_meta"):
        value = queryset.model._default_manager.filter(pk=getattr(value, "pk", value)).first() or value
    return str(value)[:200]


def _changes(form) -> dict:
    """``{field: [old, new]}`` of a bound model form's changed fields (secrets by name only)."""
    changes = {}
    for name in form.changed_data:
        if any(secret in name for secret in SECRET_FIELDS):
            changes[name] = ["***", "***"]
            continue
        field = form.fields.get(name)
        changes[name] = [_shown(field, form.initial.get(name)), _shown(field, form.cleaned_data.get(name))]
    return changes


def _record(request, action, obj, data):
    audit.record(actor=request.user, action=action, obj=obj, data={"model": obj._meta.label, **data})


class AuditedAdmin:
    """A ModelAdmin mixin: every add, change and delete made through the admin, and every inline row it
    adds, changes or deletes, writes an ``org.admin_*`` audit entry (who, what, which fields from what to
    what), in the same transaction as the change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            changes = _changes(form)
            if changes:
                _record(request, "org.admin_change", obj, {"changes": changes})
        else:
            _record(request, "org.admin_add", obj, {})

    def delete_model(self, request, obj):
        _record(request, "org.admin_delete", obj, {})  # before: afterwards the object has no id
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _record(request, "org.admin_delete", obj, {})
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        for obj in deleted:
            _record(request, "org.admin_delete", obj, {"parent": str(form.instance)})
        changed_forms = {f.instance.pk: f for f in formset.forms if f.instance.pk is not None and f.has_changed()}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, "org.admin_add", obj, {"parent": str(form.instance)})
        for obj, _fields in formset.changed_objects:
            sub = changed_forms.get(obj.pk)
            _record(
                request,
                "org.admin_change",
                obj,
                {"parent": str(form.instance), "changes": _changes(sub) if sub else {}},
            )


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0
    fields = ["name", "kind", "sort_order"]


@admin.register(Court)
class CourtAdmin(AuditedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "level", "parent", "sort_order"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    inlines = [DivisionInline]


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    fields = ["name", "is_key_post", "sort_order"]


@admin.register(Division)
class DivisionAdmin(AuditedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "court", "kind", "sort_order"]
    list_filter = ["kind", "court"]
    search_fields = ["name", "court__name"]
    list_select_related = ["court"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(AuditedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "division", "is_key_post"]
    list_filter = ["is_key_post", "division__court"]
    search_fields = ["name", "division__name"]
    list_select_related = ["division__court"]
    autocomplete_fields = ["division"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["court", "division"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin, SimpleHistoryAdmin):
    list_display = ["full_name", "user", "court", "division", "post", "title"]
    list_filter = ["court", "division__kind"]
    search_fields = ["full_name", "user__username", "division__name", "post__name"]
    list_select_related = ["user", "court", "division", "post"]
    autocomplete_fields = ["user", "court", "division", "post"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin, SimpleHistoryAdmin):
    list_display = ["user", "role", "rank", "court", "division"]
    list_filter = ["role", "court"]
    search_fields = ["user__username", "user__person__full_name", "division__name"]
    list_select_related = ["user", "court", "division"]
    autocomplete_fields = ["user", "court", "division"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "court", "ip"]
    list_filter = ["action", "court"]
    search_fields = ["object_repr", "actor__username", "reason"]
    list_select_related = ["actor", "court"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonInline(admin.StackedInline):
    model = Person
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ["court", "division", "post"]


admin.site.unregister(User)


@admin.register(User)
class CourtUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [PersonInline, RoleAssignmentInline]
    list_display = ["username", "person_name", "email", "is_active", "is_staff"]
    list_select_related = ["person"]
    search_fields = ["username", "person__full_name", "email"]

    @admin.display(description="姓名", ordering="person__full_name")
    def person_name(self, obj):
        return getattr(getattr(obj, "person", None), "full_name", "")


admin.site.site_header = "廉政风险防控管理系统 · 系统管理"
admin.site.site_title = "廉政风险防控 系统管理"
admin.site.index_title = "系统管理"
