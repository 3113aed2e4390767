"""The header's context: the menu the policy allows (``navigation.entries_for``), the person and the titles
of the roles they hold (a leading-group rank in full: 领导小组组长). Nothing here decides what a person may do."""

from .navigation import entries_for, menu_for
from .scoping import UserRoles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    roles = UserRoles.of(user)
    entries = entries_for(user)
    return {
        "nav_entries": entries,
        "nav_menu": menu_for(entries),
        "current_person": roles.person,
        "role_labels": roles.titles(),
    }
