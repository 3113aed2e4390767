"""The questionnaire pages: building, sending, answering without login, results by role, the one-click
rectification, interviews; buttons drawn exactly when the policy allows them."""

import datetime
import re

import pytest
from django.urls import reverse

from hkcourt.org import policy
from workflow.assessment import services
from workflow.assessment.models import Answer, Interview, Invitation, Item, Questionnaire, Response
from workflow.models import local_today

from .conftest import build, sheet

pytestmark = pytest.mark.django_db

ROLES = ["staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo", "admin"]


def _post(q, **kw):
    return {f"item_{k}": v for k, v in sheet(q, **kw).items()}


def _actions(html):
    return set(re.findall(r'data-action="([a-z_]+)"', html))


# ---------------------------------------------------------------- staff: the todo and answering


def test_a_staff_member_with_an_unused_token_sees_it_on_the_home_page_and_in_the_list(
    client, survey, login_as, token_of
):
    staff = login_as("staff_demo")
    link = f"/surveys/t/{token_of(staff)}/"
    home = client.get("/").content.decode()
    assert "答问卷：廉政风险防控满意度调查" in home and link in home
    page = client.get(reverse("workflow:surveys")).content.decode()
    assert link in page and "问卷测评" in page
    assert reverse("workflow:survey", args=[survey.pk]) not in page  # staff see no questionnaire, no results
    services.answer_with_token(token=token_of(staff), answers=sheet(survey))
    assert "答问卷" not in client.get("/").content.decode()
    assert link not in client.get(reverse("workflow:surveys")).content.decode()


