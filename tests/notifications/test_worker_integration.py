"""End to end against the real thing: a Celery worker process on Redis (127.0.0.1:6379, DB 5) and the
PostgreSQL test database. Reminders must reach the inbox and the mailbox exactly once — also when the
worker is killed (SIGKILL) in the middle of a batch and restarted, and when Redis is down at the moment
of the user's action."""

import datetime as dt
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hkcourt.notifications import services as notification_services
from hkcourt.notifications.models import Delivery, DeliveryState, Notification
from hkcourt.org.demo import seed as seed_org
from hkcourt.org.models import Court, Division, Person, Role, RoleAssignment
from workflow import services, tasks
from workflow.models import PhaseTask, local_today

from .worker import CLOSED_PORT_URL, REDIS_URL, Worker, broker, require_redis, wait_for

# Transactional: the worker is another process and must see committed rows. No serialized_rollback:
# it leaves the database empty (content types included) for a later transactional test without it;
# a plain flush re-creates content types, and every test re-creates the data-migration rows it needs.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
User = get_user_model()
EXTRA_STAFF = 300


def add_staff(count):
    """Many more staff in one division, in bulk (the batch must be long enough to be killed in)."""
    division = Division.objects.get(court__code="hgzy", name="执行局")
    users = User.objects.bulk_create(
        [User(username=f"bulk{i:04d}", email=f"bulk{i:04d}@court.local", password="!") for i in range(count)]
    )
    Person.objects.bulk_create(
        [Person(user=u, full_name=f"干警{i:04d}", court=division.court, division=division) for i, u in enumerate(users)]
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.STAFF, court=division.court) for u in users])


def campaign_due_in(days):
    """A city-wide campaign whose 查找廉政风险 (every staff member) is due ``days`` from today."""
    office = User.objects.get(username="office_demo")
    template = services.ensure_builtin_template()
    task = PhaseTask.objects.get(phase__campaign=template, code="find-risks")
    start = local_today() + dt.timedelta(days=days) - (task.deadline - template.start)
    return services.copy_campaign(
        actor=office, source=template, court=Court.objects.get(code="hgzy"), name="集成测试活动", start=start
    )


def staff_users():
    return set(RoleAssignment.objects.filter(role=Role.STAFF).values_list("user_id", flat=True))


@pytest.fixture
def worker(tmp_path):
    require_redis()
    w = Worker(tmp_path, chunk=5)
    yield w
    w.stop()
    require_redis()  # leave DB 5 empty


def test_reminders_arrive_exactly_once_when_the_worker_is_killed_mid_batch(worker):
    seed_org(log=lambda *_: None)
    add_staff(EXTRA_STAFF)
    campaign_due_in(3)
    expected = staff_users()
    total = len(expected)
    assert total > EXTRA_STAFF

    worker.start()
    with broker(REDIS_URL):
        tasks.send_deadline_reminders.delay()
    # Kill the worker while the sweep is half-way: some chunks committed, the rest not yet written.
    wait_for(
        lambda: total * 0.1 < Notification.objects.count() < total * 0.7,
        interval=0.005,
        worker=worker,
        what="the sweep to be half-way",
    )
    worker.kill()
    at_kill = Notification.objects.count()
    assert 0 < at_kill < total, "the kill did not land inside the batch"
    time.sleep(0.5)
    assert Notification.objects.count() == at_kill  # nothing moves without a worker

    # Restart; the next scheduled run (beat) completes the batch; the hourly outbox sweep re-queues
    # everything still pending, so some deliveries are queued twice — and must still be sent once.
    worker.start()
    with broker(REDIS_URL):
        tasks.send_deadline_reminders.delay()
        wait_for(lambda: Notification.objects.count() == total, worker=worker, what="all reminders")
        notification_services.requeue_deliveries(older_than=dt.timedelta(0))
        wait_for(
            lambda: Delivery.objects.filter(state=DeliveryState.SENT).count() == total,
            timeout=120,
            worker=worker,
            what="all e-mails sent",
        )
        time.sleep(1.0)  # let any duplicate delivery task run: it must find its row already sent

        # A second scheduler (or a re-delivered task) running the same sweep adds nothing.
        assert services.send_deadline_reminders() == 0

    recipients = list(Notification.objects.values_list("recipient_id", flat=True))
    assert sorted(recipients) == sorted(expected)  # each staff member once in the inbox
    mail = worker.mail_ids()
    assert len(mail) == total, f"{len(mail)} e-mails for {total} reminders"
    assert len(set(mail)) == total  # and once in the mailbox
    assert set(mail) == {d.message_id for d in Delivery.objects.all()}
    assert worker.starts == 2


