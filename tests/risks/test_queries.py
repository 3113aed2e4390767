"""List pages keep a constant number of SQL queries whatever the page size (issue 12: at most ten on the risk list
and the risk detail), and the list counts its rows once per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import KeyLink, State

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14
LIST_QUERIES = 10  # session, user, person, roles, the tab counts, the rows, three filter choice lists, unread
DETAIL_QUERIES = 10


@pytest.fixture
def hundred_points(demo_user, civil_power):
    owners = [demo_user(u) for u in ("staff_demo", "hgzy_d02_s0", "hgzy_d02_s2")]
    links = list(KeyLink.objects.all()[:3])
    states = list(State)
    for i in range(100):
        rp = RiskPointFactory(
            owner=owners[i % 3], power=civil_power, step=civil_power.steps.first(), state=states[1 + i % 7]
        )
        rp.key_links.set(links[: 1 + i % 3])


@pytest.mark.parametrize("username", ["office_demo", "head_demo", "staff_demo"])
def test_list_query_count_is_constant(client, login_as, hundred_points, django_assert_max_num_queries, username):
    login_as(username)
    counts = {}
    for size in (10, 100):
        with django_assert_max_num_queries(LIST_QUERIES), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("risks:list"), {"size": size})
        assert response.status_code == 200
        counts[size] = len(ctx.captured_queries)
        counting = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "risks_riskpoint" in q["sql"]]
        assert len(counting) == 1, counting  # the tabs' GROUP BY is also the paginator's count
    assert counts[10] == counts[100]


def test_every_page_holds_the_rows_of_the_plain_order(client, login_as, hundred_points):
    """The page's ids are read first and then their rows: page n is rows n·size … of the ordered list, for
    every sort, the state tab and the last page; the total is the tabs' sum."""
    from risks.models import RiskPoint
    from risks.selectors import GRADE_RANK, SORT_FIELDS

    login_as("office_demo")
    everything = RiskPoint.objects.exclude(state=State.DRAFT).annotate(grade_rank=GRADE_RANK)
    for sort, order in SORT_FIELDS.items():
        expected = list(everything.order_by(*order).values_list("pk", flat=True))
        for number in (1, 3, 4):
            response = client.get(reverse("risks:list"), {"size": 20, "page": number, "sort": sort})
            page = response.context["page"]
            assert [rp.pk for rp in page] == expected[(number - 1) * 20 : number * 20], (sort, number)
            assert page.paginator.count == len(expected) == 100 - RiskPoint.objects.filter(state=State.DRAFT).count()
    submitted = list(
        everything.filter(state=State.SUBMITTED).order_by("-updated_at", "-id").values_list("pk", flat=True)
    )
    response = client.get(reverse("risks:list"), {"state": "submitted", "size": 10})
    assert [rp.pk for rp in response.context["page"]] == submitted[:10]
    assert response.context["page"].paginator.count == len(submitted)


def test_next_and_previous_links_seek_past_the_page_they_leave(client, login_as, hundred_points):
    """Keyset pagination: the links carry the boundary row's key; following "next" from page 1 to the last page
    and "previous" back gives the same pages as the page numbers, in both update orders."""
    import re
    from html import unescape

    from risks.models import RiskPoint

    login_as("office_demo")
    for sort, order in (("-updated_at", ["-updated_at", "-id"]), ("updated_at", ["updated_at", "id"])):
        expected = list(RiskPoint.objects.exclude(state=State.DRAFT).order_by(*order).values_list("pk", flat=True))
        url = reverse("risks:list") + f"?sort={sort}"
        for number in range(1, 6):
            response = client.get(url)
            assert [rp.pk for rp in response.context["page"]] == expected[(number - 1) * 20 : number * 20], number
            if number < 5:
                link = re.search(r'href="(\?[^"]*after=[^"]*)">下一页', response.content.decode())
                assert link, number
                url = reverse("risks:list") + unescape(link.group(1))
        for number in (4, 3):
            link = re.search(r'href="(\?[^"]*before=[^"]*)">上一页', response.content.decode())
            response = client.get(reverse("risks:list") + unescape(link.group(1)))
            assert response.context["page"].number == number
            assert [rp.pk for rp in response.context["page"]] == expected[(number - 1) * 20 : number * 20], number
    assert client.get(reverse("risks:list"), {"after": "not a key", "page": 2}).status_code == 200


