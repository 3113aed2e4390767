"""考核验收: an acceptance of a campaign's units by self-check, a spot check of records the system draws at
random, and social evaluation from a questionnaire; a 不合格 or 形式主义 result orders the unit to redo its work
(a rectification with a deadline in the early-warning flow). Every refusal and bad input writes nothing."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from hkcourt.notifications.models import Notification
from hkcourt.org.models import AuditEntry, Court, Division
from hkcourt.org.policy import Refusal
from workflow.assessment import services
from workflow.assessment.models import (
    Acceptance,
    AcceptanceSample,
    AcceptanceUnit,
    Grade,
    Questionnaire,
)
from workflow.models import Campaign, local_today
from workflow.oversight.models import Rectification


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for dotted in settings.DEMO_SEEDERS:
                if dotted.startswith(("hkcourt.org.", "commitments.")):
                    continue
                import_string(dotted)(log=lambda *_: None)
            yield Campaign.objects.get(builtin_key="demo-current")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def campaign(world, db):
    return world


def _user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def civil():
    return Division.objects.get(court__code="hgzy", name="民事审判庭")


@pytest.fixture
def acceptance(campaign, civil):
    office = _user("office_demo")
    phase = campaign.phases.get(number=1)
    xiangyang = Court.objects.get(code="xiangyang")
    q = Questionnaire.objects.get(title__startswith="2013年上半年")
    return services.create_acceptance(
        actor=office,
        campaign=campaign,
        kind="stage",
        phase=phase,
        title="第一阶段验收（测试）",
        self_due=local_today() + datetime.timedelta(days=7),
        courts=[xiangyang],
        divisions=[civil],
        sample_size=2,
        questionnaire=q,
    )


def _writes():
    return (
        Acceptance.objects.count(),
        AcceptanceUnit.objects.exclude(self_at=None).count(),
        AcceptanceSample.objects.count(),
        Rectification.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_office_organises_a_stage_acceptance_of_courts_and_divisions(acceptance, civil):
    units = {u.label for u in acceptance.units.all()}
    assert units == {"向阳区法院", "鹤岗中院·民事审判庭"}
    assert AuditEntry.objects.filter(action="assessment.acceptance_create", object_id=str(acceptance.pk)).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"courts": [], "divisions": []}, "courts"),
        ({"kind": "stage", "phase": None}, "phase"),
        ({"self_due": datetime.date(2000, 1, 1)}, "self_due"),
        ({"sample_size": 0}, "sample_size"),
        ({"sample_size": 99}, "sample_size"),
        ({"title": "x" * 100_000}, "title"),
        ({"courts": "own"}, "courts"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(campaign, civil, change, field):
    office = _user("office_demo")
    args = {
        "actor": office,
        "campaign": campaign,
        "kind": "stage",
        "phase": campaign.phases.get(number=1),
        "title": "验收",
        "self_due": local_today(),
        "courts": [],
        "divisions": [civil],
        "sample_size": 3,
    }
    if change.get("courts") == "own":
        change = {"courts": [campaign.court]}  # the organising court cannot check itself as a unit
    args.update(change)
    before = _writes()
    with pytest.raises(ValidationError) as exc:
        services.create_acceptance(**args)
    assert field in exc.value.message_dict
    assert all(m for m in exc.value.messages)
    assert _writes() == before


@pytest.mark.parametrize("username", ["staff_demo", "head_demo", "deputy_demo", "president_demo", "leader_demo"])
def test_only_the_office_organises(campaign, civil, username):
    before = _writes()
    with pytest.raises(Refusal):
        services.create_acceptance(
            actor=_user(username),
            campaign=campaign,
            kind="full",
            title="越权验收",
            self_due=local_today(),
            divisions=[civil],
        )
    assert _writes() == before


def test_self_check_by_the_units_head_only(acceptance, civil):
    unit = acceptance.units.get(division=civil)
    for name in ("staff_demo", "office_demo", "president_demo", "leader_demo"):
        with pytest.raises(Refusal):
            services.submit_self_report(actor=_user(name), unit=unit, report="自查", grade="pass")
    before = _writes()
    with pytest.raises(ValidationError) as exc:
        services.submit_self_report(actor=_user("head_demo"), unit=unit, report="长" * 100_000, grade="pass")
    assert "8000" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        services.submit_self_report(actor=_user("head_demo"), unit=unit, report="自查", grade="great")
    assert _writes() == before
    services.submit_self_report(actor=_user("head_demo"), unit=unit, report="本庭查找风险点12个。", grade="excellent")
    unit.refresh_from_db()
    assert unit.self_grade == Grade.EXCELLENT and unit.self_by.username == "head_demo"


def test_the_spot_check_draws_at_random_from_the_units_own_records_once(acceptance, civil):
    unit = acceptance.units.get(division=civil)
    office = _user("office_demo")
    points, measures = services.sample_pools(unit)
    assert points.count() >= 2 and measures.count() >= 2
    rows = services.draw_sample(actor=office, unit=unit)
    assert len(rows) == 4
    assert {s.risk_point_id for s in rows if s.risk_point_id} <= set(points.values_list("pk", flat=True))
    assert {s.measure_id for s in rows if s.measure_id} <= set(measures.values_list("pk", flat=True))
    assert all(s.risk_point is None or s.risk_point.division_id == civil.pk for s in rows)
    entry = AuditEntry.objects.get(action="assessment.spot_draw", data__unit=unit.pk)
    assert sorted(entry.data["risk_points"]) == sorted(s.risk_point_id for s in rows if s.risk_point_id)
    with pytest.raises(ValidationError):
        services.draw_sample(actor=office, unit=unit)
    # The result needs every drawn record checked.
    with pytest.raises(ValidationError):
        services.record_spot_check(actor=office, unit=unit, grade="pass", note="抽查")
    for s in rows:
        with pytest.raises(ValidationError):  # a record found wanting needs its finding written down
            services.record_finding(actor=office, sample=s, satisfactory=False, finding="")
        services.record_finding(actor=office, sample=s, satisfactory=True, finding="")
    services.record_spot_check(actor=office, unit=unit, grade="basic", note="措施落实不够具体。")
    unit.refresh_from_db()
    assert unit.spot_grade == Grade.BASIC


def test_random_draws_differ(campaign, civil):
    """The draw is the system's, not a fixed order: several acceptances of one unit do not all draw the same."""
    office = _user("office_demo")
    drawn = set()
    for i in range(6):
        a = services.create_acceptance(
            actor=office,
            campaign=campaign,
            kind="full",
            title=f"全面考核{i}",
            self_due=local_today(),
            divisions=[civil],
            sample_size=2,
        )
        rows = services.draw_sample(actor=office, unit=a.units.get())
        drawn.add(tuple(sorted(s.risk_point_id for s in rows if s.risk_point_id)))
    assert len(drawn) > 1


