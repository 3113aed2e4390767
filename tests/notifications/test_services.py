"""The inbox and the outbox through their services and pages: idempotent keys, delivery once, re-queue."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hkcourt.notifications import services
from hkcourt.notifications.models import Delivery, DeliveryState, Notification
from hkcourt.org.models import Court

DUE = dt.date(2013, 2, 15)


@pytest.fixture
def court(demo_org):
    return Court.objects.get(code="hgzy")


def test_notify_twice_with_same_key_creates_one_notification_and_one_email(demo_user, court):
    staff = demo_user("staff_demo")
    n1, created1 = services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="提醒", body="内容")
    n2, created2 = services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="再次提醒")
    assert (created1, created2) == (True, False)
    assert n1.pk == n2.pk
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert Delivery.objects.filter(notification=n1).count() == 1
    # A different due date is a different notification.
    services.notify(recipient=staff, kind="test", obj=court, due=DUE + dt.timedelta(days=1), title="下一次")
    assert Notification.objects.filter(recipient=staff).count() == 2


def test_empty_title_is_refused_and_nothing_written(demo_user, court):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.notify(recipient=demo_user("staff_demo"), kind="test", obj=court, due=DUE, title="  ")
    assert "通知标题不能为空" in str(exc.value)
    assert not Notification.objects.exists()


def test_notify_many_is_idempotent_and_bounded(demo_user, court, django_assert_max_num_queries, settings):
    settings.NOTIFICATIONS_CHUNK_SIZE = 1000
    users = list(demo_user("staff_demo").__class__.objects.filter(person__isnull=False))
    assert len(users) > 50
    msgs = [services.Message(recipient_id=u.pk, title=f"提醒{u.pk}") for u in users]
    with django_assert_max_num_queries(12):
        created = services.notify_many(kind="bulk", obj=court, due=DUE, messages=msgs)
    assert created == len(users)
    assert services.notify_many(kind="bulk", obj=court, due=DUE, messages=msgs) == 0
    assert Notification.objects.filter(kind="bulk").count() == len(users)
    assert Delivery.objects.filter(notification__kind="bulk").count() == len([u for u in users if u.email])


def test_deliver_sends_once_and_skips_sent(demo_user, court):
    staff = demo_user("staff_demo")
    n, _ = services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="请提交风险点", url="/risks/")
    delivery = n.deliveries.get()
    assert services.deliver_email(delivery_id=delivery.pk) == DeliveryState.SENT
    assert services.deliver_email(delivery_id=delivery.pk) == DeliveryState.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email]
    assert "请提交风险点" in message.subject
    assert message.extra_headers["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1 and delivery.sent_at


def test_failed_delivery_stays_in_outbox_and_is_requeued(demo_user, court, settings):
    staff = demo_user("staff_demo")
    n, _ = services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="提醒")
    delivery = n.deliveries.get()
    # A real SMTP backend pointed at a closed port: the send fails, the row records it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    assert services.deliver_email(delivery_id=delivery.pk) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert services.requeue_deliveries() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver_email(delivery_id=delivery.pk) == DeliveryState.SENT
    assert len(mail.outbox) == 1
    assert services.requeue_deliveries() == 0


def test_requeue_picks_pending_only_when_stale(demo_user, court):
    staff = demo_user("staff_demo")
    services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="提醒")
    assert services.requeue_deliveries() == 0  # just queued
    later = timezone.now() + services.REQUEUE_AFTER + dt.timedelta(minutes=1)
    assert services.requeue_deliveries(now=later) == 1


def test_inbox_is_personal_and_marks_read(client, login_as, demo_user, court):
    staff = demo_user("staff_demo")
    n, _ = services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="请提交岗位风险点", url="/")
    login_as("head_demo")
    assert client.get(reverse("notifications:inbox")).content.decode().count("请提交岗位风险点") == 0
    assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 404
    login_as("staff_demo")
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "请提交岗位风险点" in page
    assert 'data-testid="unread-badge">1<' in page
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/"
    n.refresh_from_db()
    assert n.read_at is not None
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="unread-badge"' not in page


def test_open_never_redirects_off_site(client, login_as, demo_user, court):
    staff = login_as("staff_demo")
    n, _ = services.notify(recipient=staff, kind="test", obj=court, due=DUE, title="外链", url="https://evil.example/")
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_all_read(client, login_as, court):
    staff = login_as("staff_demo")
    for i in range(3):
        services.notify(recipient=staff, kind="test", obj=court, due=DUE + dt.timedelta(days=i), title=f"提醒{i}")
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=staff, read_at__isnull=True).exists()


def test_a_dead_broker_costs_one_quick_attempt_then_is_skipped_for_a_while():
    import time

    from .worker import CLOSED_PORT_URL, broker

    services._broker_down_until.clear()
    with broker(CLOSED_PORT_URL):
        started = time.monotonic()
        assert services.enqueue_deliveries([1, 2]) is False
        first = time.monotonic() - started
        started = time.monotonic()
        assert services.enqueue_deliveries([3]) is False
        second = time.monotonic() - started
    assert first < 1.5, f"one refused connection took {first:.2f}s"
    assert second < 0.05, "the second call should not try the dead broker again"
    with broker("memory://"):
        assert services.enqueue_deliveries([1, 2]) is True
    services._broker_down_until.clear()
