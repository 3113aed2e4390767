"""The Django admin (系统管理) bypasses the services, so its saves and deletes of organisation models are
recorded in the audit log by the AuditedAdmin mixin: who, what, which fields from what to what."""

import pytest
from django.contrib.auth import get_user_model
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from hkcourt.org.admin import AuditedAdmin
from hkcourt.org.models import AuditEntry, Court, Division, Person, Post, Role, RoleAssignment

pytestmark = pytest.mark.django_db
User = get_user_model()


def form_data(response):
    """The POST data of an admin change page as it stands: the main form and every inline formset."""
    data = {}

    def put(form, name):
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            return
        if isinstance(form.fields[name].widget, MultiWidget):  # a split date and time
            value = timezone.localtime(value)
            data[f"{key}_0"], data[f"{key}_1"] = value.date().isoformat(), value.time().strftime("%H:%M:%S")
            if form.fields[name].show_hidden_initial:  # a callable default: the page sends what it showed
                data[f"initial-{key}_0"], data[f"initial-{key}_1"] = data[f"{key}_0"], data[f"{key}_1"]
            return
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for sub in formset.forms:
            for name in sub.fields:
                put(sub, name)
    return data


def test_every_org_model_admin_is_audited():
    from django.contrib import admin

    for model in (Court, Division, Post, Person, RoleAssignment, User):
        assert isinstance(admin.site._registry[model], AuditedAdmin), model


def test_admin_change_with_inline_add_is_recorded(client, login_as):
    admin_user = login_as("admin")
    division = Division.objects.get(court__code="hgzy", name="民事审判庭")
    url = reverse("admin:org_division_change", args=[division.pk])
    data = form_data(client.get(url))
    data["name"] = "民事审判第一庭"
    total = int(data["posts-TOTAL_FORMS"])
    data["posts-TOTAL_FORMS"] = str(total + 1)
    data[f"posts-{total}-name"] = "调解岗"
    data[f"posts-{total}-sort_order"] = "9"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    change = AuditEntry.objects.get(action="org.admin_change")
    assert change.actor == admin_user and change.object_id == str(division.pk)
    assert change.data["model"] == "org.Division"
    assert change.data["changes"] == {"name": ["民事审判庭", "民事审判第一庭"]}
    assert change.court == division.court
    added = AuditEntry.objects.get(action="org.admin_add")
    post = Post.objects.get(division=division, name="调解岗")
    assert added.object_id == str(post.pk) and added.data["model"] == "org.Post"
    assert added.data["parent"] == str(Division.objects.get(pk=division.pk))


def test_admin_add_and_delete_are_recorded(client, login_as):
    login_as("admin")
    staff = User.objects.get(username="staff_demo")
    court = Court.objects.get(code="hgzy")
    response = client.post(
        reverse("admin:org_roleassignment_add"), {"user": staff.pk, "role": Role.LEADING_GROUP, "court": court.pk}
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=staff, role=Role.LEADING_GROUP)
    added = AuditEntry.objects.get(action="org.admin_add")
    assert added.object_id == str(assignment.pk) and added.court == court

    response = client.post(reverse("admin:org_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    deleted = AuditEntry.objects.get(action="org.admin_delete")
    assert deleted.object_id == str(assignment.pk) and "领导小组成员" in deleted.object_repr


def test_deactivating_an_account_in_the_admin_is_recorded(client, login_as):
    login_as("admin")
    staff = User.objects.get(username="staff_demo")
    url = reverse("admin:auth_user_change", args=[staff.pk])
    data = form_data(client.get(url))
    data.pop("is_active", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    staff.refresh_from_db()
    assert not staff.is_active
    entry = AuditEntry.objects.get(action="org.admin_change")
    assert entry.data["changes"] == {"is_active": ["True", "False"]}
    assert entry.court is None and entry.object_repr == "staff_demo"


def test_admin_bulk_delete_is_recorded(client, login_as):
    login_as("admin")
    division = Division.objects.get(court__code="hgzy", name="民事审判庭")
    posts = [Post.objects.create(division=division, name=f"临时岗{i}") for i in range(2)]
    response = client.post(
        reverse("admin:org_post_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in posts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Post.objects.filter(pk__in=[p.pk for p in posts]).exists()
    assert set(AuditEntry.objects.filter(action="org.admin_delete").values_list("object_id", flat=True)) == {
        str(p.pk) for p in posts
    }
