"""The organisation's one write path: every change goes through a service that asks its rule first (no second
path around the policy) and writes its audit entry; the rules answer by the person's place in the org."""

import dataclasses

import pytest
from django.contrib.auth import get_user_model

from hkcourt.org import policy, services
from hkcourt.org.models import AuditEntry, Court, Division, DivisionKind, Person, Post, Role, RoleAssignment
from tests.factories import make_person
from tests.org.test_roster_import import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()


@dataclasses.dataclass
class World:
    court: Court
    division: Division
    person: Person
    assignment: RoleAssignment


@pytest.fixture
def world(demo_org):
    court = Court.objects.get(code="xiangyang")
    division = Division.objects.get(court=court, name="立案庭")
    person = make_person(division=division, roles=(Role.STAFF, Role.PRESIDENT))
    person = Person.objects.select_related("user", "court").get(pk=person.pk)
    assignment = RoleAssignment.objects.select_related("court", "user").get(user=person.user, role=Role.PRESIDENT)
    return World(court, division, person, assignment)


def _inactive(person):
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])
    return person


# rule → (the service call, the audit code it writes)
CALLS = {
    "org.create_court": (
        lambda a, w: services.create_court(actor=a, code="xinqu", name="鹤岗市新区人民法院", parent=w.court),
        "org.court_create",
    ),
    "org.manage_court": (
        lambda a, w: services.create_division(actor=a, court=w.court, name="环境资源审判庭", kind=DivisionKind.TRIAL),
        "org.division_create",
    ),
    "org.manage_court#post": (
        lambda a, w: services.create_post(actor=a, division=w.division, name="速裁岗"),
        "org.post_create",
    ),
    "org.create_person": (
        lambda a, w: services.create_person(
            actor=a, username="new_clerk", full_name="新书记员", court=w.court, division=w.division
        ),
        "org.person_create",
    ),
    "org.edit_person": (
        lambda a, w: services.update_person(actor=a, person=w.person, title="审判员（一级）"),
        "org.person_update",
    ),
    "org.deactivate": (lambda a, w: services.deactivate_person(actor=a, person=w.person), "org.person_deactivate"),
    "org.reactivate": (
        lambda a, w: services.reactivate_person(actor=a, person=_inactive(w.person)),
        "org.person_reactivate",
    ),
    "org.assign_role": (
        lambda a, w: services.assign_role(
            actor=a, user=w.person.user, role=Role.DIVISION_HEAD, court=w.court, division=w.division
        ),
        "org.role_assign",
    ),
    "org.revoke_role": (lambda a, w: services.revoke_role(actor=a, assignment=w.assignment), "org.role_revoke"),
    "org.import_roster": (
        lambda a, w: services.import_roster(actor=a, filename="r.csv", content=csv_bytes(GOOD_ROWS), commit=True),
        "org.roster_import",
    ),
}


def _counts():
    return {m.__name__: m.objects.count() for m in (Court, Division, Post, Person, User, RoleAssignment, AuditEntry)}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_each_service_refuses_when_its_rule_refuses(monkeypatch, demo_user, world, case):
    rule = case.split("#")[0]
    entry = policy._RULES[rule]
    refuse = dataclasses.replace(entry, function=lambda user, obj: policy.deny("测试：规则拒绝。"))
    monkeypatch.setitem(policy._RULES, rule, refuse)
    call, _code = CALLS[case]
    before = _counts()
    with pytest.raises(policy.Refusal) as refused:
        call(demo_user("admin"), world)
    assert refused.value.message == "测试：规则拒绝。" and refused.value.action == rule
    after = _counts()
    if case == "org.reactivate":
        before["User"] = after["User"]  # the fixture deactivated the account before the call
    assert after == before


@pytest.mark.parametrize("case", sorted(CALLS))
def test_each_service_writes_its_audit_entry(demo_user, world, case):
    call, code = CALLS[case]
    admin = demo_user("admin")
    call(admin, world)
    entry = AuditEntry.objects.filter(action=code).latest("id")
    assert entry.actor == admin


