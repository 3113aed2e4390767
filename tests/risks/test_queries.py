"""List pages keep a constant number of SQL queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import KeyLink, State

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14


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
        with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("risks:list"), {"size": size})
        assert response.status_code == 200
        counts[size] = len(ctx.captured_queries)
    assert counts[10] == counts[100]


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
