"""Load run (issue 11, "then prove it" 5): N concurrent clients for S seconds against gunicorn on PostgreSQL with
the seeded demo, reading and writing as several demo roles; every write the server acknowledged is looked up in
the database afterwards. Prints (and with --write, appends to bench/README.md) req/s, p50/p95 per request kind,
the answers by status, lost writes, the load average, the date and the commit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_load .venv/bin/python bench/load.py [--prepare]
        [--clients 50] [--seconds 60] [--workers 3]

--prepare migrates the database and seeds the demo (manage.py migrate; seed_demo) first. The server runs the
production settings (hkcourt.settings.prod: CONN_MAX_AGE, health checks, the cache and broker on Redis, PBKDF2
passwords) through bench/load_settings.py, which only undoes what needs HTTPS, on a private redis-server
started here. The clients (threads + requests), per role:

- staff (staff_demo): the home page and the risk list; a new draft (API POST), an edit of it (PATCH), its
  submission (POST submit/) — each acknowledged answer remembered;
- division head (head_demo): the risk list; grades a submitted point of the division (POST grade/; a 409 when
  another head client graded it first is a refusal, not a write);
- office (office_demo) and leading group (leader_demo): the risk list, its state tabs, the API list, the
  dashboard;
- the public: a court's public page and a feedback post (each client a different address behind the proxy:
  RISKS_TRUSTED_PROXIES=127.0.0.1, X-Forwarded-For).

Afterwards: each acknowledged draft exists with its last acknowledged text, each acknowledged submission and
grade is in the point's state and grade, each acknowledged feedback is stored. A write is lost if not.
"""

import argparse
import datetime as dt
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "hegang2012"  # the demo accounts' documented password
CSRF = "c" * 32


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.errors = Counter()
        # acknowledged writes
        self.drafts = {}  # id -> last acknowledged description
        self.submitted = set()
        self.graded = {}  # id -> grade
        self.feedback = set()

    def note(self, kind, status, seconds):
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[kind][status] += 1


