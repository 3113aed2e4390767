"""Issue 11, "then prove it" 4: faults against the real services. Each scenario breaks a service of its own —
a private PostgreSQL (initdb + pg_ctl), a private Redis, a Celery worker process, an import process — never the
shared servers on 5432/6379, and checks what the application does through its public surface:

a. PostgreSQL restarted while requests run: the requests during the outage answer at once (503, no hang), the
   ones after succeed, on the same gunicorn workers (no restart of the application).
b. Redis stopped: pages, writes and the API still answer (the cache degrades, hkcourt/org/cache.py); the e-mail
   queued meanwhile waits in the outbox and is delivered once when Redis is back.
c. A Celery worker killed (SIGKILL) in the middle of rendering a signed letter's PDF: after the restart the
   letter has its PDF exactly once (acks_late, the task re-delivered, the letter's row the idempotent key).
d. An import interrupted half-way — its process killed, or a row failing after others were written — leaves
   nothing half-written (one transaction: the row counts are those before).
"""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from hkcourt.notifications import services as notification_services
from hkcourt.notifications.models import Delivery, DeliveryState, Notification
from hkcourt.org.demo import seed as seed_org
from hkcourt.org.models import AuditEntry, Court, Division, Person, Post, RoleAssignment
from tests.notifications.worker import Worker, broker

from .procs import ROOT, AppServer, PrivatePostgres, PrivateRedis, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
User = get_user_model()
CSRF = "f" * 32  # a CSRF secret of our choosing, sent as cookie and header (Django accepts the unmasked secret)