def test_nobody_checks_their_own_unit(campaign):
    office = _user("office_demo")
    own = Division.objects.get(court__code="hgzy", name="纪检监察室")
    a = services.create_acceptance(
        actor=office, campaign=campaign, kind="full", title="全面考核", self_due=local_today(), divisions=[own]
    )
    with pytest.raises(Refusal):
        services.draw_sample(actor=office, unit=a.units.get())


def test_social_evaluation_comes_from_the_questionnaire(acceptance, civil):
    unit = acceptance.units.get(division=civil)
    services.record_social(actor=_user("office_demo"), unit=unit)
    unit.refresh_from_db()
    assert unit.social_grade in Grade.values
    assert "满意率" in unit.social_basis and "本单位" in unit.social_basis  # 民事审判庭 answered in full (≥5)
    figure = services.social_figure(unit)
    assert unit.social_grade == services.social_grade(figure["rate"], acceptance.questionnaire.satisfaction_threshold)


def _ready(unit, office):
    services.submit_self_report(actor=_user("head_demo"), unit=unit, report="自查报告", grade="pass")
    for s in services.draw_sample(actor=office, unit=unit):
        services.record_finding(actor=office, sample=s, satisfactory=False, finding="措施照抄上级文件，未结合岗位。")
    services.record_spot_check(actor=office, unit=unit, grade="fail", note="风险点查找流于形式。")
    services.record_social(actor=office, unit=unit)


