"""The office handles a warning through to a closed rectification, in the pages (as in the browser)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from workflow.oversight.models import Handling, Rectification, WarningRule

pytestmark = pytest.mark.django_db


def test_warning_to_closed_rectification_through_the_pages(client, demo_user, world):
    office, head = demo_user("office_demo"), demo_user("head_demo")
    w = world["warning"]
    client.force_login(office)
    resp = client.post(
        reverse("workflow:handling_create", args=["warning", w.pk]),
        {
            "kind": "order",
            "person": head.person.pk,
            "content": "庭室风险信息集中，责令限期纠正",
            "report_days": "5",
            "rect_deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "rect_plan": "清理卷宗",
        },
    )
    h = Handling.objects.exclude(pk__in=[world["order"].pk]).get(kind="order")
    assert resp.status_code == 302 and resp.url == reverse("workflow:handling_detail", args=[h.pk])
    rect = Rectification.objects.get(handling=h)
    client.force_login(head)
    page = client.get(reverse("workflow:handling_detail", args=[h.pk])).content.decode()
    assert "提交回告" in page
    client.post(reverse("workflow:handling_report", args=[h.pk]), {"analysis": "管理不严", "commitment": "限期整改"})
    client.post(reverse("workflow:rectification_progress", args=[rect.pk]), {"text": "卷宗已补齐"})
    client.force_login(office)
    client.post(reverse("workflow:rectification_close", args=[rect.pk]), {"text": "抽查合格"})
    client.post(reverse("workflow:handling_close", args=[h.pk]), {"text": "整改到位"})
    client.post(reverse("workflow:warning_close", args=[w.pk]), {"text": "处置完毕"})
    rect.refresh_from_db()
    h.refresh_from_db()
    w.refresh_from_db()
    assert (rect.state, h.state, w.state) == ("closed", "closed", "closed")
    trail = client.get(reverse("workflow:warning", args=[w.pk])).content.decode()
    assert "办结" in trail and "处置完毕" in trail


def test_rule_edit_page_refuses_zero(client, demo_user, world):
    client.force_login(demo_user("office_demo"))
    rule = WarningRule.objects.get(kind="measure_overdue")
    resp = client.post(
        reverse("workflow:warning_rule", args=[rule.pk]),
        {f"r{rule.pk}-level": "orange", f"r{rule.pk}-threshold": "0", f"r{rule.pk}-enabled": "on"},
        follow=True,
    )
    assert "阈值须大于0" in resp.content.decode()
    rule.refresh_from_db()
    assert rule.threshold == 30


def test_signal_form_and_evaluate_button(client, demo_user, world, hgzy):
    client.force_login(demo_user("office_demo"))
    resp = client.post(
        reverse("workflow:signals"),
        {
            "court": hgzy.pk,
            "channel": "media",
            "severity": "minor",
            "received_on": "2999-01-01",
            "title": "x",
            "content": "y",
        },
    )
    assert "不能晚于今天" in resp.content.decode()
    resp = client.post(reverse("workflow:warnings_evaluate"), follow=True)
    assert "预警规则已运行" in resp.content.decode()