def test_database_url() -> str:
    db = connection.settings_dict
    assert connection.vendor == "postgresql", "the fault scenarios need PostgreSQL"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def session_for(username) -> requests.Session:
    """A browser of ``username`` for the gunicorn server (a session row in the database it reads)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    browser.cookies.set("csrftoken", CSRF)
    browser.headers["X-CSRFToken"] = CSRF
    return browser


@pytest.fixture
def org():
    seed_org(log=lambda *_: None)


@pytest.fixture
def redis_server():
    server = PrivateRedis().start()
    yield server
    server.stop()


# ---------------------------------------------------------------- a. PostgreSQL restarted


def test_a_postgresql_restart_during_requests_is_survived_without_restarting_the_application(
    org, redis_server, tmp_path
):
    staff = session_for("staff_demo")  # its session row is copied with the rest
    pg = PrivatePostgres()
    app = None
    try:
        pg.start()
        pg.copy_from(test_database_url())
        app = AppServer(tmp_path, database_url=pg.url, redis_url=redis_server.url).start()
        pages = [app.base + "/", app.base + "/risks/", app.base + "/notifications/"]
        for url in pages * 3:  # each worker holds a persistent connection (CONN_MAX_AGE) from here on
            assert staff.get(url, timeout=10).status_code == 200, url
        workers = app.pids()
        assert len(workers) == 2

        # Requests keep coming while PostgreSQL goes down and comes back.
        answers, stop = [], threading.Event()

        def hammer():
            browser = session_for_copy(staff)
            while not stop.is_set():
                started = time.monotonic()
                try:
                    status = browser.get(pages[len(answers) % len(pages)], timeout=15).status_code
                except requests.RequestException as exc:
                    status = exc.__class__.__name__
                answers.append((status, time.monotonic() - started, pg.answers()))

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        pg.stop()
        wait_for(lambda: sum(1 for s, _t, up in answers if s == 503) >= 6, timeout=20, what="answers in the outage")
        down = staff.get(app.base + "/risks/", timeout=10)
        assert down.status_code == 503 and down.headers["Retry-After"] == "30"
        assert "系统暂时不可用" in down.text
        pg.start()
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(30)

        statuses = {s for s, _t, _up in answers}
        assert statuses <= {200, 503}, f"unexpected answers: {statuses - {200, 503}}\n{app.tail()}"
        slowest = max(t for _s, t, _up in answers)
        assert slowest < 5, f"a request hung for {slowest:.1f}s during the outage"
        # every page, on every worker, answers again — the same workers, nothing restarted
        for url in pages * 4:
            assert staff.get(url, timeout=10).status_code == 200, url
        assert app.pids() == workers
    finally:
        if app:
            app.stop()
        pg.destroy()


def session_for_copy(browser: requests.Session) -> requests.Session:
    copy = requests.Session()
    copy.cookies.update(browser.cookies)
    copy.headers.update(browser.headers)
    return copy


# ---------------------------------------------------------------- b. Redis stopped


class PrivateWorker(Worker):
    """tests/notifications/worker.py's Celery worker process, on the private Redis."""

    def __init__(self, tmp, broker_url, **kwargs):
        super().__init__(tmp, **kwargs)
        self.broker_url = broker_url

    def env(self):
        return {**super().env(), "CELERY_BROKER_URL": self.broker_url}


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_b_redis_stopped_pages_work_and_the_queued_mail_is_delivered_once_it_is_back(org, redis_server, tmp_path):
    from commitments import services as letters
    from commitments.models import LetterDocument, PdfStatus
    from hkcourt.org.demo import DEMO_PASSWORD
    from tests.notifications.test_worker_integration import campaign_due_in, staff_users
    from workflow.models import PhaseTask

    campaign = campaign_due_in(3)
    task = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks")
    letter = unsigned_letter(User.objects.get(username="staff_demo"))
    app = AppServer(tmp_path, database_url=test_database_url(), redis_url=redis_server.url).start()
    worker = PrivateWorker(tmp_path / "worker", redis_server.url, chunk=50)
    try:
        staff, office = session_for("staff_demo"), session_for("office_demo")
        assert staff.get(app.base + "/risks/", timeout=10).status_code == 200

        redis_server.stop()
        assert not redis_server.answers()
        for url in ("/", "/risks/", "/notifications/", "/api/v1/risk-points/"):
            response, took = timed(lambda url=url: staff.get(app.base + url, timeout=10))
            assert response.status_code == 200, (url, response.status_code, app.tail())
            assert took < 3, f"{url} took {took:.1f}s with Redis down"
        public, _took = timed(lambda: requests.get(app.base + "/public/hgzy/", timeout=10))
        assert public.status_code == 200
        # writes: a draft through the API (its data-version bump and throttle use the cache), and the office's
        # urging, whose e-mails cannot be queued on the dead broker
        created, took = timed(
            lambda: staff.post(
                app.base + "/api/v1/risk-points/",
                json={"description": "Redis停机时录入的风险点", "manifestations": "停机期间照常录入"},
                timeout=10,
            )
        )
        assert created.status_code == 201, created.text
        assert took < 3
        from risks.models import RiskPoint

        assert RiskPoint.objects.filter(description="Redis停机时录入的风险点").count() == 1
        urged, took = timed(lambda: office.post(app.base + f"/campaigns/tasks/{task.pk}/urge/", timeout=10))
        assert urged.status_code == 200 and urged.history and urged.history[0].status_code == 302, app.tail()
        assert took < 3, f"the urging hung for {took:.1f}s on the dead broker"
        # a signature: kept, answered at once; its PDF waits (pending) for the broker
        signed, took = timed(
            lambda: staff.post(
                app.base + f"/letters/{letter.pk}/sign/",
                data={"password": DEMO_PASSWORD, "confirm": "on"},
                allow_redirects=False,
                timeout=10,
            )
        )
        assert signed.status_code == 302, (signed.status_code, app.tail())
        assert took < 3, f"the signature waited {took:.1f}s on the dead broker"
        letter.refresh_from_db()
        assert letter.signed_at is not None and letter.pdf_status == PdfStatus.PENDING
        expected = staff_users()
        urge = Notification.objects.filter(kind="task_urge")
        assert set(urge.values_list("recipient_id", flat=True)) == expected
        assert Delivery.objects.filter(notification__in=urge, state=DeliveryState.PENDING).count() == len(expected)
        outbox = Delivery.objects.all()  # the urging's e-mails, and the signature's notice
        assert outbox.count() == outbox.filter(state=DeliveryState.PENDING).count() > len(expected)

        # Redis is back (same address): the outbox sweep queues the waiting mail, the worker sends each once
        redis_server.start()
        worker.start()
        with broker(redis_server.url):
            assert notification_services.requeue_deliveries(older_than=dt.timedelta(0)) == outbox.count()
            wait_for(
                lambda: not outbox.exclude(state=DeliveryState.SENT).exists(),
                timeout=60,
                what="the outbox to drain",
                log=worker.log_tail,
            )
            assert notification_services.requeue_deliveries(older_than=dt.timedelta(0)) == 0
            # the daily sweep queues the letter's PDF again: rendered once
            assert letters.requeue_letter_documents() == 1
            documents = LetterDocument.objects.filter(letter=letter)
            wait_for(documents.exists, timeout=60, what="the letter's PDF", log=worker.log_tail)
        letter.refresh_from_db()
        assert letter.pdf_status == PdfStatus.DONE and documents.count() == 1
        mail = worker.mail_ids()
        assert len(mail) == len(set(mail)) == outbox.count()
        for url in ("/", "/risks/"):
            assert staff.get(app.base + url, timeout=10).status_code == 200
    finally:
        worker.stop()
        app.stop()


