"""The access walk: every URL pattern × every demo role and anonymous × an object in and out of scope.

Generated from the URLconf: ``test_every_url_pattern_is_walked`` fails when a pattern has neither a case
below nor a written reason in ``NOT_WALKED``, so a new view cannot be added without deciding who may open it.

Each case is one line of expected statuses, in the order of ``ROLES``::

    anonymous staff head deputy president office leader admin

The world is the whole demo (every app's seeder), built once for the module inside a transaction that is
rolled back at the end; every request runs in a savepoint that is rolled back too, so one role's POST never
changes what the next role sees. A refused request (403 or 404) must write nothing.

Out of scope answers 404 (existence does not leak); in scope but not allowed answers 403. Anonymous
visitors are sent to the login page (302) except on the public pages.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string

ROLES = [
    "anonymous",
    "staff_demo",
    "head_demo",
    "deputy_demo",
    "president_demo",
    "office_demo",
    "leader_demo",
    "admin",
]
RECORD = os.environ.get("ACCESS_WALK_RECORD")  # print the observed matrix instead of asserting


def url_names():
    """Every named URL pattern of the project except the Django admin's, as 'namespace:name'."""
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p.url_patterns, p.namespace if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "")
    return names


# ---------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for this module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for dotted in settings.DEMO_SEEDERS:
                import_string(dotted)(log=lambda *_: None)
            _far_records()
            yield _objects()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


FAR = "xiangyang"  # a basic court: outside the reach of every demo role but the city-wide ones


def _far_records():
    """The demo keeps letters, court rules and signals at the city court only: give the far court one each,
    through the services, so that every object page has an out-of-scope object to walk."""
    import datetime

    from django.utils import timezone

    from commitments import services as letters
    from hkcourt.org.models import Court
    from risks.measures import services as measures
    from workflow.oversight import services as oversight

    office = get_user_model().objects.get(username="office_demo")
    far = Court.objects.get(code=FAR)
    today = timezone.localdate()
    template = letters.save_template(
        actor=office,
        court=far,
        year=today.year,
        title="向阳区法院廉政风险防范承诺书",
        sign_deadline=today + datetime.timedelta(days=14),
        **letters.default_template_texts(),
    )
    letters.generate_letters(actor=office, template=template)
    measures.create_rule(
        actor=office, court=far, title="向阳区法院执行款管理办法", issued_on=today, text="执行款到账后七日内发放。"
    )
    oversight.record_signal(
        actor=office,
        court=far,
        channel="petition",
        title="关于执行款发放的来信",
        content="来信反映执行款发放迟缓。",
        received_on=today,
    )
    from hkcourt.api import services as api_tokens

    api_tokens.create_token(
        actor=get_user_model().objects.get(username="staff_demo"), name="walk", scope="write", days=5
    )
    from workflow.assessment import services as assessment

    draft = assessment.create_questionnaire(
        actor=office,
        court=far,
        title="向阳区法院民主测评",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=7),
    )
    assessment.add_item(actor=office, questionnaire=draft, kind="rating", text="廉洁自律情况")
    assessment.record_interview(
        actor=office, court=far, held_on=today, interviewee_desc="当事人 李某", interviewers="孙立新", summary="……"
    )
    # 考核验收 of the current campaign: the far court as a whole and staff_demo's division, its sample drawn.
    from hkcourt.org.models import Division
    from workflow.models import Campaign

    campaign = Campaign.objects.get(builtin_key="demo-current")
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    acceptance = assessment.create_acceptance(
        actor=office,
        campaign=campaign,
        kind="full",
        title="全面考核（访问检查）",
        self_due=today,
        courts=[far],
        divisions=[civil],
    )
    assessment.draw_sample(actor=office, unit=acceptance.units.get(division=civil))
    # A campaign report, queued (its task never runs inside this transaction).
    assessment.request_report(actor=office, campaign=campaign)


