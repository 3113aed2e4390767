"""Benchmark: pages timed through Django's test client on the seed_scale data (issue 12).

    make bench                      # creates, migrates and seeds hk_bench if needed, then runs this
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_bench .venv/bin/python bench/pages.py [--requests 50]

Each case is a page requested as one of the accounts of :mod:`bench.accounts` with DEBUG off: a few
warm-up requests, then ``--requests`` timed ones (a case that is still slow stops after ``--budget``
seconds and reports how many it made). For each: p50, p95 and max in milliseconds, the median time spent in
SQL (execution and planning, as the client sees it), the SQL queries of one request (counted in a separate
request), the response size and status. The
rows go to ``bench/results.json`` and ``bench/results.md`` with the machine, the load average before and
after, the data sizes and the date.

Covered: the risk list for staff, division head, deputy, president, office and leading group; the office's
list with a state tab, a campaign year, text searches, the grade sort and page 500 (typed and by its link);
the dashboard warm and cold; the campaign page; the inbox; the letters list; the API's risk point list; the
risk detail for its owner, the president and the office. Each case also gets its raw-SQL floor (the
request's reads replayed on a bare cursor) and p50 as a multiple of it. Then the exports, the throughput
against gunicorn (``bench/throughput.py``) and the periodic jobs and the import (``bench/jobs.py``).
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

import django.conf  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.accounts import ROLES, bench_accounts  # noqa: E402
from hkcourt.org.models import Court, Person  # noqa: E402
from risks import selectors  # noqa: E402
from risks.models import RiskGrading, RiskPoint, Transition  # noqa: E402
from risks.selectors import row_key  # noqa: E402
from workflow.models import Campaign  # noqa: E402

SETTINGS = {
    "DEBUG": False,
    "API_THROTTLE_RATES": {"token": "1000000/min", "anon": "1000000/min"},  # the API cases: 50+ a minute
    "ALLOWED_HOSTS": ["testserver"],
    "STORAGES": {
        **django.conf.settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


def cases(accounts):
    risk_list = reverse("risks:list")
    cases = [(f"risk list, {role}", role, risk_list, {}) for role in ROLES]
    cases += [
        ("risk list, office, tab 待审核", "office", risk_list, {"state": "submitted"}),
        ("risk list, office, campaign 2015", "office", risk_list, {"campaign": "2015"}),
        ("risk list, office, search 保全", "office", risk_list, {"q": "保全"}),
        ("risk list, office, search 竞买人", "office", risk_list, {"q": "竞买人"}),
        ("risk list, office, sort by grade", "office", risk_list, {"sort": "grade_rank"}),
        ("risk list, office, page 500", "office", risk_list, {"page": "500"}),
    ]
    # Page 500 reached by the "next" link: the link carries page 499's last row (keyset pagination).
    office_rows = selectors.risk_points(accounts["office"]).order_by("-updated_at", "-id")
    boundary = office_rows[499 * 20 - 1]
    cases.append(
        ("risk list, office, page 500 by its link", "office", risk_list, {"page": "500", "after": row_key(boundary)})
    )
    # The tab counts of a wide scope are cached for a minute (risks.selectors.state_counts): the same pages
    # with the cache's version moved on before every request, as after any write — the cold figure.
    cases += [
        (f"{name} (counts not cached)", role, url, {**params, COLD: True})
        for name, role, url, params in list(cases)
        if role in ("office", "leading group")
    ]
    # The dashboard: warm (its cache holds the figures; the fingerprint is still read) and cold (the cache
    # emptied before every request).
    dashboard = reverse("workflow:dashboard")
    for role in ("leading group", "president"):
        cases += [
            (f"dashboard, {role}, warm", role, dashboard, {}),
            (f"dashboard, {role}, cold", role, dashboard, {CLEAR: True}),
        ]
    # The campaign page (the running plan: progress of every task over the whole province), the inbox, the
    # letters list and the REST API's risk point list (the same selectors as the page, JSON, cursor pages).
    campaign = Campaign.objects.order_by("-year", "-id").first()
    if campaign is not None:
        page = reverse("workflow:campaign", args=[campaign.pk])
        cases += [(f"campaign page, {role}", role, page, {}) for role in ("office", "leading group", "president")]
    cases += [(f"inbox, {role}", role, reverse("notifications:inbox"), {}) for role in ("staff", "office")]
    cases += [(f"letters list, {role}", role, reverse("commitments:list"), {}) for role in ("office", "president")]
    api = "/api/v1/risk-points/"
    cases += [(f"API risk points, {role}", role, api, {}) for role in ("staff", "president", "office")]
    cases.append(("API risk points, office, search 保全", "office", api, {"q": "保全"}))
    staff = accounts["staff"]
    own = RiskPoint.objects.filter(owner=staff).exclude(state="draft").order_by("-updated_at", "-id").first()
    if own is not None:
        detail = reverse("risks:detail", args=[own.pk])
        cases += [
            ("risk detail, its owner (staff)", "staff", detail, {}),
            ("risk detail, president", "president", detail, {}),
            ("risk detail, office", "office", detail, {}),
        ]
    return cases


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


COLD = "__cold__"
CLEAR = "__clear_cache__"


def _data_changed():
    from risks.signals import _bump

    _bump()


def run_case(client, url, params, requests, budget, warmup):
    cold = bool(params.pop(COLD, False))
    clear = bool(params.pop(CLEAR, False))
    for _ in range(max(warmup, 1)):  # at least one: the counted request below (and its floor) sees warm caches
        client.get(url, params)
    if cold:
        _data_changed()
    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    count = len(queries.captured_queries)  # now: the next request clears the connection's query log
    statements = [q["sql"] for q in queries.captured_queries]
    times, sql_times = [], []
    spent = [0.0]

    def timed_sql(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - t

    started = time.perf_counter()
    while len(times) < requests and (time.perf_counter() - started < budget or len(times) < 5):
        spent[0] = 0.0
        if cold:
            _data_changed()
        if clear:
            cache.clear()
        t = time.perf_counter()
        with connection.execute_wrapper(timed_sql):
            client.get(url, params)
        times.append((time.perf_counter() - t) * 1000)
        sql_times.append(spent[0] * 1000)
    floor = raw_sql_floor(statements)
    p50 = statistics.median(times)
    return {
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": count,
        "floor_ms": round(floor, 1),
        "x_floor": round(p50 / floor, 1) if floor else None,
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "sql_p50_ms": round(statistics.median(sql_times), 1),
    }


FLOOR_RUNS = 5
READS = ("SELECT", "(SELECT", "WITH")


def raw_sql_floor(statements):
    """The raw-SQL floor of a request: the reads it ran (its captured statements, parameters bound), executed
    again on a bare cursor with no ORM, template or middleware — the median of FLOOR_RUNS runs of the whole
    set, in ms. Writes (the session, an audit row) and transaction statements are not replayed."""
    reads = [sql for sql in statements if sql.lstrip().upper().startswith(READS)]
    runs = []
    with connection.cursor() as cursor:
        for _ in range(FLOOR_RUNS):
            t = time.perf_counter()
            for sql in reads:
                cursor.execute(sql)
                cursor.fetchall()
            runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


EXPORTS = [
    ("export CSV, one basic court", {"format": "csv", "court": "sc-i01-b01"}),
    ("export CSV, campaign 2015", {"format": "csv", "campaign": "2015"}),
    ("export xlsx, campaign 2015", {"format": "xlsx", "campaign": "2015"}),
    ("export CSV, division level (every year)", {"format": "csv", "level": "division"}),
    # The largest single filter short of everything: ~75,000 rows at 400,000 points (the 100,000).
    ("export CSV, grade 高 (every year)", {"format": "csv", "grade": "high"}),
]


def run_exports(accounts, only=""):
    """The office's export of the list (risks:export) with a filter: one request each, the streamed body read
    to the end; rows/s, SQL queries, and the process's peak memory (a high-water mark: it only grows)."""
    import io
    import resource

    from openpyxl import load_workbook

    client = Client()
    client.force_login(accounts["office"])
    rows = []
    for name, params in EXPORTS:
        if only and only not in name:
            continue
        params = dict(params)
        if "court" in params:
            params["court"] = str(Court.objects.get(code=params["court"]).pk)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            response = client.get(reverse("risks:export"), params)
            body = b"".join(response.streaming_content)
            seconds = time.perf_counter() - t
        if params["format"] == "xlsx":
            lines = sum(1 for _ in load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows()) - 1
        else:
            lines = body.count(b"\r\n") - 1  # csv.writer ends lines with CRLF; no field here holds one
        row = {
            "case": name,
            "rows": lines,
            "seconds": round(seconds, 2),
            "rows_per_s": round(lines / seconds),
            "queries": len(queries.captured_queries),
            "MB": round(len(body) / 1e6, 1),
            "peak_rss_MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rss_growth_MB": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024),
        }
        rows.append(row)
        print(f"{name:<40} {lines:>8,} rows {seconds:>7.2f} s {row['rows_per_s']:>7,} rows/s {row['queries']} queries")
    return rows


