"""Campaign rules: the built-in template, copying with shifted dates, schedule validation, tick-offs."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hkcourt.org.models import AuditEntry, Court, Division
from workflow import services
from workflow.models import Campaign, Phase, PhaseTask, PhaseTaskCompletion, deadline_passed

from .conftest import PLAN_START, at

D = dt.date


def test_builtin_template_has_the_plans_real_phases_and_tasks(template):
    phases = list(template.phases.order_by("number"))
    assert [(p.name, p.start, p.end) for p in phases] == [
        ("全面启动", D(2012, 9, 24), D(2012, 10, 24)),
        ("排查廉政风险", D(2012, 10, 25), D(2013, 2, 15)),
        ("制定防控措施", D(2013, 2, 16), D(2013, 5, 15)),
        ("巩固提高", D(2013, 5, 16), D(2013, 8, 15)),
    ]
    titles = {p.number: [t.title for t in p.tasks.order_by("sort_order")] for p in phases}
    assert titles[1] == ["学习宣传", "制定方案", "动员部署"]  # the plan's order, 学习宣传 first
    assert [t.title for t in phases[0].tasks.all()] == titles[1]  # and so are their deadlines (the list's order)
    assert {"清权确权", "查找廉政风险", "确定风险等级"} <= set(titles[2])
    assert {
        "列出职权目录",
        "健全权力结构",
        "改进工作流程",
        "实施分级管理",
        "强化监督制约",
        "建立处置机制",
        "签订承诺书",
    } == set(titles[3])
    assert titles[4] == ["总结", "考核验收", "指标评估与整改"]
    # Installing again changes nothing.
    assert services.ensure_builtin_template().pk == template.pk
    assert Campaign.objects.filter(is_template=True).count() == 1


def test_copy_shifts_every_date_by_the_same_number_of_days(template, hgzy, demo_user):
    start = D(2026, 9, 1)
    copy = services.copy_campaign(
        actor=demo_user("office_demo"), source=template, court=hgzy, name="2026年度", start=start
    )
    shift = start - PLAN_START
    originals = {(t.phase.number, t.code): t for t in PhaseTask.objects.filter(phase__campaign=template)}
    copies = {(t.phase.number, t.code): t for t in PhaseTask.objects.filter(phase__campaign=copy)}
    assert set(originals) == set(copies)
    for key, task in copies.items():
        assert task.deadline == originals[key].deadline + shift
        assert task.responsible_role == originals[key].responsible_role
        assert task.measure_key == originals[key].measure_key
    assert [(p.start - shift, p.end - shift) for p in copy.phases.order_by("number")] == [
        (p.start, p.end) for p in template.phases.order_by("number")
    ]
    assert copy.year == 2026 and not copy.is_template and copy.source_id == template.pk
    assert AuditEntry.objects.filter(action="workflow.campaign_copy", object_id=str(copy.pk)).exists()


def test_only_the_office_may_copy(template, hgzy, demo_user):
    with pytest.raises(PermissionDenied):
        services.copy_campaign(actor=demo_user("head_demo"), source=template, court=hgzy, name="x", start=PLAN_START)
    assert not Campaign.objects.filter(is_template=False).exists()


def test_a_campaign_without_phases_is_refused(hgzy, demo_user):
    empty = Campaign.objects.create(name="空模板", year=2020, is_template=True)
    with pytest.raises(ValidationError) as exc:
        services.copy_campaign(actor=demo_user("office_demo"), source=empty, court=hgzy, name="x", start=PLAN_START)
    assert "工作方案至少需要一个阶段" in str(exc.value)
    assert not Campaign.objects.filter(is_template=False).exists()


def _schedule(campaign):
    phases = {p.number: p for p in campaign.phases.all()}
    return phases, {t.code: t for t in PhaseTask.objects.filter(phase__campaign=campaign)}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phase": (2, D(2013, 2, 15), D(2012, 10, 25))}, "结束日期（2012-10-25）早于开始日期（2013-02-15）"),
        ({"phase": (2, D(2012, 10, 20), D(2013, 2, 15))}, "时间重叠"),
        ({"task": ("grade", D(2013, 3, 1))}, "不在“排查廉政风险”（2012-10-25 至 2013-02-15）之内"),
    ],
)
def test_bad_schedules_are_refused_with_a_clear_message_and_nothing_changes(campaign, demo_user, change, message):
    phases, tasks = _schedule(campaign)
    before = sorted(Phase.objects.filter(campaign=campaign).values_list("number", "start", "end"))
    phase_dates, deadlines = {}, {}
    if "phase" in change:
        number, start, end = change["phase"]
        phase_dates[phases[number].pk] = (start, end)
    if "task" in change:
        code, deadline = change["task"]
        deadlines[tasks[code].pk] = deadline
    with pytest.raises(ValidationError) as exc:
        services.update_schedule(
            actor=demo_user("office_demo"), campaign=campaign, phase_dates=phase_dates, deadlines=deadlines
        )
    assert message in " ".join(exc.value.messages)
    assert sorted(Phase.objects.filter(campaign=campaign).values_list("number", "start", "end")) == before


def test_a_valid_schedule_change_is_saved_and_audited(campaign, demo_user):
    phases, tasks = _schedule(campaign)
    services.update_schedule(
        actor=demo_user("office_demo"),
        campaign=campaign,
        phase_dates={phases[4].pk: (D(2013, 5, 16), D(2013, 9, 30))},
        deadlines={tasks["assessment"].pk: D(2013, 9, 30)},
        reason="延长巩固提高阶段",
    )
    assert Phase.objects.get(pk=phases[4].pk).end == D(2013, 9, 30)
    assert PhaseTask.objects.get(pk=tasks["assessment"].pk).deadline == D(2013, 9, 30)
    assert AuditEntry.objects.filter(action="workflow.schedule_update", reason="延长巩固提高阶段").exists()


def test_deadline_means_the_end_of_that_day_in_shanghai():
    deadline = D(2013, 2, 15)
    assert not deadline_passed(deadline, at(deadline, 23, 59, 59))
    assert deadline_passed(deadline, at(D(2013, 2, 16), 0, 0, 0))
    # 2013-02-15 16:00 UTC is already 2013-02-16 00:00 in Shanghai.
    assert deadline_passed(deadline, dt.datetime(2013, 2, 15, 16, 0, tzinfo=dt.UTC))
    assert not deadline_passed(deadline, dt.datetime(2013, 2, 15, 15, 59, 59, tzinfo=dt.UTC))


def test_office_ticks_off_a_manual_task_per_division(campaign, demo_user):
    office = demo_user("office_demo")
    _phases, tasks = _schedule(campaign)
    task = tasks["powers"]  # 清权确权: each division, ticked off by the office
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    with pytest.raises(ValidationError) as exc:
        services.record_completion(actor=office, task=task, unit_id=civil.pk, note="  ")
    assert "请填写完成情况说明" in str(exc.value)
    completion = services.record_completion(actor=office, task=task, unit_id=civil.pk, note="已编制职权目录 23 项")
    assert completion.division_id == civil.pk and completion.court.code == "hgzy"
    with pytest.raises(ValidationError) as exc:
        services.record_completion(actor=office, task=task, unit_id=civil.pk, note="再次")
    assert "已登记完成" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.record_completion(actor=demo_user("head_demo"), task=task, unit_id=civil.pk, note="自己登记")
    assert PhaseTaskCompletion.objects.count() == 1


def test_tick_off_refuses_a_unit_outside_the_campaign(template, demo_user, demo_org):
    office = demo_user("office_demo")
    xiangyang = Court.objects.get(code="xiangyang")
    local = services.copy_campaign(
        actor=office,
        source=template,
        court=xiangyang,
        name="向阳区法院活动",
        start=PLAN_START,
        covers_subordinates=False,
    )
    task = PhaseTask.objects.get(phase__campaign=local, code="powers")
    civil_city = Division.objects.get(court__code="hgzy", name="民事审判庭")
    with pytest.raises(ValidationError) as exc:
        services.record_completion(actor=office, task=task, unit_id=civil_city.pk, note="x")
    assert "不在本工作方案范围内" in str(exc.value)


@pytest.mark.parametrize("value, message", [("7,一", "用逗号分隔的整数"), ("90", "0 到 60 天之间")])
def test_reminder_days_must_be_small_whole_numbers(campaign, value, message):
    task = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks")
    task.reminder_days = value
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert message in str(exc.value)
