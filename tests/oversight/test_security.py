"""Issue #11, oversight: rows linked to a visible row pass through their own scope. A report about a person stays
hidden from that person on every page that links to it; undelivered handling stays hidden from its subject; the
city-wide warning rules belong to the top court's office; the dossier reads through ``visible_to``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hkcourt.org import policy
from hkcourt.org.models import Court, Division, Role
from tests.factories import make_person
from tests.risks.factories import RiskPointFactory
from workflow.oversight import selectors, services
from workflow.oversight.models import Handling, Signal, Warning, WarningRule

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def xiangyang(demo_org):
    return Court.objects.get(code="xiangyang")


@pytest.fixture
def basic_office(xiangyang):
    """The office (纪检监察室) of a basic court: reaches its own court only."""
    division = Division.objects.get(court=xiangyang, name="办公室")
    return make_person(username="xiangyang_office", division=division, roles=(Role.STAFF, Role.OFFICE)).user


def _petition_about_leader(demo_user, hgzy, civil):
    """The office records a 信访举报 about a leading-group member in the civil division, and one more signal
    there; the rules then raise a division-level warning (no person) linking both."""
    office, leader = demo_user("office_demo"), demo_user("leader_demo")
    about = services.record_signal(
        actor=office,
        court=hgzy,
        channel="petition",
        title="举报领导小组成员插手案件",
        content="来信反映……",
        received_on=TODAY(),
        division=civil,
        person=leader,
    )
    services.record_signal(
        actor=office,
        court=hgzy,
        channel="inspection",
        title="巡查发现卷宗缺页",
        content="……",
        received_on=TODAY(),
        division=civil,
    )
    services.evaluate_warnings()
    warning = Warning.objects.get(division=civil, rule__kind="division_signals")
    assert warning.person_id is None and warning.signals.filter(pk=about.pk).exists()
    return about, warning


# ---------------------------------------------------------------- 1. warnings leak the reports they link


def test_subject_of_a_linked_signal_does_not_see_the_warning(client, demo_user, hgzy, civil):
    about, warning = _petition_about_leader(demo_user, hgzy, civil)
    leader = demo_user("leader_demo")
    client.force_login(leader)
    resp = client.get(reverse("workflow:warning", args=[warning.pk]))
    assert resp.status_code == 404
    assert about.title not in client.get(reverse("workflow:warnings")).content.decode()
    assert not Warning.objects.visible_to(leader).filter(pk=warning.pk).exists()
    assert selectors.warning_counts(leader) == {}


def test_others_of_the_leading_group_see_the_warning_and_its_signal(client, demo_user, hgzy, civil):
    about, warning = _petition_about_leader(demo_user, hgzy, civil)
    client.force_login(demo_user("deputy3"))  # another member of the leading group
    body = client.get(reverse("workflow:warning", args=[warning.pk])).content.decode()
    assert about.title in body and "巡查发现卷宗缺页" in body


def test_warning_lists_only_the_signals_the_reader_may_see(demo_user, hgzy, xiangyang, basic_office):
    """A warning of a basic court that links a signal of the city court: the basic court's office sees the
    warning, never the city court's signal (the prefetch goes through ``visible_to``)."""
    office = demo_user("office_demo")
    city_signal = services.record_signal(
        actor=office, court=hgzy, channel="media", title="市中院的报道", content="c", received_on=TODAY()
    )
    own = services.record_signal(
        actor=office, court=xiangyang, channel="media", title="向阳区法院的报道", content="c", received_on=TODAY()
    )
    services.evaluate_warnings()  # the default rules exist
    warning = Warning.objects.create(
        rule=WarningRule.objects.get(kind="division_signals"),
        level="yellow",
        key="test:xiangyang",
        court=xiangyang,
        summary="向阳区法院风险信息集中",
    )
    warning.signals.set([city_signal, own])
    w = policy.get_visible_or_404(selectors.warning_rows(basic_office), basic_office, pk=warning.pk)
    assert [s.title for s in w.signals.all()] == ["向阳区法院的报道"]