class Client:
    def __init__(self, base, stats, deadline, rng):
        self.base, self.stats, self.deadline, self.rng = base, stats, deadline, rng
        self.http = requests.Session()
        self.http.cookies.set("csrftoken", CSRF)
        self.http.headers["X-CSRFToken"] = CSRF

    def call(self, kind, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            self.stats.note(kind, exc.__class__.__name__, time.monotonic() - started)
            return None
        self.stats.note(kind, response.status_code, time.monotonic() - started)
        return response

    def login(self, username):
        self.http.cookies.clear()
        self.http.get(self.base + "/accounts/login/", timeout=120)  # the server's CSRF cookie
        response = self.http.post(
            self.base + "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=120,
        )
        assert response.status_code == 302, (username, response.status_code, response.text[:300])
        # signing in rotates the CSRF secret: the header follows the new cookie
        self.http.headers["X-CSRFToken"] = self.http.cookies["csrftoken"]

    def run(self):
        while time.monotonic() < self.deadline:
            self.step()


class Staff(Client):
    def step(self):
        self.call("staff: home page", "GET", "/")
        self.call("staff: risk list", "GET", "/risks/?mine=1")
        marker = uuid.uuid4().hex[:12]
        created = self.call(
            "staff: new draft (API)",
            "POST",
            "/api/v1/risk-points/",
            json={"description": f"负载测试草稿{marker}", "manifestations": "负载测试的主要表现形式"},
        )
        if created is None or created.status_code != 201:
            if created is not None and os.environ.get("LOAD_DEBUG"):
                print(created.status_code, created.text[:300])
            return
        body = created.json()
        with self.stats.lock:
            self.stats.drafts[body["id"]] = body["description"]
        edited = self.call(
            "staff: edit draft (API)",
            "PATCH",
            f"/api/v1/risk-points/{body['id']}/",
            json={"description": f"负载测试草稿{marker}（已修改）", "version": body["version"]},
        )
        if edited is None or edited.status_code != 200:
            return
        body = edited.json()
        with self.stats.lock:
            self.stats.drafts[body["id"]] = body["description"]
        if self.rng.random() < 0.5:
            done = self.call(
                "staff: submit (API)",
                "POST",
                f"/api/v1/risk-points/{body['id']}/submit/",
                json={"version": body["version"]},
            )
            if done is not None and done.status_code == 200:
                with self.stats.lock:
                    self.stats.submitted.add(body["id"])


class Head(Client):
    def step(self):
        self.call("head: risk list", "GET", "/risks/")
        listed = self.call("head: submitted (API)", "GET", "/api/v1/risk-points/?state=submitted")
        if listed is None or listed.status_code != 200:
            return
        rows = [r for r in listed.json()["results"] if r["description"].startswith("负载测试草稿")]
        if not rows:
            time.sleep(0.2)
            return
        row = self.rng.choice(rows)
        grade = self.rng.choice(["high", "medium", "low"])
        factors = {k: self.rng.randint(1, 3) for k in ("importance", "discretion", "probability", "harm")}
        done = self.call(
            "head: grade (API)",
            "POST",
            f"/api/v1/risk-points/{row['id']}/grade/",
            json={**factors, "grade": grade, "reason": "负载测试评级", "version": row["version"]},
        )
        if done is not None and done.status_code == 200:
            with self.stats.lock:
                self.stats.graded[row["id"]] = grade


class Office(Client):
    PAGES = ("/risks/", "/risks/?state=submitted", "/risks/?state=graded", "/dashboard/", "/api/v1/risk-points/")

    def step(self):
        path = self.rng.choice(self.PAGES)
        self.call(f"{self.role}: {path.split('?')[0]}{'?state' if '?' in path else ''}", "GET", path)


class Public(Client):
    def step(self):
        address = f"10.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
        headers = {"X-Forwarded-For": address}
        self.call("public: court page", "GET", "/public/hgzy/", headers=headers)
        text = f"负载测试群众意见{uuid.uuid4().hex[:12]}"
        posted = self.call(
            "public: feedback",
            "POST",
            "/public/hgzy/",
            data={"text": text, "contact": "", "risk_point": "", "csrfmiddlewaretoken": CSRF},
            headers=headers,
        )
        if posted is not None and posted.status_code == 302:
            with self.stats.lock:
                self.stats.feedback.add(text)


def start_redis(tmp):
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"redis://127.0.0.1:{port}/0"


def start_gunicorn(env, port, workers, log):
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "hkcourt.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--backlog",
            "256",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            sys.exit("gunicorn did not start: see " + log.name)
        time.sleep(0.1)
    sys.exit("gunicorn did not answer /healthz")


def verify(stats):
    """Every acknowledged write, looked up in the database. Returns (checked, lost, details)."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "hkcourt.settings.dev"
    django.setup()
    from risks.models import PublicFeedback, RiskPoint, State

    lost = []
    points = {rp.pk: rp for rp in RiskPoint.objects.filter(pk__in=list(stats.drafts) + list(stats.graded))}
    for pk, description in stats.drafts.items():
        rp = points.get(pk)
        if rp is None or rp.description != description:
            lost.append(("draft", pk))
    for pk in stats.submitted:
        rp = points.get(pk)
        if rp is None or rp.state == State.DRAFT:
            lost.append(("submit", pk))
    for pk, grade in stats.graded.items():
        rp = points.get(pk)
        if rp is None or rp.grade != grade or rp.state != State.GRADED:
            lost.append(("grade", pk))
    stored = set(PublicFeedback.objects.filter(text__in=stats.feedback).values_list("text", flat=True))
    lost += [("feedback", t) for t in stats.feedback - stored]
    checked = len(stats.drafts) + len(stats.submitted) + len(stats.graded) + len(stats.feedback)
    return checked, lost


def _role_of(share, roles):
    """The role of the client at ``share`` (0 ≤ share < 1) of the list, by the roles' weights."""
    acc = 0.0
    for role, cls, username, weight in roles:
        acc += weight
        if share < acc:
            return role, cls, username
    return roles[-1][:3]


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--prepare", action="store_true", help="migrate and seed the demo first")
    parser.add_argument("--write", action="store_true", help="append the figures to bench/README.md")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (the load run's own: it is written to)")
    python = sys.executable
    if args.prepare:
        base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hkcourt.settings.dev", "CELERY_BROKER_URL": "memory://"}
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=base_env, check=True)
        subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=base_env, check=True)

    tmp = ROOT / "var" / "load"
    tmp.mkdir(parents=True, exist_ok=True)
    redis_proc, redis_url = start_redis(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": redis_url,
        "SECRET_KEY": "load-run-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PUBLIC_BASE_URL": "http://127.0.0.1/",
        "HKCOURT_REQUIRE_2FA": "0",  # the demo accounts have no authenticator
        "SECURE_SSL_REDIRECT": "0",
        "RISKS_TRUSTED_PROXIES": "127.0.0.1",  # the public clients come "through the proxy", each its own address
        "API_RATE_TOKEN": "100000/min",  # twenty clients share staff_demo: a person's API budget does not apply
        "LOG_LEVEL": "WARNING",
    }
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - open for the server's lifetime
    server, base = start_gunicorn(env, free_port(), args.workers, log)
    stats = Stats()
    try:
        roles = [("staff", Staff, "staff_demo", 0.40), ("head", Head, "head_demo", 0.16)]
        roles += [("office", Office, "office_demo", 0.16), ("leading group", Office, "leader_demo", 0.08)]
        roles += [("public", Public, None, 0.20)]
        clients = []
        for i in range(args.clients):
            role, cls, username = _role_of(i / args.clients, roles)
            client = cls(base, stats, 0, random.Random(i))
            client.role, client.username = role, username
            clients.append(client)
        signing_in = [threading.Thread(target=c.login, args=(c.username,)) for c in clients if c.username]
        for t in signing_in:
            t.start()
        for t in signing_in:
            t.join()
        assert all(c.http.cookies.get("sessionid") for c in clients if c.username), "a client could not sign in"
        load_before = os.getloadavg()
        started = time.monotonic()
        for client in clients:
            client.deadline = started + args.seconds
        threads = [threading.Thread(target=c.run) for c in clients]
        for t in threads:
            t.start()
        loads = []
        while any(t.is_alive() for t in threads):
            loads.append(os.getloadavg()[0])
            time.sleep(1)
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        redis_proc.kill()
        log.close()

    checked, lost = verify(stats)
    total = sum(len(v) for v in stats.times.values())
    server_errors = sum(n for c in stats.statuses.values() for s, n in c.items() if isinstance(s, int) and s >= 500)
    failures = sum(n for c in stats.statuses.values() for s, n in c.items() if not isinstance(s, int))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    role_counts = Counter(c.role for c in clients)
    lines = [
        f"### Load run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip()}",
        "",
        f"`{' '.join(['bench/load.py', *sys.argv[1:]])}` — {args.clients} clients "
        f"({', '.join(f'{n} {r}' for r, n in role_counts.items())}) for {args.seconds} s against gunicorn "
        f"({args.workers} sync workers) on PostgreSQL with the seeded demo; {os.cpu_count()} CPUs shared with other "
        f"sessions: load average {load_before[0]:.2f} before, {statistics.mean(loads):.2f} mean / "
        f"{max(loads):.2f} max during the run.",
        "",
        f"**{total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s; 5xx: {server_errors}; "
        f"connection errors/timeouts: {failures}; acknowledged writes checked in the database afterwards: "
        f"{checked} (drafts {len(stats.drafts)}, submissions {len(stats.submitted)}, grades "
        f"{len(stats.graded)}, public feedback {len(stats.feedback)}); lost: {len(lost)}.**",
        "",
        "| request kind | n | p50 ms | p95 ms | max ms | answers |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for kind in sorted(stats.times):
        times = stats.times[kind]
        answers = ", ".join(f"{s}: {n}" for s, n in sorted(stats.statuses[kind].items(), key=lambda x: str(x[0])))
        lines.append(
            f"| {kind} | {len(times)} | {pct(times, 50):,.0f} | {pct(times, 95):,.0f} | "
            f"{max(times) * 1000:,.0f} | {answers} |"
        )
    report = "\n".join(lines)
    print(report)
    if lost:
        print("LOST:", lost[:20])
    if args.write:
        readme = ROOT / "bench" / "README.md"
        text = readme.read_text()
        marker = "<!-- load runs: bench/load.py --write appends below -->"
        readme.write_text(re.sub(re.escape(marker), lambda _m: marker + "\n\n" + report + "\n", text, count=1))
    sys.exit(1 if server_errors or failures or lost else 0)


if __name__ == "__main__":
    main()
