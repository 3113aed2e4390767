from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuditEntry, Court, Division, Person, Post, RoleAssignment

User = get_user_model()


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0
    fields = ["name", "kind", "sort_order"]


@admin.register(Court)
class CourtAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "level", "parent", "sort_order"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    inlines = [DivisionInline]


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    fields = ["name", "is_key_post", "sort_order"]


@admin.register(Division)
class DivisionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "court", "kind", "sort_order"]
    list_filter = ["kind", "court"]
    search_fields = ["name", "court__name"]
    list_select_related = ["court"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
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
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "user", "court", "division", "post", "title"]
    list_filter = ["court", "division__kind"]
    search_fields = ["full_name", "user__username", "division__name", "post__name"]
    list_select_related = ["user", "court", "division", "post"]
    autocomplete_fields = ["user", "court", "division", "post"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "court", "division"]
    list_filter = ["role", "court"]
    search_fields = ["user__username", "user__person__full_name", "division__name"]
    list_select_related = ["user", "court", "division"]
    autocomplete_fields = ["user", "court", "division"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "court"]
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
class CourtUserAdmin(UserAdmin):
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
