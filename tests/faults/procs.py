"""Throw-away services for the fault scenarios (issue 11): a private PostgreSQL (initdb + pg_ctl on a spare port
in a temporary directory, trust authentication) and a private Redis (``redis-server`` on a spare port, no
persistence), each one this test alone may stop and start again — never the shared servers on 5432/6379 —
and the application itself as a gunicorn process pointed at them.

The tools are required through ``tests/requires.py``: under CI a missing one fails the test, it never skips."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.requires import require_tool

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("HK_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout=30.0, interval=0.05, what="condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    tail = f":\n{log()}" if log else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}{tail}")


def _tail(path: Path, n=40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:]) if path.exists() else ""


def pg_tool(name: str) -> str:
    path = PG_BIN / name
    if path.exists():
        return str(path)
    return require_tool(name)


class PrivatePostgres:
    """A PostgreSQL cluster of its own: ``start()``, ``stop()`` (fast shutdown: every connection is cut),
    ``restart()``. As root the server runs as the ``postgres`` account (PostgreSQL refuses root)."""

    def __init__(self):
        self.initdb, self.pg_ctl = pg_tool("initdb"), pg_tool("pg_ctl")
        self.as_user = "postgres" if os.geteuid() == 0 else None
        self.dir = Path(tempfile.mkdtemp(prefix="hk-faults-pg-"))
        if self.as_user:
            shutil.chown(self.dir, user=self.as_user)
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._run([self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])

    def _run(self, argv, check=True):
        return subprocess.run(argv, user=self.as_user, capture_output=True, text=True, check=check, timeout=60)

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        done = self._run([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"], False)
        assert done.returncode == 0, done.stdout + done.stderr + _tail(self.log)
        return self

    def stop(self):
        self._run([self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"], check=False)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def copy_from(self, source_url: str):
        """The source database (the test database, its rows committed) restored here: schema and rows."""
        dump = self.dir / "copy.dump"
        pg_dump, pg_restore = require_tool("pg_dump"), require_tool("pg_restore")
        subprocess.run([pg_dump, "-Fc", "-f", str(dump), "--no-owner", source_url], check=True, timeout=120)
        subprocess.run(
            [pg_restore, "--no-owner", "-d", self.url, str(dump)], check=True, timeout=120, capture_output=True
        )


class PrivateRedis:
    """``redis-server`` on a spare port, no persistence, in the foreground as a child of the test."""

    def __init__(self):
        self.binary = require_tool("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what="the private Redis")
        return self

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # as a crash would: nothing saved, every client cut
            self.proc.wait(10)


class AppServer:
    """The application under gunicorn (``workers`` processes, as in production) with the database and cache
    configuration production uses (``tests/faults/server_settings.py``), on the given database and Redis."""

    def __init__(self, tmp: Path, *, database_url: str, redis_url: str, workers=2, extra_env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "gunicorn.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "faults-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "PUBLIC_BASE_URL": "http://127.0.0.1/",
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        self.workers = workers
        self.proc = None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(gunicorn),
                    "hkcourt.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "2",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._up, timeout=60, what="gunicorn", log=self.tail)
        return self

    def _up(self):
        assert self.proc.poll() is None, f"gunicorn exited:\n{self.tail()}"
        try:
            requests.get(self.base + "/healthz", timeout=2)
            return True
        except requests.RequestException:
            return False

    def pids(self) -> set[int]:
        """gunicorn's worker processes (a restart of the application would change them)."""
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return {int(p) for p in out.stdout.split()}

    def tail(self, n=60) -> str:
        return _tail(self.log, n)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
