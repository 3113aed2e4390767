"""Helpers for tests that run a real Celery worker process against Redis (127.0.0.1:6379, DB 5)."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("HK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
# Every key this test session writes to Redis carries this prefix, so that test runs of other people on
# the same Redis server (same DB number) can never consume each other's tasks.
KEY_PREFIX = f"hktest-{uuid.uuid4().hex[:12]}:"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: "Redis is down" for this process only


def require_redis():
    """Fail loudly — never skip — when the real Redis is not there. Clears this session's keys only."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: the worker integration tests need it ({exc})")
    keys = list(client.scan_iter(match=f"{KEY_PREFIX}*", count=1000))
    if keys:
        client.delete(*keys)
    return client


@contextmanager
def broker(url):
    """Point this (the test) process's Celery app at ``url`` for the duration."""
    from hkcourt.celery import app

    old = app.conf.broker_url, app.conf.broker_transport_options

    def reset():
        app._pool = None
        with suppress(KeyError):
            app.__dict__["amqp"]._producer_pool = None

    app.conf.broker_url = url
    app.conf.broker_transport_options = {"global_keyprefix": KEY_PREFIX}
    reset()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = old
        reset()


class Worker:
    """A ``celery worker --pool=solo`` subprocess on the test database and Redis DB 5."""

    def __init__(self, tmp_path, chunk=500):
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.maildir = tmp_path / "mail"
        self.maildir.mkdir(exist_ok=True)
        self.log = tmp_path / "worker.log"
        self.chunk = chunk
        self.proc = None
        self.starts = 0

    def env(self):
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": REDIS_URL,
            "HK_TEST_KEY_PREFIX": KEY_PREFIX,
            "HK_TEST_MAILDIR": str(self.maildir),
            "HK_TEST_CHUNK": str(self.chunk),
            "PYTHONPATH": str(ROOT),
        }

    def start(self):
        assert connection.vendor == "postgresql", "the worker tests need PostgreSQL (a second process)"
        self.starts += 1
        celery = Path(sys.executable).with_name("celery")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(celery),
                    "-A",
                    "hkcourt",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"hk-test-{uuid.uuid4().hex[:8]}@%h",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self):
        """SIGKILL: no clean shutdown, no ack, no restore of the message in hand."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=60):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:]) if self.log.exists() else ""

    def mail_ids(self) -> list[str]:
        """Message-IDs of every e-mail in the mailbox, duplicates included."""
        ids = []
        for f in sorted(self.maildir.glob("*")):
            ids += re.findall(r"^Message-ID: (\S+)$", f.read_text(errors="replace"), flags=re.M)
        return ids


def wait_for(condition, *, timeout=60, interval=0.05, worker=None, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None and not worker.alive():
            pytest.fail(f"worker died while waiting for {what}:\n{worker.log_tail()}")
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}" + (f":\n{worker.log_tail()}" if worker else ""))
