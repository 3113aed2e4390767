"""Reads of the inbox, always through ``visible_to`` (a person sees only their own notifications)."""

from .models import Notification


def inbox(user, *, unread_only=False):
    qs = Notification.objects.visible_to(user)
    if unread_only:
        qs = qs.unread()
    return qs.order_by("read_at", "-created_at", "-id") if unread_only else qs.order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).unread().count()
