"""Court-level risk points (单位层面, the leadership's 三重一大; issue 14 item 2): the president and the deputy
presidents submit them (自己找 / 领导点), the president grades a deputy's, the leading group (党组) confirms
them in a collective decision (集体定) — never the person who submitted them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hkcourt.org.policy import Refusal, can
from risks import services
from risks.models import Grade, Level, RiskPoint, Source, State

pytestmark = pytest.mark.django_db

FACTORS = {"importance": 3, "discretion": 3, "probability": 2, "harm": 3}


def _court_point(actor, source=Source.SELF):
    return services.create_risk_point(
        actor=actor,
        level=Level.COURT,
        description="干部任用事项未经党组集体讨论",
        manifestations="个人酝酿代替集体决定",
        source=source,
    )


def test_president_and_deputy_submit_court_level_points(demo_user, hgzy):
    president, deputy = demo_user("president_demo"), demo_user("deputy_demo")
    assert can(president, "risks.create", Level.COURT) and can(deputy, "risks.create", Level.COURT)
    own = _court_point(president)
    pointed = _court_point(deputy, source=Source.LEADER)
    assert (own.court, own.level, own.division, own.post) == (hgzy, Level.COURT, None, None)
    assert pointed.court == hgzy and pointed.source == Source.LEADER
    # staff still may not (their post only), nor the leading group's plain members
    assert not can(demo_user("staff_demo"), "risks.create", Level.COURT)
    assert not can(demo_user("leader_demo"), "risks.create", Level.COURT)
    with pytest.raises(Refusal):
        _court_point(demo_user("staff_demo"))


def test_deputy_point_graded_by_president_confirmed_by_leading_group(demo_user):
    president, deputy, leader = demo_user("president_demo"), demo_user("deputy_demo"), demo_user("leader_demo")
    rp = _court_point(deputy, source=Source.LEADER)
    services.submit(actor=deputy, risk_point=rp)
    rp.refresh_from_db()
    services.grade(actor=president, risk_point=rp, factors=FACTORS, grade=Grade.HIGH, expected_version=rp.version)
    rp.refresh_from_db()
    assert rp.state == State.GRADED and rp.responsible_leader == president
    # 集体定: a member of the leading group (党组) confirms; the submitter never does
    assert not can(deputy, "risks.confirm", rp)
    assert can(leader, "risks.confirm", rp) and can(president, "risks.confirm", rp)
    day = timezone.localdate() - datetime.timedelta(days=1)
    decision = services.confirm(
        actor=leader, risk_points=[rp], date=day, participants="党组全体成员", minutes="党组会议集体确定"
    )
    rp.refresh_from_db()
    assert rp.state == State.CONFIRMED and rp.decision == decision


def test_leading_group_confirms_only_court_level_points(demo_user):
    leader, staff, head = demo_user("leader_demo"), demo_user("staff_demo"), demo_user("head_demo")
    post_point = services.create_risk_point(
        actor=staff, level=Level.POST, description="庭审中私下会见当事人", manifestations="单方接触"
    )
    services.submit(actor=staff, risk_point=post_point)
    post_point.refresh_from_db()
    services.grade(
        actor=head, risk_point=post_point, factors=FACTORS, grade=Grade.HIGH, expected_version=post_point.version
    )
    post_point.refresh_from_db()
    assert not can(leader, "risks.confirm", post_point)
    with pytest.raises(Refusal):
        services.confirm(
            actor=leader, risk_points=[post_point], date=timezone.localdate(), participants="x", minutes="y"
        )


def test_own_court_level_point_is_graded_by_the_office(demo_user):
    president, office = demo_user("president_demo"), demo_user("office_demo")
    rp = _court_point(president)
    services.submit(actor=president, risk_point=rp)
    rp.refresh_from_db()
    assert not can(president, "risks.grade", rp)
    assert can(office, "risks.grade", rp)


def test_demo_president_finds_his_court_level_point_in_his_list(client, login_as):
    from risks.demo import seed

    seed(log=lambda *_: None)
    president = login_as("president_demo")
    own = RiskPoint.objects.filter(owner=president, level=Level.COURT)
    assert own.exists()
    assert own.filter(source=Source.SELF).exists()
    response = client.get(reverse("risks:list"), {"level": Level.COURT, "size": 100})
    assert response.status_code == 200
    assert own.first().code in response.content.decode()
    # and the form offers him the court level
    form = client.get(reverse("risks:create"))
    assert form.status_code == 200
    assert 'value="court"' in form.content.decode()


def test_list_offers_the_leading_group_the_collective_confirmation(client, login_as, demo_user):
    """The button shows exactly when the rule allows it: 集体定 for the leading group, nothing for staff."""
    login_as("leader_demo")
    form = client.get(reverse("risks:list")).context["bulk_form"]
    assert [c[0] for c in form.fields["action"].choices] == ["confirm"]
    assert can(demo_user("leader_demo"), "risks.bulk_confirm")
    login_as("staff_demo")
    assert client.get(reverse("risks:list")).context["bulk_form"] is None
    assert not can(demo_user("staff_demo"), "risks.bulk_confirm")
