"""The main navigation. Each entry names a URL and who may see it, in one of two ways:

- ``rule``: the dotted name of a permission rule asked without an object (``"org.import_roster"``): the
  entry shows exactly when the page would let the person in;
- ``roles``: a role group from :mod:`hkcourt.org.roles` (``OVERSIGHT_ROLES`` …), for pages whose app has not
  (yet) declared a rule for reaching them;

neither: everyone signed in. An entry shows only when its URL resolves (so apps light up their menu
entries just by adding their urls) and the policy allows it. No bare role string here.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import policy
from .roles import DASHBOARD_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES, Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: frozenset | None = None  # a group from roles.py
    rule: str = ""  # a permission rule's dotted name, asked with no object
    group: str = ""

    def allows(self, user) -> bool:
        if self.rule:
            return policy.can(user, self.rule)
        if self.roles is not None:
            return policy.holds(user, *self.roles)
        return policy.is_active(user)


EARLY_WARNING = _("预警处置")
ASSESSMENT = _("考核评估")

ENTRIES = [
    NavEntry(_("我的待办"), "home", "bi-list-check"),
    NavEntry(_("职权目录"), "risks:catalogue", "bi-journal-text"),
    NavEntry(_("风险点"), "risks:list", "bi-exclamation-diamond"),
    NavEntry(_("防控措施"), "risks:measures", "bi-shield-check"),
    NavEntry(_("承诺书"), "commitments:list", "bi-pen"),
    NavEntry(_("工作进度"), "workflow:campaigns", "bi-calendar-range", roles=MANAGER_ROLES),
    NavEntry(_("风险信息"), "workflow:signals", "bi-broadcast", roles=OVERSIGHT_ROLES, group=EARLY_WARNING),
    NavEntry(_("预警"), "workflow:warnings", "bi-bell", roles=OVERSIGHT_ROLES, group=EARLY_WARNING),
    NavEntry(_("处置"), "workflow:handling", "bi-clipboard-check", roles=OVERSIGHT_ROLES, group=EARLY_WARNING),
    NavEntry(_("整改"), "workflow:rectifications", "bi-tools", roles=OVERSIGHT_ROLES, group=EARLY_WARNING),
    # The integrity dossier is the office's alone (not the leading group's): a group of one.
    NavEntry(_("廉政档案"), "workflow:dossier", "bi-person-vcard", roles=frozenset({Role.OFFICE}), group=EARLY_WARNING),
    NavEntry(_("领导驾驶舱"), "workflow:dashboard", "bi-speedometer2", roles=DASHBOARD_ROLES),
    NavEntry(_("评估排名"), "workflow:assessment", "bi-clipboard-data", roles=OVERSIGHT_ROLES, group=ASSESSMENT),
    NavEntry(_("考核验收"), "workflow:acceptances", "bi-patch-check", rule="assessment.acceptances", group=ASSESSMENT),
    NavEntry(_("阶段总结"), "workflow:summaries", "bi-journal-text", rule="assessment.summaries", group=ASSESSMENT),
    NavEntry(_("问卷测评"), "workflow:surveys", "bi-ui-checks"),
    NavEntry(_("领导小组"), "org:leading_group", "bi-diagram-3"),
    NavEntry(_("花名册导入"), "org:roster_import", "bi-people", rule="org.import_roster"),
    NavEntry(_("系统管理"), "admin:index", "bi-gear", rule="org.use_admin_site"),
]


def entries_for(user) -> list[dict]:
    if not policy.is_active(user):
        return []
    visible = []
    for entry in ENTRIES:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue  # the app is not installed (yet): its rule may not exist either
        if not entry.allows(user):
            continue
        visible.append(
            {"label": entry.label, "url": url, "icon": entry.icon, "group": entry.group, "url_name": entry.url_name}
        )
    return visible


def menu_for(entries: list[dict]) -> list[dict]:
    """The header menu: entries sharing a ``group`` become one dropdown at the place of the first."""
    menu, groups = [], {}
    for entry in entries:
        if not entry["group"]:
            menu.append(entry)
            continue
        if entry["group"] not in groups:
            groups[entry["group"]] = {"label": entry["group"], "children": [], "url_names": set()}
            menu.append(groups[entry["group"]])
        groups[entry["group"]]["children"].append(entry)
        groups[entry["group"]]["url_names"].add(entry["url_name"])
    return menu
