"""Throughput under concurrent load against gunicorn (issue 12), called by ``bench/pages.py``.

Starts ``gunicorn bench.wsgi_bench:application`` with 2 sync workers (the machine has 2 CPUs) on a free port
against the benchmark database, signs the accounts in (a session cookie each, made by Django's test
client), then for each case keeps ``CONCURRENCY`` keep-alive connections busy for ``SECONDS`` seconds and
counts the completed 200 responses: requests per second, and the share of the bare Django view's rate in
the same run (the issue's goal for the risk list: ≥ 35 %). The load generator runs on the same 2 CPUs, so
the absolute rates are low; the shares are the figure to compare. gunicorn is stopped by its process id.
"""

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 4
SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "15"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path, cookie, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _load(port, path, cookie, seconds):
    done, failed = [0], [0]
    stop = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[0] += 1
                else:
                    failed[0] += 1
            except (OSError, http.client.HTTPException):
                failed[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return done[0] / elapsed, done[0], failed[0]


def run_throughput(accounts):
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    def cookie(role):
        client = Client()
        client.force_login(accounts[role])
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    cases = [
        ("bare Django view (signed in, every middleware)", "/bench/bare/", cookie("office")),
        ("risk list, staff", reverse("risks:list"), cookie("staff")),
        ("risk list, office", reverse("risks:list"), cookie("office")),
        ("dashboard, leading group (warm)", reverse("workflow:dashboard"), cookie("leading group")),
    ]
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hkcourt.settings.dev"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "bench.wsgi_bench:application", "--workers=2", "--timeout=120",
         f"--bind=127.0.0.1:{port}", "--log-level=warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    rows = []
    try:
        deadline = time.perf_counter() + 60
        while True:
            try:
                if _get(port, "/bench/bare/", None, timeout=5) == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.5)
        bare_rate = None
        for label, path, session in cases:
            _get(port, path, session)  # warm-up: both workers' caches and the dashboard's cache
            _get(port, path, session)
            rate, done, failed = _load(port, path, session, SECONDS)
            bare_rate = bare_rate or rate
            row = {
                "case": label,
                "path": path,
                "req_per_s": round(rate, 1),
                "requests": done,
                "failed": failed,
                "share_of_bare_pct": round(100 * rate / bare_rate, 1) if bare_rate else None,
            }
            rows.append(row)
            print(f"{label:<48} {rate:8.1f} req/s  {row['share_of_bare_pct']:>5} % of bare  ({failed} failed)")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return rows
