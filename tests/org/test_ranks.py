"""The leading group's and its office's ranks (plan 三(一), issue 14 item 1): stored on the role, shown on
the header, the home page and the leading-group page, offered to letters through ``display_rank``."""

import pytest
from django.db import IntegrityError, transaction

from hkcourt.org import ranks, services
from hkcourt.org.models import AuditEntry, RoleAssignment
from hkcourt.org.policy import Refusal, holds
from hkcourt.org.roles import OVERSIGHT_ROLES, GroupRank, Role
from hkcourt.org.scoping import UserRoles

pytestmark = pytest.mark.django_db


def test_demo_president_is_chief_of_the_leading_group(demo_user):
    president = demo_user("president_demo")
    assert ranks.display_rank(president) == "领导小组组长"
    # with the rank comes the leading group's reach: the early-warning pages are his (预警处置)
    assert holds(president, *OVERSIGHT_ROLES)
    assert ranks.display_rank(demo_user("deputy2")) == "领导小组副组长"
    assert ranks.display_rank(demo_user("leader_demo")) == "领导小组成员"
    assert ranks.display_rank(demo_user("office_demo")) == "领导小组办公室主任"
    assert ranks.display_rank(demo_user("office_deputy")) == "领导小组办公室副主任"
    assert ranks.display_rank(demo_user("staff_demo")) == ""
    # a rank belongs to a court: none at another one
    basic = demo_user("xiangyang_president").person.court
    assert ranks.display_ranks(president, basic) == []


def test_pages_show_the_rank(client, login_as):
    login_as("president_demo")
    home = client.get("/").content.decode()
    assert "领导小组组长" in home
    page = client.get("/org/leading-group/")
    assert page.status_code == 200
    body = page.content.decode()
    group = body.split('data-body="leading_group"')[1].split("</table>")[0]
    # 组长 first, then 副组长, then 成员; the office beside it with its 主任
    assert group.index("陈志远") < group.index("吴文博") < group.index("周海波")
    assert 'data-rank="chief"' in group and "组长" in group
    office = body.split('data-body="office"')[1].split("</table>")[0]
    assert "孙立新" in office and "主任" in office
    assert "马晓霞" in office and "副主任" in office
    assert office.index("孙立新") < office.index("马晓霞")


def test_leading_group_page_of_a_court_out_of_reach_is_404(client, login_as, demo_user):
    login_as("gongnong_d0_s0")  # a basic court's staff: a sister court is not theirs
    basic = demo_user("xiangyang_president").person.court
    assert client.get(f"/org/leading-group/?court={basic.pk}").status_code == 404


def test_admin_sets_a_rank_with_an_audit_entry(demo_user):
    admin, leader = demo_user("admin"), demo_user("leader_demo")
    assignment = RoleAssignment.objects.get(user=leader, role=Role.LEADING_GROUP)
    services.set_rank(actor=admin, assignment=assignment, rank=GroupRank.DEPUTY, reason="调整分工")
    UserRoles.forget(leader)
    assert ranks.display_rank(leader) == "领导小组副组长"
    entry = AuditEntry.objects.filter(action="org.role_rank").latest("id")
    assert entry.data["from"] == "member" and entry.data["to"] == "deputy" and entry.reason == "调整分工"


def test_rank_refused_for_other_roles_and_other_people(demo_user):
    from django.core.exceptions import ValidationError

    staff_role = RoleAssignment.objects.get(user=demo_user("staff_demo"), role=Role.STAFF)
    with pytest.raises(ValidationError):
        services.set_rank(actor=demo_user("admin"), assignment=staff_role, rank=GroupRank.CHIEF)
    leader_role = RoleAssignment.objects.get(user=demo_user("leader_demo"), role=Role.LEADING_GROUP)
    with pytest.raises(Refusal):
        services.set_rank(actor=demo_user("office_demo"), assignment=leader_role, rank=GroupRank.CHIEF)
    leader_role.refresh_from_db()
    assert leader_role.rank == GroupRank.MEMBER
    # the database holds the rule too
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.filter(pk=staff_role.pk).update(rank=GroupRank.CHIEF)
