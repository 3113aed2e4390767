"""The campaign's permission policy: one rule per action, the services enforce it, the pages only ask it.

- drift: on the campaign page and the task page, the buttons shown (``data-action``) are exactly the actions
  ``allowed_actions`` allows, for each demo role;
- 催办 is decided once (the phase has started, someone is still behind), refused by the service otherwise;
- each service refuses when its rule refuses: no second path around the policy.
"""

import dataclasses
import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from hkcourt.org import policy
from hkcourt.org.models import Division
from hkcourt.org.policy import FORBIDDEN, STATE, Refusal, deny
from workflow import services
from workflow.models import Campaign, PhaseTask, PhaseTaskCompletion
from workflow.progress import task_progress

from .conftest import PLAN_START, at

D = dt.date
IN_PHASE_TWO = at(D(2013, 1, 13))  # phase two runs 2012-10-25 — 2013-02-15; phases three and four not begun
ROLES = ["office_demo", "staff_demo", "head_demo", "deputy_demo", "president_demo", "leader_demo"]

ACTION = re.compile(r'data-action="([\w-]+)"')
ROW = re.compile(r'<tr id="task-(\d+)" data-task="\d+">(.*?)</tr>', re.S)
COMPLETION = re.compile(r'<tr data-completion="(\d+)">(.*?)</tr>', re.S)


def allowed(user, obj) -> set[str]:
    return {name for name, ok in policy.allowed_actions(user, obj).items() if ok}


def split_rows(page, pattern):
    """{object id: actions shown in its row}, and the actions shown outside any row."""
    rows = {int(pk): set(ACTION.findall(body)) for pk, body in pattern.findall(page)}
    return rows, set(ACTION.findall(pattern.sub("", page)))


# ---------------------------------------------------------------- drift


@pytest.mark.parametrize("username", ROLES)
def test_campaign_page_shows_exactly_the_allowed_actions(client, login_as, campaign, username):
    user = login_as(username)
    tasks = list(PhaseTask.objects.filter(phase__campaign=campaign).select_related("phase__campaign__court"))
    with time_machine.travel(IN_PHASE_TWO, tick=False):
        page = client.get(reverse("workflow:campaign", args=[campaign.pk])).content.decode()
        rows, outside = split_rows(page, ROW)
        assert outside == allowed(user, campaign), username
        assert set(rows) == {t.pk for t in tasks}
        for task in tasks:
            assert rows[task.pk] == allowed(user, task), (username, task.title)
    if username == "office_demo":
        # The office sees 登记 on every task someone has not done, and 催办 on those of the started phases.
        behind = {t.pk for t in tasks if task_progress(t).behind}
        started = {t.pk for t in tasks if t.phase.number <= 2}
        assert {pk for pk, actions in rows.items() if "complete" in actions} == behind
        assert {pk for pk, actions in rows.items() if "urge" in actions} == behind & started
        assert behind & started and behind - started  # both cases are on the page
        assert outside == {"edit_schedule", "copy"}
    else:
        assert not outside and not any(rows.values())


@pytest.mark.parametrize("username", ["office_demo", "staff_demo", "president_demo"])
def test_template_page_shows_exactly_the_allowed_actions(client, login_as, template, username):
    user = login_as(username)
    page = client.get(reverse("workflow:campaign", args=[template.pk])).content.decode()
    assert set(ACTION.findall(page)) == allowed(user, template)
    assert allowed(user, template) == ({"copy"} if username == "office_demo" else set())