def _objects():
    """Named objects: ``*_near`` are in the demo roles' own court and division (staff_demo's where it has
    one), ``*_far`` belong to a basic court, outside every demo role's reach but the city-wide ones'."""
    from commitments.models import CommitmentLetter, LetterTemplate
    from hkcourt.api.models import ApiToken
    from hkcourt.notifications.models import Notification
    from hkcourt.org.models import Court, Person
    from risks.measures.models import CourtRule, Measure
    from risks.models import KeyLink, Power, PowerStep, PublicFeedback, RiskPoint
    from workflow.assessment.models import (
        AcceptanceSample,
        AcceptanceUnit,
        CampaignReport,
        Interview,
        Invitation,
        Item,
        PhaseSummary,
        Questionnaire,
    )
    from workflow.models import Campaign, Phase, PhaseTask, PhaseTaskCompletion
    from workflow.oversight.models import Handling, Rectification, Signal, Warning, WarningRule

    User = get_user_model()
    staff = User.objects.get(username="staff_demo")
    me = staff.person
    city = Court.objects.get(parent=None)
    far_court = Court.objects.get(code=FAR)

    def first(qs):
        return qs.order_by("pk").first()

    if not RiskPoint.objects.filter(owner=staff, state="draft").exists():
        # The demo gives staff_demo's post points in other states; the walk needs one of his drafts.
        from risks.services import create_risk_point

        create_risk_point(actor=staff, level="post", description="访问检查用草稿", manifestations="—")

    walked = {"acceptance__title": "全面考核（访问检查）"}  # the walk's own acceptance, nothing decided yet

    w = {
        "court_near": city,
        "court_far": far_court,
        # staff_demo's returned point: his to edit and resubmit, his head's to see
        "rp_near": first(RiskPoint.objects.filter(owner=staff, state="returned"))
        or first(RiskPoint.objects.filter(owner=staff).exclude(state="draft")),
        "rp_draft": first(RiskPoint.objects.filter(owner=staff, state="draft")),
        "rp_far": first(RiskPoint.objects.filter(court=far_court).exclude(state="draft")),
        "power_near": first(Power.objects.filter(division=me.division)),
        "power_far": first(Power.objects.filter(court=far_court)),
        "post_near": me.post,
        "post_far": first(Person.objects.filter(court=far_court, post__isnull=False)).post,
        "measure_near": first(Measure.objects.filter(risk_point__owner=staff))
        or first(Measure.objects.filter(division=me.division)),
        "measure_far": first(Measure.objects.filter(court=far_court)),
        "rule_near": first(CourtRule.objects.filter(court=city)),
        "rule_far": first(CourtRule.objects.filter(court=far_court)),
        "letter_near": first(CommitmentLetter.objects.filter(signer=staff)),
        "letter_far": first(CommitmentLetter.objects.filter(court=far_court)),
        "template_near": first(LetterTemplate.objects.filter(court=city)),
        "template_far": first(LetterTemplate.objects.filter(court=far_court)),
        "campaign_near": first(Campaign.objects.filter(court=city)),
        "task_near": first(PhaseTask.objects.filter(phase__campaign__court=city)),
        "completion_near": first(PhaseTaskCompletion.objects.filter(person__user=staff))
        or first(PhaseTaskCompletion.objects.all()),
        "signal_near": first(Signal.objects.filter(court=city)),
        "signal_far": first(Signal.objects.filter(court=far_court)),
        "warning_near": first(Warning.objects.filter(court=city)),
        "warning_far": first(Warning.objects.filter(court=far_court)),
        "warning_rule": first(WarningRule.objects.all()),
        "handling_near": first(Handling.objects.filter(person=staff)),  # a reminder to staff_demo, delivered
        "rectification_near": first(Rectification.objects.filter(court=city)),
        "division_near": me.division,
        "division_far": first(Person.objects.filter(court=far_court, division__isnull=False)).division,
        "person_near": me,
        "person_far": first(Person.objects.filter(court=far_court)),
        "feedback": first(PublicFeedback.objects.all()),
        "notification_near": first(Notification.objects.filter(recipient=staff)),
        "notification_far": first(Notification.objects.exclude(recipient=staff)),
        # Questionnaires: the demo's finished one of the city court (an item under its threshold), the far
        # court's draft; staff_demo's unused token of the open one and that one's public code (plain text).
        "survey_near": first(Questionnaire.objects.filter(court=city, state="closed")),
        "survey_far": first(Questionnaire.objects.filter(court=far_court)),
        "survey_item_near": first(
            Item.objects.filter(questionnaire__court=city, questionnaire__state="closed", number=3)
        ),
        "survey_item_far": first(Item.objects.filter(questionnaire__court=far_court)),
        "survey_token": first(Invitation.objects.filter(recipient=staff, used=False)).token,
        "invitation_near": first(Invitation.objects.filter(recipient=staff, used=False)),
        "survey_code": first(Questionnaire.objects.filter(public_code__isnull=False)).public_code,
        "interview_near": first(Interview.objects.filter(court=city)),
        "interview_far": first(Interview.objects.filter(court=far_court)),
        # The indicator system's units, as the figure pages name them ("d" + a division's id).
        "unit_near": f"d{me.division_id}",
        "token_near": first(ApiToken.objects.filter(user=staff)),
        "step_near": first(PowerStep.objects.filter(power__division=me.division)),
        "step_far": first(PowerStep.objects.filter(power__court=far_court)),
        "key_link": first(KeyLink.objects.all()),
        "unit_far": f"d{first(Person.objects.filter(court=far_court, division__isnull=False)).division_id}",
        # 考核验收: staff_demo's division as a unit (its head, deputy and president reach it), the far court.
        "acceptance_near": first(AcceptanceUnit.objects.filter(division=me.division, **walked)).acceptance,
        "acceptance_unit_near": first(AcceptanceUnit.objects.filter(division=me.division, **walked)),
        "acceptance_unit_far": first(AcceptanceUnit.objects.filter(court=far_court, division__isnull=True, **walked)),
        "acceptance_sample": first(AcceptanceSample.objects.filter(unit__division=me.division, unit__grade="")),
        "phase_near": first(Phase.objects.filter(campaign__builtin_key="demo-current", number=1)),
        "summary_near": first(PhaseSummary.objects.filter(court=city, division=None)),
        "report": first(CampaignReport.objects.all()),
    }
    return w


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    name: str  # the URL name
    label: str  # which object, or a note
    expected: str  # eight statuses in the order of ROLES
    args: tuple = ()  # world keys (or literal values) for the URL's arguments
    method: str = "get"
    query: str = ""

    @property
    def id(self):
        return f"{self.method.upper()} {self.name}" + (f" [{self.label}]" if self.label else "")


def C(name, expected, *args, label="", method="get", query=""):
    return Case(name, label or "/".join(str(a) for a in args), expected, args, method, query)


