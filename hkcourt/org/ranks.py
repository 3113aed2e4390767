"""The leading group's and its office's ranks, for pages and letters (plan 三(一): 组长、副组长、成员;
办公室主任、副主任、成员).

``display_rank(user)`` is the one answer to "how does a document name this person's place in the campaign"
("领导小组组长", "领导小组办公室主任", or ``""``); commitments and workflow call it, never the raw role rows.
"""

from __future__ import annotations

from .roles import RANK_ORDER, RANKED_ROLES, Role, rank_title
from .scoping import UserRoles


def display_ranks(user, court=None) -> list[str]:
    """Every rank the person holds (at ``court`` if given), 领导小组 before its office, 组长 first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    court_id = getattr(court, "pk", court)
    rows = [
        a
        for a in UserRoles.of(user).assignments
        if a.role in RANKED_ROLES and a.rank and (court_id is None or a.court_id == court_id)
    ]
    rows.sort(key=lambda a: (0 if a.role == Role.LEADING_GROUP else 1, RANK_ORDER.get(a.rank, 3)))
    return [rank_title(a.role, a.rank) for a in rows]


def display_rank(user, court=None) -> str:
    """The person's first rank ("领导小组组长"), or ``""``: what a letter prints under the name."""
    ranks = display_ranks(user, court)
    return ranks[0] if ranks else ""
