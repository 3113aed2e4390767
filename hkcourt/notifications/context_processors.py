from . import selectors


def unread(request):
    """The unread count shown as a badge in the header (one COUNT query per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": selectors.unread_count(user)}