def test_undelivered_handling_does_not_show_on_the_warning_it_answers(client, demo_user, world):
    """A talk (诫勉谈话) about a member of the leading group, registered on a division warning that member may
    see: neither the handling nor its trail entry shows on the warning."""
    office, deputy3 = demo_user("office_demo"), demo_user("deputy3")
    w = world["warning"]
    talk = services.create_handling(
        actor=office,
        kind="talk",
        person=deputy3,
        content="分管领导失察",
        warning=w,
        talk_date=TODAY(),
        talker_level="president",
        talkers="院长",
        talk_record="谈话记录",
    )
    client.force_login(deputy3)
    body = client.get(reverse("workflow:warning", args=[w.pk])).content.decode()
    assert talk.code not in body
    assert f"诫勉谈话：{deputy3.person.full_name}" not in body
    client.force_login(demo_user("leader_demo"))
    body = client.get(reverse("workflow:warning", args=[w.pk])).content.decode()
    assert talk.code in body and f"诫勉谈话：{deputy3.person.full_name}" in body


def test_handling_shows_its_source_only_to_who_may_see_it(client, demo_user, hgzy, civil):
    """A reminder delivered to a leading-group member on a signal about them: their handling page names
    neither the signal nor the warning."""
    about, warning = _petition_about_leader(demo_user, hgzy, civil)
    leader = demo_user("leader_demo")
    h = services.create_handling(
        actor=demo_user("office_demo"), kind="reminder", person=leader, content="请说明情况", signal=about
    )
    client.force_login(leader)
    body = client.get(reverse("workflow:handling_detail", args=[h.pk])).content.decode()
    assert "请说明情况" in body and about.title not in body and about.code not in body


# ---------------------------------------------------------------- 2. undelivered handling about the subject


def _talk_about(demo_user, person, division):
    office = demo_user("office_demo")
    signal = services.record_signal(
        actor=office,
        court=division.court,
        channel="case_review",
        title="评查发现改判率异常",
        content="……",
        received_on=TODAY(),
        division=division,
    )
    return services.create_handling(
        actor=office,
        kind="talk",
        person=person,
        content="拟对分管领导诫勉谈话",
        signal=signal,
        talk_date=TODAY() + datetime.timedelta(days=3),
        talker_level="president",
        talkers="院长",
        talk_record="（谈话前准备）",
    )


def test_talk_about_a_deputy_is_hidden_from_that_deputy(client, demo_user, hgzy):
    deputy2 = demo_user("deputy2")  # a deputy leader who is also a member of the leading group
    criminal = Division.objects.get(court=hgzy, name="刑事审判庭")
    talk = _talk_about(demo_user, deputy2, criminal)
    assert talk.delivered_at is None
    client.force_login(deputy2)
    assert client.get(reverse("workflow:handling_detail", args=[talk.pk])).status_code == 404
    assert talk.code not in client.get(reverse("workflow:handling")).content.decode()
    assert not Handling.objects.visible_to(deputy2).filter(pk=talk.pk).exists()
    assert Handling.objects.visible_to(demo_user("leader_demo")).filter(pk=talk.pk).exists()


def test_subject_sees_handling_once_delivered(demo_user, hgzy):
    deputy2 = demo_user("deputy2")
    signal = services.record_signal(
        actor=demo_user("office_demo"), court=hgzy, channel="audit", title="审计", content="c", received_on=TODAY()
    )
    reminder = services.create_handling(
        actor=demo_user("office_demo"), kind="reminder", person=deputy2, content="请注意", signal=signal
    )
    assert Handling.objects.visible_to(deputy2).filter(pk=reminder.pk).exists()
    Handling.objects.filter(pk=reminder.pk).update(delivered_at=None)
    assert not Handling.objects.visible_to(deputy2).filter(pk=reminder.pk).exists()


# ---------------------------------------------------------------- 3. the city-wide rules


