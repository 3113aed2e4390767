"""Benchmark: the risk-point import (issue 12). Not a test: it prints figures for bench/README.md.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_write10_t
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/imports.py --rows 2000 10000

For each size it builds a CSV of that many valid rows of the demo's intermediate court (post-, division- and
court-level points cycling over its divisions, posts, powers, steps and key links) and runs
``risks.services.import_risk_points`` as office_demo twice: a dry run (``commit=False``) and a commit, each
inside a transaction that is rolled back afterwards (the database is left as it was). It reports seconds,
rows/s and the number of SQL queries of each run. Above ``MAX_ROWS`` (2,000, the upload's limit) the limit is
raised for the run: the 10,000-row figure shows how the cost grows, not what a user can upload.
"""

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from hkcourt.org.models import Court, Post  # noqa: E402
from risks import resources, services  # noqa: E402
from risks.models import KeyLink, Power, PowerStep  # noqa: E402


class Rollback(Exception):
    pass


def build_csv(court, rows: int) -> bytes:
    posts = list(Post.objects.filter(division__court=court).select_related("division").order_by("id"))
    powers = {}
    for power in Power.objects.filter(court=court, division__isnull=False).order_by("id"):
        powers.setdefault(power.division_id, []).append(power)
    steps = {}
    for step in PowerStep.objects.filter(power__court=court).order_by("order"):
        steps.setdefault(step.power_id, []).append(step.name)
    links = list(KeyLink.objects.order_by("sort_order").values_list("name", flat=True))
    court_powers = list(Power.objects.filter(court=court, division__isnull=True).values_list("name", flat=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(resources.RISK_COLUMNS.values()))
    for n in range(rows):
        post = posts[n % len(posts)]
        kind = n % 10
        if kind == 9 and court_powers:  # a court-level point
            writer.writerow(
                ["单位", "", "", court_powers[n % len(court_powers)], "", f"单位层面风险点{n}：重大事项决策程序不规范",
                 "未经集体研究即作出决定", "组织评", links[n % len(links)]]
            )  # fmt: skip
            continue
        division_powers = powers.get(post.division_id, [])
        power = division_powers[n % len(division_powers)] if division_powers and n % 3 else None
        step = ""
        if power is not None and steps.get(power.pk) and n % 2:
            step = steps[power.pk][n % len(steps[power.pk])]
        level = "庭室" if kind == 8 else "岗位"
        writer.writerow(
            [
                level,
                post.division.name,
                post.name if level == "岗位" else "",
                power.name if power else "",
                step,
                f"第{n}号风险点：审查把关不严，对当事人提交的材料未逐项核对即予办理",
                "对材料真实性审查流于形式；未按规定报请审批；事后补签审批手续",
                ("组织评", "集体定", "群众提")[n % 3],
                "、".join(links[(n + i) % len(links)] for i in range(n % 3)),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def run(actor, court, content, rows, *, commit):
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        try:
            with transaction.atomic():
                outcome = services.import_risk_points(
                    actor=actor, court=court, filename="bench.csv", content=content, commit=commit
                )
                elapsed = time.perf_counter() - start
                raise Rollback
        except Rollback:
            pass
    assert outcome.ok and outcome.counts["total"] == rows, (outcome.file_error, outcome.rows[:3])
    assert outcome.committed == commit
    return elapsed, count[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    actor = get_user_model().objects.get(username="office_demo")
    court = Court.objects.get(code="hgzy")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print("| rows | run | seconds | rows/s | queries |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for rows in args.rows:
        resources.MAX_ROWS = max(resources.MAX_ROWS, rows)
        resources.MAX_BYTES = max(resources.MAX_BYTES, 800 * rows)
        content = build_csv(court, rows)
        for _ in range(args.repeat):
            for commit in (False, True):
                elapsed, queries = run(actor, court, content, rows, commit=commit)
                name = "commit" if commit else "dry run"
                print(f"| {rows:,} | {name} | {elapsed:.2f} | {rows / elapsed:,.0f} | {queries:,} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
