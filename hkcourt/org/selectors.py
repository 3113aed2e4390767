"""Reads of the organisation, each starting from a scoped queryset."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from .models import Court, RoleAssignment
from .policy import get_visible_or_404, roles_of
from .roles import RANKED_ROLES, GroupRank, Role


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
