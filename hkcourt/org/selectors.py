"""Reads of the organisation, each starting from a scoped queryset: the leading group, the audit log's search."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from .models import AuditEntry, Court, RoleAssignment
from .policy import get_visible_or_404, roles_of
from .roles import RANKED_ROLES, GroupRank, Role

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


def leading_group_court(user, court_id=None) -> Court:
    """The court whose leading group the page shows: ``court_id`` among the courts the person sees (404
    otherwise), else the person's own court (or the first court of their roles)."""
    if court_id:
        return get_visible_or_404(Court, user, pk=court_id)
    roles = roles_of(user)
    if roles.person is not None:
        return roles.person.court
    return Court.objects.visible_to(user).order_by("path").first()


def leading_group(court: Court) -> dict[str, list[RoleAssignment]]:
    """The leading group and its office of ``court`` (organisation data everyone at the court may read),
    each ordered 组长/主任 first, then 副职, then 成员, then by name."""
    rank_order = Case(
        When(rank=GroupRank.CHIEF, then=Value(0)),
        When(rank=GroupRank.DEPUTY, then=Value(1)),
        When(rank=GroupRank.MEMBER, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    rows = (
        RoleAssignment.objects.filter(court=court, role__in=sorted(RANKED_ROLES), user__is_active=True)
        .select_related("user__person__division")
        .annotate(rank_order=rank_order)
        .order_by("rank_order", "user__person__full_name", "id")
    )
    body = {Role.LEADING_GROUP: [], Role.OFFICE: []}
    for row in rows:
        body[row.role].append(row)
    return {"group": body[Role.LEADING_GROUP], "office": body[Role.OFFICE]}


def state_history(obj) -> list:
    """``obj``'s workflow history (``org.StateChange``, written by :func:`hkcourt.org.transitions.apply`), oldest
    first, in one query; each row carries its action's and states' labels in the reader's language and the
    actor's name (empty: the system)."""
    from .transitions import history_of, machine_for

    choices = dict(obj._meta.get_field(machine_for(obj).field).choices or ())
    rows = list(history_of(obj))
    for row in rows:
        row.from_label = str(choices.get(row.from_state, row.from_state)) if row.from_state else ""
        row.to_label = str(choices.get(row.to_state, row.to_state))
        person = getattr(row.actor, "person", None) if row.actor_id else None
        row.actor_name = person.full_name if person else (row.actor.get_username() if row.actor_id else "")
    return rows
