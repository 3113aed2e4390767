"""The main navigation: each entry names a URL and the roles that may use it. An entry whose URL is not
(yet) installed is left out, so apps light up their menu entries just by adding their urls."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Role
from .scoping import UserRoles

EVERYONE = None
LEADERS = frozenset({Role.DIVISION_HEAD, Role.DEPUTY_LEADER, Role.PRESIDENT, Role.OFFICE, Role.LEADING_GROUP})
OVERSIGHT = frozenset({Role.OFFICE, Role.LEADING_GROUP})


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: frozenset | None = EVERYONE
    group: str = ""


ENTRIES = [
    NavEntry(_("我的待办"), "home", "bi-list-check"),
    NavEntry(_("职权目录"), "risks:catalogue", "bi-journal-text"),
    NavEntry(_("风险点"), "risks:list", "bi-exclamation-diamond"),
    NavEntry(_("防控措施"), "risks:measures", "bi-shield-check"),
    NavEntry(_("承诺书"), "commitments:list", "bi-pen"),
    NavEntry(_("活动进度"), "workflow:campaigns", "bi-calendar-range", LEADERS),
    NavEntry(_("风险信息"), "workflow:signals", "bi-broadcast", OVERSIGHT, group=_("预警处置")),
    NavEntry(_("预警"), "workflow:warnings", "bi-bell", OVERSIGHT, group=_("预警处置")),
    NavEntry(_("处置"), "workflow:handling", "bi-clipboard-check", OVERSIGHT, group=_("预警处置")),
    NavEntry(_("整改"), "workflow:rectifications", "bi-tools", OVERSIGHT, group=_("预警处置")),
    NavEntry(_("廉政档案"), "workflow:dossier", "bi-person-vcard", frozenset({Role.OFFICE}), group=_("预警处置")),
    NavEntry(
        _("领导驾驶舱"),
        "workflow:dashboard",
        "bi-speedometer2",
        frozenset({Role.DEPUTY_LEADER, Role.PRESIDENT, Role.OFFICE, Role.LEADING_GROUP}),
    ),
    NavEntry(_("考核评估"), "workflow:assessment", "bi-clipboard-data", OVERSIGHT),
    NavEntry(_("问卷测评"), "workflow:surveys", "bi-ui-checks"),
    NavEntry(_("花名册导入"), "org:roster_import", "bi-people", frozenset({Role.ADMIN})),
    NavEntry(_("系统管理"), "admin:index", "bi-gear", frozenset({Role.ADMIN})),
]


def entries_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    codes = UserRoles.of(user).codes()
    visible = []
    for entry in ENTRIES:
        if entry.roles is not EVERYONE and not (user.is_superuser or codes & entry.roles):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
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