CASES: list[Case] = [
    C("home", "302 200 200 200 200 200 200 200"),
    C("healthz", "200 200 200 200 200 200 200 200"),
    C("login", "200 302 302 302 302 302 302 302"),
    C("logout", "302 302 302 302 302 302 302 302", method="post"),
    C("password_change", "302 200 200 200 200 200 200 200"),
    C("password_change_done", "302 200 200 200 200 200 200 200"),
    C("org:leading_group", "302 200 200 200 200 200 200 200"),
    C("org:leading_group", "302 200 200 200 200 200 200 200", label="far court", query="?court={court_far}"),
    # two-factor pages (HKCOURT_REQUIRE_2FA is off here; tests/security/test_twofactor.py turns it on):
    # enrolment opens for everyone signed in; the second step without a device goes to enrolment; new
    # recovery codes only after the second step
    C("twofactor_setup", "302 200 200 200 200 200 200 200"),
    C("twofactor_verify", "302 302 302 302 302 302 302 302"),
    C("twofactor_recovery", "302 302 302 302 302 302 302 302", method="post"),
    C("org:roster_import", "302 403 403 403 403 403 403 200"),
    C("org:roster_template", "302 403 403 403 403 403 403 200", "xlsx"),
    C("org:roster_export", "302 403 403 403 403 403 403 200", "xlsx"),
    C("org:audit_log", "302 403 403 403 403 200 403 200"),
    C("org:audit_export", "302 403 403 403 403 200 403 200", "csv"),
    C("notifications:inbox", "302 200 200 200 200 200 200 200"),
    C("notifications:open", "302 302 404 404 404 404 404 404", "notification_near", method="post"),
    C("notifications:open", "302 404 404 404 404 404 404 404", "notification_far", method="post"),
    C("notifications:read", "302 302 404 404 404 404 404 404", "notification_near", method="post"),
    C("notifications:read", "302 404 404 404 404 404 404 404", "notification_far", method="post"),
    C("notifications:read_all", "302 302 302 302 302 302 302 302", method="post"),
    C("risks:catalogue", "302 200 200 200 200 200 200 200"),
    C("risks:power_create", "302 403 200 403 403 200 403 200", query="?court={court_near}"),
    C("risks:catalogue_lock", "302 403 403 403 403 302 403 302", "court_near", method="post"),
    C("risks:catalogue_lock", "302 403 403 403 403 302 403 302", "court_far", method="post"),
    C("risks:power_detail", "302 200 200 200 200 200 200 200", "power_near"),
    C("risks:power_detail", "302 200 200 200 200 200 200 200", "power_far"),
    C("risks:power_edit", "302 403 200 403 403 200 403 200", "power_near"),
    C("risks:power_edit", "302 403 403 403 403 200 403 200", "power_far"),
    C("risks:power_steps", "302 403 200 403 403 200 403 200", "power_near"),
    C("risks:power_steps", "302 403 403 403 403 200 403 200", "power_far"),
    C("risks:post_statement", "302 200 200 200 200 200 200 200", "post_near"),
    C("risks:post_statement", "302 200 200 200 200 200 200 200", "post_far"),
    C("risks:step_options", "302 200 200 200 200 200 200 200"),
    C("risks:picker", "302 200 200 200 200 200 200 200", "powers"),
    C("risks:picker", "302 403 200 403 403 200 403 200", "people", query="?risk_point={rp_near}"),
    C("risks:catalogue_export", "302 200 200 200 200 200 200 200", query="?court={court_near}"),
    C("risks:catalogue_import", "302 403 403 403 403 200 403 200"),
    C("risks:catalogue_template", "302 403 403 403 403 200 403 200"),
    C("risks:list", "302 200 200 200 200 200 200 200"),
    C("risks:create", "302 200 200 200 200 200 403 200"),
    C("risks:bulk", "302 403 302 302 302 302 302 302", method="post"),
    C("risks:export", "302 200 200 200 200 200 200 200"),
    C("risks:import", "302 403 403 403 403 200 403 200"),
    C("risks:import_template", "302 403 403 403 403 200 403 200"),
    C("risks:suggest_grade", "302 200 200 200 200 200 200 200"),
    C("risks:detail", "302 200 200 200 200 200 200 200", "rp_near"),
    C("risks:detail", "302 200 404 404 404 404 404 404", "rp_draft"),
    C("risks:detail", "302 404 404 404 200 200 200 200", "rp_far"),
    C("risks:edit", "302 200 403 403 403 403 403 403", "rp_near"),
    C("risks:edit", "302 200 404 404 404 404 404 404", "rp_draft"),
    C("risks:edit", "302 404 404 404 403 403 403 403", "rp_far"),
    C("risks:action", "302 302 403 403 403 403 403 403", "rp_near", "submit", method="post"),
    C("risks:action", "302 404 404 404 403 403 403 403", "rp_far", "submit", method="post"),
    C("risks:action", "302 403 403 403 403 400 403 400", "rp_near", "retire", method="post"),
    C("risks:action", "302 404 404 404 403 400 403 400", "rp_far", "retire", method="post"),
    C("risks:feedback", "302 403 403 403 200 200 200 200"),
    C("risks:recompute_leaders", "302 403 403 403 403 302 403 302", method="post"),
    C("risks:public", "200 200 200 200 200 200 200 200", "code:court_near"),
    C("risks:measures", "302 200 200 200 200 200 200 200"),
    C("risks:measure_create", "302 403 403 403 403 403 403 403", "rp_near"),
    C("risks:measure_create", "302 403 404 404 404 404 404 404", "rp_draft"),
    C("risks:measure_create", "302 404 404 404 403 200 403 200", "rp_far"),
    C("risks:measure_detail", "302 200 200 200 200 200 200 200", "measure_near"),
    C("risks:measure_detail", "302 404 404 404 200 200 200 200", "measure_far"),
    C("risks:measure_action", "302 302 403 403 403 302 403 302", "measure_near", "in_place", method="post"),
    C("risks:measure_action", "302 404 404 404 403 302 403 302", "measure_far", "in_place", method="post"),
    C("risks:measure_attachment", "302 404 404 404 404 404 404 404", 0),
    C("risks:rule_create", "302 403 403 403 403 200 403 200"),
    C("risks:rule_detail", "302 200 200 200 200 200 200 200", "rule_near"),
    C("risks:rule_detail", "302 200 200 200 200 200 200 200", "rule_far"),
    C("risks:rule_file", "302 404 404 404 404 404 404 404", "rule_near"),
    C("risks:rule_file", "302 404 404 404 404 404 404 404", "rule_far"),
    C("commitments:list", "302 200 200 200 200 200 200 200"),
    C("commitments:progress", "302 403 200 200 200 200 200 200"),
    C("commitments:templates", "302 403 403 403 403 200 403 200"),
    C("commitments:template_new", "302 403 403 403 403 200 403 200"),
    C("commitments:template_edit", "302 403 403 403 403 200 403 200", "template_near"),
    C("commitments:template_edit", "302 403 403 403 403 200 403 200", "template_far"),
    C("commitments:template_preview", "302 403 403 403 403 200 403 200", "template_near"),
    C("commitments:template_preview", "302 403 403 403 403 200 403 200", "template_far"),
    C("commitments:generate", "302 403 403 403 403 302 403 302", "template_near", method="post"),
    C("commitments:generate", "302 403 403 403 403 302 403 302", "template_far", method="post"),
    C("commitments:layers", "302 403 403 403 403 200 403 200"),
    C("commitments:layers", "302 403 403 403 403 200 403 200", method="post"),
    C("commitments:bundle", "302 404 404 404 404 404 404 404", 0),
    C("commitments:bundle_download", "302 404 404 404 404 404 404 404", 0),
    C("commitments:bundle_request", "302 404 404 404 404 404 404 404", method="post"),
    C("commitments:detail", "302 200 200 200 200 200 200 200", "letter_near"),
    C("commitments:detail", "302 404 404 404 200 200 200 200", "letter_far"),
    C("commitments:pdf", "302 200 200 200 200 200 200 200", "letter_near"),
    C("commitments:pdf", "302 404 404 404 200 200 200 200", "letter_far"),
    C("commitments:sign", "302 302 302 302 302 302 302 302", "letter_near", method="post"),
    C("commitments:sign", "302 404 404 404 302 302 302 302", "letter_far", method="post"),
    C("commitments:countersign", "302 302 302 302 302 302 302 302", "letter_near", method="post"),
    C("commitments:countersign", "302 404 404 404 302 302 302 302", "letter_far", method="post"),
    C("commitments:archive", "302 403 403 403 403 302 403 302", "letter_near", method="post"),
    C("commitments:archive", "302 404 404 404 403 302 403 302", "letter_far", method="post"),
    C("commitments:supersede", "302 302 302 302 302 302 302 302", "letter_near", method="post"),
    C("commitments:supersede", "302 404 404 404 302 302 302 302", "letter_far", method="post"),
    C("commitments:supplement", "302 302 403 403 403 403 403 403", "letter_near", method="post"),
    C("commitments:supplement", "302 404 404 404 403 403 403 403", "letter_far", method="post"),
    C("commitments:verify", "200 200 200 200 200 200 200 200"),
    C("commitments:post_statement_pdf", "302 200 200 200 200 200 200 200", "post_near"),
    C("commitments:post_statement_pdf", "302 200 200 200 200 200 200 200", "post_far"),
    C("workflow:campaigns", "302 200 200 200 200 200 200 200"),
    C("workflow:campaign_new", "302 403 403 403 403 200 403 200"),
    C("workflow:campaign", "302 200 200 200 200 200 200 200", "campaign_near"),
    C("workflow:campaign_schedule", "302 403 403 403 403 200 403 200", "campaign_near"),
    C("workflow:task", "302 200 200 200 200 200 200 200", "task_near"),
    C("workflow:task_complete", "302 302 302 302 302 302 302 302", "task_near", method="post"),
    C("workflow:task_urge", "302 403 403 403 403 302 403 302", "task_near", method="post"),
    C("workflow:completion_undo", "302 302 302 302 302 302 302 302", "completion_near", method="post"),
    C("workflow:completion_attachment", "302 404 404 404 404 404 404 404", "completion_near"),
    C("workflow:signals", "302 403 403 403 200 200 200 200"),
    C("workflow:signal", "302 404 404 404 200 200 200 200", "signal_near"),
    C("workflow:signal", "302 404 404 404 200 200 200 200", "signal_far"),
    C("workflow:signal_attachment", "302 404 404 404 404 404 404 404", 0),
    C("workflow:feedback_convert", "302 404 404 404 403 302 403 302", "feedback", method="post"),
    C("workflow:warnings", "302 403 403 403 200 200 200 200"),
    C("workflow:warnings_evaluate", "302 403 403 403 403 302 403 302", method="post"),
    C("workflow:warning_rule", "302 403 403 403 403 302 403 302", "warning_rule", method="post"),
    C("workflow:warning_levels", "302 403 403 403 403 302 403 302", method="post"),
    C("workflow:warning", "302 404 404 404 200 200 200 200", "warning_near"),
    C("workflow:warning", "302 404 404 404 200 200 200 200", "warning_far"),
    C("workflow:warning_close", "302 404 404 404 403 302 403 302", "warning_near", method="post"),
    C("workflow:handling", "302 200 200 200 200 200 200 200"),
    C("workflow:handling_create", "302 404 404 404 403 302 403 302", "warning", "warning_near", method="post"),
    C("workflow:handling_detail", "302 200 404 404 200 200 200 200", "handling_near"),
    C("workflow:handling_report", "302 302 404 404 403 403 403 403", "handling_near", method="post"),
    C("workflow:handling_close", "302 403 404 404 403 302 403 302", "handling_near", method="post"),
    C("workflow:rectifications", "302 200 200 200 200 200 200 200"),
    C("workflow:rectification_detail", "302 404 404 404 200 200 200 200", "rectification_near"),
    C("workflow:rectification_progress", "302 404 404 404 403 302 403 302", "rectification_near", method="post"),
    C("workflow:rectification_close", "302 404 404 404 403 302 403 302", "rectification_near", method="post"),
    C("workflow:dossier", "302 403 403 403 403 200 403 200"),
    C("workflow:dossier_person", "302 403 403 403 403 200 403 200", "person_near"),
    C("workflow:dossier_person", "302 403 403 403 403 200 403 200", "person_far"),
    C("workflow:surveys", "302 200 200 200 200 200 200 200"),
    C("workflow:survey_new", "302 403 403 403 403 200 403 200"),
    C("workflow:survey", "302 404 404 200 200 200 200 200", "survey_near"),
    C("workflow:survey", "302 404 404 404 200 200 200 200", "survey_far"),
    C("workflow:survey_edit", "302 404 404 403 403 403 403 403", "survey_near"),
    C("workflow:survey_edit", "302 404 404 404 403 200 403 200", "survey_far"),
    C("workflow:survey_item_add", "302 404 404 403 403 302 403 302", "survey_near", method="post"),
    C("workflow:survey_item_add", "302 404 404 404 403 302 403 302", "survey_far", method="post"),
    C("workflow:survey_item_delete", "302 404 404 403 403 302 403 302", "survey_item_near", method="post"),
    C("workflow:survey_item_delete", "302 404 404 404 403 302 403 302", "survey_item_far", method="post"),
    C("workflow:survey_rectify", "302 404 404 403 403 302 403 302", "survey_item_near", method="post"),
    C("workflow:survey_rectify", "302 404 404 404 403 302 403 302", "survey_item_far", method="post"),
    C("workflow:survey_send", "302 404 404 403 403 302 403 302", "survey_near", method="post"),
    C("workflow:survey_send", "302 404 404 404 403 302 403 302", "survey_far", method="post"),
    C("workflow:survey_publish", "302 404 404 403 403 302 403 302", "survey_near", method="post"),
    C("workflow:survey_publish", "302 404 404 404 403 302 403 302", "survey_far", method="post"),
    C("workflow:survey_close", "302 404 404 403 403 302 403 302", "survey_near", method="post"),
    C("workflow:survey_close", "302 404 404 404 403 302 403 302", "survey_far", method="post"),
    C("workflow:survey_results", "302 404 404 200 200 200 200 200", "survey_near"),
    C("workflow:survey_results", "302 404 404 404 200 200 200 200", "survey_far"),
    C("workflow:survey_answer", "200 200 200 200 200 200 200 200", "survey_token"),
    C("workflow:survey_answer", "404 404 404 404 404 404 404 404", "no-such-token"),
    C("workflow:survey_public", "200 200 200 200 200 200 200 200", "survey_code"),
    C("workflow:interviews", "302 403 403 403 403 200 403 200"),
    C("workflow:interview", "302 404 404 404 404 200 404 200", "interview_near"),
    C("workflow:interview", "302 404 404 404 404 200 404 200", "interview_far"),
    C("workflow:assessment", "302 403 200 200 200 200 200 200"),
    C("workflow:assessment_export", "302 403 200 200 200 200 200 200"),
    C("workflow:assessment_weights", "302 403 403 403 403 200 403 200", "campaign_near"),
    C("workflow:assessment_figure", "302 403 200 200 200 200 200 200", "campaign_near", "confirmed", "unit_near"),
    C("workflow:assessment_figure", "302 403 404 404 200 200 200 200", "campaign_near", "confirmed", "unit_far"),
    C("workflow:assessment_manual", "302 403 403 403 403 200 403 200", "campaign_near"),
    C("workflow:assessment_evidence", "302 404 404 404 404 404 404 404", 0),
    C("workflow:acceptances", "302 403 200 200 200 200 200 200"),
    C("workflow:acceptance_new", "302 403 403 403 403 200 403 200"),
    C("workflow:acceptance", "302 404 200 200 200 200 200 200", "acceptance_near"),
    C("workflow:acceptance_close", "302 404 403 403 403 302 403 302", "acceptance_near", method="post"),
    C("workflow:acceptance_unit", "302 404 200 200 200 200 200 200", "acceptance_unit_near"),
    C("workflow:acceptance_unit", "302 404 404 404 200 200 200 200", "acceptance_unit_far"),
    C("workflow:acceptance_self", "302 404 400 403 403 403 403 403", "acceptance_unit_near", method="post"),
    C("workflow:acceptance_self", "302 404 404 404 403 403 403 403", "acceptance_unit_far", method="post"),
    C("workflow:acceptance_draw", "302 404 403 403 403 302 403 302", "acceptance_unit_near", method="post"),
    C("workflow:acceptance_draw", "302 404 404 404 403 302 403 302", "acceptance_unit_far", method="post"),
    C("workflow:acceptance_spot", "302 404 403 403 403 400 403 400", "acceptance_unit_near", method="post"),
    C("workflow:acceptance_social", "302 404 403 403 403 302 403 302", "acceptance_unit_near", method="post"),
    C("workflow:acceptance_decide", "302 404 403 403 403 302 403 302", "acceptance_unit_near", method="post"),
    C("workflow:acceptance_finding", "302 404 403 403 403 302 403 302", "acceptance_sample", method="post"),
    C("workflow:summaries", "302 403 200 200 200 200 200 200"),
    C("workflow:summary_new", "302 403 403 403 403 200 403 200", query="?phase={phase_near}&court={court_near}"),
    C("workflow:summary_new", "302 404 404 404 404 404 404 404", label="no target"),
    C("workflow:summary", "302 404 404 404 200 200 200 200", "summary_near"),
    C("workflow:summary_edit", "302 404 404 404 403 200 403 200", "summary_near"),
    C("workflow:summary_attachment", "302 404 404 404 404 404 404 404", 0),
    C("workflow:assessment_report", "302 403 403 403 200 200 200 200", "campaign_near"),
    C("workflow:assessment_report", "302 403 403 403 302 302 302 302", "campaign_near", method="post"),
    C("workflow:assessment_report_status", "302 403 403 403 200 200 200 200", "report"),
    C("workflow:assessment_report_file", "302 403 403 403 404 404 404 404", "report", "pdf"),
    C("workflow:dashboard", "302 403 403 200 200 200 200 200"),
    C("workflow:dashboard_data", "302 403 403 200 200 200 200 200"),
    C("workflow:dashboard_section", "302 403 403 200 200 200 200 200", "risks"),
    C("court-list", "401 200 200 200 200 200 200 200"),
    C("court-detail", "401 200 200 200 200 200 200 200", "court_near"),
    C("court-detail", "401 200 200 200 200 200 200 200", "court_far"),
    C("division-list", "401 200 200 200 200 200 200 200"),
    C("division-detail", "401 200 200 200 200 200 200 200", "division_near"),
    C("division-detail", "401 200 200 200 200 200 200 200", "division_far"),
    C("post-list", "401 200 200 200 200 200 200 200"),
    C("post-detail", "401 200 200 200 200 200 200 200", "post_near"),
    C("post-detail", "401 200 200 200 200 200 200 200", "post_far"),
    C("person-list", "401 200 200 200 200 200 200 200"),
    C("person-detail", "401 200 200 200 200 200 200 200", "person_near"),
    C("person-detail", "401 404 404 404 200 200 200 200", "person_far"),
    # The REST API (JSON; anonymous 401). Posts carry no body: in scope a transition answers 400 (its
    # fields missing) or 403/409 as the policy says; out of scope 404 before anything is read.
    C("api_tokens:list", "302 200 200 200 200 200 200 200"),
    C("api_tokens:revoke", "302 302 404 404 404 404 404 404", "token_near", method="post"),
    C("risk-point-list", "401 200 200 200 200 200 200 200"),
    C("risk-point-detail", "401 200 200 200 200 200 200 200", "rp_near"),
    C("risk-point-detail", "401 200 404 404 404 404 404 404", "rp_draft"),
    C("risk-point-detail", "401 404 404 404 200 200 200 200", "rp_far"),
    C("risk-point-gradings", "401 200 200 200 200 200 200 200", "rp_near"),
    C("risk-point-gradings", "401 404 404 404 200 200 200 200", "rp_far"),
    C("risk-point-submit", "401 200 403 403 403 403 403 403", "rp_near", method="post"),
    C("risk-point-submit", "401 404 404 404 403 403 403 403", "rp_far", method="post"),
    C("risk-point-return", "401 403 400 400 403 400 403 400", "rp_near", method="post"),
    C("risk-point-return", "401 404 404 404 403 400 403 400", "rp_far", method="post"),
    C("risk-point-grade", "401 403 400 400 403 400 403 400", "rp_near", method="post"),
    C("risk-point-grade", "401 404 404 404 403 400 403 400", "rp_far", method="post"),
    C("risk-point-confirm", "401 403 403 403 403 400 403 400", "rp_near", method="post"),
    C("risk-point-confirm", "401 404 404 404 403 400 403 400", "rp_far", method="post"),
    C("risk-point-publish", "401 403 403 403 403 400 403 400", "rp_near", method="post"),
    C("risk-point-publish", "401 404 404 404 403 400 403 400", "rp_far", method="post"),
    C("risk-point-retire", "401 403 403 403 403 400 403 400", "rp_near", method="post"),
    C("risk-point-retire", "401 404 404 404 403 400 403 400", "rp_far", method="post"),
    C("risk-point-submit", "401 200 404 404 404 404 404 404", "rp_draft", method="post"),
    C("power-list", "401 200 200 200 200 200 200 200"),
    C("power-detail", "401 200 200 200 200 200 200 200", "power_near"),
    C("power-detail", "401 200 200 200 200 200 200 200", "power_far"),
    C("power-step-list", "401 200 200 200 200 200 200 200"),
    C("power-step-detail", "401 200 200 200 200 200 200 200", "step_near"),
    C("key-link-list", "401 200 200 200 200 200 200 200"),
    C("key-link-detail", "401 200 200 200 200 200 200 200", "key_link"),
    C("campaign-list", "401 200 200 200 200 200 200 200"),
    C("campaign-detail", "401 200 200 200 200 200 200 200", "campaign_near"),
    C("campaign-progress", "401 200 200 200 200 200 200 200", "campaign_near"),
    C("campaign-task-list", "401 200 200 200 200 200 200 200"),
    C("campaign-task-detail", "401 200 200 200 200 200 200 200", "task_near"),
    C("campaign-task-complete", "401 403 403 403 403 400 403 400", "task_near", method="post"),
    C("campaign-task-urge", "401 403 403 403 403 409 403 409", "task_near", method="post"),
    C("court-rule-list", "401 200 200 200 200 200 200 200"),
    C("court-rule-detail", "401 200 200 200 200 200 200 200", "rule_near"),
    C("court-rule-detail", "401 200 200 200 200 200 200 200", "rule_far"),
    C("dashboard-list", "401 403 403 200 200 200 200 200"),
    C("handling-list", "401 200 200 200 200 200 200 200"),
    C("handling-list", "401 403 403 403 400 400 400 400", method="post"),
    C("handling-detail", "401 200 404 404 200 200 200 200", "handling_near"),
    C("handling-report-back", "401 400 404 404 403 403 403 403", "handling_near", method="post"),
    C("handling-close", "401 403 404 404 403 400 403 400", "handling_near", method="post"),
    C("letter-list", "401 200 200 200 200 200 200 200"),
    C("letter-detail", "401 200 200 200 200 200 200 200", "letter_near"),
    C("letter-detail", "401 404 404 404 200 200 200 200", "letter_far"),
    C("letter-pdf", "401 200 200 200 200 200 200 200", "letter_near"),
    C("letter-pdf", "401 404 404 404 200 200 200 200", "letter_far"),
    C("letter-sign", "401 400 403 403 403 403 403 403", "letter_near", method="post"),
    C("letter-sign", "401 404 404 404 403 403 403 403", "letter_far", method="post"),
    C("letter-countersign", "401 403 400 403 403 403 403 403", "letter_near", method="post"),
    C("letter-countersign", "401 404 404 404 403 403 403 403", "letter_far", method="post"),
    C("letter-archive", "401 403 403 403 403 409 403 409", "letter_near", method="post"),
    C("letter-archive", "401 404 404 404 403 409 403 409", "letter_far", method="post"),
    C("measure-list", "401 200 200 200 200 200 200 200"),
    C("measure-detail", "401 200 200 200 200 200 200 200", "measure_near"),
    C("measure-detail", "401 404 404 404 200 200 200 200", "measure_far"),
    C("measure-in-place", "401 200 403 403 403 200 403 200", "measure_near", method="post"),
    C("measure-in-place", "401 404 404 404 403 200 403 200", "measure_far", method="post"),
    C("measure-check", "401 403 403 403 403 409 403 409", "measure_near", method="post"),
    C("measure-check", "401 404 404 404 403 409 403 409", "measure_far", method="post"),
    C("measure-acknowledge", "401 403 403 200 403 403 403 403", "measure_near", method="post"),
    C("measure-acknowledge", "401 404 404 404 403 403 403 403", "measure_far", method="post"),
    C("notification-list", "401 200 200 200 200 200 200 200"),
    C("notification-detail", "401 200 404 404 404 404 404 404", "notification_near"),
    C("notification-detail", "401 404 404 404 404 404 404 404", "notification_far"),
    C("notification-read", "401 200 404 404 404 404 404 404", "notification_near", method="post"),
    C("notification-read", "401 404 404 404 404 404 404 404", "notification_far", method="post"),
    C("notification-read-all", "401 200 200 200 200 200 200 200", method="post"),
    C("rectification-list", "401 200 200 200 200 200 200 200"),
    C("rectification-detail", "401 404 404 404 200 200 200 200", "rectification_near"),
    C("rectification-progress", "401 404 404 404 403 400 403 400", "rectification_near", method="post"),
    C("rectification-close", "401 404 404 404 403 400 403 400", "rectification_near", method="post"),
    C("signal-list", "401 403 403 403 200 200 200 200"),
    C("signal-list", "401 403 403 403 403 400 403 400", method="post"),
    C("signal-detail", "401 404 404 404 200 200 200 200", "signal_near"),
    C("signal-detail", "401 404 404 404 200 200 200 200", "signal_far"),
    C("warning-list", "401 403 403 403 200 200 200 200"),
    C("warning-detail", "401 404 404 404 200 200 200 200", "warning_near"),
    C("warning-detail", "401 404 404 404 200 200 200 200", "warning_far"),
    C("warning-close", "401 404 404 404 403 400 403 400", "warning_near", method="post"),
    C("warning-close", "401 404 404 404 403 400 403 400", "warning_far", method="post"),
    C("questionnaire-list", "401 200 200 200 200 200 200 200"),
    C("questionnaire-detail", "401 404 404 200 200 200 200 200", "survey_near"),
    C("questionnaire-detail", "401 404 404 404 200 200 200 200", "survey_far"),
    C("questionnaire-results", "401 404 404 200 200 200 200 200", "survey_near"),
    C("questionnaire-results", "401 404 404 404 200 200 200 200", "survey_far"),
    C("survey-invitation-list", "401 200 200 200 200 200 200 200"),
    C("survey-invitation-detail", "401 200 404 404 404 404 404 404", "invitation_near"),
    C("survey-invitation-answer", "401 400 404 404 404 404 404 404", "invitation_near", method="post"),
    # The API's writes of phase four and the registers (an empty body: in scope 400 for the missing fields, or
    # 403/409 by the policy; out of scope 404).
    C("questionnaire-list", "401 403 403 403 403 400 403 400", method="post"),
    C("questionnaire-items", "401 404 404 403 403 400 403 400", "survey_near", method="post"),
    C("questionnaire-items", "401 404 404 404 403 400 403 400", "survey_far", method="post"),
    C("questionnaire-send", "401 404 404 403 403 409 403 409", "survey_near", method="post"),
    C("questionnaire-send", "401 404 404 404 403 400 403 400", "survey_far", method="post"),
    C("questionnaire-publish", "401 404 404 403 403 409 403 409", "survey_near", method="post"),
    C("questionnaire-publish", "401 404 404 404 403 200 403 200", "survey_far", method="post"),
    C("questionnaire-close", "401 404 404 403 403 409 403 409", "survey_near", method="post"),
    C("questionnaire-close", "401 404 404 404 403 409 403 409", "survey_far", method="post"),
    C("questionnaire-rectify", "401 404 404 403 403 400 403 400", "survey_near", "survey_item_near", method="post"),
    C("questionnaire-rectify", "401 404 404 404 403 400 403 400", "survey_far", "survey_item_far", method="post"),
    C("court-rule-list", "401 403 403 403 403 400 403 400", method="post"),
    C("warning-rule-list", "401 403 403 403 200 200 200 200"),
    C("warning-rule-detail", "401 403 403 403 200 200 200 200", "warning_rule"),
    C("warning-rule-detail", "401 403 403 403 403 400 403 400", "warning_rule", method="put"),
    C("warning-rule-detail", "401 403 403 403 403 200 403 200", "warning_rule", method="patch"),
]