@pytest.mark.parametrize("username", ["office_demo", "staff_demo", "head_demo", "president_demo"])
def test_task_page_shows_exactly_the_allowed_actions(client, login_as, demo_user, campaign, username):
    task = PhaseTask.objects.select_related("phase__campaign__court").get(phase__campaign=campaign, code="powers")
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    services.record_completion(actor=demo_user("office_demo"), task=task, unit_id=civil.pk, note="已报送")
    user = login_as(username)
    with time_machine.travel(IN_PHASE_TWO, tick=False):
        page = client.get(reverse("workflow:task", args=[task.pk])).content.decode()
        rows, outside = split_rows(page, COMPLETION)
        assert outside == allowed(user, task), username
    for pk, actions in rows.items():
        assert actions == allowed(user, PhaseTaskCompletion.objects.get(pk=pk)), username
    if username == "office_demo":
        assert outside == {"urge", "complete"} and list(rows.values()) == [{"undo"}]
    else:
        assert not outside and not any(rows.values())


def test_campaign_list_offers_creation_to_the_office_only(client, login_as, campaign):
    for username, expected in [("office_demo", {"create_campaign"}), ("head_demo", set())]:
        login_as(username)
        assert set(ACTION.findall(client.get(reverse("workflow:campaigns")).content.decode())) == expected


# ---------------------------------------------------------------- 催办: one rule


def test_urge_waits_for_the_phase_to_start(client, login_as, campaign):
    office = login_as("office_demo")
    later = PhaseTask.objects.select_related("phase__campaign__court").get(phase__campaign=campaign, code="catalogue")
    assert later.phase.number == 3
    with time_machine.travel(IN_PHASE_TWO, tick=False):
        decision = policy.decide(office, "workflow.urge", later)
        assert not decision and decision.code == STATE and "开始前不能催办" in decision.message
        with pytest.raises(Refusal) as exc:
            services.urge(actor=office, task=later)
        assert exc.value.code == STATE
        # Through the page: the message is shown, nothing is sent.
        response = client.post(reverse("workflow:task_urge", args=[later.pk]), follow=True)
        assert "开始前不能催办" in response.content.decode()
    with time_machine.travel(at(later.phase.start), tick=False):
        assert policy.can(office, "workflow.urge", later)
        assert services.urge(actor=office, task=later) > 0


def test_urge_and_tick_off_stop_once_everyone_is_done(campaign, demo_user):
    office = demo_user("office_demo")
    task = PhaseTask.objects.select_related("phase__campaign__court").get(phase__campaign=campaign, code="plan")
    with time_machine.travel(IN_PHASE_TWO, tick=False):
        behind = task_progress(task).behind
        assert behind and policy.can(office, "workflow.urge", task)
        services.record_completions(actor=office, task=task, unit_ids=behind, note="方案已制定")
        task = PhaseTask.objects.select_related("phase__campaign__court").get(pk=task.pk)
        for action in ("workflow.urge", "workflow.complete"):
            decision = policy.decide(office, action, task)
            assert not decision and decision.code == STATE and "均已完成" in decision.message
        with pytest.raises(Refusal, match="无需催办"):
            services.urge(actor=office, task=task)


# ---------------------------------------------------------------- the services ask the policy


def _task(campaign, code="find-risks"):
    return PhaseTask.objects.select_related("phase__campaign__court").get(phase__campaign=campaign, code=code)


def _completion(campaign, office):
    task = _task(campaign, "powers")
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    return services.record_completion(actor=office, task=task, unit_id=civil.pk, note="已报送")


SERVICE_CALLS = {
    "workflow.create_campaign": lambda c, t, actor: services.copy_campaign(
        actor=actor, source=t, court=c.court, name="新活动", start=PLAN_START
    ),
    "workflow.copy": lambda c, t, actor: services.copy_campaign(
        actor=actor, source=t, court=c.court, name="新活动", start=PLAN_START
    ),
    "workflow.edit_schedule": lambda c, t, actor: services.update_schedule(
        actor=actor, campaign=c, phase_dates={}, deadlines={}
    ),
    "workflow.complete": lambda c, t, actor: services.record_completion(
        actor=actor,
        task=_task(c, "powers"),
        unit_id=Division.objects.get(court__code="hgzy", name="刑事审判庭").pk,
        note="x",
    ),
    "workflow.urge": lambda c, t, actor: services.urge(actor=actor, task=_task(c)),
    "workflow.undo": lambda c, t, actor: services.undo_completion(
        actor=actor,
        completion=PhaseTaskCompletion.objects.select_related("task__phase__campaign__court").get(),
        reason="x",
    ),
    "workflow.run_schedule": lambda c, t, actor: services.advance_phases(actor=actor),
}


