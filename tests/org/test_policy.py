"""The permission policy's base: one registry of rules, asked by services, views, templates and the API alike."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory

from hkcourt.org import policy
from hkcourt.org.models import Court, Person
from hkcourt.org.roles import Role

pytestmark = pytest.mark.django_db

test_policy = policy.Policy("policytest")


@test_policy.rule("rename", model=Person, message="只有本人可以改名。")
def _rename(user, person):
    return person.user_id == user.pk


@test_policy.rule("archive", model=Person)
def _archive(user, person):
    if not policy.is_office_of(user, person.court):
        return policy.deny("只有领导小组办公室可以归档。")
    if person.user.is_active:
        return policy.not_now("在职人员不能归档。")
    return policy.ALLOW


@test_policy.rule("run_report")
def _run_report(user, court):
    return policy.holds(user, Role.OFFICE)


def test_decisions_carry_the_rule_message_and_code(demo_user):
    staff, office = demo_user("staff_demo"), demo_user("office_demo")
    me = staff.person
    assert policy.can(staff, "policytest.rename", me)
    assert not policy.can(office, "policytest.rename", me)
    with pytest.raises(policy.Refusal) as refused:
        policy.check(office, "policytest.rename", me)
    assert refused.value.message == "只有本人可以改名。" and refused.value.code == policy.FORBIDDEN
    assert isinstance(refused.value, PermissionDenied)  # Django answers 403 where a view lets it through

    with pytest.raises(policy.Refusal) as refused:
        policy.check(office, "policytest.archive", me)
    assert refused.value.code == policy.STATE and "在职" in refused.value.message
    with pytest.raises(policy.Refusal) as refused:
        policy.check(staff, "policytest.archive", me)
    assert refused.value.code == policy.FORBIDDEN


def test_allowed_actions_lists_every_rule_on_the_model(demo_user):
    staff = demo_user("staff_demo")
    allowed = policy.allowed_actions(staff, staff.person)
    assert {"rename": True, "archive": False}.items() <= allowed.items()
    assert sorted(allowed) == sorted(name.split(".", 1)[1] for name in policy.rule_names(Person))
    ours = [name for name in policy.rule_names(Person) if name.startswith("policytest.")]
    assert ours == ["policytest.rename", "policytest.archive"]
    # The org's own rules on a person are there too (a staff member may edit nobody).
    assert allowed["edit_person"] is False
    assert "policytest.run_report" in policy.rule_names()


def test_anonymous_and_inactive_people_may_do_nothing(demo_user):
    staff = demo_user("staff_demo")
    assert not policy.can(AnonymousUser(), "policytest.run_report")
    office = demo_user("office_demo")
    assert policy.can(office, "policytest.run_report")
    office.is_active = False
    assert not policy.can(office, "policytest.run_report")
    assert policy.decide(office, "policytest.rename", staff.person).message == "需要登录。"


def test_unknown_rules_and_wrong_objects_are_programming_errors(demo_user):
    staff = demo_user("staff_demo")
    with pytest.raises(ImproperlyConfigured):
        policy.can(staff, "policytest.nothing")
    with pytest.raises(ImproperlyConfigured):
        policy.can(staff, "policytest.rename", Court.objects.first())


def test_office_reaches_courts_below_it_not_above(demo_user):
    basic_office = demo_user("office_demo")
    root = Court.objects.get(parent=None)
    basic = Court.objects.exclude(pk=root.pk).first()
    assert policy.is_office_of(basic_office, root) and policy.is_office_of(basic_office, basic)
    assert not policy.is_office_of(demo_user("staff_demo"), root)
    assert policy.is_oversight_of(demo_user("leader_demo"), basic)
    assert not policy.is_office_of(demo_user("leader_demo"), basic)


def test_out_of_scope_is_404_before_any_rule(demo_user):
    staff = demo_user("staff_demo")
    other = Person.objects.exclude(user=staff).first()
    with pytest.raises(Http404):
        policy.get_visible_or_404(Person, staff, pk=other.pk)
    with pytest.raises(Http404):
        policy.get_visible_or_404(Person, staff, pk="not a number")
    assert policy.get_visible_or_404(Person, staff, pk=staff.person.pk) == staff.person
    with pytest.raises(policy.Refusal):
        policy.get_for_action_or_404(Person, staff, "policytest.archive", pk=staff.person.pk)


def test_templates_ask_the_policy(demo_user):
    staff = demo_user("staff_demo")
    request = RequestFactory().get("/")
    request.user = staff
    html = Template(
        "{% load policy %}{% allowed_actions person as may %}"
        "{% if may.rename %}R{% endif %}{% if may.archive %}A{% endif %}"
        '{% can "policytest.run_report" as report %}{% if report %}P{% endif %}'
    ).render(Context({"request": request, "person": staff.person}))
    assert html == "R"