# Pages no walk can reach: a written reason each.
NOT_WALKED = {
    "set_language": "Django's language switch (POST, no object, no data)",
    "api-root": "DRF's router root; the API endpoints are walked through their list and detail names",
    "api-schema": "drf-spectacular's schema view; covered by tests/org/test_api.py",
    "api-docs": "drf-spectacular's Swagger page; covered by tests/org/test_api.py",
}


def test_every_url_pattern_is_walked():
    walked = {c.name for c in CASES}
    missing = sorted(url_names() - walked - set(NOT_WALKED))
    assert not missing, f"URL patterns with no access case and no reason in NOT_WALKED: {missing}"


def _resolve_args(case, w):
    values = []
    for a in case.args:
        if isinstance(a, str) and a in w:
            obj = w[a]
            if obj is None:
                return None
            values.append(obj if isinstance(obj, str) else obj.pk)  # a plain-text world value: a token, a code
        elif isinstance(a, str) and a.startswith("code:"):
            obj = w[a[5:]]
            values.append(obj.code)
        else:
            values.append(a)
    return values


WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


def _writes(captured):
    return [
        q["sql"][:120]
        for q in captured.captured_queries
        if WRITE.match(q["sql"]) and "django_session" not in q["sql"] and "axes_" not in q["sql"]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_access_cell(case, world, client):
    args = _resolve_args(case, world)
    if args is None:
        pytest.fail(f"the demo has no object for {case.args}: add one to the demo or to the walk's world")
    url = reverse(case.name, args=args) + case.query.format(**{k: getattr(v, "pk", v) for k, v in world.items()})
    User = get_user_model()
    observed, problems = [], []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(User.objects.get(username=role))
        # The REST API's names have no namespace; its writes take JSON (an empty object here).
        body = (
            {"data": "{}", "content_type": "application/json"}
            if ":" not in case.name and case.method in ("post", "put", "patch")
            else {}
        )
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            response = getattr(client, case.method)(url, **body)
            transaction.set_rollback(True)
        observed.append(str(response.status_code))
        if response.status_code in (403, 404) and _writes(captured):
            problems.append(f"{role}: refused with {response.status_code} but wrote {_writes(captured)}")
        if response.status_code >= 500:
            problems.append(f"{role}: {response.status_code}")
    got = " ".join(observed)
    if RECORD:
        print(f'\nWALK C("{case.name}", "{got}", {", ".join(repr(a) for a in case.args)}, method="{case.method}")')
        return
    assert not problems, problems
    expected = " ".join(case.expected.split())
    assert got == expected, (
        f"{case.id} {url}\n  roles:    {' '.join(r.split('_')[0][:6] for r in ROLES)}\n"
        f"  expected: {expected}\n  got:      {got}"
    )