def test_large_counts_are_cached_until_a_point_changes(
    client, login_as, hundred_points, demo_user, monkeypatch, django_capture_on_commit_callbacks, request
):
    """Above COUNTS_CACHE_ABOVE rows the tab counts are kept for a minute per person and filter; any write to
    a risk point (services, factories, admin) makes the next page count again."""
    from django.core.cache import cache

    from risks import selectors

    monkeypatch.setattr(selectors, "COUNTS_CACHE_ABOVE", 10)  # the hundred points count as "large"
    request.addfinalizer(cache.clear)  # the test database is rolled back, the cache is not
    login_as("office_demo")

    def counted(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("risks:list"), params)
        tabs = {value: n for value, _label, n in response.context["tabs"]}
        return sum("COUNT(" in q["sql"] and "risks_riskpoint" in q["sql"] for q in ctx.captured_queries), tabs

    queries, first = counted()
    assert queries == 1
    assert counted() == (0, first)
    assert counted(page=2, sort="id", state="submitted")[0] == 0  # page, order and tab share the counts
    assert counted(grade="high")[0] == 1  # another filter is counted on its own
    with django_capture_on_commit_callbacks(execute=True):
        RiskPointFactory(owner=demo_user("staff_demo"), state=State.SUBMITTED)
    queries, after = counted()
    assert queries == 1 and after[""] == first[""] + 1 and after["submitted"] == first["submitted"] + 1


def test_list_shows_the_rows_and_counts(client, login_as, hundred_points):
    login_as("office_demo")
    response = client.get(reverse("risks:list"), {"size": 100})
    assert len(response.context["page"].object_list) == 100
    tabs = {value: n for value, _label, n in response.context["tabs"]}
    assert tabs[""] == 100 and sum(n for v, n in tabs.items() if v) == 100


def test_filters_search_and_tabs(client, login_as, demo_user, civil_power):
    staff = demo_user("staff_demo")
    RiskPointFactory(owner=staff, description="拍卖中泄露竞买人信息", state=State.SUBMITTED, grade="")
    RiskPointFactory(owner=staff, description="保全超标的", manifestations="查封过度", state=State.GRADED, grade="high")
    login_as("office_demo")
    page = lambda **p: [rp.description for rp in client.get(reverse("risks:list"), p).context["page"]]  # noqa: E731
    assert page(q="竞买人") == ["拍卖中泄露竞买人信息"]
    assert page(q="查封") == ["保全超标的"]  # manifestations are searched too
    assert page(grade="high") == ["保全超标的"]
    assert page(state="submitted") == ["拍卖中泄露竞买人信息"]
    assert page(sort="grade_rank")[0] == "保全超标的"
    assert page(division="999999") == []  # not a valid choice: nothing, not everything
    from risks.models import RiskPoint

    RiskPoint.objects.filter(description="保全超标的").update(campaign_year=2012)
    assert page(campaign="2012") == ["保全超标的"]