def test_a_court_admin_manages_own_courts_only(world):
    admin = make_person(division=world.division, roles=(Role.ADMIN,)).user
    root = Court.objects.get(parent=None)
    assert policy.can(admin, "org.create_person", world.court)
    assert not policy.can(admin, "org.create_person", root)
    assert policy.decide(admin, "org.create_person", root).message == "您无权管理单位“鹤岗市中级人民法院”的人员。"
    assert policy.can(admin, "org.create_court", world.court)
    assert not policy.can(admin, "org.create_court", None)  # a court at the top: superusers only
    assert policy.can(admin, "org.edit_person", world.person)
    assert not policy.can(admin, "org.edit_person", Person.objects.get(user__username="staff_demo"))
    assert not policy.can(admin, "org.edit_person", Person.objects.get(user__username="admin"))  # a superuser
    assert policy.can(admin, "org.import_roster") and policy.can(admin, "org.import_roster", world.court)
    assert not policy.can(admin, "org.import_roster", root)

    own = RoleAssignment.objects.get(user=admin, role=Role.ADMIN)
    decision = policy.decide(admin, "org.revoke_role", own)
    assert not decision and decision.message == "不能撤销自己的“系统管理员”角色。"
    with pytest.raises(policy.Refusal):
        services.revoke_role(actor=admin, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()

    with pytest.raises(policy.Refusal):
        services.update_person(actor=admin, person=world.person, court=root)  # moved out of reach


@pytest.mark.parametrize("username", ["staff_demo", "head_demo", "president_demo", "office_demo", "leader_demo"])
def test_no_other_role_changes_the_organisation(demo_user, world, username):
    user = demo_user(username)
    for rule, obj in [
        ("org.create_court", world.court),
        ("org.manage_court", world.court),
        ("org.create_person", world.court),
        ("org.edit_person", world.person),
        ("org.deactivate", world.person),
        ("org.assign_role", world.court),
        ("org.revoke_role", world.assignment),
        ("org.import_roster", None),
        ("org.use_admin_site", None),
    ]:
        assert not policy.can(user, rule, obj), (username, rule)


def test_audit_log_is_for_the_office_and_administrators(demo_user):
    root = Court.objects.get(parent=None)
    assert policy.can(demo_user("office_demo"), "org.view_audit_log", root)
    assert policy.can(demo_user("admin"), "org.view_audit_log")
    assert not policy.can(demo_user("leader_demo"), "org.view_audit_log", root)
    assert not policy.can(demo_user("staff_demo"), "org.view_audit_log")


def test_admin_site_is_for_staff_accounts_of_administrators(demo_user, world):
    assert policy.can(demo_user("admin"), "org.use_admin_site")
    court_admin = make_person(division=world.division, roles=(Role.ADMIN,)).user
    assert not policy.can(court_admin, "org.use_admin_site")  # Django's admin would not let them in
    court_admin.is_staff = True
    assert policy.can(court_admin, "org.use_admin_site")


def test_deactivate_and_reactivate(demo_user, world):
    admin = demo_user("admin")
    allowed = policy.allowed_actions(admin, world.person)
    assert (allowed["edit_person"], allowed["deactivate"], allowed["reactivate"]) == (True, True, False)
    services.deactivate_person(actor=admin, person=world.person, reason="调离")
    world.person.user.refresh_from_db()
    assert not world.person.user.is_active
    with pytest.raises(policy.Refusal) as again:
        services.deactivate_person(actor=admin, person=world.person)
    assert again.value.code == policy.STATE
    assert AuditEntry.objects.get(action="org.person_deactivate").reason == "调离"
    services.reactivate_person(actor=admin, person=world.person)
    world.person.user.refresh_from_db()
    assert world.person.user.is_active
    with pytest.raises(policy.Refusal) as self_:
        services.deactivate_person(actor=admin, person=Person.objects.get(user=admin))
    assert self_.value.message == "不能停用自己的账号。"


def test_create_person_attaches_a_bare_account_for_superusers_only(demo_user, world):
    bare = User.objects.create_user(username="bare", password="x-secret-123")
    court_admin = make_person(division=world.division, roles=(Role.ADMIN,)).user
    with pytest.raises(policy.Refusal):
        services.create_person(actor=court_admin, username="bare", full_name="许晴", court=world.court, account=bare)
    person = services.create_person(
        actor=demo_user("admin"), username="bare", full_name="许晴", court=world.court, account=bare
    )
    assert person.user == bare and bare.check_password("x-secret-123")


def test_change_roles_skips_what_is_held_and_audits_each(demo_user, world):
    admin = demo_user("admin")
    created = services.change_roles(
        actor=admin,
        user=world.person.user,
        court=world.court,
        assign=[(Role.STAFF, None), (Role.DIVISION_HEAD, world.division)],
        revoke=[world.assignment],
    )
    assert [(ra.role, ra.division_id) for ra in created] == [(Role.DIVISION_HEAD, world.division.pk)]
    held = set(RoleAssignment.objects.filter(user=world.person.user).values_list("role", flat=True))
    assert held == {Role.STAFF, Role.DIVISION_HEAD}
    assert AuditEntry.objects.filter(action="org.role_assign", data__user=world.person.user.username).count() == 1
    assert AuditEntry.objects.filter(action="org.role_revoke", data__role=Role.PRESIDENT).count() == 1


def test_roster_import_writes_through_the_services(demo_user):
    admin = demo_user("admin")
    before = AuditEntry.objects.count()
    preview = services.import_roster(actor=admin, filename="r.csv", content=csv_bytes(GOOD_ROWS))
    assert not preview.has_errors
    assert AuditEntry.objects.count() == before, "a dry run leaves no entry behind"

    outcome = services.import_roster(actor=admin, filename="r.csv", content=csv_bytes(GOOD_ROWS), commit=True)
    counts = outcome.counts
    written = dict.fromkeys(
        ["org.person_create", "org.court_create", "org.division_create", "org.post_create", "org.role_assign"], 0
    )
    for action in AuditEntry.objects.filter(action__in=written, actor=admin).values_list("action", flat=True):
        written[action] += 1
    assert written == {
        "org.person_create": counts["people_created"],
        "org.court_create": counts["courts_created"],
        "org.division_create": counts["divisions_created"],
        "org.post_create": counts["posts_created"],
        "org.role_assign": counts["roles_added"],
    }
    assert counts["roles_added"] == 6  # staff+head, staff, 2×deputy, staff
