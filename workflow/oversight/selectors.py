"""Reads of the oversight work, always through ``visible_to``: the office and the leading group see
signals and warnings (never about themselves); a person sees only the handling delivered to them and
the rectifications they own."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from hkcourt.org.models import Court, Person, Role
from hkcourt.org.scoping import UserRoles
from risks.models import PublicFeedback

from .models import (
    Handling,
    Rectification,
    RectificationState,
    Signal,
    Warning,
    WarningEvent,
    WarningLevel,
    WarningRule,
    WarningState,
)


def has_oversight(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or bool(UserRoles.of(user).codes() & {Role.OFFICE, Role.LEADING_GROUP})
    )


def require_oversight(user):
    """Pages that only the office and leading group have: everyone else gets 404, as for a hidden row."""
    if not has_oversight(user):
        raise Http404


def signals(user, *, channel="", severity="", q=""):
    qs = Signal.objects.visible_to(user).select_related("court", "division", "person__person", "risk_point")
    if channel:
        qs = qs.filter(channel=channel)
    if severity:
        qs = qs.filter(severity=severity)
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(content__icontains=q)
    return qs.order_by("-received_on", "-id")


def signal_detail(user, pk):
    return get_object_or_404(
        Signal.objects.visible_to(user).select_related("court", "division", "person__person", "risk_point"), pk=pk
    )


def signal_attachment(user, pk):
    from .models import SignalAttachment

    return get_object_or_404(SignalAttachment.objects.filter(signal__in=Signal.objects.visible_to(user)), pk=pk)


def pending_feedback(user):
    return (
        PublicFeedback.objects.visible_to(user)
        .filter(signal__isnull=True)
        .select_related("court", "risk_point")
        .order_by("-created_at")
    )


def feedback(user, pk):
    return get_object_or_404(PublicFeedback.objects.visible_to(user), pk=pk)


def warnings(user, *, level="", state="", rule=""):
    qs = Warning.objects.visible_to(user).select_related("rule", "court", "division", "person__person", "risk_point")
    if level in WarningLevel.values:
        qs = qs.filter(level=level)
    if state in WarningState.values:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule__kind=rule)
    return qs.order_by("state", "-raised_at", "-id")


def warning_counts(user) -> dict:
    rows = Warning.objects.visible_to(user).exclude(state=WarningState.CLOSED).values("level").annotate(n=Count("id"))
    return {r["level"]: r["n"] for r in rows}


def warning_detail(user, pk):
    """A warning and every row it links, each through its own ``visible_to``: a linked row the reader may not
    see reads as absent (``w.risk_point`` is None, the signal is not listed)."""
    from risks.measures.models import Measure
    from risks.models import RiskPoint

    return get_object_or_404(
        Warning.objects.visible_to(user)
        .select_related("rule", "court", "division", "person__person")
        .prefetch_related(
            Prefetch("signals", queryset=Signal.objects.visible_to(user)),
            Prefetch("events", queryset=WarningEvent.objects.visible_to(user).select_related("actor__person")),
            Prefetch("risk_point", queryset=RiskPoint.objects.visible_to(user)),
            Prefetch("measure", queryset=Measure.objects.visible_to(user)),
            Prefetch("rectification", queryset=Rectification.objects.visible_to(user)),
        ),
        pk=pk,
    )


def handlings_of_warning(user, warning):
    return Handling.objects.visible_to(user).filter(warning=warning).select_related("person__person")


def handlings_of_signal(user, signal):
    return Handling.objects.visible_to(user).filter(signal=signal)


def handlings(user, *, kind="", state=""):
    qs = Handling.objects.visible_to(user).select_related("court", "division", "person__person", "report_back")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs


def handling_detail(user, pk):
    """A handling with its source (warning or signal) and rectification, each through its own ``visible_to``:
    the person it was delivered to never sees the report about them that it answers."""
    return get_object_or_404(
        Handling.objects.visible_to(user)
        .select_related("court", "division", "person__person", "created_by__person")
        .prefetch_related(
            Prefetch("warning", queryset=Warning.objects.visible_to(user)),
            Prefetch("signal", queryset=Signal.objects.visible_to(user)),
            Prefetch("rectification", queryset=Rectification.objects.visible_to(user)),
        ),
        pk=pk,
    )


def rectifications(user, *, state=""):
    qs = Rectification.objects.visible_to(user).select_related("court", "division", "owner__person")
    if state in RectificationState.values:
        qs = qs.filter(state=state)
    return qs


def rectification_detail(user, pk):
    return get_object_or_404(
        Rectification.objects.visible_to(user)
        .select_related("court", "division", "owner__person", "closed_by__person")
        .prefetch_related(Prefetch("progress"), Prefetch("handling", queryset=Handling.objects.visible_to(user))),
        pk=pk,
    )


def rules():
    return WarningRule.objects.order_by("id")


def office_courts(user):
    from risks.services import is_office_for

    return [c for c in Court.objects.visible_to(user) if is_office_for(user, c)]


def people_for(user):
    """People the office may name in a signal or handling (its courts and those under them)."""
    return Person.objects.visible_to(user).select_related("court", "division").order_by("court__path", "full_name")


def dossier_people(user, q=""):
    qs = people_for(user)
    if q:
        qs = qs.filter(full_name__icontains=q)
    return qs


def dossier(user, pk):
    """廉政档案: one person's whole record, for the office (never their own). Every part is read through its
    own ``visible_to``: a basic court's office does not read what the person left at the city court."""
    from commitments.models import CommitmentLetter
    from hkcourt.org.models import RoleAssignment
    from risks.measures.models import Measure
    from risks.models import RiskPoint

    person = get_object_or_404(people_for(user).exclude(user=user), pk=pk)
    target = person.user
    points = RiskPoint.objects.visible_to(user)
    return {
        "person": person,
        "posts": list(
            person.history.select_related("division", "post")
            .order_by("history_date")
            .values("history_date", "division__name", "post__name", "title")
        ),
        "roles": list(RoleAssignment.objects.visible_to(user).filter(user=target).select_related("court", "division")),
        "risk_points": list(points.filter(owner=target).select_related("power").order_by("-id")),
        "responsible": list(points.filter(responsible_leader=target).order_by("-id")),
        "measures": list(
            Measure.objects.visible_to(user).filter(owner=target).select_related("risk_point").order_by("deadline")
        ),
        "letters": list(CommitmentLetter.objects.visible_to(user).filter(signer=target).order_by("-id")),
        "handlings": list(
            Handling.objects.visible_to(user).filter(person=target).select_related("report_back").order_by("-id")
        ),
        "rectifications": list(Rectification.objects.visible_to(user).filter(owner=target).order_by("-id")),
        "signals": list(Signal.objects.visible_to(user).filter(person=target).order_by("-received_on")),
        "warnings": list(Warning.objects.visible_to(user).filter(person=target).order_by("-raised_at")),
    }
