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

import threading
import time

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from hkcourt.org.demo import seed as seed_org

from .procs import AppServer, PrivatePostgres, PrivateRedis, wait_for

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
