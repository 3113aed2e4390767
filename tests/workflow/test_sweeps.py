"""The periodic work with the clock frozen: reminders before a deadline to those who have not done it,
escalation once after it, phase opening and closing notices — each idempotent and bounded in queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hkcourt.notifications.models import Delivery, Notification
from hkcourt.org.models import Division, Person, Role
from tests.factories import make_person
from workflow import services
from workflow.models import Phase, PhaseState, PhaseTask

from .conftest import PLAN_START, at, submit_post_risk

D = dt.date


def staff_user_ids():
    return set(
        Person.objects.filter(user__role_assignments__role=Role.STAFF, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def inbox(user, kind=None):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(kind=kind) if kind else qs


def test_reminders_go_to_those_who_have_not_submitted_and_only_once(campaign, demo_user):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    with time_machine.travel(at(D(2013, 1, 8), 8, 0), tick=False):
        submit_post_risk(staff)
        created = services.send_deadline_reminders()
        # 查找廉政风险 is due 2013-01-15: everyone with the staff role except staff_demo, who has submitted.
        expected = staff_user_ids() - {staff.pk}
        reminded = set(Notification.objects.filter(kind="task_reminder_7").values_list("recipient_id", flat=True))
        assert reminded == expected
        assert created == len(expected)
        assert not inbox(staff).exists()
        [n] = inbox(head, "task_reminder_7")
        assert "查找廉政风险" in n.display_title and "还有 7 天" in n.display_title
        assert n.url.startswith("/campaigns/tasks/")
        # One e-mail per notification in the outbox, none twice.
        assert Delivery.objects.count() == Notification.objects.count()
        assert services.send_deadline_reminders() == 0
        assert Notification.objects.count() == len(expected)
    with time_machine.travel(at(D(2013, 1, 14), 8, 0), tick=False):
        services.send_deadline_reminders()
        assert inbox(head, "task_reminder_1").count() == 1
        assert not inbox(staff).exists()


def test_a_missed_day_is_caught_up_once(campaign, demo_user):
    head = demo_user("head_demo")
    with time_machine.travel(at(D(2013, 1, 10)), tick=False):  # the sweep did not run on 01-08 and 01-09
        services.send_deadline_reminders()
    with time_machine.travel(at(D(2013, 1, 11)), tick=False):
        services.send_deadline_reminders()
    [n] = inbox(head, "task_reminder_7")
    assert "还有 5 天" in n.display_title


def test_reminder_days_are_configurable_per_task(campaign, demo_user):
    task = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks")
    task.reminder_days = "3"
    task.save()
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        services.send_deadline_reminders()
    assert not Notification.objects.filter(kind__startswith="task_reminder").exists()
    with time_machine.travel(at(D(2013, 1, 12)), tick=False):
        services.send_deadline_reminders()
    assert inbox(demo_user("staff_demo"), "task_reminder_3").count() == 1


def test_head_is_reminded_to_grade_only_while_points_wait_for_review(campaign, demo_user):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    other_head = Division.objects.get(court__code="hgzy", name="刑事审判庭").role_assignments.get(
        role=Role.DIVISION_HEAD
    )
    with time_machine.travel(at(D(2013, 1, 13)), tick=False):  # 确定风险等级 is due 2013-01-20
        submit_post_risk(staff)
        services.send_deadline_reminders()
    [n] = inbox(head, "task_reminder_7").filter(params__task__icontains="确定风险等级")
    assert "确定风险等级" in n.display_title
    assert not inbox(other_head.user, "task_reminder_7").filter(params__task__icontains="确定风险等级").exists()


def test_overdue_escalates_once_the_day_after_the_deadline_in_shanghai(campaign, demo_user):
    head, deputy = demo_user("head_demo"), demo_user("deputy_demo")
    # 2013-01-15 is the deadline of 查找廉政风险: at 23:59:59 Shanghai time it is not yet overdue.
    with time_machine.travel(at(D(2013, 1, 15), 23, 59, 59), tick=False):
        assert services.escalate_overdue() == 0
    # 16:00 UTC on the 15th is midnight in Shanghai: overdue now.
    with time_machine.travel(dt.datetime(2013, 1, 15, 16, 0, 1, tzinfo=dt.UTC), tick=False):
        assert services.escalate_overdue() > 0
        assert services.escalate_overdue() == 0
    escalated = inbox(head, "task_overdue").filter(params__task__icontains="查找廉政风险")
    [n] = escalated
    # The head hears about his division's staff, not about himself: his own miss goes to the deputy leader.
    assert "王晓东" in n.display_body and "李建国" not in n.display_body
    [up] = inbox(deputy, "task_overdue").filter(params__task__icontains="查找廉政风险")
    assert "李建国" in up.display_body
    # The office's own overdue tasks go to the president.
    with time_machine.travel(at(D(2013, 2, 16)), tick=False):
        services.escalate_overdue()
    assert (
        inbox(demo_user("president_demo"), "task_overdue").filter(params__task__icontains="组织评、集体定").count() == 1
    )


def test_staff_with_no_division_head_escalate_to_the_deputy_then_the_office(campaign, demo_user, hgzy):
    lonely = Division.objects.create(court=hgzy, name="新设庭室")
    person = make_person(username="lonely_staff", division=lonely)
    with time_machine.travel(at(D(2013, 1, 16)), tick=False):
        services.escalate_overdue()
    office = demo_user("office_demo")
    assert person.full_name in inbox(office, "task_overdue").get(params__task__icontains="查找廉政风险").display_body


def test_phase_opening_and_closing_notices_and_state(campaign, demo_user):
    with time_machine.travel(at(D(2012, 9, 24), 0, 5), tick=False):
        counts = services.advance_phases()
    assert counts["opened"] == 1
    assert Phase.objects.get(campaign=campaign, number=1).state == PhaseState.OPEN
    everyone = Person.objects.filter(user__is_active=True).count()
    assert Notification.objects.filter(kind="phase_open").count() == everyone
    with time_machine.travel(at(D(2012, 10, 25), 0, 5), tick=False):
        counts = services.advance_phases()
        assert counts == {"opened": 1, "closed": 1, "notified": counts["notified"]}
        assert services.advance_phases() == {"opened": 0, "closed": 0, "notified": 0}
    states = dict(Phase.objects.filter(campaign=campaign).values_list("number", "state"))
    assert states == {1: "closed", 2: "open", 3: "pending", 4: "pending"}
    closing = Notification.objects.filter(kind="phase_close")
    assert closing.filter(recipient=demo_user("head_demo")).exists()
    assert closing.filter(recipient=demo_user("office_demo")).exists()
    assert not closing.filter(recipient=demo_user("staff_demo")).exists()
    assert Notification.objects.filter(kind="phase_open", recipient=demo_user("staff_demo")).count() == 2


def test_history_is_closed_silently(template, hgzy, demo_user):
    with time_machine.travel(at(D(2013, 6, 1)), tick=False):
        services.copy_campaign(
            actor=demo_user("office_demo"), source=template, court=hgzy, name="历史", start=PLAN_START
        )
        services.advance_phases()
    assert not Notification.objects.filter(kind="phase_close").exists()
    assert Notification.objects.filter(kind="phase_open", params__name__icontains="巩固提高").exists()
    assert not Notification.objects.filter(kind="phase_open").exclude(params__name__icontains="巩固提高").exists()


def test_templates_send_nothing(template, demo_org):
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        assert services.send_deadline_reminders() == 0
        assert services.escalate_overdue() == 0
        assert services.advance_phases()["notified"] == 0


def test_urge_reminds_the_behind_once_a_day(campaign, demo_user):
    office = demo_user("office_demo")
    task = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks")
    with time_machine.travel(at(D(2012, 12, 1)), tick=False):
        first = services.urge(actor=office, task=task)
        assert first == len(staff_user_ids())
        assert services.urge(actor=office, task=task) == 0
    with pytest.raises(Exception) as exc:
        services.urge(actor=demo_user("staff_demo"), task=task)
    assert "领导小组办公室" in str(exc.value)


def test_the_sweep_does_not_query_per_person(campaign, hgzy, settings):
    settings.NOTIFICATIONS_CHUNK_SIZE = 10_000

    def queries():
        Notification.objects.all().delete()
        with time_machine.travel(at(D(2013, 1, 8)), tick=False), CaptureQueriesContext(connection) as ctx:
            services.send_deadline_reminders()
        return len(ctx.captured_queries)

    before = queries()
    division = Division.objects.filter(court=hgzy).first()
    for i in range(60):
        make_person(username=f"extra{i}", division=division)
    after = queries()
    assert after == before, (before, after)