def test_two_character_search_finds_what_the_plain_substring_match_finds(client, login_as, demo_user):
    """A two-character term goes through the bigram indexes on PostgreSQL (risks migration 0012) and is
    rechecked exactly: the rows are those whose description or manifestations contain it — at the start, at
    the end, in either text, in any letter case — and no row that only has its characters apart."""
    staff = demo_user("staff_demo")
    texts = {
        "保全超标的": "查封过度",
        "违规采取措施": "未及时解除保全",
        "保管不善": "全面失职",  # 保 and 全, never together
        "QA 检查": "未复核",
        "执行款": "Qa 回避",
        "百分之五": "%_",
    }
    for description, manifestations in texts.items():
        RiskPointFactory(owner=staff, description=description, manifestations=manifestations, state=State.SUBMITTED)
    login_as("office_demo")
    found = lambda q: sorted(rp.description for rp in client.get(reverse("risks:list"), {"q": q}).context["page"])  # noqa: E731
    assert found("保全") == ["保全超标的", "违规采取措施"]
    assert found(" 保全 ") == ["保全超标的", "违规采取措施"]
    assert found("qa") == ["QA 检查", "执行款"]
    assert found("%_") == ["百分之五"]  # literal characters, not LIKE's wildcards
    assert found("全保") == []
    assert found("措施") == ["违规采取措施"]
    assert found("全") == ["保全超标的", "保管不善", "违规采取措施"]  # one character: the plain match


def test_catalogue_query_count_is_bounded(client, login_as, civil_power, django_assert_max_num_queries):
    login_as("head_demo")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("risks:catalogue")).status_code == 200


def test_other_pages_are_bounded_whatever_the_data(
    client, login_as, hundred_points, civil_power, demo_user, later, django_assert_max_num_queries
):
    from risks import services

    rp = RiskPointFactory(owner=demo_user("staff_demo"), power=civil_power, state=State.CONFIRMED, grade="high")
    services.publish(actor=demo_user("office_demo"), risk_points=[rp], publicity_ends=later)
    login_as("office_demo")
    pages = [
        reverse("risks:detail", args=[rp.pk]),
        reverse("risks:power_detail", args=[civil_power.pk]),
        reverse("risks:catalogue") + f"?court={civil_power.court_id}&division={civil_power.division_id}",
        reverse("risks:post_statement", args=[demo_user("staff_demo").person.post_id]),
        reverse("risks:public", args=["hgzy"]),
    ]
    for url in pages:
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url


def test_the_detail_page_stays_within_ten_queries(client, login_as, hundred_points, civil_power, demo_user):
    """Key links, court rules and who was asked to check come with the row; the office (who may ask for a peer
    check, so the page lists candidates) and the owner."""
    from django.test.utils import CaptureQueriesContext

    rp = RiskPointFactory(owner=demo_user("staff_demo"), power=civil_power, state=State.GRADED, grade="high")
    rp.key_links.set(KeyLink.objects.all()[:2])
    for username in ("office_demo", "staff_demo", "head_demo"):
        login_as(username)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("risks:detail", args=[rp.pk]))
        assert response.status_code == 200
        assert len(ctx.captured_queries) <= DETAIL_QUERIES, (username, [q["sql"][:90] for q in ctx.captured_queries])
        assert all(k.name in response.content.decode() for k in rp.key_links.all())


def test_waiting_for_my_review_matches_who_may_review(client, login_as, demo_user, civil_power):
    from hkcourt.org import policy

    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    mine = RiskPointFactory(owner=head, description="庭长本人的", state=State.SUBMITTED)
    theirs = RiskPointFactory(owner=staff, description="干警的", state=State.SUBMITTED)
    division_level = RiskPointFactory(
        owner=head, level="division", post=None, description="庭室的", state=State.SUBMITTED
    )
    for username, expected in [
        ("head_demo", {theirs}),
        ("deputy_demo", {mine, theirs, division_level}),
        ("president_demo", set()),
        ("office_demo", {mine, theirs, division_level}),
        ("staff_demo", set()),
    ]:
        login_as(username)
        rows = set(client.get(reverse("risks:list"), {"review": "true"}).context["page"].object_list)
        assert rows == expected, username
        user = demo_user(username)
        assert {rp for rp in rows if policy.can(user, "risks.grade", rp)} == rows, username
    login_as("head_demo")
    assert "待审核、评定等级的风险点" in client.get("/").content.decode()