def test_a_failed_unit_is_ordered_to_redo_with_a_deadline(acceptance, civil):
    office = _user("office_demo")
    unit = acceptance.units.get(division=civil)
    _ready(unit, office)
    unit.refresh_from_db()
    assert services.suggested_grade(unit) == Grade.FAIL
    before = _writes()
    with pytest.raises(ValidationError) as exc:
        services.decide_unit(actor=office, unit=unit, grade="fail", conclusion="不合格", deadline=None)
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.decide_unit(
            actor=office, unit=unit, grade="fail", conclusion="不合格", deadline=datetime.date(2000, 1, 1)
        )
    assert _writes() == before
    deadline = local_today() + datetime.timedelta(days=30)
    with translation.override("en"):  # the office works in English
        services.decide_unit(
            actor=office, unit=unit, grade="fail", conclusion="风险点查找流于形式。", deadline=deadline
        )
    unit.refresh_from_db()
    r = unit.rectification
    assert r is not None and r.deadline == deadline and r.state == "open"
    assert r.division_id == civil.pk and r.owner.username == "head_demo" and r.handling_id is None
    # the system's problem is a code: it reads in the reader's language, the conclusion as typed
    assert (r.problem, r.problem_code) == ("", "assessment.redo")
    assert r.problem_params["reasons"] == ["fail"] and r.problem_params["conclusion"] == "风险点查找流于形式。"
    assert "验收不合格，责令整改、重新补课。验收结论：风险点查找流于形式。" in r.problem_text
    with translation.override("en"):
        assert "failed the acceptance; ordered to rectify and redo the work. Conclusion: 风险点查找流于形式。" in (
            r.problem_text
        )
    assert Notification.objects.filter(recipient=r.owner, kind="oversight.rect_order").exists()
    assert AuditEntry.objects.filter(action="oversight.rect_order", object_id=str(r.pk)).exists()
    # In the existing flow: the owner reports progress, the office checks it.
    from workflow.oversight import services as oversight

    oversight.report_progress(actor=r.owner, rectification=r, text="已重新查找风险点。")
    oversight.close_rectification(actor=office, rectification=r, check="已补课。")
    # Decided once.
    with pytest.raises(Refusal):
        services.decide_unit(actor=office, unit=unit, grade="pass", conclusion="再议")


def test_formalism_orders_a_redo_even_when_graded_basic(acceptance):
    office = _user("office_demo")
    unit = acceptance.units.get(division__isnull=True)  # 向阳区法院 as a whole, its president answers
    unit.self_at = unit.spot_at = unit.social_at = timezone.now()
    AcceptanceUnit.objects.filter(pk=unit.pk).update(
        self_at=unit.self_at, spot_at=unit.spot_at, social_at=unit.social_at, self_grade="pass"
    )
    unit.refresh_from_db()
    president = services.unit_leader(unit)
    if president is None:
        pytest.skip("the demo basic court has no president")
    services.decide_unit(
        actor=office,
        unit=unit,
        grade="basic",
        formalism=True,
        conclusion="自查报告照搬模板。",
        deadline=local_today() + datetime.timedelta(days=20),
    )
    unit.refresh_from_db()
    assert unit.rectification.owner == president and unit.rectification.division_id is None


