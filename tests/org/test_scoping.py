"""Each role sees exactly its scope through the one mechanism, visible_to(user)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from hkcourt.org.models import Court, Division, Person, Role, RoleAssignment
from hkcourt.org.scoping import UserRoles
from tests.factories import DivisionFactory, make_person

pytestmark = pytest.mark.django_db


def names(qs):
    return set(qs.values_list("user__username", flat=True))


def people_of(**filters):
    return set(Person.objects.filter(**filters).values_list("user__username", flat=True))


def test_staff_sees_only_own_row(demo_user):
    staff = demo_user("staff_demo")
    assert names(Person.objects.visible_to(staff)) == {"staff_demo"}


def test_division_head_sees_own_division(demo_user):
    head = demo_user("head_demo")
    expected = people_of(division__name="民事审判庭", court__code="hgzy")
    assert "staff_demo" in expected
    assert names(Person.objects.visible_to(head)) == expected


def test_deputy_leader_sees_overseen_divisions_and_self(demo_user):
    deputy = demo_user("deputy_demo")
    overseen = people_of(division__name__in=["民事审判庭", "行政审判庭", "立案庭"], court__code="hgzy")
    assert names(Person.objects.visible_to(deputy)) == overseen | {"deputy_demo"}
    assert "hgzy_d01_head" not in names(Person.objects.visible_to(deputy))  # 刑事审判庭 is not theirs


def test_president_sees_own_court_only(demo_user):
    """The president's role reaches the court; the demo's president is also 组长 of the leading group, whose
    reach is every court under it (issue 14) — without that role, his own court only."""
    from hkcourt.org.models import RoleAssignment
    from hkcourt.org.roles import Role
    from hkcourt.org.scoping import UserRoles

    president = demo_user("president_demo")
    assert names(Person.objects.visible_to(president)) == people_of()
    RoleAssignment.objects.filter(user=president, role=Role.LEADING_GROUP).delete()
    UserRoles.forget(president)
    visible = names(Person.objects.visible_to(president))
    assert visible == people_of(court__code="hgzy")
    assert not visible & people_of(court__code="xiangyang")


def test_basic_court_president_sees_only_that_court(demo_user):
    president = demo_user("xiangyang_president")
    assert names(Person.objects.visible_to(president)) == people_of(court__code="xiangyang")


@pytest.mark.parametrize("username", ["office_demo", "leader_demo"])
def test_office_and_leading_group_see_all_courts(demo_user, username):
    user = demo_user(username)
    assert names(Person.objects.visible_to(user)) == people_of()
    assert Court.objects.visible_to(user).count() == Court.objects.count() == 9


def test_anonymous_and_inactive_see_nothing(demo_user):
    assert not Person.objects.visible_to(AnonymousUser()).exists()
    user = demo_user("leader_demo")
    user.is_active = False
    assert not Person.objects.visible_to(user).exists()


def test_user_without_any_role_or_profile_sees_nothing(django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x" * 12)
    assert not Person.objects.visible_to(user).exists()
    assert not Division.objects.visible_to(user).exists()


def test_org_structure_is_visible_within_own_court(demo_user):
    staff = demo_user("xiangyang_d0_s0")
    courts = set(Court.objects.visible_to(staff).values_list("code", flat=True))
    assert courts == {"xiangyang"}
    assert set(Division.objects.visible_to(staff).values_list("court__code", flat=True)) == {"xiangyang"}


def test_scope_is_a_sql_filter_not_an_id_list(demo_user):
    """The design forbids sending permitted object ids back as IN (...): the filter uses the row's own
    court/division/owner columns."""
    sql = str(Person.objects.visible_to(demo_user("office_demo")).query)
    assert "LIKE" in sql.upper()  # court path prefix
    staff_sql = str(Person.objects.visible_to(demo_user("staff_demo")).query)
    assert '"user_id" =' in staff_sql.replace("`", '"') or "user_id =" in staff_sql


def test_several_roles_add_up(demo_user):
    office = demo_user("office_demo")  # staff + office
    roles = UserRoles.of(office)
    assert roles.has(Role.OFFICE) and roles.has(Role.STAFF)
    head = demo_user("head_demo")
    other = DivisionFactory(court=Court.objects.get(code="hgzy"), name="研究室")
    RoleAssignment.objects.create(user=head, role=Role.DIVISION_HEAD, court=other.court, division=other)
    newcomer = make_person(username="researcher", division=other)
    UserRoles.forget(head)
    assert newcomer.user.username in names(Person.objects.visible_to(head))


def test_roles_are_read_once_per_user_object(demo_user, django_assert_num_queries):
    head = demo_user("head_demo")
    with django_assert_num_queries(3):  # role rows + home court, then the list itself
        list(Person.objects.visible_to(head))
    with django_assert_num_queries(1):
        list(Person.objects.visible_to(head))