# ---------------------------------------------------------------- c. a worker killed mid-task


def unsigned_letter(signer):
    """The demo court's letters for 2026 generated by the office; ``signer``'s personal one, not signed yet."""
    import datetime

    from commitments import services as letters
    from commitments.models import CommitmentLetter

    office = User.objects.get(username="office_demo")
    template = letters.save_template(
        actor=office,
        court=Court.objects.get(code="hgzy"),
        year=2026,
        title="2026—2027年度廉政风险防范承诺书",
        sign_deadline=datetime.date(2026, 12, 31),
        **letters.default_template_texts(),
    )
    letters.generate_letters(actor=office, template=template)
    return CommitmentLetter.objects.current().get(template=template, signer=signer, kind="personal")


def _row_locked(model, pk) -> bool:
    """Whether another transaction holds the row (the task is inside its work, nothing committed yet)."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            model.objects.select_for_update(nowait=True).get(pk=pk)
    except DatabaseError:
        return True
    return False


def test_c_a_worker_killed_while_rendering_a_letter_renders_it_exactly_once_after_the_restart(
    org, redis_server, tmp_path
):
    from commitments import services as letters
    from commitments.models import CommitmentLetter, LetterDocument, PdfStatus
    from commitments.tasks import render_letter_documents
    from hkcourt.org.demo import DEMO_PASSWORD

    staff = User.objects.get(username="staff_demo")
    letter = unsigned_letter(staff)
    worker = PrivateWorker(tmp_path / "worker", redis_server.url)
    worker_env = worker.env
    worker.env = lambda: {**worker_env(), "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings"}
    try:
        with broker(redis_server.url):
            letters.sign_letter(actor=staff, letter=letter, password=DEMO_PASSWORD, verify_base="http://testserver/")
        letter.refresh_from_db()
        assert letter.pdf_status == PdfStatus.PENDING
        documents = LetterDocument.objects.filter(letter=letter)

        worker.start()
        # The task holds the letter's row while it renders: kill the worker then, mid-task.
        wait_for(lambda: _row_locked(CommitmentLetter, letter.pk), timeout=60, interval=0.02, what="the render")
        worker.kill()
        assert not documents.exists(), "the kill did not land inside the task"
        letter.refresh_from_db()
        assert letter.pdf_status == PdfStatus.PENDING

        # Restarted, the worker gets the unacknowledged task again (acks_late) and renders the letter once.
        worker.start()
        wait_for(lambda: documents.exists(), timeout=60, what="the re-delivered render", log=worker.log_tail)
        # A second delivery of the same task (the daily sweep, a duplicate) renders nothing again.
        with broker(redis_server.url):
            render_letter_documents.delay(letter.pk, "http://testserver/")
            assert letters.requeue_letter_documents() == 0  # nothing pending any more
        wait_for(
            lambda: len(re.findall(r"render_letter_documents\[\S+\] succeeded", worker.log.read_text())) == 2,
            timeout=60,
            what="the duplicate task to run",
            log=worker.log_tail,
        )
        time.sleep(0.5)
    finally:
        worker.stop()
    letter.refresh_from_db()
    assert letter.pdf_status == PdfStatus.DONE
    assert list(documents.values_list("edition", flat=True)) == ["signed"]
    assert AuditEntry.objects.filter(action="commitments.pdf", object_id=str(letter.pk)).count() == 1
    assert worker.starts == 2


# ---------------------------------------------------------------- d. an import interrupted half-way


def _org_counts():
    from risks.models import RiskPoint, Transition

    return {
        model.__name__: model.objects.count()
        for model in (User, Court, Division, Post, Person, RoleAssignment, AuditEntry, RiskPoint, Transition)
    }


def test_d_a_roster_import_killed_half_way_leaves_nothing_half_written(org, tmp_path):
    from tests.org.test_roster_import import row, xlsx_bytes

    people = 100
    rows = [
        row(
            单位代码="guzhang",
            单位名称="鹤岗市故障区人民法院",
            上级单位代码="hgzy",
            庭室=f"第{i // 20 + 1}审判庭",
            庭室类别="审判",
            岗位="审判员",
            姓名=f"故障测试{i:03d}",
            登录名=f"fault{i:03d}",
            职务="审判员",
            角色="干警",
        )
        for i in range(people)
    ]
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(xlsx_bytes(rows))
    before = _org_counts()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hkcourt.settings.test",
        "DATABASE_URL": test_database_url(),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.interrupted_import", str(roster)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    written = 0
    try:
        for line in proc.stdout:
            written += line.startswith("row")
            if written == people // 2:  # half the people written in the import's open transaction
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        with suppress(ProcessLookupError):
            proc.kill()
        proc.wait(30)
    assert written == people // 2, f"the import ended before the kill:\n{proc.stderr.read()[-2000:]}"
    assert proc.returncode == -signal.SIGKILL
    # the killed process's connection is gone: PostgreSQL rolled its transaction back
    wait_for(lambda: not _import_connection_open(), timeout=20, what="the killed import's connection to close")
    assert _org_counts() == before
    assert not Court.objects.filter(code="guzhang").exists()
    assert not User.objects.filter(username__startswith="fault").exists()

    # the same file imported again, uninterrupted, is complete
    from hkcourt.org import services

    outcome = services.import_roster(
        actor=User.objects.get(username="admin"), filename="roster.xlsx", content=roster.read_bytes(), commit=True
    )
    assert outcome.committed and not outcome.has_errors
    assert Person.objects.filter(court__code="guzhang").count() == people


def _import_connection_open() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state LIKE 'idle in transaction%%'"
        )
        return cursor.fetchone()[0] > 0


def test_d_a_risk_import_failing_half_way_leaves_nothing_half_written(org, monkeypatch):
    """A fault in the middle of writing (here the disk fills once the file's 30 points and their field
    versions are written, before their transitions and audit entries, as a full disk or a cut connection would):
    the points, their key links, transitions, history and audit entries are all rolled back."""
    from risks import services
    from risks.models import RiskPoint

    header = "层面,庭室,岗位,职权,环节,风险点描述,主要表现形式,查找方式,重点环节\n"
    content = (header + "".join(f"单位,,,,,会前定调第{i}项,个人定调,集体定,\n" for i in range(30))).encode()
    office = User.objects.get(username="office_demo")
    hgzy = Court.objects.get(code="hgzy")
    before = _org_counts()
    history_before = RiskPoint.history.count()

    record_versions, written = services._record_versions, []

    def failing(points, *args, **kwargs):
        record_versions(points, *args, **kwargs)
        written.append(RiskPoint.history.count() - history_before)
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "_record_versions", failing)
    with pytest.raises(OSError):
        services.import_risk_points(actor=office, court=hgzy, filename="x.csv", content=content, commit=True)
    assert written == [30]  # the points and their versions were in the database when the fault came
    assert _org_counts() == before
    assert RiskPoint.history.count() == history_before

    monkeypatch.setattr(services, "_record_versions", record_versions)
    outcome = services.import_risk_points(actor=office, court=hgzy, filename="x.csv", content=content, commit=True)
    assert outcome.committed
    assert RiskPoint.objects.filter(court=hgzy, description__startswith="会前定调第").count() == 30
