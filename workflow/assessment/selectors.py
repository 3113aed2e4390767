"""Reads of questionnaires and interviews, always from ``visible_to``."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from hkcourt.org import policy
from hkcourt.org.models import Court, Division
from hkcourt.org.roles import Role
from hkcourt.org.scoping import UserRoles
from workflow.models import Campaign, local_today

from . import indicators
from .models import (
    Channel,
    Choice,
    IndicatorScheme,
    Interview,
    Invitation,
    Item,
    Questionnaire,
    QuestionnaireState,
)
from .stats import questionnaire_stats


def questionnaires(user):
    return (
        Questionnaire.objects.visible_to(user)
        .select_related("court")
        .annotate(
            n_responses=Count("responses", distinct=True),
            n_invited=Count("invitations", distinct=True),
        )
        .order_by("-opens_on", "-id")
    )


def get_questionnaire(user, pk) -> Questionnaire:
    return policy.get_visible_or_404(Questionnaire.objects.select_related("court", "campaign"), user, pk=pk)


def items_of(q):
    return list(
        Item.objects.filter(questionnaire=q)
        .select_related("rectification")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("number")))
        .order_by("number")
    )


def get_item(user, pk) -> Item:
    """An item of a questionnaire the user may see (else 404)."""
    item = (
        Item.objects.filter(questionnaire__in=Questionnaire.objects.visible_to(user), pk=pk)
        .select_related("questionnaire__court")
        .first()
    )
    if item is None:
        raise Http404
    return item


def my_invitations(user):
    """The person's unused tokens of questionnaires that accept answers today."""
    today = local_today()
    return (
        Invitation.objects.visible_to(user)
        .filter(
            recipient=user,
            used=False,
            questionnaire__state=QuestionnaireState.OPEN,
            questionnaire__opens_on__lte=today,
            questionnaire__closes_on__gte=today,
        )
        .select_related("questionnaire__court")
        .order_by("questionnaire__closes_on", "pk")
    )


def get_invitation(user, pk) -> Invitation:
    """One of the person's own invitations (used or not, open or not); anyone else's answers 404."""
    queryset = Invitation.objects.filter(recipient=user).select_related("questionnaire__court")
    return policy.get_visible_or_404(queryset, user, pk=pk)


def office_courts(user):
    """The courts whose office the user is (their own and those below)."""
    if user.is_superuser:
        return Court.objects.order_by("path")
    paths = UserRoles.of(user).subtree_paths(Role.OFFICE)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return Court.objects.filter(condition).order_by("path")


def campaigns_for(user):
    return Campaign.objects.visible_to(user).running().select_related("court").order_by("-year", "-id")


def send_targets(q):
    """The courts and divisions a questionnaire may be sent to: its court and the courts under it."""
    courts = Court.objects.filter(path__startswith=q.court.path).order_by("path")
    divisions = (
        Division.objects.filter(court__path__startswith=q.court.path)
        .select_related("court")
        .order_by("court__path", "sort_order")
    )
    return courts, divisions


def owner_choices(q):
    """Who may be made responsible for a rectification: the people of the questionnaire's court."""
    return (
        get_user_model()
        .objects.filter(person__court=q.court, is_active=True)
        .select_related("person__division")
        .order_by("person__division__sort_order", "person__full_name")
    )


