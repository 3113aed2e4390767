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
import resource
import time

from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext


class _Rollback(Exception):
    pass


def _run(label, func):
    reset_queries()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = None
    with CaptureQueriesContext(connection) as ctx:
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
        "queries": len(ctx.captured_queries),
        "result": result if isinstance(result, int | str | float) else _summary(result),
        "rss_growth_MB": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024),
    }
    print(f"{label:<52} {seconds:7.2f} s {row['queries']:>6} queries  result={row['result']}", flush=True)
    return row


def _summary(result):
    if isinstance(result, dict):
        return ", ".join(f"{k}={len(v) if isinstance(v, list | tuple | set) else v}" for k, v in result.items())
    return str(result)[:80]


def run_jobs():
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
    return rows
