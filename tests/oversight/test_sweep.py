"""即时预警 for missed deadlines (issue 14 item 8): no event records a deadline passing, so an hourly beat
entry sweeps the deadlines that passed since yesterday — measures, rectifications, report-backs — and runs
the deadline rules for just those objects. Running it twice raises nothing twice; an older deadline is the
daily run's; each query is a range on an indexed deadline column."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hkcourt.notifications.models import Notification
from risks.measures.models import Measure, MeasureStatus
from risks.models import Grade, State
from workflow import schedule
from workflow.oversight import services, tasks
from workflow.oversight.models import Warning, WarningLevel

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _measure(demo_user, deadline):
    from tests.risks.factories import RiskPointFactory

    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.LOW)
    return Measure.objects.create(
        risk_point=rp,
        court=rp.court,
        division=rp.division,
        kind="post",
        category="management",
        title="落实情况台账",
        description="……",
        owner=staff,
        deadline=deadline,
        status=MeasureStatus.PLANNED,
        created_by=head,
    )


def test_a_measure_whose_deadline_just_passed_is_warned_once(demo_user):
    # the default rule: more than 30 days past the deadline; this one crosses today
    measure = _measure(demo_user, TODAY() - datetime.timedelta(days=31))
    task = tasks.sweep_missed_deadlines  # the beat entry's task, run in-process
    first = task.apply().get()
    assert first["keys"] == [f"measure_overdue:{measure.pk}"]
    warning = Warning.objects.get(measure=measure)
    assert warning.level == WarningLevel.ORANGE and warning.person.username == "staff_demo"
    assert Notification.objects.filter(kind="oversight.warnings").exists()  # the office hears at once
    second = task.apply().get()
    assert second["raised"] == 0 and Warning.objects.filter(measure=measure).count() == 1


def test_the_day_before_the_condition_nothing_is_raised(demo_user):
    measure = _measure(demo_user, TODAY() - datetime.timedelta(days=30))  # 30 days: not yet "more than 30"
    assert services.sweep_missed_deadlines()["raised"] == 0
    assert services.sweep_missed_deadlines(today=TODAY() + datetime.timedelta(days=1))["keys"] == [
        f"measure_overdue:{measure.pk}"
    ]


def test_an_old_deadline_is_left_to_the_daily_run(demo_user):
    """The sweep looks at a window, not the whole table: a measure overdue for weeks is the daily run's."""
    measure = _measure(demo_user, TODAY() - datetime.timedelta(days=45))
    assert services.sweep_missed_deadlines()["raised"] == 0
    assert not Warning.objects.filter(measure=measure).exists()
    services.evaluate_warnings()
    assert Warning.objects.filter(measure=measure).count() == 1
    assert services.sweep_missed_deadlines()["raised"] == 0


def test_a_rectification_past_its_deadline_warns_and_tells_its_owner_once(world):
    rect = world["rect"]  # owned by head_demo, due in 10 days
    assert services.sweep_missed_deadlines(today=rect.deadline)["raised"] == 0  # the deadline day itself
    day_after = rect.deadline + datetime.timedelta(days=1)
    for _ in range(2):
        services.sweep_missed_deadlines(today=day_after)
    assert Warning.objects.filter(key=f"rectification_overdue:{rect.pk}").count() == 1
    assert Notification.objects.filter(kind="oversight.rect_overdue", recipient=rect.owner).count() == 1


def test_a_missed_report_back_gets_its_next_rung_proposed_once(world):
    reminder = world["reminder"]
    day_after = reminder.report_deadline + datetime.timedelta(days=1)
    assert services.sweep_missed_deadlines(today=reminder.report_deadline)["proposals"] == 0
    assert services.sweep_missed_deadlines(today=day_after)["proposals"] == 2  # the reminder and the order
    reminder.refresh_from_db()
    assert reminder.next_rung_proposed == "talk"
    told = Notification.objects.filter(kind="oversight.next_rung").count()
    assert told >= 2  # the office members covering the court, once per handling
    assert services.sweep_missed_deadlines(today=day_after)["proposals"] == 0
    assert Notification.objects.filter(kind="oversight.next_rung").count() == told


def test_the_sweep_is_an_hourly_beat_entry():
    schedule.ensure()
    entry = PeriodicTask.objects.get(task="workflow.sweep_missed_deadlines")
    assert entry.enabled and entry.crontab.hour == "*" and entry.crontab.minute == "10"


def test_each_deadline_query_is_a_range_on_an_index(demo_user, world):
    """EXPLAIN of every query the sweep sends to the deadline tables, with sequential scans priced out:
    each is answered by an index condition bounding its deadline column on both sides (a window, not a
    scan of every overdue row)."""
    _measure(demo_user, TODAY() - datetime.timedelta(days=31))
    with CaptureQueriesContext(connection) as ctx:
        services.sweep_missed_deadlines()
    columns = {
        "risks_measure": "deadline",
        "workflow_rectification": "deadline",
        "workflow_handling": "report_deadline",
    }
    swept = [
        (table, q["sql"])
        for q in ctx.captured_queries
        for table in columns
        if q["sql"].startswith("SELECT")
        and f'FROM "{table}"' in q["sql"]
        and f'"{table}"."{columns[table]}" < ' in q["sql"]  # the deadline queries, not e.g. a person's handlings
    ]
    assert {table for table, _sql in swept} == set(columns)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table, sql in swept:
            cursor.execute(f"EXPLAIN {sql}")
            plan = [row[0].strip() for row in cursor.fetchall()]
            col = columns[table]
            assert not any(line.startswith(f"Seq Scan on {table}") for line in plan), plan
            assert any(
                line.startswith("Index Cond") and f"({col} < " in line and f"({col} >= " in line for line in plan
            ), plan


@pytest.mark.parametrize("ended_days_ago, warned", [(1, True), (10, False)])
def test_the_screening_phase_ending_is_swept_the_day_after(demo_user, hgzy, ended_days_ago, warned):
    """No confirmed point in a division when phase two ended: the sweep warns the day after the end; a phase
    that ended ten days ago is the daily run's."""
    from workflow.models import Campaign, Phase

    today = TODAY()
    campaign = Campaign.objects.create(name="测试活动", year=2030, court=hgzy, covers_subordinates=False)
    end = today - datetime.timedelta(days=ended_days_ago)
    Phase.objects.create(
        campaign=campaign, number=2, name="排查廉政风险", start=end - datetime.timedelta(days=50), end=end
    )
    first = services.sweep_missed_deadlines()
    keys = [k for k in first["keys"] if k.startswith(f"no_confirmed_points:{campaign.pk}:")]
    assert bool(keys) == warned
    if warned:
        assert len(keys) == hgzy.divisions.count()
        assert services.sweep_missed_deadlines()["raised"] == 0
