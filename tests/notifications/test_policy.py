"""The notifications' rules: only the recipient acts on a message; the inbox shows exactly the buttons the
rules allow, and each service refuses when its rule refuses."""

import dataclasses
import datetime as dt
import re

import pytest
from django.urls import reverse

from hkcourt.notifications import services
from hkcourt.notifications.models import Notification
from hkcourt.org import policy
from hkcourt.org.models import AuditEntry, Court

pytestmark = pytest.mark.django_db
DUE = dt.date(2013, 2, 15)


@pytest.fixture
def inbox(demo_user):
    """staff_demo's inbox: unread with a link, unread without one, read with a link."""
    staff = demo_user("staff_demo")
    court = Court.objects.get(code="hgzy")
    linked, _ = services.notify(recipient=staff, kind="t", obj=court, due=DUE, title="有链接", url="/")
    plain, _ = services.notify(recipient=staff, kind="t", obj=court, due=DUE + dt.timedelta(days=1), title="无链接")
    read, _ = services.notify(
        recipient=staff, kind="t", obj=court, due=DUE + dt.timedelta(days=2), title="已读", url="/"
    )
    services.mark_read(actor=staff, notification=read)
    read.refresh_from_db()
    return staff, [linked, plain, read]


def _buttons(html):
    """data-action names per notification row (in page order) and the page-level ones."""
    rows = re.findall(r'data-testid="notification">(.*?)</li>', html, re.S)
    per_row = [set(re.findall(r'data-action="([a-z_]+)"', row)) for row in rows]
    head = html.split('data-testid="notification"')[0]
    return per_row, set(re.findall(r'data-action="([a-z_]+)"', head))


def test_inbox_buttons_are_exactly_the_allowed_actions(client, login_as, inbox):
    staff, notifications = inbox
    login_as("staff_demo")
    html = client.get(reverse("notifications:inbox")).content.decode()
    per_row, page = _buttons(html)
    shown = Notification.objects.visible_to(staff).order_by("-created_at", "-id")
    expected = [{a for a, ok in policy.allowed_actions(staff, n).items() if ok} for n in shown]
    assert per_row == expected
    assert expected == [{"open"}, {"mark_read"}, {"open", "mark_read"}]  # newest first: read, plain, linked
    assert page == {"mark_all_read"} and policy.can(staff, "notifications.mark_all_read")

    services.mark_all_read(actor=staff)
    html = client.get(reverse("notifications:inbox")).content.decode()
    per_row, page = _buttons(html)
    assert page == set() and not policy.can(staff, "notifications.mark_all_read")
    assert per_row == [{"open"}, set(), {"open"}]


def test_only_the_recipient_acts(demo_user, inbox):
    _staff, (linked, _plain, _read) = inbox
    head = demo_user("head_demo")
    for action in ("open", "mark_read"):
        decision = policy.decide(head, f"notifications.{action}", linked)
        assert not decision and decision.message == "只能处理自己的通知。"
    with pytest.raises(policy.Refusal):
        services.mark_read(actor=head, notification=linked)
    with pytest.raises(policy.Refusal):
        services.open_notification(actor=head, notification=linked)
    linked.refresh_from_db()
    assert linked.read_at is None


def test_state_refusals(inbox):
    staff, (linked, plain, read) = inbox
    assert policy.decide(staff, "notifications.open", plain).code == policy.STATE  # nothing to open
    assert policy.decide(staff, "notifications.mark_read", read).code == policy.STATE
    assert services.open_notification(actor=staff, notification=read).pk == read.pk  # a read one still opens
    services.open_notification(actor=staff, notification=linked)
    linked.refresh_from_db()
    assert linked.read_at is not None


RULED = {
    "notifications.open": lambda staff, n: services.open_notification(actor=staff, notification=n[0]),
    "notifications.mark_read": lambda staff, n: services.mark_read(actor=staff, notification=n[0]),
    "notifications.mark_all_read": lambda staff, n: services.mark_all_read(actor=staff),
}


@pytest.mark.parametrize("rule", sorted(RULED))
def test_each_service_refuses_when_its_rule_refuses(monkeypatch, inbox, rule):
    staff, notifications = inbox
    entry = policy._RULES[rule]
    monkeypatch.setitem(policy._RULES, rule, dataclasses.replace(entry, function=lambda u, o: policy.deny("不行。")))
    audits = AuditEntry.objects.count()
    with pytest.raises(policy.Refusal):
        RULED[rule](staff, notifications)
    assert Notification.objects.filter(recipient=staff, read_at__isnull=True).count() == 2
    assert AuditEntry.objects.count() == audits


def test_pages_answer_a_second_click_quietly(client, login_as, inbox):
    _staff, (linked, plain, read) = inbox
    login_as("staff_demo")
    assert client.post(reverse("notifications:read", args=[read.pk])).status_code == 302
    assert client.post(reverse("notifications:open", args=[plain.pk]))["Location"] == reverse("notifications:inbox")
    client.post(reverse("notifications:read_all"))
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "没有未读通知" in response.content.decode()