def test_the_action_succeeds_while_redis_is_down_and_the_outbox_delivers_once_it_is_back(worker, client):
    seed_org(log=lambda *_: None)
    campaign = campaign_due_in(3)
    task = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks")
    client.force_login(User.objects.get(username="office_demo"))

    with broker(CLOSED_PORT_URL):
        started = time.monotonic()
        response = client.post(reverse("workflow:task_urge", args=[task.pk]))
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2, f"the action hung for {elapsed:.1f}s on the dead broker"
    expected = staff_users()
    assert set(Notification.objects.filter(kind="task_urge").values_list("recipient_id", flat=True)) == expected
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == len(expected)
    # The inbox needs no broker: staff_demo sees the reminder right away.
    client.force_login(User.objects.get(username="staff_demo"))
    assert "【催办】查找廉政风险" in client.get(reverse("notifications:inbox")).content.decode()

    # Redis is back: the hourly sweep queues the outbox, the worker sends each e-mail once.
    worker.start()
    with broker(REDIS_URL):
        assert notification_services.requeue_deliveries(older_than=dt.timedelta(0)) == len(expected)
        wait_for(
            lambda: not Delivery.objects.exclude(state=DeliveryState.SENT).exists(),
            timeout=60,
            worker=worker,
            what="the outbox to drain",
        )
        assert notification_services.requeue_deliveries(older_than=dt.timedelta(0)) == 0
    mail = worker.mail_ids()
    assert len(mail) == len(set(mail)) == len(expected)


def test_two_schedulers_running_the_same_sweep_at_once_send_each_reminder_once(tmp_path):
    """Two beat processes by mistake: the same sweep runs in two workers at the same time."""
    require_redis()
    seed_org(log=lambda *_: None)
    add_staff(EXTRA_STAFF)
    campaign_due_in(1)
    expected = staff_users()
    first, second = Worker(tmp_path / "a", chunk=20), Worker(tmp_path / "b", chunk=20)
    try:
        # Both workers write to the same mailbox, so duplicates from either one would show.
        second.maildir = first.maildir
        first.start()
        second.start()
        with broker(REDIS_URL):
            tasks.send_deadline_reminders.delay()
            tasks.send_deadline_reminders.delay()
            wait_for(lambda: Notification.objects.count() == len(expected), worker=first, what="all reminders")
            wait_for(
                lambda: Delivery.objects.filter(state=DeliveryState.SENT).count() == len(expected),
                timeout=120,
                worker=first,
                what="all e-mails sent",
            )
            time.sleep(1.0)
        # Each worker ran one of the two sweeps.
        for w in (first, second):
            ran = re.search(r"Task workflow\.send_deadline_reminders\[\S+\] succeeded", w.log.read_text())
            assert ran, w.log_tail()
        assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(expected)
        mail = first.mail_ids()
        assert len(mail) == len(set(mail)) == len(expected)
    finally:
        first.stop()
        second.stop()
        require_redis()


def test_a_worker_killed_while_sending_loses_no_email_and_repeats_at_most_the_one_in_flight(worker):
    """SMTP has no two-phase commit: the outbox row is locked while its message is sent and marked sent in
    the same transaction, so a kill can repeat only the single message between the mail server's
    acceptance and that commit — never lose one, never repeat a batch."""
    seed_org(log=lambda *_: None)
    add_staff(EXTRA_STAFF)
    campaign_due_in(3)
    total = len(staff_users())
    with broker(REDIS_URL):
        services.send_deadline_reminders()  # the sweep itself, here; the e-mails go to the worker
    assert Notification.objects.count() == total
    worker.start()
    sent = Delivery.objects.filter(state=DeliveryState.SENT)
    wait_for(lambda: total * 0.1 < sent.count() < total * 0.7, interval=0.005, worker=worker, what="half the mail")
    worker.kill()
    assert sent.count() < total
    worker.start()
    with broker(REDIS_URL):
        notification_services.requeue_deliveries(older_than=dt.timedelta(0))
        wait_for(lambda: sent.count() == total, timeout=120, worker=worker, what="all e-mails sent")
        time.sleep(1.0)
    mail = worker.mail_ids()
    assert set(mail) == {d.message_id for d in Delivery.objects.all()}  # nothing lost
    assert len(mail) - len(set(mail)) <= 1  # at most the one message in flight at the kill
