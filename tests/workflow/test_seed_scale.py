"""``manage.py seed_scale`` (issue 12) at a small size: the rows it writes are what the services would have
written, and the benchmark's accounts are there."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min, Q

from bench.accounts import ROLES, bench_accounts
from hkcourt.org.models import Court, Person, Role, RoleAssignment
from risks.measures.models import Measure
from risks.models import (
    GradingTier,
    KeyLink,
    Level,
    PeerCheck,
    RiskGrading,
    RiskPoint,
    RiskPointUserObjectPermission,
    Source,
    State,
    Transition,
)
from workflow.models import Campaign
from workflow.oversight.models import Signal

pytestmark = pytest.mark.django_db

PROVINCE = Q(court__path__startswith="/sc-h/")


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_scale", courts=3, people=200, risk_points=1000, signals=60, stdout=out)
    return out.getvalue()


def test_sizes_and_report(seeded):
    assert Court.objects.filter(path__startswith="/sc-h/").count() == 3
    assert Person.objects.filter(PROVINCE).count() == 200
    assert RiskPoint.objects.filter(PROVINCE).count() == 1000
    assert Signal.objects.filter(PROVINCE).count() == 60
    assert "risks_riskpoint" in seeded and "行/秒" in seeded  # it reports its own rows per second


def test_every_state_level_and_source_occurs(seeded):
    points = RiskPoint.objects.filter(PROVINCE)
    assert set(points.values_list("state", flat=True)) == set(State.values)
    assert set(points.values_list("level", flat=True)) == set(Level.values)
    assert len(set(points.values_list("source", flat=True))) >= 4
    assert set(Source.values) >= set(points.values_list("source", flat=True))
    assert points.filter(key_links__isnull=False).exists()
    assert KeyLink.objects.filter(risk_points__isnull=False).count() > 5
    years = points.aggregate(first=Min("campaign_year"), last=Max("campaign_year"))
    assert years["first"] == 2012 and years["last"] > 2020


def test_points_are_consistent_with_the_organisation(seeded):
    points = RiskPoint.objects.filter(PROVINCE)
    assert not points.filter(division__isnull=False).exclude(division__court=F("court")).exists()
    assert not points.filter(post__isnull=False).exclude(post__division=F("division")).exists()
    assert not points.filter(power__isnull=False).exclude(power__court=F("court")).exists()
    assert not points.filter(step__isnull=False).exclude(step__power=F("power")).exists()
    assert not points.filter(level=Level.POST, post__isnull=True).exists()
    assert not points.filter(level=Level.COURT, division__isnull=False).exists()
    # Division points belong to the division's head, court points to the president or the court's office.
    heads = RoleAssignment.objects.filter(role=Role.DIVISION_HEAD, division=F("division"))
    for rp in points.filter(level=Level.DIVISION)[:20]:
        assert heads.filter(user=rp.owner_id, division=rp.division_id).exists()


def test_history_follows_the_state_machine(seeded):
    points = RiskPoint.objects.filter(PROVINCE)
    for rp in points.prefetch_related("transitions")[:200]:
        steps = [(t.from_state, t.to_state) for t in sorted(rp.transitions.all(), key=lambda t: (t.created_at, t.id))]
        assert steps[0] == ("", State.DRAFT)
        assert steps[-1][1] == rp.state
        for before, after in steps[1:]:
            assert after in RiskPoint.TRANSITIONS[State(before)], (rp.pk, steps)
        assert rp.version == len(steps)
        assert rp.updated_at >= rp.created_at
    graded = points.filter(state__in=[State.GRADED, State.CONFIRMED, State.PUBLISHED, State.CONTROLLED])
    assert not graded.filter(grade="").exists()
    assert not graded.exclude(gradings__tier=GradingTier.REVIEW).exists()
    assert not points.filter(state__in=[State.DRAFT, State.SUBMITTED, State.RETURNED]).exclude(grade="").exists()
    assert not points.exclude(grade="").filter(responsible_leader__isnull=True).exists()
    confirmed = points.filter(state__in=[State.CONFIRMED, State.PUBLISHED, State.CONTROLLED])
    assert not confirmed.filter(decision__isnull=True).exists()
    assert not points.filter(state=State.PUBLISHED, publicity_ends__isnull=True).exists()
    assert not RiskGrading.objects.values("risk_point", "tier").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Transition.objects.filter(risk_point__in=points).count() > 2 * points.count()


def test_measures_peer_checks_and_grants(seeded):
    measures = Measure.objects.filter(PROVINCE)
    assert measures.exists()
    assert not measures.exclude(court=F("risk_point__court")).exists()
    assert not measures.filter(risk_point__state__in=[State.DRAFT, State.SUBMITTED, State.GRADED]).exists()
    assert set(measures.values_list("status", flat=True)) == {"planned", "in_place", "checked"}
    for check in PeerCheck.objects.filter(risk_point__in=RiskPoint.objects.filter(PROVINCE)):
        assert RiskPointUserObjectPermission.objects.filter(
            user=check.reviewer_id, content_object=check.risk_point_id, permission__codename="view_riskpoint"
        ).exists()


def test_sequences_continue_after_the_seed_and_a_second_run_is_refused(seeded, django_user_model):
    rp = RiskPoint.objects.filter(PROVINCE).order_by("-id").first()
    transition = Transition.objects.create(risk_point=rp, from_state=rp.state, to_state=rp.state)
    assert transition.pk > Transition.objects.exclude(pk=transition.pk).aggregate(m=Max("id"))["m"]
    user = django_user_model.objects.create_user("after_the_seed", password="x" * 12)
    assert user.pk > 0
    with pytest.raises(CommandError):
        call_command("seed_scale", courts=3, people=200, risk_points=10, stdout=StringIO())


def test_campaigns_and_benchmark_accounts(seeded):
    root = Court.objects.get(code="sc-h")
    assert Campaign.objects.filter(court=root, is_template=False).count() >= 14
    accounts = bench_accounts()
    assert set(accounts) == set(ROLES)
    staff = accounts["staff"]
    own = RiskPoint.objects.filter(owner=staff)
    assert set(RiskPoint.objects.visible_to(staff)) >= set(own)
    assert RiskPoint.objects.visible_to(accounts["office"]).count() == RiskPoint.objects.filter(PROVINCE).count()