def machine():
    def command(*args):
        try:
            return subprocess.run(args, capture_output=True, text=True, check=False, timeout=10).stdout.strip()
        except OSError:
            return ""

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": postgres if connection.vendor == "postgresql" else connection.vendor,
        "commit": command("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "dirty": bool(command("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no")),
    }


def data_sizes():
    return {
        "courts": Court.objects.count(),
        "people": Person.objects.count(),
        "risk_points": RiskPoint.objects.count(),
        "gradings": RiskGrading.objects.count(),
        "transitions": Transition.objects.count(),
    }


def write(results, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    m = results["machine"]
    lines = [
        "# Benchmark results (generated by `make bench`; see bench/README.md)",
        "",
        f"- date: {results['date']}; commit {m['commit']}{' (with uncommitted changes)' if m['dirty'] else ''}",
        f"- machine: {m['host']}, {m['cpus']} CPUs, {m['platform']}; Python {m['python']}, Django {m['django']};"
        f" {m['database']}",
        f"- load average (1, 5, 15 min) before: {results['load_before']}, after: {results['load_after']}",
        "- data: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in results["data"].items()),
        f"- DEBUG off, Django test client, {results['requests']} timed requests per case after "
        f"{results['warmup']} warm-up ones (fewer when a case exceeds {results['budget']} s)",
        "",
        "The raw-SQL floor is the request's reads replayed on a bare cursor (median of "
        f"{FLOOR_RUNS}); × floor is p50 over it (the goal: ≤ 3).",
        "",
        "| case | account | queries | p50 ms | p95 ms | max ms | SQL p50 ms | floor ms | × floor | requests | KB |"
        " status |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["cases"]:
        lines.append(
            f"| {row['case']} | {row['account']} | {row['queries']} | {row['p50_ms']:,} | {row['p95_ms']:,} |"
            f" {row['max_ms']:,} | {row['sql_p50_ms']:,} | {row['floor_ms']:,} | {row['x_floor'] or '–'} |"
            f" {row['requests']} | {row['bytes'] / 1024:,.0f} |"
            f" {row['status']} |"
        )
    if results.get("exports"):
        lines += [
            "",
            "Exports (the office, `risks:export`, the body streamed to the end; one request each):",
            "",
            "| case | rows | s | rows/s | queries | MB | peak RSS MB | RSS growth MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in results["exports"]:
            lines.append(
                f"| {row['case']} | {row['rows']:,} | {row['seconds']} | {row['rows_per_s']:,} | {row['queries']} |"
                f" {row['MB']} | {row['peak_rss_MB']} | {row['rss_growth_MB']} |"
            )
    if results.get("throughput"):
        lines += [
            "",
            "Throughput under concurrent load (`bench/throughput.py`: gunicorn, 2 sync workers, 4 keep-alive clients on"
            " the same machine):",
            "",
            "| case | req/s | % of the bare view | requests | failed |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in results["throughput"]:
            lines.append(
                f"| {row['case']} | {row['req_per_s']} | {row['share_of_bare_pct']} | {row['requests']} |"
                f" {row['failed']} |"
            )
    if results.get("jobs"):
        lines += [
            "",
            "Periodic jobs over the whole data and the office's import (`bench/jobs.py`: the services, each in a"
            " transaction rolled back afterwards, so every run is a first run):",
            "",
            "| job | s | queries | rows/s | result | RSS growth MB |",
            "| --- | ---: | ---: | ---: | --- | ---: |",
        ]
        for row in results["jobs"]:
            lines.append(
                f"| {row['case']} | {row['seconds']} | {row['queries']:,} |"
                f" {row.get('rows_per_s') or '–'} | {row['result']} | {row['rss_growth_MB']} |"
            )
    (out / "results.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case before it stops early")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this text")
    parser.add_argument("--out", default=str(ROOT / "bench"), help="folder for results.json and results.md")
    args = parser.parse_args()
    accounts = bench_accounts()
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "data": data_sizes(),
        "requests": args.requests,
        "warmup": args.warmup,
        "budget": args.budget,
        "cases": [],
    }
    with override_settings(**SETTINGS):
        for name, role, url, params in cases(accounts):
            if args.only and args.only not in name:
                continue
            client = Client()
            client.force_login(accounts[role])
            row = run_case(client, url, params, args.requests, args.budget, args.warmup)
            row = {"case": name, "account": accounts[role].username, "url": url, "params": params, **row}
            results["cases"].append(row)
            print(
                f"{name:<40} {row['queries']:>3} queries  p50 {row['p50_ms']:>8,.1f}  p95 {row['p95_ms']:>8,.1f} ms"
                f"  SQL {row['sql_p50_ms']:>8,.1f} ms  floor {row['floor_ms']:>7,.1f} ms × {row['x_floor']}"
                f"  ({row['requests']} requests, status {row['status']})",
                flush=True,
            )
        if not args.only or "export" in args.only:
            results["exports"] = run_exports(accounts, "" if args.only == "export" else args.only)
        if not args.only or "throughput" in args.only:
            from bench.throughput import run_throughput

            results["throughput"] = run_throughput(accounts)
        if not args.only or "job" in args.only:
            from bench.jobs import run_jobs

            results["jobs"] = run_jobs(accounts)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    write(results, Path(args.out))


if __name__ == "__main__":
    main()
