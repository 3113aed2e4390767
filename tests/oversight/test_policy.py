"""The oversight policy (issue #10): one rule per action, enforced by the services, only asked by the pages.

- drift: on each detail page, for every demo role that may open it, the action buttons shown (``data-action``)
  are exactly the actions ``allowed_actions`` allows — for the office, the leading group and the subject;
- no second path: each service refuses when its rule refuses, whatever the rest of its checks say;
- the rules themselves, where they differ from "the office of the row's court".
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hkcourt.org import policy
from hkcourt.org.models import Court, Division, Role
from risks.models import PublicFeedback
from tests.factories import make_person
from workflow.oversight import services
from workflow.oversight.models import (
    Handling,
    HandlingState,
    Rectification,
    Signal,
    Warning,
    WarningEvent,
    WarningRule,
    WarningState,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate

ROLES = [
    "staff_demo",
    "head_demo",
    "deputy_demo",
    "president_demo",
    "office_demo",
    "leader_demo",
    "deputy2",
    "admin",
]
ACTION = re.compile(r'data-action="([^"]*)"')


def _shown(client, user, url):
    client.force_login(user)
    resp = client.get(url)
    if resp.status_code == 404:
        return None
    assert resp.status_code == 200, url
    return set(ACTION.findall(resp.content.decode()))


def _allowed(user, obj):
    return {name for name, ok in policy.allowed_actions(user, obj).items() if ok}


def _assert_no_drift(client, demo_user, model, obj, url_name, expected_viewers=None):
    seen = set()
    for username in ROLES:
        user = demo_user(username)
        shown = _shown(client, user, reverse(url_name, args=[obj.pk]))
        visible = model.objects.visible_to(user).filter(pk=obj.pk).exists()
        assert (shown is not None) == visible, (username, url_name)
        if shown is None:
            continue
        seen.add(username)
        fresh = model.objects.get(pk=obj.pk)
        assert shown == _allowed(user, fresh), (username, url_name, shown)
    if expected_viewers is not None:
        assert seen == expected_viewers, url_name
    return seen


# ---------------------------------------------------------------- drift, in each state


def test_warning_page_shows_exactly_the_allowed_actions(client, demo_user, world):
    w = world["warning"]  # a division warning of the city court's civil division, being handled
    viewers = {"office_demo", "leader_demo", "deputy2", "president_demo", "admin"}
    _assert_no_drift(client, demo_user, Warning, w, "workflow:warning", viewers)
    assert _allowed(demo_user("office_demo"), w) == {"handle_warning", "close_warning"}
    assert _allowed(demo_user("leader_demo"), w) == set()
    services.close_warning(actor=demo_user("office_demo"), warning=w, note="已处理")
    _assert_no_drift(client, demo_user, Warning, w, "workflow:warning", viewers)
    assert _allowed(demo_user("office_demo"), Warning.objects.get(pk=w.pk)) == set()


def test_warning_page_of_its_subject(client, demo_user, hgzy, civil):
    """The subject of a warning (here: of a report it links) never opens it; others of the leading group read it
    without buttons."""
    office, leader = demo_user("office_demo"), demo_user("leader_demo")
    services.record_signal(
        actor=office,
        court=hgzy,
        channel="petition",
        title="举报",
        content="c",
        received_on=TODAY(),
        division=civil,
        person=leader,
    )
    services.record_signal(
        actor=office, court=hgzy, channel="media", title="报道", content="c", received_on=TODAY(), division=civil
    )
    services.evaluate_warnings()
    w = Warning.objects.get(division=civil)
    seen = _assert_no_drift(client, demo_user, Warning, w, "workflow:warning")
    assert "leader_demo" not in seen and {"office_demo", "deputy2"} <= seen


def test_handling_pages_show_exactly_the_allowed_actions(client, demo_user, world):
    office = demo_user("office_demo")
    reminder, talk, order = world["reminder"], world["talk"], world["order"]
    oversight = {"office_demo", "leader_demo", "deputy2", "president_demo", "admin"}
    _assert_no_drift(client, demo_user, Handling, reminder, "workflow:handling_detail", oversight | {"staff_demo"})
    assert _allowed(demo_user("staff_demo"), reminder) == {"report_back"}  # the subject: 回告
    assert _allowed(office, reminder) == {"close_handling"}
    _assert_no_drift(client, demo_user, Handling, talk, "workflow:handling_detail", oversight)  # never delivered
    _assert_no_drift(client, demo_user, Handling, order, "workflow:handling_detail", oversight | {"head_demo"})
    assert _allowed(office, order) == set()  # its rectification is still open
    services.submit_report_back(actor=demo_user("staff_demo"), handling=reminder, analysis="a", commitment="b")
    _assert_no_drift(client, demo_user, Handling, reminder, "workflow:handling_detail", oversight | {"staff_demo"})
    assert _allowed(demo_user("staff_demo"), Handling.objects.get(pk=reminder.pk)) == set()
    services.close_handling(actor=office, handling=reminder, outcome="已整改")
    _assert_no_drift(client, demo_user, Handling, reminder, "workflow:handling_detail", oversight | {"staff_demo"})


def test_rectification_pages_show_exactly_the_allowed_actions(client, demo_user, world):
    office, head = demo_user("office_demo"), demo_user("head_demo")
    rect = world["rect"]  # owned by head_demo
    viewers = {"office_demo", "leader_demo", "deputy2", "president_demo", "admin", "head_demo"}
    _assert_no_drift(client, demo_user, Rectification, rect, "workflow:rectification_detail", viewers)
    assert _allowed(head, rect) == {"report_progress"}
    assert _allowed(office, rect) == {"report_progress"}  # no closing check before any progress
    services.report_progress(actor=head, rectification=rect, text="已补齐")
    _assert_no_drift(client, demo_user, Rectification, rect, "workflow:rectification_detail", viewers)
    assert _allowed(office, Rectification.objects.get(pk=rect.pk)) == {"report_progress", "close_rectification"}
    services.close_rectification(actor=office, rectification=rect, check="合格")
    _assert_no_drift(client, demo_user, Rectification, rect, "workflow:rectification_detail", viewers)


def test_signal_page_shows_exactly_the_allowed_actions(client, demo_user, world):
    _assert_no_drift(
        client,
        demo_user,
        Signal,
        world["signal"],
        "workflow:signal",
        {"office_demo", "leader_demo", "admin", "deputy2", "president_demo"},
    )


def test_lists_ask_the_policy(client, demo_user, world, hgzy):
    PublicFeedback.objects.create(court=hgzy, text="群众反映", ip_hash="x")
    client.force_login(demo_user("office_demo"))
    signals = set(ACTION.findall(client.get(reverse("workflow:signals")).content.decode()))
    assert signals == {"record_signal", "convert_feedback"}
    warnings = ACTION.findall(client.get(reverse("workflow:warnings")).content.decode())
    assert set(warnings) == {"run_rules", "edit_rule", "edit_levels"}
    assert warnings.count("edit_rule") == WarningRule.objects.count()
    client.force_login(demo_user("leader_demo"))
    assert not ACTION.findall(client.get(reverse("workflow:signals")).content.decode())
    assert not ACTION.findall(client.get(reverse("workflow:warnings")).content.decode())


# ---------------------------------------------------------------- no second path around the policy


@pytest.fixture
def refuse(monkeypatch):
    """Make one rule refuse everybody (as FORBIDDEN), keeping its model."""

    def do(name):
        entry = policy._RULES[name]
        monkeypatch.setitem(
            policy._RULES,
            name,
            policy._Registered(name, lambda user, obj=None: policy.deny("测试拒绝"), entry.model, ""),
        )

    return do


def _refused(call):
    with pytest.raises(policy.Refusal, match="测试拒绝"):
        call()


def test_each_service_refuses_when_its_rule_refuses(demo_user, world, hgzy):
    office, staff, head = demo_user("office_demo"), demo_user("staff_demo"), demo_user("head_demo")
    w, s, reminder, rect = world["warning"], world["signal"], world["reminder"], world["rect"]
    services.report_progress(actor=head, rectification=rect, text="进展")
    fb = PublicFeedback.objects.create(court=hgzy, text="群众反映", ip_hash="x")
    rule = WarningRule.objects.get(kind="measure_overdue")
    before = (Signal.objects.count(), Handling.objects.count(), WarningEvent.objects.count())

    def handling(kind, **source):
        extra = {}
        if kind == "talk":
            extra = {"talk_date": TODAY(), "talker_level": "division_head", "talkers": "李建国", "talk_record": "r"}
        if kind == "order":
            extra = {"rect_deadline": TODAY() + datetime.timedelta(days=5)}
        return lambda: services.create_handling(actor=office, kind=kind, person=staff, content="c", **source, **extra)

    cases = [
        (
            "oversight.record_signal",
            lambda: services.record_signal(
                actor=office, court=hgzy, channel="media", title="t", content="c", received_on=TODAY()
            ),
        ),
        ("oversight.convert_feedback", lambda: services.convert_feedback(actor=office, feedback=fb, title="t")),
        ("oversight.edit_rule", lambda: services.update_rule(actor=office, rule=rule, level="red", threshold=9)),
        ("oversight.run_rules", lambda: services.evaluate_warnings(actor=office)),
        (
            "oversight.edit_levels",
            lambda: services.update_level_meanings(actor=office, meanings={"red": "r", "orange": "o", "yellow": "y"}),
        ),
        ("oversight.close_warning", lambda: services.close_warning(actor=office, warning=w, note="n")),
        ("oversight.handle_warning", handling("reminder", warning=w)),
        ("oversight.handle_signal", handling("reminder", signal=s)),
        ("oversight.reminder", handling("reminder", warning=w)),
        ("oversight.talk", handling("talk", signal=s)),
        ("oversight.order", handling("order", warning=w)),
        (
            "oversight.report_back",
            lambda: services.submit_report_back(actor=staff, handling=reminder, analysis="a", commitment="b"),
        ),
        ("oversight.close_handling", lambda: services.close_handling(actor=office, handling=reminder, outcome="o")),
        ("oversight.report_progress", lambda: services.report_progress(actor=head, rectification=rect, text="t")),
        (
            "oversight.close_rectification",
            lambda: services.close_rectification(actor=office, rectification=rect, check="c"),
        ),
        (
            "oversight.order_unit_rectification",
            lambda: services.order_unit_rectification(
                actor=office, court=hgzy, owner=head, problem="p", deadline=TODAY() + datetime.timedelta(days=5)
            ),
        ),
    ]
    rects = Rectification.objects.count()
    covered = set()
    for name, call in cases:
        with pytest.MonkeyPatch.context() as mp:
            entry = policy._RULES[name]
            mp.setitem(
                policy._RULES,
                name,
                policy._Registered(name, lambda user, obj=None: policy.deny("测试拒绝"), entry.model, ""),
            )
            _refused(call)
        covered.add(name)
    assert (Signal.objects.count(), Handling.objects.count(), WarningEvent.objects.count()) == before
    rule.refresh_from_db()
    assert rule.threshold == 30 and not hasattr(PublicFeedback.objects.get(pk=fb.pk), "signal")
    assert Rectification.objects.get(pk=rect.pk).state == "open" and Rectification.objects.count() == rects
    assert Handling.objects.get(pk=reminder.pk).state == HandlingState.OPEN
    assert Warning.objects.get(pk=w.pk).state != WarningState.CLOSED
    # every action the services enforce is covered here (the pages' "oversee" and "view_dossier" are not services)
    enforced = {n for n in policy.rule_names() if n.startswith("oversight.")} - {
        "oversight.oversee",
        "oversight.view_dossier",
    }
    assert covered == enforced


def test_views_answer_403_when_the_rule_refuses(refuse, client, demo_user, world):
    refuse("oversight.close_warning")
    client.force_login(demo_user("office_demo"))
    w = world["warning"]
    assert client.post(reverse("workflow:warning_close", args=[w.pk]), {"text": "n"}).status_code == 403
    assert Warning.objects.get(pk=w.pk).state != WarningState.CLOSED
    assert 'data-action="close_warning"' not in client.get(reverse("workflow:warning", args=[w.pk])).content.decode()


# ---------------------------------------------------------------- the rules


@pytest.fixture
def basic_office(demo_org):
    court = Court.objects.get(code="xiangyang")
    division = Division.objects.get(court=court, name="办公室")
    return make_person(username="xiangyang_office", division=division, roles=(Role.STAFF, Role.OFFICE)).user


def test_basic_court_office_acts_in_its_own_court_only(client, demo_user, basic_office, hgzy):
    xiangyang = basic_office.person.court
    assert policy.can(basic_office, "oversight.record_signal", xiangyang)
    assert not policy.can(basic_office, "oversight.record_signal", hgzy)
    assert policy.can(demo_user("office_demo"), "oversight.record_signal", xiangyang)  # the city office reaches down
    s = services.record_signal(
        actor=basic_office, court=xiangyang, channel="media", title="本院报道", content="c", received_on=TODAY()
    )
    with pytest.raises(policy.Refusal):
        services.record_signal(
            actor=basic_office, court=hgzy, channel="media", title="t", content="c", received_on=TODAY()
        )
    assert policy.can(basic_office, "oversight.handle_signal", s)
    # the rules are city-wide: not theirs to edit or run
    assert not policy.can(basic_office, "oversight.run_rules")
    assert policy.can(demo_user("office_demo"), "oversight.run_rules")
    client.force_login(basic_office)
    assert client.post(reverse("workflow:warnings_evaluate")).status_code == 403
    page = client.get(reverse("workflow:warnings")).content.decode()
    assert 'data-action="run_rules"' not in page and 'data-action="edit_rule"' not in page
    refusal = policy.decide(basic_office, "oversight.run_rules")
    assert "鹤岗市中级人民法院" in refusal.message


def test_leading_group_reads_but_does_not_act(demo_user, world):
    leader = demo_user("leader_demo")
    assert policy.can(leader, "oversight.oversee")
    for name, obj in (
        ("oversight.handle_warning", world["warning"]),
        ("oversight.close_warning", world["warning"]),
        ("oversight.handle_signal", world["signal"]),
        ("oversight.close_handling", world["reminder"]),
        ("oversight.close_rectification", world["rect"]),
        ("oversight.record_signal", world["signal"].court),
        ("oversight.view_dossier", None),
    ):
        decision = policy.decide(leader, name, obj)
        assert not decision.allowed and decision.code == policy.FORBIDDEN, name
    for username in ("staff_demo", "head_demo", "deputy_demo"):
        assert not policy.can(demo_user(username), "oversight.oversee")
    # the president is 组长 of the leading group (issue 14): he reads, the office acts
    president = demo_user("president_demo")
    assert policy.can(president, "oversight.oversee")
    assert not policy.can(president, "oversight.handle_warning", world["warning"])


def test_state_refusals_are_not_now(demo_user, world):
    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    decision = policy.decide(staff, "oversight.report_back", world["talk"])
    assert decision.code == policy.FORBIDDEN  # a talk is never delivered: not theirs to answer
    decision = policy.decide(office, "oversight.close_handling", world["order"])
    assert decision.code == policy.STATE and "尚未验收" in decision.message
    decision = policy.decide(office, "oversight.close_rectification", world["rect"])
    assert decision.code == policy.STATE and "尚未报告" in decision.message
    decision = policy.decide(demo_user("head_demo"), "oversight.close_rectification", world["rect"])
    assert decision.code == policy.FORBIDDEN


def test_nobody_checks_their_own_rectification(demo_user, world, hgzy):
    """An office member ordered to correct reports progress but never checks it themselves."""
    office = demo_user("office_demo")
    order = services.create_handling(
        actor=demo_user("admin"),
        kind="order",
        person=office,
        content="纪检监察室台账不全",
        signal=world["signal"],
        rect_deadline=TODAY() + datetime.timedelta(days=5),
    )
    rect = order.rectification
    services.report_progress(actor=office, rectification=rect, text="已补")
    decision = policy.decide(office, "oversight.close_rectification", Rectification.objects.get(pk=rect.pk))
    assert not decision.allowed and "本人" in decision.message


def test_dossier_rule(demo_user, client):
    office = demo_user("office_demo")
    assert policy.can(office, "oversight.view_dossier")
    assert policy.can(office, "oversight.view_dossier", demo_user("staff_demo").person)
    assert not policy.can(office, "oversight.view_dossier", office.person)
    client.force_login(office)
    assert client.get(reverse("workflow:dossier_person", args=[office.person.pk])).status_code == 404


def test_handling_form_offers_the_allowed_rungs(client, demo_user, world):
    client.force_login(demo_user("office_demo"))
    body = client.get(reverse("workflow:warning", args=[world["warning"].pk])).content.decode()
    for kind in ("reminder", "talk", "order"):
        assert f'<option value="{kind}"' in body


# ---------------------------------------------------------------- overdue is a fact of the model


def test_overdue_is_decided_by_the_model(client, demo_user, world):
    rect = world["rect"]
    assert not rect.is_overdue and not Rectification.objects.overdue().filter(pk=rect.pk).exists()
    Rectification.objects.filter(pk=rect.pk).update(deadline=TODAY() - datetime.timedelta(days=1))
    rect.refresh_from_db()
    assert rect.is_overdue and Rectification.objects.overdue().filter(pk=rect.pk).exists()
    assert Rectification.objects.overdue(today=TODAY() - datetime.timedelta(days=1)).count() == 0
    client.force_login(demo_user("head_demo"))
    assert "逾期" in client.get(reverse("workflow:rectifications")).content.decode()
    reminder = world["reminder"]
    assert not reminder.report_overdue
    Handling.objects.filter(pk=reminder.pk).update(report_deadline=TODAY() - datetime.timedelta(days=1))
    reminder.refresh_from_db()
    assert reminder.report_overdue
    client.force_login(demo_user("staff_demo"))
    assert "已逾期" in client.get(reverse("workflow:handling_detail", args=[reminder.pk])).content.decode()


def test_signal_attachment_still_served(client, demo_user, hgzy):
    s = services.record_signal(
        actor=demo_user("office_demo"),
        court=hgzy,
        channel="audit",
        title="审计",
        content="c",
        received_on=TODAY(),
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
    )
    client.force_login(demo_user("leader_demo"))
    body = client.get(reverse("workflow:signal", args=[s.pk])).content.decode()
    assert "a.pdf" in body
