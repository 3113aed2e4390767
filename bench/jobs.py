"""The periodic jobs over the province-scale data (issue 12): the deadline sweep and the warning evaluation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_bench .venv/bin/python bench/pages.py --only job

Called by ``bench/pages.py`` (so ``make bench`` writes them to ``bench/results.md`` / ``.json``). Each job runs
the service the beat schedule runs, on the seeded data, inside a transaction that is rolled back afterwards:
every run of the benchmark measures the *first* run (nothing already sent), and the benchmark database is left
as it was. Celery side effects queued on commit therefore never fire: the figures are the database work and
the Python around it. The reminders are run on the day they fall due for the running campaign's
"查找廉政风险" task (every staff member, 7 days before its deadline), the escalation the day after it.
"""

import datetime as dt
import os
import resource
import time

from django.db import connection, transaction


class _Rollback(Exception):
    pass


def _run(label, func):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = None
    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1  # not the query log: a bounded deque of 9,000
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        t = time.perf_counter()
        try:
            with transaction.atomic():
                result = func()
                raise _Rollback
        except _Rollback:
            pass
        seconds = time.perf_counter() - t
    row = {
        "case": label,
        "seconds": round(seconds, 2),
        "queries": count[0],
        "result": result if isinstance(result, int | str | float) else _summary(result),
        "rss_growth_MB": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024),
    }
    print(f"{label:<52} {seconds:7.2f} s {row['queries']:>6} queries  result={row['result']}", flush=True)
    return row


def _summary(result):
    if isinstance(result, dict):
        return ", ".join(f"{k}={len(v) if isinstance(v, list | tuple | set) else v}" for k, v in result.items())
    return str(result)[:80]


def run_jobs(accounts=None):
    from workflow import services
    from workflow.models import PhaseTask
    from workflow.oversight import services as oversight

    task = (
        PhaseTask.objects.filter(phase__campaign__is_template=False, code="find-risks")
        .order_by("-phase__campaign__year")
        .first()
    )
    rows = []
    if task is not None:
        days = max(int(d) for d in (task.reminder_days or "7").split(",") if d.strip())
        due = task.deadline - dt.timedelta(days=days)
        after = task.deadline + dt.timedelta(days=1)
        rows.append(
            _run(
                f"deadline reminders ({due:%Y-%m-%d}, {days} days before)",
                lambda: services.send_deadline_reminders(today=due),
            )
        )
        rows.append(_run(f"escalation ({after:%Y-%m-%d}, day after)", lambda: services.escalate_overdue(today=after)))
    rows.append(_run("warning evaluation (every enabled rule)", lambda: oversight.evaluate_warnings()))
    if accounts is not None:
        rows += run_import(accounts["office"])
    return rows


# The issue asks for 10,000 rows; the import still queries per row (~9 a row checked, ~22 committed: ~10 ms
# each under load), so 10,000 rows take tens of minutes on this machine and make bench would pass its
# 30 minutes. The default is 500 (BENCH_IMPORT_ROWS=10000 for the full figure); a file of more than 2,000
# rows would pass the import's 2 MB limit (risks.services), so larger counts go as several files.
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "500"))
IMPORT_BATCH = min(IMPORT_ROWS, 2_000)


def import_file(court, rows=IMPORT_BATCH):
    """A CSV of ``rows`` risk points for ``court`` in the import's columns, built from the court's own points
    (their levels, divisions, posts, powers, texts, sources and key links: every row valid), cycled."""
    import csv
    import io

    from risks.models import RiskPoint, Source
    from risks.resources import RISK_COLUMNS

    sources = dict(Source.choices)
    points = list(
        RiskPoint.objects.filter(court=court)
        .select_related("division", "post", "power")
        .order_by("id")[:2000]
        .values_list("level", "division__name", "post__name", "power__name", "description", "manifestations", "source")
    )
    from risks.models import Level

    levels = dict(Level.choices)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(RISK_COLUMNS.values()))
    for i in range(rows):
        level, division, post, power, description, manifestations, source = points[i % len(points)]
        writer.writerow(
            [levels[level], division or "", post or "", power or "", "", description, manifestations,
             sources[source], ""]
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def run_import(office):
    """The office's import of IMPORT_ROWS risk points (risks.services.import_risk_points): the check (dry run)
    and the commit, each rolled back; rows/s, queries and the growth of the process's peak memory."""
    from hkcourt.org.models import Person
    from risks import services

    court = Person.objects.get(user=office).court
    content = import_file(court, IMPORT_BATCH)
    files = max(1, IMPORT_ROWS // IMPORT_BATCH)
    rows = []
    for label, commit in (("dry run", False), ("commit", True)):

        def batches(commit=commit):
            return "; ".join(
                _outcome(
                    services.import_risk_points(
                        actor=office, court=court, filename="bench.csv", content=content, commit=commit
                    )
                )
                for _ in range(files)
            )

        row = _run(f"import {IMPORT_ROWS:,} rows ({files} files of {IMPORT_BATCH:,}), {label}", batches)
        row["rows_per_s"] = round(IMPORT_ROWS / row["seconds"]) if row["seconds"] else None
        rows.append(row)
    return rows


def _outcome(outcome):
    invalid = sum(1 for r in outcome.rows if not r["ok"])
    return f"committed={outcome.committed}, rows={len(outcome.rows)}, invalid={invalid}" + (
        f", file error={outcome.file_error}" if outcome.file_error else ""
    )
