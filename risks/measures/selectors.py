"""Reads of measures and court rules, always through ``visible_to``."""

from django.db.models import BooleanField, Case, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hkcourt.org.models import Person
from hkcourt.org.policy import get_visible_or_404

from ..models import RiskPoint
from ..selectors import risk_point_or_404
from .models import CourtRule, Measure, MeasureStatus


def with_overdue(qs):
    """Annotate ``is_overdue``: still planned after its deadline (pages show it, they do not decide it)."""
    today = timezone.localdate()
    return qs.annotate(
        is_overdue=Case(
            When(Q(status=MeasureStatus.PLANNED, deadline__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def measures(user):
    return with_overdue(Measure.objects.visible_to(user).for_list())


def measure_list(user, *, status="", kind="", category="", overdue=False, q="", mine=False, year=None):
    qs = measures(user)
    if year:  # the campaign year of the measure's risk point (the dashboard's campaign filter)
        qs = qs.filter(risk_point__campaign_year=year)
    if mine:
        qs = qs.filter(owner=user)
    if status in MeasureStatus.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if overdue:
        qs = qs.filter(status=MeasureStatus.PLANNED, deadline__lt=timezone.localdate())
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(description__icontains=q)
    return qs.order_by("deadline", "id")


def status_counts(user) -> dict:
    from django.db.models import Count

    rows = Measure.objects.visible_to(user).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def measure_detail(user, pk):
    return get_visible_or_404(with_overdue(Measure.objects.for_list().prefetch_related("attachments")), user, pk=pk)


def attachment(user, pk):
    from .models import MeasureAttachment

    return get_object_or_404(MeasureAttachment.objects.filter(measure__in=Measure.objects.visible_to(user)), pk=pk)


def rules(user):
    return CourtRule.objects.visible_to(user).select_related("court").prefetch_related("risk_points", "powers")


def rule_detail(user, pk):
    return get_object_or_404(rules(user), pk=pk)


def measurable_point(user, pk):
    """The risk point a measure is set on: one the user may see and not another person's draft, else 404."""
    return risk_point_or_404(user, pk, "court", "division")


def my_responsibilities(user):
    """分级负责: the risk points the user is the responsible leader of, with their measures."""
    return (
        RiskPoint.objects.visible_to(user)
        .filter(responsible_leader=user)
        .exclude(state="retired")
        .select_related("court", "division", "post")
        .prefetch_related(
            # a linked row passes through its own scope too
            Prefetch(
                "measures", queryset=with_overdue(Measure.objects.visible_to(user).select_related("owner__person"))
            )
        )
        .order_by("-grade", "id")
    )


def unacknowledged_count(user) -> int:
    return (
        Measure.objects.visible_to(user)
        .filter(risk_point__responsible_leader=user, acknowledged_at__isnull=True)
        .count()
    )


def owners_for(court):
    return Person.objects.filter(court=court).select_related("division").order_by("division__sort_order", "full_name")


def rules_for(court):
    return CourtRule.objects.filter(court=court).order_by("-issued_on")


def measures_of_point(user, rp):
    return measures(user).filter(risk_point=rp)


def my_measures_due(user):
    return Measure.objects.visible_to(user).filter(owner=user, status=MeasureStatus.PLANNED).order_by("deadline")
