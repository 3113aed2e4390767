"""Signals, warnings, the handling ladder and rectification, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hkcourt.notifications.models import Notification
from hkcourt.org.policy import STATE, Refusal
from risks.measures.models import Measure
from risks.models import Grade, PublicFeedback, State
from tests.risks.factories import RiskPointFactory
from workflow.oversight import services
from workflow.oversight.models import (
    Handling,
    HandlingState,
    Rectification,
    Signal,
    Warning,
    WarningRule,
    WarningState,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_only_office_records_signals(demo_user, hgzy):
    for name in ("staff_demo", "head_demo", "deputy_demo", "president_demo", "leader_demo"):
        with pytest.raises(PermissionDenied):
            services.record_signal(
                actor=demo_user(name), court=hgzy, channel="media", title="t", content="c", received_on=TODAY()
            )
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"title": "  "}, "不能为空"),
        ({"content": ""}, "不能为空"),
        ({"channel": "rumour"}, "渠道"),
        ({"received_on": datetime.date(2999, 1, 1)}, "不能晚于今天"),
    ],
)
def test_signal_bad_input(demo_user, hgzy, kw, message):
    args = {"channel": "media", "title": "报道", "content": "内容", "received_on": TODAY()}
    args.update(kw)
    with pytest.raises(ValidationError, match=message):
        services.record_signal(actor=demo_user("office_demo"), court=hgzy, **args)
    assert not Signal.objects.exists()


def test_rule_threshold_must_be_positive(demo_user):
    services.evaluate_warnings()
    rule = WarningRule.objects.get(kind="division_signals")
    for bad in (0, -3):
        with pytest.raises(ValidationError, match="阈值须大于0"):
            services.update_rule(
                actor=demo_user("office_demo"), rule=rule, level="yellow", threshold=bad, window_days=90
            )
    with pytest.raises(PermissionDenied):
        services.update_rule(actor=demo_user("leader_demo"), rule=rule, level="red", threshold=3)
    rule.refresh_from_db()
    assert rule.threshold == 2
    services.update_rule(actor=demo_user("office_demo"), rule=rule, level="orange", threshold=3, window_days=30)
    rule.refresh_from_db()
    assert (rule.level, rule.threshold, rule.window_days) == ("orange", 3, 30)


def test_each_level_raised_once(demo_user, hgzy, civil):
    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    high = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.HIGH)
    services.record_signal(
        actor=office, court=hgzy, channel="petition", title="a", content="c", received_on=TODAY(), risk_point=high
    )
    services.record_signal(
        actor=office, court=hgzy, channel="media", title="b", content="c", received_on=TODAY(), division=civil
    )
    low = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.LOW)
    Measure.objects.create(
        risk_point=low,
        court=hgzy,
        division=civil,
        kind="post",
        category="education",
        title="学习",
        description="d",
        owner=staff,
        deadline=TODAY() - datetime.timedelta(days=40),
        created_by=office,
    )
    first = services.evaluate_warnings()
    assert first["red"] == 1 and first["orange"] == 1 and first["yellow"] == 1
    second = services.evaluate_warnings()
    assert second["raised"] == 0
    assert Warning.objects.count() == 3
    # the office hears of new warnings once a day
    assert Notification.objects.filter(kind="oversight.warnings", recipient=office).count() == 1


def test_active_warning_key_is_unique_in_the_database(world):
    from django.db import IntegrityError, transaction

    w = world["warning"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Warning.objects.create(rule=w.rule, level=w.level, key=w.key, court=w.court, summary="dup")


def test_closed_warning_raised_again_only_on_new_facts(world, demo_user, hgzy, civil):
    w = world["warning"]
    services.close_warning(actor=demo_user("office_demo"), warning=w, note="已处理")
    assert services.evaluate_warnings()["yellow"] == 0
    services.record_signal(
        actor=demo_user("office_demo"),
        court=hgzy,
        channel="survey",
        title="问卷反映",
        content="c",
        received_on=TODAY(),
        division=civil,
    )
    result = services.evaluate_warnings()
    assert result["yellow"] == 1
    new = Warning.objects.get(key=w.key, state=WarningState.OPEN)
    assert new.proposed_rung == "order"  # head_demo's division already had an order to correct


def test_reminder_delivered_and_report_back(world, demo_user):
    staff = demo_user("staff_demo")
    reminder = world["reminder"]
    assert reminder.report_deadline == TODAY() + datetime.timedelta(days=5)
    assert Notification.objects.filter(recipient=staff, kind="oversight.reminder").count() == 1
    with pytest.raises(PermissionDenied):
        services.submit_report_back(actor=demo_user("head_demo"), handling=reminder, analysis="a", commitment="b")
    with pytest.raises(ValidationError, match="不能为空"):
        services.submit_report_back(actor=staff, handling=reminder, analysis=" ", commitment="b")
    services.submit_report_back(actor=staff, handling=reminder, analysis="交往不慎", commitment="不再参加")
    reminder.refresh_from_db()
    assert reminder.state == HandlingState.REPORTED
    with pytest.raises(Refusal, match="不能再回告") as refused:
        services.submit_report_back(actor=staff, handling=reminder, analysis="a", commitment="b")
    assert refused.value.code == STATE


def test_missed_report_back_proposes_next_rung(world):
    reminder = world["reminder"]
    services.evaluate_warnings(today=TODAY() + datetime.timedelta(days=6))
    reminder.refresh_from_db()
    assert reminder.next_rung_proposed == "talk"
    services.evaluate_warnings(today=TODAY() + datetime.timedelta(days=7))
    assert Handling.objects.filter(next_rung_proposed="talk").count() == 1


def test_only_office_handles(world, demo_user):
    for name in ("leader_demo", "president_demo", "head_demo"):
        with pytest.raises(PermissionDenied):
            services.create_handling(
                actor=demo_user(name),
                kind="reminder",
                person=demo_user("staff_demo"),
                content="x",
                signal=world["signal"],
            )


def test_order_to_closed_rectification(world, demo_user):
    office, head = demo_user("office_demo"), demo_user("head_demo")
    order, rect = world["order"], world["rect"]
    with pytest.raises(Refusal, match="尚未报告"):
        services.close_rectification(actor=office, rectification=rect, check="ok")
    with pytest.raises(Refusal, match="尚未验收"):
        services.close_handling(actor=office, handling=order, outcome="完成")
    with pytest.raises(PermissionDenied):
        services.report_progress(actor=demo_user("staff_demo"), rectification=rect, text="x")
    services.report_progress(actor=head, rectification=rect, text="已补齐卷宗")
    with pytest.raises(PermissionDenied):
        services.close_rectification(actor=demo_user("leader_demo"), rectification=rect, check="ok")
    services.close_rectification(actor=office, rectification=rect, check="抽查合格")
    services.close_handling(actor=office, handling=order, outcome="整改到位")
    assert Rectification.objects.get(pk=rect.pk).state == "closed"


def test_rectification_overdue_warning(world, demo_user):
    later = TODAY() + datetime.timedelta(days=11)
    result = services.evaluate_warnings(today=later)
    assert Warning.objects.filter(rectification=world["rect"], level="orange").count() == 1
    assert result["orange"] >= 1
    assert services.evaluate_warnings(today=later)["raised"] == 0


def test_feedback_becomes_public_signal(demo_user, hgzy):
    fb = PublicFeedback.objects.create(court=hgzy, text="执行员态度恶劣并暗示送礼", ip_hash="x")
    s = services.convert_feedback(actor=demo_user("office_demo"), feedback=fb, title="群众反映执行员暗示送礼")
    assert s.channel == "public" and s.content == fb.text
    with pytest.raises(Refusal, match="已转为"):
        services.convert_feedback(actor=demo_user("office_demo"), feedback=fb, title="again")


def test_talk_needs_date_and_level(world, demo_user):
    with pytest.raises(ValidationError, match="谈话日期"):
        services.create_handling(
            actor=demo_user("office_demo"),
            kind="talk",
            person=demo_user("staff_demo"),
            content="x",
            signal=world["signal"],
        )


def test_division_without_confirmed_points_after_phase_two(demo_user, hgzy, civil):
    from workflow.models import Campaign, Phase

    today = TODAY()
    campaign = Campaign.objects.create(name="测试活动", year=2030, court=hgzy, covers_subordinates=False)
    Phase.objects.create(
        campaign=campaign,
        number=1,
        name="全面启动",
        start=today - datetime.timedelta(days=90),
        end=today - datetime.timedelta(days=60),
    )
    Phase.objects.create(
        campaign=campaign,
        number=2,
        name="排查廉政风险",
        start=today - datetime.timedelta(days=59),
        end=today - datetime.timedelta(days=2),
    )
    RiskPointFactory(owner=demo_user("staff_demo"), state=State.CONFIRMED, grade=Grade.LOW, campaign_year=2030)
    result = services.evaluate_warnings()
    warned = set(Warning.objects.filter(rule__kind="no_confirmed_points").values_list("division_id", flat=True))
    assert civil.pk not in warned
    assert len(warned) == hgzy.divisions.count() - 1
    assert result["yellow"] == len(warned)
    assert services.evaluate_warnings()["raised"] == 0


def test_rectification_reminders_and_escalation_once(world, demo_user):
    rect = world["rect"]  # owned by head_demo, due in 10 days
    services.evaluate_warnings(today=rect.deadline - datetime.timedelta(days=2))
    assert Notification.objects.filter(kind="oversight.rect_due", recipient=rect.owner).count() == 1
    for _ in range(2):
        services.evaluate_warnings(today=rect.deadline + datetime.timedelta(days=1))
    assert Notification.objects.filter(kind="oversight.rect_overdue", recipient=rect.owner).count() == 1
