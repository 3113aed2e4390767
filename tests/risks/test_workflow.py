"""The issue's "done when", through the views: staff submits, head returns then grades 高, office confirms
and publishes, the public page shows it without names, a public comment reaches the office."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hkcourt.org.models import Person
from risks.models import CollectiveDecision, Grade, GradingTier, KeyLink, PublicFeedback, RiskPoint, State

pytestmark = pytest.mark.django_db

DESCRIPTION = "在诉讼保全审查中，对担保审查不严，超标的查封被申请人财产"
MANIFESTATIONS = "担保不足即准予保全；查封价值明显超过请求数额；接受申请人吃请"


def test_submit_return_grade_confirm_publish_and_public_feedback(client, login_as, demo_user, civil_power, later):
    # 1. staff_demo submits a risk point about their own post, in Chinese
    staff = login_as("staff_demo")
    assert client.get(reverse("risks:create")).status_code == 200
    step = civil_power.steps.get(order=1)
    link = KeyLink.objects.get(area="civil", name="财产保全")
    response = client.post(
        reverse("risks:create"),
        {
            "level": "post",
            "power": civil_power.pk,
            "step": step.pk,
            "description": DESCRIPTION,
            "manifestations": MANIFESTATIONS,
            "source": "self",
            "key_links": [link.pk],
            "importance": "2",
            "discretion": "2",
            "probability": "2",
            "harm": "3",
            "grade": "medium",
            "submit": "1",
        },
    )
    rp = RiskPoint.objects.get(description=DESCRIPTION)
    assert response.status_code == 302 and response.url == reverse("risks:detail", args=[rp.pk])
    assert rp.state == State.SUBMITTED
    assert (rp.owner, rp.post, rp.division) == (staff, staff.person.post, staff.person.division)
    assert list(rp.key_links.all()) == [link]
    assert rp.gradings.get(tier=GradingTier.PROPOSAL).grade == Grade.MEDIUM

    # 2. head_demo returns it once: without a reason nothing happens, with one it goes back
    login_as("head_demo")
    page = client.get(reverse("risks:detail", args=[rp.pk]))
    assert "评定风险等级" in page.content.decode()
    response = client.post(reverse("risks:action", args=[rp.pk, "return"]), {"reason": "   ", "version": rp.version})
    assert response.status_code == 400
    assert "理由" in response.content.decode()
    rp.refresh_from_db()
    assert rp.state == State.SUBMITTED
    response = client.post(
        reverse("risks:action", args=[rp.pk, "return"]),
        {"reason": "请写明具体的超标的查封情形。", "version": rp.version},
    )
    assert response.status_code == 302
    rp.refresh_from_db()
    assert rp.state == State.RETURNED

    # staff sees the reason, edits and resubmits
    login_as("staff_demo")
    assert "请写明具体的超标的查封情形。" in client.get(reverse("risks:detail", args=[rp.pk])).content.decode()
    response = client.post(
        reverse("risks:edit", args=[rp.pk]),
        {
            "level": "post",
            "power": civil_power.pk,
            "step": step.pk,
            "description": DESCRIPTION,
            "manifestations": MANIFESTATIONS + "；对案外人财产采取保全措施",
            "source": "self",
            "version": rp.version,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    rp.refresh_from_db()
    assert rp.state == State.SUBMITTED and "案外人" in rp.manifestations

    # 3. head_demo grades it 高 with the four factors
    login_as("head_demo")
    response = client.post(
        reverse("risks:action", args=[rp.pk, "grade"]),
        {"importance": "3", "discretion": "3", "probability": "2", "harm": "3", "grade": "high", "version": rp.version},
    )
    assert response.status_code == 302
    rp.refresh_from_db()
    assert rp.state == State.GRADED and rp.grade == Grade.HIGH
    assert rp.responsible_leader == demo_user("president_demo")  # 高 → the court president

    # 4. office_demo confirms it in a collective decision and publishes it
    login_as("office_demo")
    today = timezone.localdate()
    response = client.post(
        reverse("risks:bulk"),
        {
            "action": "confirm",
            "ids": [rp.pk],
            "date": today.isoformat(),
            "participants": "陈志远、赵振华、孙立新",
            "minutes": "经集体研究，确定该风险点为高等级。",
        },
    )
    assert response.status_code == 302
    rp.refresh_from_db()
    assert rp.state == State.CONFIRMED
    assert CollectiveDecision.objects.get(pk=rp.decision_id).participants == "陈志远、赵振华、孙立新"
    response = client.post(
        reverse("risks:bulk"), {"action": "publish", "ids": [rp.pk], "publicity_ends": later.isoformat()}
    )
    assert response.status_code == 302
    rp.refresh_from_db()
    assert rp.state == State.PUBLISHED and rp.publicity_ends == later
    history = list(rp.transitions.values_list("to_state", flat=True))
    assert history == ["draft", "submitted", "returned", "submitted", "graded", "confirmed", "published"]

    # 5. the public page shows it, without any name of a person
    public = Client()
    page = public.get(reverse("risks:public", args=["hgzy"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert DESCRIPTION in html
    for username in ("staff_demo", "head_demo", "president_demo", "office_demo"):
        assert Person.objects.get(user__username=username).full_name not in html
    assert "staff_demo" not in html

    # 6. a public comment is stored and reaches the office, not the staff
    response = public.post(
        reverse("risks:public", args=["hgzy"]),
        {"risk_point": rp.pk, "text": "建议公开保全担保的审查标准。", "contact": "", "website": ""},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    feedback = PublicFeedback.objects.get()
    assert feedback.risk_point == rp and feedback.court.code == "hgzy"
    assert "203.0.113.7" not in feedback.ip_hash
    page = client.get(reverse("risks:feedback"))
    assert "建议公开保全担保的审查标准。" in page.content.decode()
    login_as("staff_demo")
    assert client.get(reverse("risks:feedback")).status_code == 403
    assert not PublicFeedback.objects.visible_to(demo_user("staff_demo")).exists()


def test_home_page_lists_the_work_of_each_role(client, login_as, civil_power):
    from risks import services

    staff = login_as("staff_demo")
    draft = services.create_risk_point(
        actor=staff, level="post", description="草稿中的风险点", manifestations="表现", power=civil_power
    )
    submitted = services.create_risk_point(
        actor=staff, level="post", description="已提交的风险点", manifestations="表现", power=civil_power
    )
    services.submit(actor=staff, risk_point=submitted)
    assert "我的风险点草稿" in client.get("/").content.decode()
    login_as("head_demo")
    html = client.get("/").content.decode()
    assert "待审核、评定等级的风险点" in html
    assert draft.pk  # the head does not see the staff's draft in the list
    assert "草稿中的风险点" not in client.get(reverse("risks:list")).content.decode()
    assert "已提交的风险点" in client.get(reverse("risks:list")).content.decode()
