"""The representative accounts of the seed_scale province that the benchmarks log in as.

Chosen by role and place, never by id, so every run on a fresh ``seed_scale`` database (same ``--seed``)
picks the same people:

- staff: a plain staff member of the first basic court (no other role) with the number of risk points
  closest to the province's mean (about 20 with the default sizes);
- division head: the head of the first division of that basic court;
- deputy leader: a deputy of the first intermediate court (oversees half its ten divisions);
- president: the president of that basic court (a president of a higher court is also in its leading
  group, whose reach is the whole subtree);
- office: the office (领导小组办公室) of the high court: every court of the province;
- leading group: a leading group member of the high court who holds no other role.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from hkcourt.org.models import Role, RoleAssignment
from risks.models import RiskPoint

ROLES = ["staff", "division head", "deputy", "president", "office", "leading group"]
BASIC, INTERMEDIATE, HIGH = "sc-i01-b01", "sc-i01", "sc-h"


def _only(role, court):
    """Users holding ``role`` at ``court`` and no other role except staff."""
    others = RoleAssignment.objects.exclude(role__in=[role, Role.STAFF]).values("user_id")
    return (
        get_user_model()
        .objects.filter(role_assignments__role=role, role_assignments__court__code=court)
        .exclude(pk__in=others)
        .distinct()
        .order_by("id")
    )


def bench_accounts():
    users = {}
    staff = _only(Role.STAFF, BASIC).annotate(points=Count("risk_points", filter=~Q(risk_points__state="draft")))
    staff = list(staff)
    if not staff:
        raise SystemExit("no seed_scale data here: run `manage.py seed_scale` on this DATABASE_URL first")
    mean = RiskPoint.objects.count() / max(get_user_model().objects.filter(person__isnull=False).count(), 1)
    users["staff"] = min(staff, key=lambda u: (abs(u.points - mean), u.pk))
    users["division head"] = _only(Role.DIVISION_HEAD, BASIC).first()
    users["deputy"] = _only(Role.DEPUTY_LEADER, INTERMEDIATE).first()
    users["president"] = _only(Role.PRESIDENT, BASIC).first()
    users["office"] = _only(Role.OFFICE, HIGH).first()
    users["leading group"] = _only(Role.LEADING_GROUP, HIGH).first()
    missing = [role for role, user in users.items() if user is None]
    if missing:
        raise SystemExit(f"seed_scale data without a {', '.join(missing)}: seed with the default sizes")
    return users