def test_the_result_waits_for_the_three_methods(acceptance, civil):
    unit = acceptance.units.get(division=civil)
    with pytest.raises(Refusal) as exc:
        services.decide_unit(actor=_user("office_demo"), unit=unit, grade="pass", conclusion="合格")
    assert "自查报告" in exc.value.message


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "username, status",
    [
        ("staff_demo", 403),
        ("head_demo", 200),
        ("deputy_demo", 200),
        ("president_demo", 200),
        ("office_demo", 200),
        ("leader_demo", 200),
    ],
)
def test_who_reads_the_acceptance_pages(client, acceptance, civil, username, status):
    client.force_login(_user(username))
    assert client.get(reverse("workflow:acceptances")).status_code == status
    unit = acceptance.units.get(division__isnull=True)  # 向阳区法院: outside the intermediate court's leaders
    response = client.get(reverse("workflow:acceptance_unit", args=[unit.pk]))
    assert response.status_code == {"office_demo": 200, "leader_demo": 200, "president_demo": 200}.get(
        username, 404
    )  # 组长: leading group


def test_a_division_head_sees_only_their_own_unit(client, acceptance, civil):
    client.force_login(_user("head_demo"))
    page = client.get(reverse("workflow:acceptance", args=[acceptance.pk])).content.decode()
    assert "民事审判庭" in page and "向阳区法院" not in page


def test_the_office_runs_a_unit_through_the_pages(client, acceptance, civil):
    unit = acceptance.units.get(division=civil)
    client.force_login(_user("head_demo"))
    r = client.post(reverse("workflow:acceptance_self", args=[unit.pk]), {"report": "", "grade": "pass"})
    assert r.status_code == 400 and "自查报告" in r.content.decode()
    r = client.post(reverse("workflow:acceptance_self", args=[unit.pk]), {"report": "已自查。", "grade": "pass"})
    assert r.status_code == 302
    assert client.post(reverse("workflow:acceptance_draw", args=[unit.pk])).status_code == 403
    client.force_login(_user("office_demo"))
    assert client.post(reverse("workflow:acceptance_draw", args=[unit.pk])).status_code == 302
    for s in unit.samples.all():
        r = client.post(
            reverse("workflow:acceptance_finding", args=[s.pk]), {f"s{s.pk}-satisfactory": "1", f"s{s.pk}-finding": ""}
        )
        assert r.status_code == 302
    assert not unit.samples.filter(satisfactory__isnull=True).exists()
    client.post(reverse("workflow:acceptance_spot", args=[unit.pk]), {"grade": "fail", "note": "敷衍"})
    client.post(reverse("workflow:acceptance_social", args=[unit.pk]))
    page = client.get(reverse("workflow:acceptance_unit", args=[unit.pk])).content.decode()
    assert 'data-action="decide"' in page
    r = client.post(
        reverse("workflow:acceptance_decide", args=[unit.pk]),
        {"grade": "fail", "conclusion": "不合格", "deadline": ""},
    )
    assert r.status_code == 400 and "整改期限" in r.content.decode()
    r = client.post(
        reverse("workflow:acceptance_decide", args=[unit.pk]),
        {"grade": "fail", "formalism": "on", "conclusion": "不合格", "deadline": str(local_today())},
    )
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.rectification is not None
    page = client.get(reverse("workflow:acceptance", args=[acceptance.pk])).content.decode()
    assert unit.rectification.code in page


def test_acceptance_pages_query_counts_are_pinned(client, acceptance, civil, django_assert_max_num_queries):
    client.force_login(_user("office_demo"))
    unit = acceptance.units.get(division=civil)
    services.draw_sample(actor=_user("office_demo"), unit=unit)
    for name, args, limit in (
        ("workflow:acceptances", [], 10),
        ("workflow:acceptance", [acceptance.pk], 10),
        ("workflow:acceptance_unit", [unit.pk], 16),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=args)).status_code == 200
        assert len(ctx.captured_queries) <= limit, (name, len(ctx.captured_queries))
