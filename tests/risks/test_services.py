"""Business rules of the registry, through the services and the views: bad input writes nothing,
wrong-state transitions and self-grading are refused, concurrent grading conflicts, the grade names the
responsible leader, peer checks grant access, the public's feedback is guarded."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hkcourt.org import policy
from hkcourt.org.audit import ACTIONS
from hkcourt.org.models import AuditEntry
from hkcourt.org.policy import STATE, Refusal
from risks import services
from risks.models import TEXT_LIMIT, Grade, PublicFeedback, RiskPoint, State
from tests.factories import CourtFactory, DivisionFactory

from .factories import PowerFactory

pytestmark = pytest.mark.django_db

HIGH = {"importance": 3, "discretion": 3, "probability": 2, "harm": 3}
LOW = {"importance": 1, "discretion": 1, "probability": 2, "harm": 1}


def _submitted(user, power, text="违规会见当事人"):
    rp = services.create_risk_point(actor=user, level="post", description=text, manifestations="私下会见", power=power)
    return services.submit(actor=user, risk_point=rp)


@pytest.mark.parametrize(
    "factors,expected",
    [
        ({"importance": 3, "discretion": 3, "probability": 3, "harm": 3}, Grade.HIGH),
        ({"importance": 3, "discretion": 3, "probability": 2, "harm": 2}, Grade.HIGH),
        ({"importance": 3, "discretion": 2, "probability": 2, "harm": 2}, Grade.MEDIUM),
        ({"importance": 2, "discretion": 2, "probability": 2, "harm": 1}, Grade.MEDIUM),
        ({"importance": 3, "discretion": 1, "probability": 1, "harm": 3}, Grade.MEDIUM),
        ({"importance": 2, "discretion": 2, "probability": 1, "harm": 1}, Grade.LOW),
        ({"importance": 1, "discretion": 1, "probability": 1, "harm": 1}, Grade.LOW),
    ],
)
def test_suggest_grade(factors, expected):
    assert services.suggest_grade(factors) == expected


@pytest.mark.parametrize("factors", [{}, {"importance": 3}, {**HIGH, "harm": 4}, {**HIGH, "harm": "x"}])
def test_suggest_grade_refuses_incomplete_factors(factors):
    with pytest.raises(ValidationError):
        services.suggest_grade(factors)


@pytest.mark.parametrize(
    "description,message",
    [
        ("", "不能为空"),
        ("   \n\t ", "不能为空"),
        ("风" * (TEXT_LIMIT + 1), "不能超过"),
    ],
)
def test_bad_text_is_refused_through_the_form_and_nothing_is_written(client, login_as, description, message):
    login_as("staff_demo")
    response = client.post(
        reverse("risks:create"),
        {"level": "post", "description": description, "manifestations": "表现", "source": "self", "submit": "1"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RiskPoint.objects.exists()


def test_whitespace_only_text_is_refused_by_the_service(demo_user):
    with pytest.raises(ValidationError, match="不能为空"):
        services.create_risk_point(actor=demo_user("staff_demo"), level="post", description="  ", manifestations="x")
    assert not RiskPoint.objects.exists()


def test_html_is_stored_as_text_and_shown_escaped(client, login_as, civil_power):
    staff = login_as("staff_demo")
    rp = services.create_risk_point(
        actor=staff, level="post", description="<script>alert('x')</script>拍卖", manifestations="<b>粗体</b>"
    )
    assert rp.description == "<script>alert('x')</script>拍卖"
    html = client.get(reverse("risks:detail", args=[rp.pk])).content.decode()
    assert "<script>alert(" not in html and "&lt;script&gt;" in html
    assert "<b>粗体</b>" not in html


def test_power_from_another_court_is_refused(client, login_as, demo_user, civil_power):
    foreign = PowerFactory(division=DivisionFactory(court=CourtFactory()))
    staff = demo_user("staff_demo")
    with pytest.raises(ValidationError, match="不属于本院"):
        services.create_risk_point(actor=staff, level="post", description="x", manifestations="y", power=foreign)
    # the form does not even offer it
    login_as("staff_demo")
    response = client.post(
        reverse("risks:create"),
        {"level": "post", "power": foreign.pk, "description": "x", "manifestations": "y", "source": "self"},
    )
    assert response.status_code == 200 and not RiskPoint.objects.exists()


def test_step_of_another_power_is_refused(demo_user, civil_power, civil):
    other = PowerFactory(division=civil, court=civil.court)
    step = civil_power.steps.first()
    with pytest.raises(ValidationError, match="不属于所选职权"):
        services.create_risk_point(
            actor=demo_user("staff_demo"), level="post", description="x", manifestations="y", power=other, step=step
        )


def test_staff_cannot_submit_division_or_court_level(demo_user):
    for level in ("division", "court"):
        with pytest.raises(PermissionDenied):
            services.create_risk_point(actor=demo_user("staff_demo"), level=level, description="x", manifestations="y")


def test_wrong_state_transitions_are_refused_with_a_message(client, login_as, demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = _submitted(staff, civil_power)
    services.grade(actor=head, risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version)
    rp.refresh_from_db()
    # the rule refuses with the state's reason (code STATE: the action is theirs, not from this state)
    with pytest.raises(Refusal, match="不能提交") as refused:
        services.submit(actor=staff, risk_point=rp)
    assert refused.value.code == STATE
    with pytest.raises(Refusal, match="不能评定等级"):
        services.grade(actor=head, risk_point=rp, factors=LOW, grade=Grade.LOW, expected_version=rp.version)
    with pytest.raises(Refusal, match="不能公示"):
        services.publish(
            actor=demo_user("office_demo"),
            risk_points=[rp],
            publicity_ends=timezone.localdate() + datetime.timedelta(days=5),
        )
    # through the view: 409 (the state stands in the way) with the message on the page, nothing changed
    login_as("staff_demo")
    response = client.post(reverse("risks:action", args=[rp.pk, "submit"]))
    assert response.status_code == 409 and "不能提交" in response.content.decode()
    rp.refresh_from_db()
    assert rp.state == State.GRADED


def test_grade_without_factors_or_with_unexplained_difference_is_refused(client, login_as, demo_user, civil_power):
    rp = _submitted(demo_user("staff_demo"), civil_power)
    head = login_as("head_demo")
    response = client.post(reverse("risks:action", args=[rp.pk, "grade"]), {"grade": "high", "version": rp.version})
    assert response.status_code == 400 and "四项因素" in response.content.decode()
    response = client.post(
        reverse("risks:action", args=[rp.pk, "grade"]), {**LOW, "grade": "high", "version": rp.version}
    )
    assert response.status_code == 400 and "请写明理由" in response.content.decode()
    rp.refresh_from_db()
    assert rp.state == State.SUBMITTED and rp.grade == "" and not rp.gradings.exists()
    services.grade(
        actor=head, risk_point=rp, factors=LOW, grade=Grade.HIGH, reason="涉案金额巨大。", expected_version=rp.version
    )
    rp.refresh_from_db()
    assert rp.grade == Grade.HIGH and rp.gradings.get().suggested == Grade.LOW


def test_nobody_grades_or_returns_their_own_point(client, login_as, demo_user, civil_power):
    head = demo_user("head_demo")
    rp = _submitted(head, civil_power, "审判长本人的风险点")
    with pytest.raises(PermissionDenied):
        services.grade(actor=head, risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version)
    with pytest.raises(PermissionDenied):
        services.return_risk_point(actor=head, risk_point=rp, reason="自己退回")
    login_as("head_demo")
    response = client.post(
        reverse("risks:action", args=[rp.pk, "grade"]), {**HIGH, "grade": "high", "version": rp.version}
    )
    assert response.status_code == 403
    # the deputy leader overseeing the division grades it instead
    services.grade(
        actor=demo_user("deputy_demo"), risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version
    )


def test_office_cannot_confirm_its_own_point(demo_user):
    office = demo_user("office_demo")
    rp = services.create_risk_point(
        actor=office, level="court", description="三重一大", manifestations="会前定调", source="collective"
    )
    rp = services.submit(actor=office, risk_point=rp)
    services.grade(
        actor=demo_user("president_demo"), risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version
    )
    with pytest.raises(PermissionDenied):
        services.confirm(actor=office, risk_points=[rp], date=timezone.localdate(), participants="甲", minutes="乙")


def test_second_grader_gets_a_conflict_not_a_silent_overwrite(client, demo_user, civil_power):
    rp = _submitted(demo_user("staff_demo"), civil_power)
    version = rp.version
    head, deputy = Client(), Client()
    head.force_login(demo_user("head_demo"))
    deputy.force_login(demo_user("deputy_demo"))
    # both open the page at the same version; the head saves first
    assert f'value="{version}"' in deputy.get(reverse("risks:detail", args=[rp.pk])).content.decode()
    response = head.post(reverse("risks:action", args=[rp.pk, "grade"]), {**HIGH, "grade": "high", "version": version})
    assert response.status_code == 302
    response = deputy.post(reverse("risks:action", args=[rp.pk, "grade"]), {**LOW, "grade": "low", "version": version})
    assert response.status_code == 409
    assert "刚刚已被李建国处理" in response.content.decode()
    rp.refresh_from_db()
    assert rp.grade == Grade.HIGH and rp.gradings.get().graded_by == demo_user("head_demo")


def test_grade_names_the_responsible_leader(demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    expected = {Grade.HIGH: "president_demo", Grade.MEDIUM: "deputy_demo", Grade.LOW: "head_demo"}
    factors = {Grade.HIGH: HIGH, Grade.MEDIUM: {**LOW, "importance": 3, "discretion": 2}, Grade.LOW: LOW}
    for grade, username in expected.items():
        rp = _submitted(staff, civil_power, f"等级{grade}")
        services.grade(actor=head, risk_point=rp, factors=factors[grade], grade=grade, expected_version=rp.version)
        rp.refresh_from_db()
        assert rp.responsible_leader == demo_user(username)


def test_every_transition_is_recorded_with_actor_and_audited(demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = _submitted(staff, civil_power)
    services.return_risk_point(actor=head, risk_point=rp, reason="请补充表现形式")
    last = rp.transitions.last()
    assert (last.actor, last.from_state, last.to_state, last.reason) == (
        head,
        "submitted",
        "returned",
        "请补充表现形式",
    )
    assert AuditEntry.objects.filter(action="risks.return", object_id=str(rp.pk), actor=head).exists()
    assert "risks.grade" in ACTIONS


def test_batch_confirmation_is_all_or_nothing(client, login_as, demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    graded = _submitted(staff, civil_power, "已评级")
    services.grade(actor=head, risk_point=graded, factors=HIGH, grade=Grade.HIGH, expected_version=graded.version)
    still_submitted = _submitted(staff, civil_power, "未评级")
    login_as("office_demo")
    response = client.post(
        reverse("risks:bulk"),
        {
            "action": "confirm",
            "ids": [graded.pk, still_submitted.pk],
            "date": timezone.localdate().isoformat(),
            "participants": "甲、乙",
            "minutes": "纪要",
        },
        follow=True,
    )
    assert "只有“已评级”的风险点可以确定" in response.content.decode()
    graded.refresh_from_db()
    assert graded.state == State.GRADED and graded.decision is None


def test_publicity_end_must_be_in_the_future(demo_user):
    with pytest.raises(ValidationError, match="须晚于今天"):
        services.publish(
            actor=demo_user("office_demo"), risk_points=[_confirmed(demo_user)], publicity_ends=timezone.localdate()
        )


def _confirmed(demo_user, power=None):
    staff = demo_user("staff_demo")
    rp = _submitted(staff, power)
    services.grade(
        actor=demo_user("head_demo"), risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version
    )
    services.confirm(
        actor=demo_user("office_demo"), risk_points=[rp], date=timezone.localdate(), participants="甲", minutes="乙"
    )
    rp.refresh_from_db()
    return rp


def test_peer_check_grants_access_and_keeps_comments(client, login_as, demo_user, civil_power):
    rp = _submitted(demo_user("staff_demo"), civil_power)
    colleague = demo_user("hgzy_d02_s0")  # another judge of the civil division, staff only
    assert not RiskPoint.objects.visible_to(colleague).filter(pk=rp.pk).exists()
    assert client.get(reverse("risks:detail", args=[rp.pk])).status_code == 302  # not logged in
    login_as("head_demo")
    response = client.post(
        reverse("risks:action", args=[rp.pk, "peer"]), {"reviewer": colleague.person.pk, "reason": "请互查"}
    )
    assert response.status_code == 302
    assert RiskPoint.objects.visible_to(colleague).filter(pk=rp.pk).exists()
    login_as("hgzy_d02_s0")
    assert client.get(reverse("risks:detail", args=[rp.pk])).status_code == 200
    response = client.post(
        reverse("risks:action", args=[rp.pk, "comment"]), {"comment": "表现形式还应包括泄露保全信息。"}
    )
    assert response.status_code == 302
    assert rp.peer_checks.get().comment == "表现形式还应包括泄露保全信息。"
    # the colleague may comment, not grade
    response = client.post(
        reverse("risks:action", args=[rp.pk, "grade"]), {**HIGH, "grade": "high", "version": rp.version}
    )
    assert response.status_code == 403


def test_staff_cannot_request_peer_check(demo_user, civil_power):
    rp = _submitted(demo_user("staff_demo"), civil_power)
    with pytest.raises(PermissionDenied):
        services.request_peer_check(actor=demo_user("hgzy_d02_s0"), risk_point=rp, reviewer=demo_user("hgzy_d02_s2"))


# ---------------------------------------------------------------- public feedback


@pytest.fixture
def published(demo_user, civil_power, later):
    rp = _confirmed(demo_user, civil_power)
    services.publish(actor=demo_user("office_demo"), risk_points=[rp], publicity_ends=later)
    rp.refresh_from_db()
    return rp


def _comment(client, text="意见", ip="198.51.100.1", **extra):
    return client.post(reverse("risks:public", args=["hgzy"]), {"text": text, "website": "", **extra}, REMOTE_ADDR=ip)


def test_honeypot_stores_nothing(published):
    response = _comment(Client(), website="http://spam.example")
    assert response.status_code == 302
    assert not PublicFeedback.objects.exists()


def test_feedback_is_rate_limited_per_ip(published):
    client = Client()
    for i in range(3):
        assert _comment(client, f"意见{i}").status_code == 302
    response = _comment(client, "第四条")
    assert response.status_code == 400 and "过于频繁" in response.content.decode()
    assert _comment(client, "另一个来源", ip="198.51.100.2").status_code == 302
    assert PublicFeedback.objects.count() == 4


def test_empty_feedback_is_refused(published):
    response = _comment(Client(), "   ")
    assert response.status_code == 400
    assert not PublicFeedback.objects.exists()


def test_publicity_period_is_enforced(published):
    RiskPoint.objects.filter(pk=published.pk).update(publicity_ends=timezone.localdate() - datetime.timedelta(days=1))
    client = Client()
    page = client.get(reverse("risks:public", args=["hgzy"]))
    assert published.description not in page.content.decode()
    assert "公示期已结束" in page.content.decode()
    response = _comment(client)
    assert response.status_code == 400
    assert not PublicFeedback.objects.exists()


def test_unknown_court_is_404():
    assert Client().get("/public/no-such-court/").status_code == 404


def test_head_submits_a_division_level_point_reviewed_by_the_deputy(demo_user, civil):
    head = demo_user("head_demo")
    rp = services.create_risk_point(
        actor=head, level="division", description="庭室制度不健全", manifestations="审限审批不严"
    )
    assert (rp.level, rp.division, rp.post) == ("division", civil, None)
    rp = services.submit(actor=head, risk_point=rp)
    assert not policy.can(head, "risks.grade", rp)
    assert policy.can(demo_user("deputy_demo"), "risks.grade", rp)


def test_recompute_leaders_follows_an_org_change(client, login_as, demo_user, civil_power, hgzy):
    from hkcourt.org.models import Role, RoleAssignment

    rp = _submitted(demo_user("staff_demo"), civil_power)
    services.grade(
        actor=demo_user("head_demo"), risk_point=rp, factors=LOW, grade=Grade.LOW, expected_version=rp.version
    )
    rp.refresh_from_db()
    assert rp.responsible_leader == demo_user("head_demo")
    # the civil division gets a new head
    RoleAssignment.objects.filter(role=Role.DIVISION_HEAD, division=rp.division).update(user=demo_user("hgzy_d02_s0"))
    login_as("office_demo")
    assert client.post(reverse("risks:recompute_leaders")).status_code == 302
    rp.refresh_from_db()
    assert rp.responsible_leader == demo_user("hgzy_d02_s0")


def test_people_hear_about_their_points(client, login_as, demo_user, civil_power):
    from hkcourt.notifications.models import Notification

    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = _submitted(staff, civil_power)
    services.return_risk_point(actor=head, risk_point=rp, reason="请补充表现形式")
    note = Notification.objects.get(recipient=staff, kind="risks.returned")
    assert "请补充表现形式" in note.display_body and note.url == reverse("risks:detail", args=[rp.pk])
    rp = services.submit(actor=staff, risk_point=rp)
    services.grade(actor=head, risk_point=rp, factors=HIGH, grade=Grade.HIGH, expected_version=rp.version)
    assert Notification.objects.filter(recipient=staff, kind="risks.graded").exists()
    assert Notification.objects.filter(recipient=demo_user("president_demo"), kind="risks.responsible").exists()
    colleague = demo_user("hgzy_d02_s0")
    services.request_peer_check(actor=head, risk_point=rp, reviewer=colleague)
    assert Notification.objects.filter(recipient=colleague, kind="risks.peer_check").exists()
    login_as("hgzy_d02_s0")
    assert f"请互查风险点{rp.code}并提出意见" in client.get("/").content.decode()


def test_rate_limit_sees_through_a_trusted_proxy_only(published, settings):
    settings.RISKS_TRUSTED_PROXIES = ("10.0.0.1",)
    client = Client()

    def comment(text, forwarded, remote="10.0.0.1"):
        return client.post(
            reverse("risks:public", args=["hgzy"]),
            {"text": text, "website": ""},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for i in range(3):
        assert comment(f"甲{i}", "203.0.113.5").status_code == 302
    assert comment("甲再来", "203.0.113.5").status_code == 400
    # another visitor behind the same proxy is not blocked
    assert comment("乙", "203.0.113.6").status_code == 302
    # a forged header from an untrusted address is ignored: the address itself counts
    for i in range(3):
        assert comment(f"丙{i}", f"198.51.100.{i}", remote="192.0.2.9").status_code == 302
    assert comment("丙再来", "198.51.100.77", remote="192.0.2.9").status_code == 400
