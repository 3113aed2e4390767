"""The scope's SQL lets PostgreSQL use indexes (issue 12): pinned on the plan, not on timings.

A few thousand risk points from the seed_scale generator, ANALYZEd; then ``EXPLAIN (FORMAT JSON)`` of the
queries the risk list runs (the state tabs' GROUP BY, the paginator's COUNT, the first page of rows with
everything the page shows) must not read ``risks_riskpoint`` with a sequential scan for a person whose
scope is their own rows, a division or a court — also when that person holds a per-object grant. Before
the fix the grant subquery, ORed into every scope, made each of these a scan of the whole table.
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count

from hkcourt.org.models import Role, RoleAssignment
from risks import selectors
from risks.models import RiskPoint, RiskPointUserObjectPermission, State
from workflow.scale import ScaleSeeder

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]
TABLE = RiskPoint._meta.db_table


@pytest.fixture
def province():
    ScaleSeeder(courts=3, people=240, risk_points=4000, signals=0, campaigns=False, log=lambda *_: None).run()
    with connection.cursor() as cursor:
        for table in (TABLE, RiskPointUserObjectPermission._meta.db_table, "org_court", "auth_user"):
            cursor.execute(f"ANALYZE {table}")


def plan(queryset, count=False):
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    if count:
        sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        result = cursor.fetchone()[0]
    return (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]


def nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def seq_scans_of_risk_points(node):
    return [n for n in nodes(node) if "Seq Scan" in n["Node Type"] and n.get("Relation Name") == TABLE]


def page_rows(queryset, sort="-updated_at", offset=0):
    """The rows query of a list page, as the page builds it (its ids first, then their rows)."""
    rows = selectors.ListRows(queryset.annotate(grade_rank=selectors.GRADE_RANK), selectors.SORT_FIELDS[sort], 0)
    return rows.page_queryset(slice(offset, offset + 20))


def list_queries(user):
    """The two queries a list page runs on the table: the tab counts (also the paginator's) and the rows."""
    base = selectors.risk_points(user)
    return {
        "tabs": (base.order_by().values_list("state").annotate(n=Count("id")), False),
        "rows": (page_rows(base), False),
    }


def only(role, court_code):
    holders = RoleAssignment.objects.filter(role=role, court__code=court_code).values_list("user_id", flat=True)
    others = RoleAssignment.objects.exclude(role__in=[role, Role.STAFF]).values_list("user_id", flat=True)
    assignment = RoleAssignment.objects.filter(user__in=holders).exclude(user__in=others).order_by("id").first()
    return assignment.user


def grant(user, rp):
    view = Permission.objects.get(content_type__app_label="risks", codename="view_riskpoint")
    RiskPointUserObjectPermission.objects.create(user=user, permission=view, content_object=rp)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {RiskPointUserObjectPermission._meta.db_table}")


@pytest.mark.parametrize(
    ("role", "court"),
    [(Role.STAFF, "sc-i01-b01"), (Role.DIVISION_HEAD, "sc-i01-b01"), (Role.PRESIDENT, "sc-i01-b01")],
)
def test_narrow_scopes_never_scan_the_risk_point_table(province, role, court):
    user = only(role, court)
    elsewhere = RiskPoint.objects.exclude(court__code=court).exclude(state=State.DRAFT).order_by("id").first()
    grant(user, elsewhere)  # the grant branch must not bring the scan back
    visible = set(selectors.risk_points(user).values_list("pk", flat=True))
    assert elsewhere.pk in visible
    for name, (queryset, count) in list_queries(user).items():
        scans = seq_scans_of_risk_points(plan(queryset, count=count))
        assert not scans, f"{role}: the {name} query reads {TABLE} with a sequential scan"


def test_staff_scope_is_unchanged_own_rows_and_grants(province):
    staff = only(Role.STAFF, "sc-i01-b01")
    other = RiskPoint.objects.exclude(owner=staff).exclude(state=State.DRAFT).order_by("id").first()
    expected = set(RiskPoint.objects.filter(owner=staff).values_list("pk", flat=True))
    assert set(RiskPoint.objects.visible_to(staff).values_list("pk", flat=True)) == expected
    grant(staff, other)
    assert set(RiskPoint.objects.visible_to(staff).values_list("pk", flat=True)) == expected | {other.pk}


def test_a_grant_alone_is_read_by_primary_key(province, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x" * 12)
    rp = RiskPoint.objects.exclude(state=State.DRAFT).order_by("id").first()
    grant(outsider, rp)
    assert list(RiskPoint.objects.visible_to(outsider)) == [rp]
    for name, (queryset, count) in list_queries(outsider).items():
        assert not seq_scans_of_risk_points(plan(queryset, count=count)), name


def test_subtree_scope_reads_the_first_page_in_index_order(province):
    office = only(Role.OFFICE, "sc-h")
    rows, _count = list_queries(office)["rows"]
    used = {n.get("Index Name") for n in nodes(plan(rows)) if n.get("Relation Name") == TABLE}
    assert "risk_updated_idx" in used


def test_the_grade_sort_reads_its_expression_index(province):
    """risk_grade_rank_idx is built on risks.models.grade_rank_expression(); the list sorts by the selectors'
    GRADE_RANK. PostgreSQL uses the index only while the two compile to the same SQL."""
    office = only(Role.OFFICE, "sc-h")
    rows = page_rows(selectors.risk_points(office), sort="grade_rank")
    used = {n.get("Index Name") for n in nodes(plan(rows)) if n.get("Relation Name") == TABLE}
    assert "risk_grade_rank_idx" in used


def test_a_deep_page_joins_only_its_own_rows(province):
    """Page 100: its ids are read first (an InitPlan: the scope, the order, no joins), then only those rows
    are fetched by primary key and joined — not 2,000 joined rows skipped by OFFSET. (At this size the ids
    come from a sort; at 400,000 rows from risk_updated_idx, bench/scope.md.)"""
    office = only(Role.OFFICE, "sc-h")
    root = plan(page_rows(selectors.risk_points(office), offset=1980))
    reads = [n for n in nodes(root) if n.get("Relation Name") == TABLE]
    by_pk = [n for n in reads if n.get("Index Name") == "risks_riskpoint_pkey" and "ANY" in n.get("Index Cond", "")]
    assert by_pk, [(n["Node Type"], n.get("Index Name"), n.get("Index Cond")) for n in reads]


def test_a_search_reads_the_trigram_indexes(province):
    """risks migration 0007: GIN trigram indexes on UPPER(description) and UPPER(manifestations), the SQL of
    the filter's icontains. With scans disabled the plan must still find the term through both indexes (a
    change to the search's SQL that the indexes cannot serve fails here)."""
    from django.http import QueryDict

    from risks.filters import RiskPointFilter

    office = only(Role.OFFICE, "sc-h")
    request = type("Request", (), {"user": office})
    filtered = RiskPointFilter(QueryDict("q=当事人"), queryset=selectors.risk_points(office), request=request).qs
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # not the order index either: the term's rows
        tabs = plan(filtered.order_by().values_list("state").annotate(n=Count("id")))
    used = {n.get("Index Name") for n in nodes(tabs)}
    assert {"risk_desc_trgm_idx", "risk_manif_trgm_idx"} <= used, used


def test_a_two_character_search_reads_the_bigram_indexes(province):
    """risks migration 0012: a two-character term (保全) has no trigram, so the trigram indexes cannot serve
    it; the filter asks hk_bigrams(col) @> hk_bigrams(term) of GIN indexes on both texts. The tab counts of
    the widest scope must find the term's rows through both bigram indexes, not by reading the table; the
    trigram index must stay out of it (for a two-character LIKE it reads every entry)."""
    from django.http import QueryDict

    from risks.filters import RiskPointFilter

    office = only(Role.OFFICE, "sc-h")
    request = type("Request", (), {"user": office})
    filtered = RiskPointFilter(QueryDict("q=保全"), queryset=selectors.risk_points(office), request=request).qs
    assert filtered.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")  # not the order index: the term's rows
        tabs = plan(filtered.order_by().values_list("state").annotate(n=Count("id")))
    used = {n.get("Index Name") for n in nodes(tabs)}
    assert {"risk_desc_bigram_idx", "risk_manif_bigram_idx"} <= used, used
    assert not used & {"risk_desc_trgm_idx", "risk_manif_trgm_idx"}, used
    assert not seq_scans_of_risk_points(tabs)
