"""The services of phase four's questionnaires: building, sending, answering (and every refusal writing
nothing), the public link's limit, results turned into a rectification, interviews."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from hkcourt.notifications.models import Notification
from hkcourt.org.models import AuditEntry, Person
from hkcourt.org.policy import STATE, Refusal
from workflow.assessment import services
from workflow.assessment.models import (
    Answer,
    Interview,
    Invitation,
    Item,
    ItemKind,
    Questionnaire,
    QuestionnaireState,
    Response,
)
from workflow.models import local_today
from workflow.oversight.models import Channel as SignalChannel
from workflow.oversight.models import HandlingKind, Rectification, Signal

from .conftest import build, sheet

pytestmark = pytest.mark.django_db


def test_the_office_builds_and_sends_one_token_per_person_through_the_inbox(survey, civil, office):
    people = Person.objects.filter(division=civil)
    invitations = Invitation.objects.filter(questionnaire=survey)
    assert invitations.count() == people.count() >= 5
    assert len({i.token for i in invitations}) == invitations.count()
    assert survey.state == QuestionnaireState.OPEN
    for invitation in invitations:
        n = Notification.objects.get(recipient=invitation.recipient, kind="assessment.invite")
        assert n.url == f"/surveys/t/{invitation.token}/"
        assert "匿名" in n.display_body
    entry = AuditEntry.objects.filter(action="assessment.send").get()
    assert entry.data["invited"] == people.count()
    # Sending again to the same people sends nothing new and keeps their tokens.
    tokens = set(invitations.values_list("token", flat=True))
    assert services.send_to_staff(actor=office, questionnaire=survey, divisions=[civil]) == 0
    assert set(Invitation.objects.filter(questionnaire=survey).values_list("token", flat=True)) == tokens


@pytest.mark.parametrize("username", ["staff_demo", "head_demo", "deputy_demo", "president_demo", "leader_demo"])
def test_only_the_office_builds_sends_publishes_and_closes(username, demo_user, survey, hgzy, civil):
    user = demo_user(username)
    before = (Questionnaire.objects.count(), Invitation.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Refusal):
        build(user, hgzy, title="越权问卷")
    for call in (
        lambda: services.send_to_staff(actor=user, questionnaire=survey, divisions=[civil]),
        lambda: services.publish(actor=user, questionnaire=survey),
        lambda: services.close(actor=user, questionnaire=survey),
    ):
        with pytest.raises(Refusal) as exc:
            call()
        assert "领导小组办公室" in exc.value.message
    assert (Questionnaire.objects.count(), Invitation.objects.count(), AuditEntry.objects.count()) == before


def test_items_are_frozen_once_sent(survey, office):
    with pytest.raises(Refusal) as exc:
        services.add_item(actor=office, questionnaire=survey, kind=ItemKind.RATING, text="新题")
    assert exc.value.code == STATE
    with pytest.raises(Refusal):
        services.remove_item(actor=office, item=survey.items.first())
    assert survey.items.count() == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": ItemKind.SINGLE, "text": "只有一个选项", "choices": ["是"]}, "至少要有两个选项"),
        ({"kind": ItemKind.SINGLE, "text": "重复", "choices": ["是", "是"]}, "不能重复"),
        ({"kind": ItemKind.SINGLE, "text": "满意序号越界", "choices": ["是", "否"], "satisfied": [3]}, "1至2之间"),
        ({"kind": ItemKind.RATING, "text": "评分题带选项", "choices": ["是", "否"]}, "只有选择题"),
        ({"kind": "essay", "text": "未知题型"}, "请选择题型"),
        ({"kind": ItemKind.TEXT, "text": "   "}, "不能为空"),
    ],
)
def test_bad_items_are_refused(kwargs, message, office, hgzy):
    q = build(office, hgzy)
    with pytest.raises(ValidationError) as exc:
        services.add_item(actor=office, questionnaire=q, **kwargs)
    assert message in str(exc.value)
    assert q.items.count() == 4


def test_removing_an_item_renumbers_the_rest(office, hgzy):
    q = build(office, hgzy)
    services.remove_item(actor=office, item=q.items.get(number=2))
    assert list(q.items.order_by("number").values_list("number", "text")) == [
        (1, "总体评价"),
        (2, "执行工作廉洁情况"),
        (3, "意见建议"),
    ]


def test_dates_are_checked(office, hgzy):
    today = local_today()
    with pytest.raises(ValidationError) as exc:
        build(office, hgzy, opens_on=today, closes_on=today - datetime.timedelta(days=1))
    assert "截止日期不能早于今天" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        build(office, hgzy, opens_on=today + datetime.timedelta(days=5), closes_on=today + datetime.timedelta(days=2))
    assert "不能早于开始日期" in str(exc.value)


# ---------------------------------------------------------------- answering


def test_an_answer_through_a_token_is_written_once_and_the_token_used(survey, demo_user, token_of):
    token = token_of(demo_user("staff_demo"))
    services.answer_with_token(token=token, answers=sheet(survey, multiple=(0, 1), text="  多公开执行款进度  "))
    response = Response.objects.get(questionnaire=survey)
    assert response.channel == "invited"
    assert response.division.name == "民事审判庭"
    answers = Answer.objects.filter(response=response)
    assert answers.count() == 5  # single, two choices of the multiple, rating, text
    assert answers.get(item__kind=ItemKind.TEXT).text == "多公开执行款进度"
    assert Invitation.objects.get(token=token).used


def _nothing_written(survey, used=False, token=None):
    assert Response.objects.filter(questionnaire=survey).count() == (1 if used else 0)
    assert Answer.objects.filter(item__questionnaire=survey).count() == (4 if used else 0)
    if token and not used:
        assert not Invitation.objects.get(token=token).used


def test_a_token_used_twice_is_refused(survey, demo_user, token_of):
    token = token_of(demo_user("staff_demo"))
    services.answer_with_token(token=token, answers=sheet(survey))
    with pytest.raises(ValidationError) as exc:
        services.answer_with_token(token=token, answers=sheet(survey, rating=1))
    assert "此链接已经提交过答卷" in str(exc.value)
    _nothing_written(survey, used=True)
    assert Answer.objects.filter(rating=1).count() == 0


def test_an_unknown_token_is_refused(survey):
    with pytest.raises(ValidationError) as exc:
        services.answer_with_token(token="not-a-token", answers=sheet(survey))
    assert "答卷链接无效" in str(exc.value)
    _nothing_written(survey)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"closes_on": -1, "opens_on": -5}, "截止，不再接受答卷"),
        ({"state": QuestionnaireState.CLOSED}, "问卷已结束"),
        ({"opens_on": 2}, "开始，请届时再来作答"),
    ],
    ids=["expired", "closed", "not yet open"],
)
def test_a_questionnaire_not_open_today_is_refused(change, message, survey, demo_user, token_of):
    token = token_of(demo_user("staff_demo"))
    today = local_today()
    values = {k: today + datetime.timedelta(days=v) if k.endswith("_on") else v for k, v in change.items()}
    Questionnaire.objects.filter(pk=survey.pk).update(**values)
    with pytest.raises(ValidationError) as exc:
        services.answer_with_token(token=token, answers=sheet(survey))
    assert message in str(exc.value)
    _nothing_written(survey, token=token)


def _item(survey, number):
    return survey.items.get(number=number)


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda q, a: a.pop(_item(q, 1).pk), "第1题为必答题，请作答"),
        (lambda q, a: a.update({_item(q, 3).pk: ""}), "第3题为必答题，请作答"),
        (lambda q, a: a.update({_item(q, 4).pk: "廉" * 100_000}), "第4题的回答不能超过2000字（现为100000字）"),
        (lambda q, a: a.update({_item(q, 3).pk: 6}), "第3题的评分须为1至5分的整数（收到“6”）"),
        (lambda q, a: a.update({_item(q, 3).pk: 0}), "第3题的评分须为1至5分的整数"),
        (lambda q, a: a.update({_item(q, 3).pk: "4.5"}), "第3题的评分须为1至5分的整数"),
        (lambda q, a: a.update({_item(q, 1).pk: _item(q, 2).choices.first().pk}), "第1题的选项无效"),
        (lambda q, a: a.update({_item(q, 2).pk: [_item(q, 1).choices.first().pk]}), "第2题的选项无效"),
        (
            lambda q, a: a.update({_item(q, 1).pk: [c.pk for c in _item(q, 1).choices.all()]}),
            "第1题是单选题，只能选一项",
        ),
        (lambda q, a: a.update({999999: "x"}), "不属于本问卷的题目"),
    ],
    ids=[
        "missing required",
        "empty rating",
        "100 KB text",
        "rating 6",
        "rating 0",
        "rating 4.5",
        "choice of another item",
        "multiple with a choice of another item",
        "two choices on a single",
        "item of another questionnaire",
    ],
)
def test_a_bad_answer_sheet_is_refused_with_a_clear_message_and_nothing_written(
    spoil, message, survey, demo_user, token_of
):
    token = token_of(demo_user("staff_demo"))
    answers = sheet(survey)
    spoil(survey, answers)
    with pytest.raises(ValidationError) as exc:
        services.answer_with_token(token=token, answers=answers)
    assert message in " ".join(exc.value.messages)
    _nothing_written(survey, token=token)


def test_an_optional_item_may_be_left_empty(survey, demo_user, token_of):
    answers = sheet(survey)
    answers[_item(survey, 4).pk] = "   "
    services.answer_with_token(token=token_of(demo_user("staff_demo")), answers=answers)
    assert Answer.objects.filter(item__questionnaire=survey).count() == 3


def test_the_public_link_takes_anonymous_answers_limited_per_address(survey, office):
    q = services.publish(actor=office, questionnaire=survey)
    assert q.public_code and len(q.public_code) == 10
    for _ in range(3):
        services.answer_public(code=q.public_code, answers=sheet(q), ip="203.0.113.9")
    with pytest.raises(ValidationError) as exc:
        services.answer_public(code=q.public_code, answers=sheet(q), ip="203.0.113.9")
    assert "提交过于频繁" in str(exc.value)
    services.answer_public(code=q.public_code, answers=sheet(q), ip="198.51.100.7")  # another address
    assert Response.objects.filter(questionnaire=q, channel="public").count() == 4
    assert not Response.objects.filter(questionnaire=q, court__isnull=False, channel="public").exists()
    with pytest.raises(Refusal):
        services.publish(actor=office, questionnaire=q)


def test_a_refused_public_sheet_does_not_count_against_the_address(survey, office):
    q = services.publish(actor=office, questionnaire=survey)
    bad = sheet(q)
    bad[_item(q, 3).pk] = 6
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.answer_public(code=q.public_code, answers=bad, ip="203.0.113.9")
    services.answer_public(code=q.public_code, answers=sheet(q), ip="203.0.113.9")


# ---------------------------------------------------------------- results → rectification


def _answered(survey, demo_user, ratings):
    tokens = list(Invitation.objects.filter(questionnaire=survey).order_by("pk"))
    for invitation, rating in zip(tokens, ratings, strict=False):
        services.answer_with_token(token=invitation.token, answers=sheet(survey, rating=rating))


def test_a_low_item_opens_a_rectification_through_the_rectification_flow(survey, demo_user, office):
    _answered(survey, demo_user, [2, 3, 2, 3, 4])
    services.close(actor=office, questionnaire=survey)
    item = _item(survey, 3)
    head = demo_user("head_demo")
    deadline = local_today() + datetime.timedelta(days=30)
    r = services.open_rectification(actor=office, item=item, owner=head, deadline=deadline, plan="公开执行款发放进度")
    assert isinstance(r, Rectification)
    assert (r.owner, r.deadline, r.court_id, r.plan) == (head, deadline, survey.court_id, "公开执行款发放进度")
    assert "2.80" in r.problem and "3.50" in r.problem
    assert r.handling.kind == HandlingKind.ORDER
    assert r.handling.signal.channel == SignalChannel.SURVEY
    item.refresh_from_db()
    assert item.rectification == r
    with pytest.raises(Refusal) as exc:
        services.open_rectification(actor=office, item=item, owner=head, deadline=deadline)
    assert exc.value.code == STATE
    assert Rectification.objects.filter(pk=r.pk).count() == 1


def test_no_rectification_while_running_above_the_line_or_by_others(survey, demo_user, office):
    _answered(survey, demo_user, [2, 3, 2, 3, 4])
    item, head = _item(survey, 3), demo_user("head_demo")
    deadline = local_today() + datetime.timedelta(days=30)
    with pytest.raises(Refusal) as exc:  # still running
        services.open_rectification(actor=office, item=item, owner=head, deadline=deadline)
    assert "问卷结束后" in exc.value.message
    services.close(actor=office, questionnaire=survey)
    with pytest.raises(Refusal) as exc:  # 总体评价: 100% satisfied
        services.open_rectification(actor=office, item=_item(survey, 1), owner=head, deadline=deadline)
    assert "未低于整改线" in exc.value.message
    for username in ("leader_demo", "president_demo", "head_demo"):
        with pytest.raises(Refusal):
            services.open_rectification(actor=demo_user(username), item=item, owner=head, deadline=deadline)
    with pytest.raises(ValidationError):
        services.open_rectification(
            actor=office, item=item, owner=head, deadline=local_today() - datetime.timedelta(days=1)
        )
    assert not Signal.objects.filter(channel=SignalChannel.SURVEY, title__contains="执行工作").exists()
    assert Item.objects.get(pk=item.pk).rectification is None


def test_fewer_than_five_answers_never_call_for_a_rectification(survey, demo_user, office):
    _answered(survey, demo_user, [1, 1, 1, 1])
    services.close(actor=office, questionnaire=survey)
    with pytest.raises(Refusal) as exc:
        services.open_rectification(
            actor=office, item=_item(survey, 3), owner=demo_user("head_demo"), deadline=local_today()
        )
    assert "答卷不足5份" in exc.value.message


# ---------------------------------------------------------------- interviews


def test_interviews_are_the_offices_and_hidden_from_the_person_interviewed(demo_user, office, hgzy):
    staff = demo_user("staff_demo")
    i = services.record_interview(
        actor=office,
        court=hgzy,
        held_on=local_today(),
        interviewee=staff,
        interviewee_desc="",
        interviewers="孙立新",
        summary="谈了执行款发放的问题。",
    )
    assert i.interviewee_desc == "王晓东"
    assert list(Interview.objects.visible_to(office)) == [i]
    for username in ("staff_demo", "head_demo", "president_demo", "leader_demo"):
        assert not Interview.objects.visible_to(demo_user(username)).exists()
        with pytest.raises(Refusal):
            services.record_interview(
                actor=demo_user(username),
                court=hgzy,
                held_on=local_today(),
                interviewee_desc="某",
                interviewers="某",
                summary="某",
            )
    with pytest.raises(ValidationError) as exc:
        services.record_interview(
            actor=office,
            court=hgzy,
            held_on=local_today() + datetime.timedelta(days=1),
            interviewee_desc="律师 张某",
            interviewers="孙立新",
            summary="……",
        )
    assert "不能晚于今天" in str(exc.value)
