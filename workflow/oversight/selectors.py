"""Reads of the oversight work, always through ``visible_to``: the office and the leading group see
signals and warnings (never about themselves); a person sees only the handling delivered to them and
the rectifications they own. Every row a page shows beside the one it is about (a warning's signals, a
handling's source, a dossier's records) passes through its own ``visible_to`` too.

The ``*_rows(user)`` querysets are what a detail page fetches from with
:func:`hkcourt.org.policy.get_visible_or_404` (which applies the row's own scope): they load the linked rows,
already scoped to ``user``."""

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from hkcourt.org import policy
from hkcourt.org.models import Court, Person
from risks.measures.models import Measure
from risks.models import PublicFeedback, RiskPoint

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


def _scoped(name, model, user):
    return Prefetch(name, queryset=model.objects.visible_to(user))


def in_campaign(qs, campaign, day_field):
    """Rows of the campaign's courts dated within its phases (``day_field``: a date, or a time's date): the
    dashboard's campaign filter, which the lists follow with ``?campaign=<id>``."""
    if campaign is None:
        return qs
    qs = qs.filter(court__in=campaign.courts())
    start, end = campaign.start, campaign.end
    if start is not None:
        qs = qs.filter(**{f"{day_field}__gte": start, f"{day_field}__lte": end})
    return qs


def signals(user, *, channel="", severity="", q="", campaign=None):
    qs = (
        Signal.objects.visible_to(user)
        .select_related("court", "division", "person__person")
        .prefetch_related(_scoped("risk_point", RiskPoint, user))
    )
    if channel:
        qs = qs.filter(channel=channel)
    if severity:
        qs = qs.filter(severity=severity)
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(content__icontains=q)
    return in_campaign(qs, campaign, "received_on").order_by("-received_on", "-id")


def signal_rows(user):
    return Signal.objects.select_related("court", "division", "person__person").prefetch_related(
        _scoped("risk_point", RiskPoint, user), "attachments"
    )


def signal_attachment(user, pk):
    from .models import SignalAttachment

    return get_object_or_404(SignalAttachment.objects.filter(signal__in=Signal.objects.visible_to(user)), pk=pk)


def pending_feedback(user):
    return (
        PublicFeedback.objects.visible_to(user)
        .filter(signal__isnull=True)
        .select_related("court", "signal")
        .prefetch_related(_scoped("risk_point", RiskPoint, user))
        .order_by("-created_at")
    )


def warnings(user, *, level="", state="", rule="", campaign=None):
    qs = Warning.objects.visible_to(user).select_related("rule", "court", "division", "person__person")
    if level in WarningLevel.values:
        qs = qs.filter(level=level)
    if state in WarningState.values:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule__kind=rule)
    return in_campaign(qs, campaign, "raised_at__date").order_by("state", "-raised_at", "-id")


def warning_counts(user) -> dict:
    rows = Warning.objects.visible_to(user).exclude(state=WarningState.CLOSED).values("level").annotate(n=Count("id"))
    return {r["level"]: r["n"] for r in rows}


def warning_rows(user):
    """Warnings with every row they link, each through its own ``visible_to``: a linked row the reader may not
    see reads as absent (``w.risk_point`` is None, the signal is not listed)."""
    return Warning.objects.select_related("rule", "court", "division", "person__person").prefetch_related(
        _scoped("signals", Signal, user),
        Prefetch("events", queryset=WarningEvent.objects.visible_to(user).select_related("actor__person")),
        _scoped("risk_point", RiskPoint, user),
        _scoped("measure", Measure, user),
        _scoped("rectification", Rectification, user),
    )


def handlings_of_warning(user, warning):
    return Handling.objects.visible_to(user).filter(warning=warning).select_related("person__person")


def handlings_of_signal(user, signal):
    return Handling.objects.visible_to(user).filter(signal=signal)


def handlings(user, *, kind="", state="", campaign=None):
    qs = Handling.objects.visible_to(user).select_related("court", "division", "person__person", "report_back")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return in_campaign(qs, campaign, "created_at__date")


def handling_rows(user):
    """Handling with its source (warning or signal), report-back and rectification, each source through its own
    ``visible_to``: the person it was delivered to never sees the report about them that it answers."""
    return Handling.objects.select_related(
        "court", "division", "person__person", "created_by__person"
    ).prefetch_related(
        _scoped("warning", Warning, user),
        _scoped("signal", Signal, user),
        _scoped("rectification", Rectification, user),
        "report_back",
    )


def rectifications(user, *, state="", campaign=None):
    qs = Rectification.objects.visible_to(user).select_related("court", "division", "owner__person")
    if state in RectificationState.values:
        qs = qs.filter(state=state)
    return in_campaign(qs, campaign, "created_at__date")


def rectification_rows(user):
    return Rectification.objects.select_related(
        "court", "division", "owner__person", "closed_by__person"
    ).prefetch_related("progress", _scoped("handling", Handling, user))


def rules():
    return WarningRule.objects.order_by("id")


def office_courts(user):
    """The courts whose signals ``user`` may record."""
    return [c for c in Court.objects.visible_to(user) if policy.can(user, "oversight.record_signal", c)]


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

    person = get_object_or_404(people_for(user).exclude(user=user), pk=pk)
    policy.check(user, "oversight.view_dossier", person)
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
