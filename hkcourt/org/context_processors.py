from .models import Role
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
        "role_labels": [Role(code).label for code in Role.values if code in roles.codes()],
    }
