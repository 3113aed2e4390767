"""EXPLAIN ANALYZE of the risk list's three queries for each role, on the seed_scale data (issue 12).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_bench .venv/bin/python bench/scope_explain.py [--runs 3]

For staff, division head, deputy leader, president, office and leading group (the accounts of
:func:`bench.accounts.bench_accounts`) it runs the queries the list page runs — the state tabs' GROUP BY,
the paginator's COUNT and the first 20 rows in the default order — under ``EXPLAIN (ANALYZE, FORMAT
JSON)``, and prints a Markdown table: the best execution time over ``--runs`` runs, and how the plan
reaches ``risks_riskpoint`` (sequential scan or which indexes). A second table does the same for the
office's list (the widest scope) with each common filter, the grade sort and page 500. The figures before
and after a change to the scope or the indexes go to ``bench/scope.md``.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from bench.accounts import ROLES, bench_accounts  # noqa: E402
from risks import selectors  # noqa: E402
from risks.filters import text_search  # noqa: E402

TABLE = "risks_riskpoint"


def plan_of(queryset, *, count=False):
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    if count:
        sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return json.loads(plan)[0] if isinstance(plan, str) else plan[0]


def table_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def access_paths(node, found=None, indexes=None):
    """How the plan reads the risk point table: 'Seq Scan', or the index names it uses."""
    found = [] if found is None else found
    indexes = table_indexes() if indexes is None else indexes
    if node.get("Relation Name") == TABLE or node.get("Index Name") in indexes:
        if node["Node Type"] in ("Seq Scan", "Parallel Seq Scan"):
            label = node["Node Type"]
        else:
            label = f"{node['Node Type']} {node.get('Index Name', '')}".strip()
        if label not in found:
            found.append(label)
    for child in node.get("Plans", []):
        access_paths(child, found, indexes)
    return found


def page_rows(queryset, order=("-updated_at", "-id"), offset=0, seek=None):
    """The rows query of a list page as the page builds it (risks.selectors.ListRows: the page's ids first)."""
    sort = next((k for k, v in selectors.SORT_FIELDS.items() if tuple(v) == tuple(order)), None)
    rows = selectors.ListRows(queryset.annotate(grade_rank=selectors.GRADE_RANK), list(order), 0, sort=sort, seek=seek)
    return rows.page_queryset(slice(offset, offset + 20))


def queries(user):
    """The two queries a list page runs on the table: the tabs' GROUP BY (also the paginator's count) and
    the rows."""
    base = selectors.risk_points(user)
    tabs = base.order_by().values_list("state").annotate(n=Count("id"))
    return [
        ("tabs (GROUP BY state)", tabs, False),
        ("rows 1–20", page_rows(base), False),
    ]


def office_cases(user):
    """The office's list (the widest scope) with each common filter, sort and a deep page."""
    from hkcourt.org.models import Court, Division
    from risks.models import KeyLink

    court = Court.objects.get(code="sc-i01-b01")
    division = Division.objects.filter(court=court).order_by("id").first()
    base = selectors.risk_points(user)
    order = ("-updated_at", "-id")
    grade_sort = selectors.SORT_FIELDS["grade_rank"]
    yield "default order", base, order, 0
    for state in ("submitted", "returned", "draft"):
        yield f"tab state={state}", base.filter(state=state), order, 0
    yield "campaign year 2015", base.filter(campaign_year=2015), order, 0
    yield (
        "campaign year (current)",
        base.filter(campaign_year=base.order_by("-campaign_year")[0].campaign_year),
        order,
        0,
    )
    yield "grade=high", base.filter(grade="high"), order, 0
    yield "court (a basic court)", base.filter(court=court), order, 0
    yield "division", base.filter(division=division), order, 0
    yield "key link 拍卖", base.filter(key_links=KeyLink.objects.get(name="拍卖")), order, 0
    yield "source=public", base.filter(source="public"), order, 0
    for term in ("保全", "竞买人"):
        yield f"search {term}", text_search(base, term), order, 0
    yield "sort by grade", base, grade_sort, 0
    yield "page 500 (OFFSET 9,980)", base, order, 9980
    boundary = base.order_by(*order)[9979]
    yield "page 500 by its link (keyset)", base, order, ("after", selectors.parse_key(selectors.row_key(boundary)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    accounts = bench_accounts()
    print(f"| role | rows in scope | query | best of {args.runs} (ms) | risk point table read by |")
    print("| --- | ---: | --- | ---: | --- |")
    for role in ROLES:
        user = accounts[role]
        in_scope = selectors.risk_points(user).count()
        for label, queryset, count in queries(user):
            plans = [plan_of(queryset, count=count) for _ in range(args.runs)]
            best = min(p["Execution Time"] for p in plans)
            paths = ", ".join(access_paths(plans[0]["Plan"]))
            print(f"| {role} ({user.username}) | {in_scope:,} | {label} | {best:,.1f} | {paths} |")
    office = accounts["office"]
    print()
    print(f"The office's list ({office.username}) with a filter, a sort or a deep page: best of {args.runs} (ms).")
    print()
    print("| case | rows 1–20 | read by | tabs (the count) | read by |")
    print("| --- | ---: | --- | ---: | --- |")
    for label, queryset, order, offset in office_cases(office):
        if isinstance(offset, tuple):
            rows = page_rows(queryset, order, seek=offset)
        else:
            rows = page_rows(queryset, order, offset)
        row_plans = [plan_of(rows) for _ in range(args.runs)]
        tabs = queryset.order_by().values_list("state").annotate(n=Count("id"))
        count_plans = [plan_of(tabs) for _ in range(args.runs)]
        print(
            f"| {label} | {min(p['Execution Time'] for p in row_plans):,.1f} |"
            f" {', '.join(access_paths(row_plans[0]['Plan']))} |"
            f" {min(p['Execution Time'] for p in count_plans):,.1f} |"
            f" {', '.join(access_paths(count_plans[0]['Plan']))} |"
        )


if __name__ == "__main__":
    main()