def test_answering_through_the_token_needs_no_login(client, survey, demo_user, token_of):
    token = token_of(demo_user("staff_demo"))
    url = reverse("workflow:survey_answer", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "执行工作廉洁情况" in html and "匿名" in html and 'maxlength="2000"' in html
    response = client.post(url, _post(survey))
    assert response.status_code == 302 and response.url == url
    again = client.get(url)
    assert "已提交过答卷" in again.content.decode()
    assert "提交答卷" not in again.content.decode()
    response = client.post(url, _post(survey, rating=1))
    assert "已提交过答卷" in response.content.decode()
    assert Response.objects.filter(questionnaire=survey).count() == 1
    assert not Answer.objects.filter(rating=1).exists()


def test_a_bad_sheet_is_shown_again_with_the_message_by_its_item(client, survey, demo_user, token_of):
    token = token_of(demo_user("staff_demo"))
    data = _post(survey, text="好")
    rating = survey.items.get(number=3)
    data[f"item_{rating.pk}"] = "6"
    data.pop(f"item_{survey.items.get(number=1).pk}")
    response = client.post(reverse("workflow:survey_answer", args=[token]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "第3题的评分须为1至5分的整数（收到“6”）" in html
    assert "第1题为必答题，请作答" in html
    assert ">好</textarea>" in html  # what was typed is kept
    assert not Response.objects.exists() and not Invitation.objects.get(token=token).used


def test_an_unknown_token_is_404(client, survey):
    assert client.get("/surveys/t/nope/").status_code == 404


def test_a_closed_questionnaire_says_so(client, survey, office, demo_user, token_of):
    services.close(actor=office, questionnaire=survey)
    url = reverse("workflow:survey_answer", args=[token_of(demo_user("staff_demo"))])
    assert "问卷已结束" in client.get(url).content.decode()
    response = client.post(url, _post(survey))
    assert response.status_code == 400 and "问卷已结束" in response.content.decode()
    assert not Response.objects.exists()


def test_the_public_link_with_its_qr_code(client, survey, office, login_as):
    q = services.publish(actor=office, questionnaire=survey)
    url = reverse("workflow:survey_public", args=[q.public_code])
    assert client.get(url).status_code == 200
    response = client.post(url, _post(q))
    assert response.status_code == 302 and response.url == url + "?done=1"
    assert "感谢您的参与" in client.get(response.url).content.decode()
    client.post(url, {**_post(q), "website": "http://spam"})  # the honeypot stores nothing
    assert Response.objects.filter(questionnaire=q, channel="public").count() == 1
    login_as("office_demo")
    html = client.get(reverse("workflow:survey", args=[q.pk])).content.decode()
    assert 'src="data:image/svg+xml' in html and f"http://testserver{url}" in html
    assert client.get("/surveys/p/nothing123/").status_code == 404


# ---------------------------------------------------------------- building (the office)


def test_the_office_builds_a_questionnaire_in_the_browser(client, login_as, hgzy, civil):
    login_as("office_demo")
    today = local_today()
    response = client.post(
        reverse("workflow:survey_new"),
        {
            "court": hgzy.pk,
            "kind": "evaluation",
            "title": "院领导班子民主测评",
            "intro": "",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=7)).isoformat(),
            "rating_threshold": "3.5",
            "satisfaction_threshold": "80",
        },
    )
    q = Questionnaire.objects.get(title="院领导班子民主测评")
    assert response.status_code == 302 and response.url == reverse("workflow:survey", args=[q.pk])
    client.post(
        reverse("workflow:survey_item_add", args=[q.pk]),
        {
            "kind": "single",
            "text": "廉洁自律情况",
            "required": "on",
            "choices": "好\n较好\n一般\n差",
            "satisfied": "1，2",
        },
    )
    item = Item.objects.get(questionnaire=q)
    assert [(c.text, c.satisfied) for c in item.choices.order_by("number")] == [
        ("好", True),
        ("较好", True),
        ("一般", False),
        ("差", False),
    ]
    response = client.post(reverse("workflow:survey_send", args=[q.pk]), {"divisions": [civil.pk]})
    assert response.status_code == 302
    assert Invitation.objects.filter(questionnaire=q).count() == civil.people.count()
    html = client.get(reverse("workflow:survey", args=[q.pk])).content.decode()
    assert "已发放" in html and 'data-action="edit"' not in html


def test_a_bad_form_is_shown_again(client, login_as, hgzy):
    login_as("office_demo")
    today = local_today()
    response = client.post(
        reverse("workflow:survey_new"),
        {
            "court": hgzy.pk,
            "kind": "survey",
            "title": "问卷",
            "opens_on": today.isoformat(),
            "closes_on": (today - datetime.timedelta(days=1)).isoformat(),
            "rating_threshold": "3.5",
            "satisfaction_threshold": "80",
        },
    )
    assert response.status_code == 400
    assert "截止日期不能早于今天" in response.content.decode()
    assert not Questionnaire.objects.filter(title="问卷").exists()


@pytest.mark.parametrize("username", ["staff_demo", "head_demo", "president_demo", "leader_demo"])
def test_only_the_office_may_build(client, login_as, username):
    login_as(username)
    assert client.get(reverse("workflow:survey_new")).status_code == 403


# ---------------------------------------------------------------- who sees what


@pytest.mark.parametrize(
    "username, status",
    [
        ("staff_demo", 404),
        ("head_demo", 404),
        ("deputy_demo", 200),
        ("president_demo", 200),
        ("office_demo", 200),
        ("leader_demo", 200),
        ("admin", 200),
        ("xiangyang_president", 404),
    ],
)
def test_results_are_for_the_office_the_leading_group_and_the_courts_leaders(
    client, login_as, survey, username, status
):
    login_as(username)
    assert client.get(reverse("workflow:survey_results", args=[survey.pk])).status_code == status
    assert client.get(reverse("workflow:survey", args=[survey.pk])).status_code == status


@pytest.fixture
def finished(survey, office):
    for invitation in Invitation.objects.filter(questionnaire=survey).order_by("pk")[:5]:
        services.answer_with_token(token=invitation.token, answers=sheet(survey, rating=2, text="执行款发放要公开"))
    services.close(actor=office, questionnaire=survey)
    survey.refresh_from_db()
    return survey


@pytest.mark.parametrize("username", ["deputy_demo", "president_demo", "office_demo", "leader_demo", "admin"])
@pytest.mark.parametrize("state", ["draft", "sent", "public", "finished"])
def test_the_buttons_are_exactly_the_allowed_actions(client, login_as, office, hgzy, civil, username, state, request):
    if state == "finished":
        q = request.getfixturevalue("finished")
    else:
        q = build(office, hgzy)
        if state in ("sent", "public"):
            services.send_to_staff(actor=office, questionnaire=q, divisions=[civil])
        if state == "public":
            services.publish(actor=office, questionnaire=q)
    user = login_as(username)
    q = Questionnaire.objects.get(pk=q.pk)
    html = client.get(reverse("workflow:survey", args=[q.pk])).content.decode()
    allowed = {name for name, ok in policy.allowed_actions(user, q).items() if ok}
    assert _actions(html) == allowed, (state, username)
    results = client.get(reverse("workflow:survey_results", args=[q.pk])).content.decode()
    items = list(q.items.all())
    for item in items:
        item.questionnaire = q
    rectifiable = sum(policy.can(user, "assessment.rectify", item) for item in items)
    assert results.count('data-action="rectify"') == rectifiable
    if state == "finished" and username == "office_demo":
        assert rectifiable == 1


def test_the_results_page_charts_and_tables_and_hides_small_groups(client, login_as, finished):
    login_as("president_demo")
    html = client.get(reverse("workflow:survey_results", args=[finished.pk])).content.decode()
    assert "vendor/echarts/echarts.min.js" in html and 'id="hk-survey-charts"' in html
    assert "平均2.00分" in html and "低于整改线3.50分" in html
    assert '执行款发放要公开 <span class="badge text-bg-light">× 5</span>' in html
    assert "分庭室结果" in html


def test_results_of_a_running_questionnaire_wait(client, login_as, survey):
    login_as("office_demo")
    html = client.get(reverse("workflow:survey_results", args=[survey.pk])).content.decode()
    assert "结果在问卷结束后显示" in html and 'data-chart="' not in html


def test_one_click_opens_the_rectification(client, login_as, finished, demo_user):
    login_as("office_demo")
    item = finished.items.get(number=3)
    html = client.get(reverse("workflow:survey_results", args=[finished.pk])).content.decode()
    president = demo_user("president_demo")
    assert f'<option value="{president.pk}" selected>' in html  # the court's president by default
    deadline = re.search(rf'name="deadline" id="deadline-{item.pk}" value="([0-9-]+)"', html).group(1)
    response = client.post(
        reverse("workflow:survey_rectify", args=[item.pk]), {"owner": president.pk, "deadline": deadline}
    )
    item.refresh_from_db()
    assert item.rectification is not None
    assert response.status_code == 302
    assert response.url == reverse("workflow:rectification_detail", args=[item.rectification_id])
    assert item.rectification.owner == president
    assert item.rectification.deadline == local_today() + datetime.timedelta(days=30)


def test_rectify_is_refused_to_others_with_nothing_written(client, login_as, finished, demo_user):
    item = finished.items.get(number=3)
    login_as("leader_demo")
    response = client.post(
        reverse("workflow:survey_rectify", args=[item.pk]),
        {"owner": demo_user("president_demo").pk, "deadline": local_today().isoformat()},
    )
    assert response.status_code == 403
    login_as("staff_demo")
    assert client.post(reverse("workflow:survey_rectify", args=[item.pk]), {}).status_code == 404
    item.refresh_from_db()
    assert item.rectification is None


# ---------------------------------------------------------------- interviews


def test_interviews_page_is_the_offices(client, login_as, hgzy):
    login_as("office_demo")
    response = client.post(
        reverse("workflow:interviews"),
        {
            "court": hgzy.pk,
            "held_on": local_today().isoformat(),
            "interviewee_desc": "当事人 李某",
            "interviewers": "孙立新",
            "summary": "反映立案窗口服务态度。",
        },
    )
    assert response.status_code == 302
    interview = Interview.objects.get()
    assert "当事人 李某" in client.get(reverse("workflow:interviews")).content.decode()
    assert client.get(reverse("workflow:interview", args=[interview.pk])).status_code == 200
    for username in ("staff_demo", "president_demo", "leader_demo"):
        login_as(username)
        assert client.get(reverse("workflow:interviews")).status_code == 403
        assert client.get(reverse("workflow:interview", args=[interview.pk])).status_code == 404


# ---------------------------------------------------------------- query counts


def test_pages_take_a_bounded_number_of_queries(client, login_as, finished, django_assert_max_num_queries):
    login_as("office_demo")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("workflow:survey_results", args=[finished.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("workflow:surveys")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("workflow:survey", args=[finished.pk])).status_code == 200
