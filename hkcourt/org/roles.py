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