def test_basic_court_office_cannot_change_the_rules(client, demo_user, basic_office):
    services.evaluate_warnings()
    rule = WarningRule.objects.get(kind="measure_overdue")
    client.force_login(basic_office)
    resp = client.post(
        reverse("workflow:warning_rule", args=[rule.pk]),
        {f"r{rule.pk}-level": "yellow", f"r{rule.pk}-threshold": "300", f"r{rule.pk}-enabled": ""},
    )
    assert resp.status_code == 403
    rule.refresh_from_db()
    assert (rule.level, rule.threshold, rule.enabled) == ("orange", 30, True)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_rule(actor=basic_office, rule=rule, level="yellow", threshold=300, enabled=False)
    rule.refresh_from_db()
    assert rule.threshold == 30
    page = client.get(reverse("workflow:warnings")).content.decode()
    assert f'action="{reverse("workflow:warning_rule", args=[rule.pk])}"' not in page


def test_top_court_office_changes_the_rules(demo_user):
    services.evaluate_warnings()
    rule = WarningRule.objects.get(kind="measure_overdue")
    services.update_rule(actor=demo_user("office_demo"), rule=rule, level="red", threshold=20)
    rule.refresh_from_db()
    assert (rule.level, rule.threshold) == ("red", 20)


# ---------------------------------------------------------------- 4. the dossier


def test_dossier_reads_through_visible_to(client, demo_user, hgzy, xiangyang, basic_office):
    """A person now at a basic court kept a risk point at the city court: the basic court's office reads their
    dossier without it."""
    target = demo_user("xiangyang_d0_head")
    RiskPointFactory(owner=target, court=hgzy, division=None, post=None, description="市中院时期的风险点")
    RiskPointFactory(owner=target, description="向阳区法院的风险点")
    ctx = selectors.dossier(basic_office, target.person.pk)
    assert [rp.description for rp in ctx["risk_points"]] == ["向阳区法院的风险点"]
    client.force_login(basic_office)
    body = client.get(reverse("workflow:dossier_person", args=[target.person.pk])).content.decode()
    assert "向阳区法院的风险点" in body and "市中院时期的风险点" not in body
    ctx = selectors.dossier(demo_user("office_demo"), target.person.pk)
    assert len(ctx["risk_points"]) == 2


def test_signal_about_office_member_is_not_in_their_colleagues_reach_to_them(demo_user, hgzy):
    """Sanity: a signal hidden from its subject stays hidden in the selectors the subject may call."""
    office = demo_user("office_demo")
    s = services.record_signal(
        actor=office, court=hgzy, channel="media", title="涉及纪检人员", content="c", received_on=TODAY(), person=office
    )
    assert not Signal.objects.visible_to(office).filter(pk=s.pk).exists()
    assert s.pk not in [x.pk for x in selectors.signals(office)]


def test_migration_links_existing_trail_entries_to_their_handling(demo_user, world):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from workflow.oversight.models import WarningEvent

    # The migration's own model state (the models were under the "workflow" label then; the tables are the same).
    migration = ("workflow", "0005_oversight_warning_event_handling")
    apps = MigrationLoader(connection).project_state(migration, at_end=True).apps

    w, office = world["warning"], demo_user("office_demo")
    services.report_progress(actor=demo_user("head_demo"), rectification=world["rect"], text="已补齐")
    services.close_rectification(actor=office, rectification=world["rect"], check="合格")
    services.close_handling(actor=office, handling=world["order"], outcome="整改到位")
    expected = dict(WarningEvent.objects.filter(warning=w).values_list("pk", "handling_id"))
    assert sorted(h for h in expected.values() if h) == sorted([world["talk"].pk, world["order"].pk, world["order"].pk])
    WarningEvent.objects.update(handling=None)
    # the trail as it was written then: sentences, not codes (the texts migration's way back)
    from django.apps import apps as current_apps

    importlib.import_module("workflow.oversight.migrations.0004_texts_as_codes").to_sentences(current_apps, None)
    importlib.import_module("workflow.migrations.0005_oversight_warning_event_handling").link(apps, None)
    assert dict(WarningEvent.objects.filter(warning=w).values_list("pk", "handling_id")) == expected