def default_owner(q):
    """The court's president: a court-wide result is the court's to put right."""
    return (
        get_user_model()
        .objects.filter(role_assignments__role=Role.PRESIDENT, role_assignments__court=q.court, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )


def participation(q):
    """Invited and answered per court · division (counts of tokens only: who answered what is unknown)."""
    rows = (
        Invitation.objects.filter(questionnaire=q)
        .values("court__short_name", "court__name", "division__name", "court__path", "division__sort_order")
        .annotate(invited=Count("id"), answered=Count("id", filter=Q(used=True)))
        .order_by("court__path", "division__sort_order")
    )
    return [
        {
            "label": (r["court__short_name"] or r["court__name"])
            + (f"·{r['division__name']}" if r["division__name"] else ""),
            "invited": r["invited"],
            "answered": r["answered"],
        }
        for r in rows
    ]


def results(q):
    """The figures of a finished questionnaire; while it runs, only how many answered."""
    if not q.finished:
        total = q.responses.count()
        stats = []
    else:
        total, stats = questionnaire_stats(q, items_of(q))
        for s in stats:
            s.item.stats = s  # the policy's rectify rule reads it instead of counting again
    public = q.responses.filter(channel=Channel.PUBLIC).count() if q.is_public else 0
    return {
        "total": total,
        "public": public,
        "stats": stats,
        "participation": participation(q),
        "pending": not q.finished,
    }


def interviews(user):
    return Interview.objects.visible_to(user).select_related("court", "interviewee__person").order_by("-held_on", "-id")


def get_interview(user, pk) -> Interview:
    return policy.get_visible_or_404(Interview.objects.select_related("court", "recorded_by__person"), user, pk=pk)


def people_of(courts):
    return (
        get_user_model()
        .objects.filter(person__court__in=courts, is_active=True)
        .select_related("person__court", "person__division")
        .order_by("person__court__path", "person__division__sort_order", "person__full_name")
    )


# ---------------------------------------------------------------- the indicator system


def assessment_campaigns(user):
    return list(Campaign.objects.visible_to(user).running().select_related("court").order_by("-year", "-id"))


def choose_campaign(campaigns, pk):
    """The campaign asked for (404 if it is not among the reader's), else the latest."""
    if pk in (None, ""):
        return campaigns[0] if campaigns else None
    for c in campaigns:
        if str(c.pk) == str(pk):
            return c
    raise Http404


def get_campaign(user, pk):
    return policy.get_visible_or_404(Campaign.objects.running().select_related("court"), user, pk=pk)


def scores(user, campaign, *, version=None, court_id=None) -> dict:
    """The ranking of the campaign's courts and divisions, only the rows the reader may see (ranks are
    among all units)."""
    weights = indicators.weights_for(campaign, version)
    data = indicators.ranking(campaign, weights)
    paths, courts, divisions = indicators.reach(user)
    court_rows = [r for r in data["courts"] if indicators.row_visible(r, paths, courts, divisions)]
    division_rows = [
        r
        for r in data["divisions"]
        if indicators.row_visible(r, paths, courts, divisions) and (court_id is None or r.court.pk == court_id)
    ]
    return {
        "weights": weights,
        "definitions": indicators.DEFINITIONS,
        "legend": [
            {"definition": d, "weight": weights.items[d.key][0], "target": weights.items[d.key][1]}
            for d in indicators.DEFINITIONS
        ],
        "courts": court_rows,
        "divisions": division_rows,
        "all_courts": len(data["courts"]),
        "all_divisions": len(data["divisions"]),
        "court_choices": [r.court for r in court_rows],
    }


def versions(campaign):
    return (
        IndicatorScheme.objects.filter(campaign=campaign)
        .select_related("created_by__person")
        .prefetch_related("weights")
    )


def _unit(campaign, code):
    """A court ("c12") or division ("d34") of the campaign, or 404."""
    kind, _sep, pk = code[:1], None, code[1:]
    if not pk.isdigit():
        raise Http404
    courts = campaign.courts()
    if kind == "c":
        unit = courts.filter(pk=pk).first()
        return ("court", unit, unit) if unit else (None, None, None)
    if kind == "d":
        unit = Division.objects.filter(pk=pk, court__in=courts).select_related("court").first()
        return ("division", unit, unit.court) if unit else (None, None, None)
    return None, None, None


def figure_records(user, campaign, figure, code) -> dict:
    """The records behind one raw figure of one unit: the figure's queryset for the unit, of which the
    reader sees what ``visible_to`` lets them see. A unit outside the reader's reach is 404."""
    if figure not in indicators.FIGURES:
        raise Http404
    kind, unit, court = _unit(campaign, code)
    if unit is None:
        raise Http404
    row = indicators.Row(kind, unit, court)
    if not indicators.row_visible(row, *indicators.reach(user)):
        raise Http404
    spec = indicators.FIGURES[figure]
    base = indicators.figure_queryset(
        figure,
        campaign,
        court_id=court.pk if kind == "court" else None,
        division_id=unit.pk if kind == "division" else None,
    )
    model = indicators.MODELS[spec.kind]
    visible = base.filter(pk__in=model.objects.visible_to(user).values("pk"))
    related = {
        "person": ("court", "division", "post"),
        "risk_point": ("court", "division", "owner__person"),
        "measure": ("court", "division", "risk_point", "owner__person"),
        "signal": ("court", "division"),
    }[spec.kind]
    records = list(visible.select_related(*related).order_by("pk"))
    return {
        "figure": spec,
        "kind": kind,
        "unit": unit,
        "court": court,
        "total": base.count(),
        "records": records,
    }


# ---------------------------------------------------------------- 考核验收


def acceptances(user):
    from .models import Acceptance

    return (
        Acceptance.objects.visible_to(user)
        .select_related("campaign", "phase", "court")
        .annotate(
            n_units=Count("units", distinct=True),
            n_decided=Count("units", filter=~Q(units__grade=""), distinct=True),
            n_redo=Count("units", filter=Q(units__grade="fail") | Q(units__formalism=True), distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def get_acceptance(user, pk):
    from .models import Acceptance

    return policy.get_visible_or_404(
        Acceptance.objects.select_related("campaign__court", "phase", "court", "questionnaire"), user, pk=pk
    )


def acceptance_units(user, acceptance):
    from .models import AcceptanceUnit

    return list(
        AcceptanceUnit.objects.visible_to(user)
        .filter(acceptance=acceptance)
        .select_related("court", "division", "rectification")
        .annotate(
            n_samples=Count("samples", distinct=True),
            n_checked=Count("samples", filter=Q(samples__satisfactory__isnull=False), distinct=True),
        )
        .order_by("court__path", "division__sort_order", "id")
    )


def get_unit(user, pk):
    from .models import AcceptanceUnit

    return policy.get_visible_or_404(
        AcceptanceUnit.objects.select_related(
            "acceptance__court",
            "acceptance__campaign__court",
            "acceptance__phase",
            "acceptance__questionnaire",
            "court",
            "division",
            "rectification",
            "self_by__person",
            "spot_by__person",
            "decided_by__person",
        ),
        user,
        pk=pk,
    )


def get_sample(user, pk):
    from .models import AcceptanceSample, AcceptanceUnit

    sample = (
        AcceptanceSample.objects.filter(pk=pk, unit__in=AcceptanceUnit.objects.visible_to(user))
        .select_related("unit")
        .first()
    )
    if sample is None:
        raise Http404
    return sample


def samples_of(unit):
    return list(unit.samples.select_related("risk_point", "measure").order_by("kind", "id"))


def acceptance_targets(campaign):
    """What an acceptance of ``campaign`` may cover: the courts below the campaign's court and the divisions
    of every court it covers."""
    courts = campaign.courts().exclude(pk=campaign.court_id).order_by("path")
    divisions = (
        Division.objects.filter(court__in=campaign.courts())
        .select_related("court")
        .order_by("court__path", "sort_order")
    )
    return courts, divisions


def finished_questionnaires(user, campaign):
    today = local_today()
    return (
        Questionnaire.objects.visible_to(user)
        .filter(Q(state=QuestionnaireState.CLOSED) | Q(state=QuestionnaireState.OPEN, closes_on__lt=today))
        .filter(court__path__startswith=campaign.court.path)
        .order_by("-closes_on", "-id")
    )


def office_campaigns(user):
    """Running campaigns whose court's office the user is."""
    return [c for c in assessment_campaigns(user) if policy.can(user, "assessment.create_acceptance", c)]


# ---------------------------------------------------------------- manual scores


def manual_history(campaign):
    from .models import ManualScore

    return list(
        ManualScore.objects.filter(campaign=campaign)
        .select_related("court", "division", "created_by__person")
        .order_by("court__path", "division__sort_order", "key", "-version")
    )


def unit_choices(campaign):
    """("c12", "鹤岗中院"), ("d34", "鹤岗中院·民事审判庭") … for every unit of the campaign."""
    courts = list(campaign.courts().order_by("path"))
    divisions = Division.objects.filter(court__in=courts).select_related("court").order_by("court__path", "sort_order")
    by_court = {}
    for d in divisions:
        by_court.setdefault(d.court_id, []).append(d)
    choices = []
    for c in courts:
        name = c.short_name or c.name
        choices.append((f"c{c.pk}", name))
        choices += [(f"d{d.pk}", f"{name}·{d.name}") for d in by_court.get(c.pk, [])]
    return choices


def resolve_unit(campaign, code):
    """(court, division or None) of a unit code of the campaign, or (None, None)."""
    kind, unit, court = _unit(campaign, code or "x")
    if unit is None:
        return None, None
    return court, (unit if kind == "division" else None)


def get_manual_score(user, pk):
    """A manual score whose unit row the reader may see in the ranking (else 404)."""
    from .models import ManualScore

    m = ManualScore.objects.select_related("campaign__court", "court", "division").filter(pk=pk).first()
    if m is None or not policy.can(user, "assessment.scores", m.campaign):
        raise Http404
    if not Campaign.objects.visible_to(user).filter(pk=m.campaign_id).exists():
        raise Http404
    kind = "division" if m.division_id else "court"
    row = indicators.Row(kind, m.division or m.court, m.court)
    if not indicators.row_visible(row, *indicators.reach(user)):
        raise Http404
    return m


# ---------------------------------------------------------------- phase summaries


def summary_board(user, campaign, phase_number=None) -> dict:
    """The summaries of one phase of a campaign: the courts' (by the office) and the divisions' stage summaries
    (collected by the office), each reader seeing the rows of their reach; which may still be written."""
    from hkcourt.org.scoping import Scope, scope_filter
    from workflow.models import Phase

    from .models import ACCEPTANCE_READERS, PhaseSummary

    phases = list(Phase.objects.filter(campaign=campaign).order_by("number"))
    today = local_today()
    phase = next((p for p in phases if str(p.number) == str(phase_number)), None)
    if phase is None:
        started = [p for p in phases if p.start <= today]
        phase = started[-1] if started else (phases[0] if phases else None)
    if phase is None:
        return {"phases": phases, "phase": None}
    summaries = list(
        PhaseSummary.objects.visible_to(user)
        .filter(phase=phase)
        .select_related("court", "division", "written_by__person")
        .order_by("court__path", "division__sort_order")
    )
    by_unit = {(s.court_id, s.division_id): s for s in summaries}
    courts = list(campaign.courts().order_by("path"))
    court_rows = [
        {
            "court": c,
            "summary": by_unit.get((c.pk, None)),
            "may_write": policy.can(user, "assessment.write_summary", (phase, c, None)),
        }
        for c in courts
        if (c.pk, None) in by_unit or policy.can(user, "assessment.write_summary", (phase, c, None))
    ]
    if user.is_superuser:
        divisions = Division.objects.filter(court__in=courts)
    else:
        condition = scope_filter(Scope(court="court", division="pk", owner=None, roles=ACCEPTANCE_READERS), user)
        divisions = (
            Division.objects.filter(condition, court__in=courts) if condition is not None else Division.objects.none()
        )
    division_rows = [
        {
            "division": d,
            "summary": by_unit.get((d.court_id, d.pk)),
            "may_write": policy.heads(user, d.pk) and phase.has_started,
        }
        for d in divisions.select_related("court").order_by("court__path", "sort_order")
    ]
    return {
        "phases": phases,
        "phase": phase,
        "courts": court_rows,
        "divisions": division_rows,
        "collected": sum(1 for r in division_rows if r["summary"]),
    }


def get_summary(user, pk):
    from .models import PhaseSummary

    return policy.get_visible_or_404(
        PhaseSummary.objects.select_related("phase__campaign", "court", "division", "written_by__person"), user, pk=pk
    )


def get_summary_attachment(user, pk):
    from .models import PhaseSummary, SummaryAttachment

    att = (
        SummaryAttachment.objects.filter(pk=pk, summary__in=PhaseSummary.objects.visible_to(user))
        .select_related("summary")
        .first()
    )
    if att is None:
        raise Http404
    return att


# ---------------------------------------------------------------- the campaign report


def reports(campaign):
    from .models import CampaignReport

    return list(
        CampaignReport.objects.filter(campaign=campaign)
        .select_related("requested_by__person")
        .order_by("-requested_at")[:10]
    )


def get_report(user, pk):
    """A report of a campaign the reader may see and may generate reports of (else 404 / 403)."""
    from .models import CampaignReport

    report = CampaignReport.objects.select_related("campaign__court").filter(pk=pk).first()
    if report is None or not Campaign.objects.visible_to(user).filter(pk=report.campaign_id).exists():
        raise Http404
    policy.check(user, "assessment.report", report.campaign)
    return report


# ---------------------------------------------------------------- 我的待办


def summaries_to_write(user):
    """(phase, court, division) of the summaries the person should write now: of phases that ended in the last
    30 days or end within 7, for the courts whose own office they are and the divisions they head."""
    import datetime as dt

    from hkcourt.org.models import Court
    from workflow.models import Phase

    from .models import PhaseSummary

    roles = UserRoles.of(user)
    office_courts = roles.court_ids(Role.OFFICE)
    headed = roles.division_ids(Role.DIVISION_HEAD)
    if not office_courts and not headed:
        return []
    today = local_today()
    phases = list(
        Phase.objects.filter(
            campaign__in=Campaign.objects.visible_to(user).running(),
            start__lte=today,
            end__gte=today - dt.timedelta(days=30),
            end__lte=today + dt.timedelta(days=7),
        ).select_related("campaign__court")
    )
    if not phases:
        return []
    written = set(PhaseSummary.objects.filter(phase__in=phases).values_list("phase_id", "court_id", "division_id"))
    courts = {c.pk: c for c in Court.objects.filter(pk__in=office_courts)}
    divisions = {d.pk: d for d in Division.objects.filter(pk__in=headed).select_related("court")}
    due = []
    for phase in phases:
        covered = {
            c.pk for c in phase.campaign.courts().filter(pk__in=list(courts) + [d.court_id for d in divisions.values()])
        }
        for c in courts.values():
            if c.pk in covered and (phase.pk, c.pk, None) not in written:
                due.append((phase, c, None))
        for d in divisions.values():
            if d.court_id in covered and (phase.pk, d.court_id, d.pk) not in written:
                due.append((phase, d.court, d))
    return due


def acceptance_work(user):
    """Open acceptances: the units whose self-check the person must report, and, for the office that runs an
    acceptance, how many units still wait for a result."""
    from .models import AcceptanceUnit
    from .policy import answers_for_unit

    roles = UserRoles.of(user)
    if not roles.has(Role.DIVISION_HEAD, Role.PRESIDENT, Role.OFFICE):
        return [], []
    units = list(
        AcceptanceUnit.objects.visible_to(user)
        .filter(acceptance__state="open", grade="")
        .select_related("acceptance__court", "court", "division")
        .order_by("acceptance__self_due", "pk")
    )
    own = [u for u in units if not u.self_at and answers_for_unit(user, u)]
    running = {}
    for u in units:
        if policy.is_office_of(user, u.acceptance.court):
            running.setdefault(u.acceptance, []).append(u)
    return own, list(running.items())