@pytest.mark.parametrize("action", sorted(SERVICE_CALLS))
def test_each_service_refuses_when_its_rule_refuses(action, campaign, template, demo_user, monkeypatch):
    """The office may do all of it — until the rule says no: then the service refuses, with the rule's words."""
    office = demo_user("office_demo")
    _completion(campaign, office)
    before = (Campaign.objects.count(), PhaseTaskCompletion.objects.count())
    entry = policy._RULES[action]
    monkeypatch.setitem(policy._RULES, action, dataclasses.replace(entry, function=lambda u, o: deny("规则不允许")))
    with time_machine.travel(IN_PHASE_TWO, tick=False), pytest.raises(Refusal, match="规则不允许") as exc:
        SERVICE_CALLS[action](campaign, template, office)
    assert exc.value.action == action and exc.value.code == FORBIDDEN
    assert (Campaign.objects.count(), PhaseTaskCompletion.objects.count()) == before


@pytest.mark.parametrize("action", sorted(SERVICE_CALLS))
def test_each_service_refuses_a_division_head(action, campaign, template, demo_user):
    """And with the real rules: a division head may do none of it."""
    _completion(campaign, demo_user("office_demo"))
    head = demo_user("head_demo")
    assert not policy.can(head, action, _rule_object(action, campaign, template))
    with time_machine.travel(IN_PHASE_TWO, tick=False), pytest.raises(Refusal) as exc:
        SERVICE_CALLS[action](campaign, template, head)
    assert "领导小组办公室" in exc.value.message


def _rule_object(action, campaign, template):
    return {
        "workflow.create_campaign": campaign.court,
        "workflow.copy": template,
        "workflow.edit_schedule": campaign,
        "workflow.complete": _task(campaign, "powers"),
        "workflow.urge": _task(campaign),
        "workflow.undo": PhaseTaskCompletion.objects.get(),
        "workflow.run_schedule": None,
    }[action]


def test_the_template_is_copied_never_run(template, demo_user):
    office = demo_user("office_demo")
    task = PhaseTask.objects.select_related("phase__campaign").filter(phase__campaign=template).first()
    assert allowed(office, template) == {"copy"}
    assert allowed(office, task) == set()
    with pytest.raises(Refusal, match="内置模板不能修改"):
        services.update_schedule(actor=office, campaign=template, phase_dates={}, deadlines={})
    with pytest.raises(Refusal, match="模板不能催办"):
        services.urge(actor=office, task=task)


def test_a_county_office_runs_its_own_campaigns_not_the_citys(campaign, template, demo_user, hgzy):
    """The office of a basic court sees the city's campaign and may copy it for its own court, but the city's
    office runs the city's campaign."""
    from hkcourt.org.models import Court
    from hkcourt.org.roles import Role
    from tests.factories import make_person

    xiangyang = Court.objects.get(code="xiangyang")
    division = Division.objects.filter(court=xiangyang).first()
    county = make_person(username="xy_office", division=division, roles=(Role.STAFF, Role.OFFICE)).user
    assert allowed(county, campaign) == {"copy"}
    assert not policy.can(county, "workflow.create_campaign", hgzy)
    assert policy.can(county, "workflow.create_campaign", xiangyang)
    with pytest.raises(Refusal):
        services.copy_campaign(actor=county, source=campaign, court=hgzy, name="x", start=PLAN_START)
    own = services.copy_campaign(actor=county, source=campaign, court=xiangyang, name="向阳", start=PLAN_START)
    assert allowed(county, own) == {"copy", "edit_schedule"}
