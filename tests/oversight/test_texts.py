"""Warnings, their trail and the handling notices are stored as codes and parameters and read in the reader's
language, whatever language the office worked in when they were written (issue 10 item 5)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from hkcourt.notifications.models import Notification
from workflow.oversight import services
from workflow.oversight.models import EventAction, Warning

pytestmark = pytest.mark.django_db


def _page(client, url, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    else:
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_warning_raised_and_handled_in_english_reads_in_both_languages(client, login_as, demo_user, hgzy, civil):
    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    today = timezone.localdate()
    with translation.override("en"):
        for title in ("来信反映审判员接受吃请", "巡查发现保全卷宗缺页"):
            services.record_signal(
                actor=office,
                court=hgzy,
                channel="petition",
                title=title,
                content="……",
                received_on=today,
                division=civil,
            )
        services.evaluate_warnings()
        warning = Warning.objects.get(division=civil)
        services.create_handling(
            actor=office,
            kind="order",
            person=staff,
            content="保全卷宗管理不规范，限期整改",
            warning=warning,
            rect_deadline=today + datetime.timedelta(days=10),
        )
    warning.refresh_from_db()
    assert warning.summary == "" and warning.message == "oversight.rule.division_signals"
    assert warning.params["n"] == 2 and warning.params["division"] == "民事审判庭"
    events = list(warning.events.order_by("at", "id"))
    assert [e.action for e in events] == [EventAction.RAISE, EventAction.HANDLE]
    assert events[1].params == {"kind": "order", "person": staff.person.full_name} and events[1].note == ""

    login_as("office_demo")
    url = reverse("workflow:warning", args=[warning.pk])
    chinese = _page(client, url)
    assert "民事审判庭近90天内收到风险信息2条" in chinese
    assert "发出预警" in chinese and f"责令纠错：{staff.person.full_name}" in chinese
    assert "Warning raised" not in chinese and "signals in the last" not in chinese
    english = _page(client, url, "en")
    assert "民事审判庭 received 2 signals in the last 90 days" in english
    assert "Warning raised" in english and f"Order to correct: {staff.person.full_name}" in english
    assert "发出预警" not in english

    # the person ordered to correct reads the notice in Chinese, and the office's words as written
    notice = Notification.objects.get(recipient=staff, kind="oversight.order")
    assert notice.message == "oversight.handling" and notice.params["kind"] == "order"
    assert notice.body == "保全卷宗管理不规范，限期整改"
    with translation.override("zh-hans"):
        assert notice.display_title.startswith("责令纠错：请于")
    with translation.override("en"):
        assert notice.display_title.startswith("Order to correct: please report back by")
