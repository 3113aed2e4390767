"""即时预警 (issue 14 item 8): recording a signal or changing a grade evaluates the warning rules for the
objects it touched, in a Celery task queued after commit (ids only, idempotent) — not only in the daily
07:00 run; the colours and their meaning are shown beside the rules the office edits."""

import datetime

import pytest
from celery import current_app
from django.urls import reverse
from django.utils import timezone

from risks import services as risk_services
from risks.measures.models import Measure, MeasureStatus
from risks.models import Grade, Level, State
from workflow.oversight import services
from workflow.oversight.models import Warning, WarningLevel

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
HIGH = {"importance": 3, "discretion": 3, "probability": 3, "harm": 3}


@pytest.fixture
def eager():
    """Celery's own eager mode: a queued task runs in-process when the on-commit callback fires."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


def _signal(office, court, **kw):
    args = {"channel": "inspection", "title": "巡查发现问题", "content": "……", "received_on": TODAY()}
    args.update(kw)
    return services.record_signal(actor=office, court=court, **args)


def test_two_signals_on_a_division_warn_at_once(demo_user, hgzy, civil, eager, django_capture_on_commit_callbacks):
    office = demo_user("office_demo")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _signal(office, hgzy, division=civil)
    assert len(callbacks) == 1 and not Warning.objects.filter(division=civil).exists()  # threshold 2
    with django_capture_on_commit_callbacks(execute=True):
        _signal(office, hgzy, division=civil, title="卷宗缺页")
    warning = Warning.objects.get(key=f"division_signals:{civil.pk}")
    assert warning.level == WarningLevel.YELLOW and warning.signals.count() == 2


def test_nothing_is_queued_before_commit(demo_user, hgzy, civil, django_capture_on_commit_callbacks):
    """The task is queued on commit: a rolled-back recording queues nothing."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _signal(demo_user("office_demo"), hgzy, division=civil)
        _signal(demo_user("office_demo"), hgzy, division=civil, title="卷宗缺页")
    assert len(callbacks) == 2
    assert not Warning.objects.exists()  # nothing evaluated yet: the callbacks did not run


def test_a_grade_change_raises_the_red_warning_for_that_point(
    demo_user, hgzy, eager, django_capture_on_commit_callbacks
):
    staff, head, office = demo_user("staff_demo"), demo_user("head_demo"), demo_user("office_demo")
    rp = risk_services.create_risk_point(
        actor=staff, level=Level.POST, description="私下会见", manifestations="单方接触"
    )
    risk_services.submit(actor=staff, risk_point=rp)
    with django_capture_on_commit_callbacks(execute=True):
        _signal(office, hgzy, risk_point=rp, channel="petition", title="举报私下会见")
    assert not Warning.objects.filter(risk_point=rp).exists()  # not graded high yet
    rp.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        risk_services.grade(actor=head, risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version)
    assert callbacks, "the grade change queues the evaluation"
    warning = Warning.objects.get(key=f"high_risk_signal:{rp.pk}")
    assert warning.level == WarningLevel.RED


def test_instant_run_is_idempotent_and_touches_only_its_objects(demo_user, hgzy, civil, staff_measure_overdue):
    office = demo_user("office_demo")
    s1 = _signal(office, hgzy, division=civil)
    s2 = _signal(office, hgzy, division=civil, title="卷宗缺页")
    task = current_app.tasks["workflow.evaluate_warnings_for"]
    first = task.apply(kwargs={"signal_ids": [s1.pk, s2.pk]}).get()
    again = task.apply(kwargs={"signal_ids": [s1.pk, s2.pk]}).get()
    assert first["raised"] == 1 and again["raised"] == 0
    assert Warning.objects.filter(key=f"division_signals:{civil.pk}").count() == 1
    # the overdue measure is no object of these signals: the daily run raises it, the instant one did not
    assert not Warning.objects.filter(measure=staff_measure_overdue).exists()
    services.evaluate_warnings()
    assert Warning.objects.filter(measure=staff_measure_overdue).exists()


@pytest.fixture
def staff_measure_overdue(demo_user):
    from tests.risks.factories import RiskPointFactory

    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.LOW)
    return Measure.objects.create(
        risk_point=rp,
        court=rp.court,
        division=rp.division,
        kind="post",
        category="management",
        title="逾期的措施",
        description="……",
        owner=staff,
        deadline=TODAY() - datetime.timedelta(days=45),
        status=MeasureStatus.PLANNED,
        created_by=head,
    )


def test_the_colours_and_their_meaning_are_shown_with_the_rules(client, login_as):
    from workflow.oversight.models import WarningRule
    from workflow.oversight.rules import ensure_default_rules

    ensure_default_rules(WarningRule)
    login_as("office_demo")
    body = client.get(reverse("workflow:warnings")).content.decode()
    legend = body.split('data-legend="levels"')[1].split("</ul>")[0]
    assert legend.index('data-level="red"') < legend.index('data-level="orange"') < legend.index('data-level="yellow"')
    assert "红色预警" in legend and "高等级风险点出现风险信息" in legend
    assert 'data-action="edit_rule"' in body  # the office edits each rule's colour
    assert "适用规则" in legend and "高等级风险点出现风险信息" in legend
