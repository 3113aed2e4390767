"""Roles and role groups, defined once. Every other module names a role through :class:`Role` or a group here.

A role is held at a court (``RoleAssignment``); a person may hold several. The groups below are the only
sets of roles the code may test for; a page, form or template never compares a bare role string.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("干警")
    DIVISION_HEAD = "division_head", _("庭室负责人")
    DEPUTY_LEADER = "deputy_leader", _("分管院领导")
    PRESIDENT = "president", _("院长")
    OFFICE = "office", _("领导小组办公室")
    LEADING_GROUP = "leading_group", _("领导小组成员")
    ADMIN = "admin", _("系统管理员")


#: Roles whose reach is their court and every court under it (全市法院).
SUBTREE_ROLES = frozenset({Role.OFFICE, Role.LEADING_GROUP, Role.ADMIN})
#: The office and the leading group: the early-warning work (signals, warnings, handling) is theirs.
OVERSIGHT_ROLES = frozenset({Role.OFFICE, Role.LEADING_GROUP})
#: Leaders of a division or a court: they review, they may point out risks (领导点).
LEADER_ROLES = frozenset({Role.DIVISION_HEAD, Role.DEPUTY_LEADER, Role.PRESIDENT})
#: Who reviews (returns, grades) submitted risk points.
REVIEWER_ROLES = LEADER_ROLES | {Role.OFFICE}
#: Everyone who leads something: their menus show the review and oversight pages.
MANAGER_ROLES = LEADER_ROLES | OVERSIGHT_ROLES
#: Who reads the leading group's dashboard.
DASHBOARD_ROLES = frozenset({Role.DEPUTY_LEADER, Role.PRESIDENT, Role.OFFICE, Role.LEADING_GROUP})
#: Who runs a court's campaign administration (templates, letters, recomputations).
CAMPAIGN_ADMIN_ROLES = frozenset({Role.OFFICE, Role.ADMIN})


class GroupRank(models.TextChoices):
    """A rank in the leading group (组长/副组长/成员) or in its office (主任/副主任/成员), plan 三(一).

    The stored value is the same for both bodies; the title depends on the role (:data:`RANK_TITLES`)."""

    CHIEF = "chief", _("组长／主任")
    DEPUTY = "deputy", _("副组长／副主任")
    MEMBER = "member", _("成员")


#: Roles that carry a rank: the leading group and its office.
RANKED_ROLES = frozenset({Role.LEADING_GROUP, Role.OFFICE})

#: The title of each rank in each body, as the plan writes it.
RANK_TITLES = {
    (Role.LEADING_GROUP, GroupRank.CHIEF): _("组长"),
    (Role.LEADING_GROUP, GroupRank.DEPUTY): _("副组长"),
    (Role.LEADING_GROUP, GroupRank.MEMBER): _("成员"),
    (Role.OFFICE, GroupRank.CHIEF): _("主任"),
    (Role.OFFICE, GroupRank.DEPUTY): _("副主任"),
    (Role.OFFICE, GroupRank.MEMBER): _("成员"),
}
#: The body's name in a full title: 领导小组组长, 领导小组办公室主任.
BODY_NAMES = {Role.LEADING_GROUP: _("领导小组"), Role.OFFICE: _("领导小组办公室")}
#: Order of ranks in a list (组长 first).
RANK_ORDER = {GroupRank.CHIEF: 0, GroupRank.DEPUTY: 1, GroupRank.MEMBER: 2, "": 3}


def rank_title(role, rank, *, full=True) -> str:
    """``"领导小组组长"`` (``full``) or ``"组长"``; ``""`` for a role without a rank."""
    if role not in RANKED_ROLES or not rank:
        return ""
    title = str(RANK_TITLES[(Role(role), GroupRank(rank))])
    return f"{BODY_NAMES[Role(role)]}{title}" if full else title
