"""Reads of the organisation's pages that are more than a scoped get: the audit log's search."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from .models import AuditEntry

# The apps whose objects the log names (the object-type filter offers their models).
AUDITED_APPS = ("org", "auth", "risks", "measures", "commitments", "workflow", "oversight", "assessment")


def audit_object_types():
    """The content types the object-type filter offers, by their verbose names."""
    types = [ct for ct in ContentType.objects.filter(app_label__in=AUDITED_APPS) if ct.model_class() is not None]
    return sorted(types, key=lambda ct: (ct.app_label, str(ct.model_class()._meta.verbose_name)))


def _day_start(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries(user, *, actor="", action="", object_type=None, date_from=None, date_to=None, q=""):
    """The log entries ``user`` may see (``AuditEntry.objects.visible_to``: the office and the administrator
    see their court and the courts under it), newest first, narrowed by the filters: ``actor`` (login name or
    name, contains), ``action`` (a code), ``object_type`` (a ContentType), a date range (inclusive, local
    days) and ``q`` (the object's name or the reason, contains)."""
    entries = AuditEntry.objects.visible_to(user).select_related("actor__person", "court", "content_type")
    if actor:
        entries = entries.filter(Q(actor__username__icontains=actor) | Q(actor__person__full_name__icontains=actor))
    if action:
        entries = entries.filter(action=action)
    if object_type is not None:
        entries = entries.filter(content_type=object_type)
    if date_from:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if q:
        entries = entries.filter(Q(object_repr__icontains=q) | Q(reason__icontains=q))
    return entries.order_by("-created_at", "-id")
