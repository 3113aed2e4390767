"""The leading group's dashboard: who may open it, that its figures are the lists' figures in each role's
scope, that nothing about signals or warnings reaches those who may not see them, its query budget and its
cache."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hkcourt.org.models import Division, Role, RoleAssignment
from workflow.dashboard import selectors

pytestmark = pytest.mark.django_db

LEADERS = ["leader_demo", "president_demo", "deputy_demo", "office_demo"]
DATA = reverse("workflow:dashboard_data")
PAGE = reverse("workflow:dashboard")


def data_for(client, **params):
    response = client.get(DATA, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def letters_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("username", ["staff_demo", "head_demo"])
def test_staff_and_heads_are_refused(client, login_as, fresh_cache, username):
    login_as(username)
    assert client.get(PAGE).status_code == 403
    assert client.get(DATA).status_code == 403
    assert client.get(reverse("workflow:dashboard_section", args=["risks"])).status_code == 403


def test_anonymous_is_sent_to_login(client, demo_org):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(DATA).status_code == 302


def test_nav_entry_for_leaders_only(client, login_as, fresh_cache):
    for username in ("deputy_demo", "president_demo", "office_demo", "leader_demo"):
        login_as(username)
        assert f'href="{PAGE}"' in client.get(reverse("home")).content.decode(), username
    login_as("staff_demo")
    assert f'href="{PAGE}"' not in client.get(reverse("home")).content.decode()


def test_unknown_section_is_404(client, login_as, fresh_cache):
    login_as("leader_demo")
    assert client.get(reverse("workflow:dashboard_section", args=["nothing"])).status_code == 404


# ---------------------------------------------------------------- scope-true figures


def test_every_figure_equals_its_list_per_role(client, login_as, demo_all):
    """For each role: the total, every grade / level / source / state / key link figure and every heat-map
    cell is exactly the count of the filtered list its link opens."""
    totals = {}
    for username in LEADERS:
        login_as(username)
        d = data_for(client)
        risks = d["risks"]
        assert risks["total"] > 0, username
        assert list_count(client, risks["url"]) == risks["total"], username
        for facet in ("grades", "levels", "sources", "states", "key_links", "areas"):
            for item in risks[facet]:
                if item["url"] is None:  # points on no power have no business area to filter by
                    assert facet == "areas" and item["key"] == ""
                    continue
                assert list_count(client, item["url"]) == item["n"], (username, facet, item)
        assert list_count(client, d["major"]["url"]) == d["major"]["total"], username
        for item in d["major"]["grades"]:
            assert list_count(client, item["url"]) == item["n"], (username, "major", item)
        for row in d["heatmap"]:
            if row["division_id"] is None:  # court-level points without a division: no list of their own
                assert row["url"] is None
                continue
            assert list_count(client, row["url"]) == row["total"], (username, row["division"])
            for cell in row["cells"]:
                if cell["n"]:
                    assert list_count(client, cell["url"]) == cell["n"], (username, row["division"], cell)
        assert sum(r["total"] for r in d["heatmap"]) == risks["total"]
        totals[username] = risks["total"]
    # The scopes differ as they should: city-wide ⊃ the deputy's divisions. The president is 组长 of the
    # leading group (issue 14), so he reads the whole city too.
    assert totals["leader_demo"] == totals["office_demo"] == totals["president_demo"]
    assert totals["leader_demo"] > totals["deputy_demo"]


def test_deputy_totals_are_the_sum_of_their_divisions_lists(client, login_as, demo_all):
    deputy = login_as("deputy_demo")
    d = data_for(client)
    overseen = list(
        RoleAssignment.objects.filter(user=deputy, role=Role.DEPUTY_LEADER).values_list("division_id", flat=True)
    )
    year = d["filters"]["year"]
    by_division = {pk: list_count(client, f"{reverse('risks:list')}?campaign={year}&division={pk}") for pk in overseen}
    assert sum(by_division.values()) == d["risks"]["total"]
    assert {row["division_id"] for row in d["coverage"]["divisions"]} == set(overseen)
    # Each division's dashboard figure is that division's list.
    for pk, n in by_division.items():
        assert data_for(client, division=pk)["risks"]["total"] == n
    # Staff counted for coverage are the overseen divisions' staff only.
    assert d["coverage"]["staff"] == sum(r["staff"] for r in d["coverage"]["divisions"])


def test_filters_stay_inside_the_scope(client, login_as, demo_all):
    login_as("deputy_demo")
    outside = Division.objects.exclude(
        pk__in=RoleAssignment.objects.filter(user__username="deputy_demo").values("division_id")
    ).first()
    everything = data_for(client)
    # A division the deputy does not oversee is ignored, never shown.
    assert data_for(client, division=outside.pk)["risks"]["total"] == everything["risks"]["total"]
    assert data_for(client, division="junk", court="x", campaign="-1")["risks"]["total"] == everything["risks"]["total"]

    login_as("leader_demo")
    city = data_for(client)
    court = city["filters"]["courts"][1]["id"]
    one = data_for(client, court=court)
    assert one["filters"]["court"] == court
    assert list_count(client, one["risks"]["url"]) == one["risks"]["total"] < city["risks"]["total"]


def test_letters_figures_equal_the_letter_list(client, login_as, demo_all):
    for username in ("office_demo", "deputy_demo", "president_demo"):
        login_as(username)
        letters = data_for(client)["letters"]
        assert letters["total"] > 0
        for state in letters["states"]:
            assert letters_count(client, state["url"]) == state["n"], (username, state)
        assert sum(r["signed"] + r["outstanding"] for r in letters["divisions"]) == letters["total"]


def test_campaign_progress_matches_the_campaign_page(client, login_as, demo_all):
    """The office reaches the whole city: each task's done/total is the campaign page's."""
    from workflow.models import Campaign
    from workflow.selectors import campaign_overview

    office = login_as("office_demo")
    d = data_for(client)
    campaign = Campaign.objects.get(pk=d["campaign"]["id"])
    overview = campaign_overview(office, campaign)
    expected = {tp.task.pk: (tp.done_count, tp.total) for tp in overview["progress"].values()}
    assert d["campaign"]["phase"]["current"]
    assert d["campaign"]["tasks"]
    for task in d["campaign"]["tasks"]:
        assert (task["done"], task["total"]) == expected[task["id"]], task["title"]


# ---------------------------------------------------------------- signals, warnings, handling


@pytest.mark.parametrize("username", ["deputy_demo", "xiangyang_president"])
def test_no_oversight_figures_for_those_who_may_not_see_them(client, login_as, demo_all, username):
    login_as(username)
    d = data_for(client)
    assert d["oversight_visible"] is False
    assert d["oversight"] is None
    assert client.get(reverse("workflow:dashboard_section", args=["oversight"])).json()["oversight"] is None
    page = client.get(PAGE).content.decode()
    for marker in ("dash-oversight", "预警", "风险信息", "处置", "整改"):
        assert marker not in page, marker
    text = json.dumps(d, ensure_ascii=False)
    for marker in ("预警", "风险信息", "诫勉", "signal", "warning"):
        assert marker not in text, marker


def test_oversight_flag_for_office_and_leading_group(client, login_as, fresh_cache):
    for username in ("office_demo", "leader_demo"):
        login_as(username)
        assert data_for(client)["oversight_visible"] is True


# ---------------------------------------------------------------- speed: queries and cache


@pytest.mark.parametrize("username", LEADERS)
def test_query_budget(client, login_as, demo_all, django_assert_max_num_queries, username):
    """Cold cache: the page, the data and every section endpoint each within 15 queries; warm: a handful."""
    login_as(username)
    cache.clear()
    with django_assert_max_num_queries(15):
        assert client.get(PAGE).status_code == 200
    cache.clear()
    with django_assert_max_num_queries(15):
        assert client.get(DATA).status_code == 200
    with django_assert_max_num_queries(6):  # session, user, roles, fingerprint: the figures come from the cache
        assert client.get(DATA).status_code == 200
    for name in ("campaign", "coverage", "risks", "heatmap", "major", "leaders", "letters", "control", "oversight"):
        cache.clear()
        with django_assert_max_num_queries(15):
            assert client.get(reverse("workflow:dashboard_section", args=[name])).status_code == 200


@pytest.mark.parametrize("username", LEADERS)
def test_the_whole_dashboard_is_one_request_within_15_queries(client, login_as, demo_all, username):
    """The page carries its figures inline (what the charts draw), so the whole dashboard is the page: the
    data endpoint's figures with the long tables cut to their first rows (selectors.for_page)."""

    login_as(username)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(PAGE)
    assert len(queries) <= 15
    inline = re.search(r'<script id="hk-dashboard-data" type="application/json">(.*?)</script>', page.content.decode())
    assert inline, "the page must embed its figures for the charts"
    assert json.loads(inline.group(1)) == selectors.for_page(data_for(client))


def inline_data(page):
    found = re.search(r'<script id="hk-dashboard-data" type="application/json">(.*?)</script>', page.content.decode())
    return json.loads(found.group(1))


def test_the_page_lists_the_rows_that_need_attention_first(client, login_as, demo_all, monkeypatch):
    """A province has a thousand divisions: the page lists the TOP of each per-division, per-court and
    per-leader table (lowest coverage first, most high-grade points first, …), says how many it left out and
    links to the full list; the rows it keeps carry the same figures as the data endpoint, the totals stay
    the whole scope's."""
    monkeypatch.setattr(selectors, "TOP", 3)
    login_as("office_demo")
    full = data_for(client)
    page = client.get(PAGE)
    shown = inline_data(page)
    html = page.content.decode()

    divisions = full["coverage"]["divisions"]
    assert len(divisions) > 3
    assert len(shown["coverage"]["divisions"]) == 3
    assert shown["coverage"]["divisions_more"] == len(divisions) - 3
    worst = sorted(divisions, key=lambda r: (r["confirmed"], r["percent"], -r["staff"], r["court"], r["division"]))
    assert shown["coverage"]["divisions"] == worst[:3]  # the same rows, figures and links
    assert shown["coverage"]["staff"] == full["coverage"]["staff"]  # the totals: the whole scope
    assert f"另有 {len(divisions) - 3} 个庭室未列出" in html or f"{len(divisions) - 3} 个庭室未列出" in html

    heat = full["heatmap"]
    assert len(shown["heatmap"]) == min(3, len(heat)) and shown["heatmap_more"] == max(0, len(heat) - 3)
    highs = sorted((r["cells"][0]["n"] for r in heat), reverse=True)[:3]
    assert [r["cells"][0]["n"] for r in shown["heatmap"]] == highs
    assert shown["risks"]["total"] == full["risks"]["total"] == sum(r["total"] for r in heat)

    courts = full["coverage"]["courts"]
    assert len(courts) > 3 and shown["coverage"]["courts_more"] == len(courts) - 3
    assert [c["percent"] for c in shown["coverage"]["courts"]] == sorted(c["percent"] for c in courts)[:3]
    for court in shown["coverage"]["courts"]:  # the drill-down: this dashboard for that court
        assert court["dashboard_url"] in html.replace("&amp;", "&")
        drilled = data_for(client, court=court["court_id"], campaign=full["filters"]["campaign"])
        assert drilled["coverage"]["staff"] == court["staff"]

    letters = full["letters"]
    assert shown["letters"]["divisions"] == letters["divisions"][:3]
    assert shown["letters"]["total"] == letters["total"]
    assert letters["progress_url"] in html.replace("&amp;", "&")


def test_the_division_filter_asks_for_a_court_when_there_are_many(client, login_as, demo_all, monkeypatch):
    monkeypatch.setattr(selectors, "FILTER_DIVISIONS", 3)
    login_as("office_demo")
    shown = inline_data(client.get(PAGE))
    assert shown["filters"]["divisions"] == [] and shown["filters"]["divisions_need_court"]
    court = shown["filters"]["courts"][0]["id"]
    chosen = inline_data(client.get(PAGE, {"court": court}))
    assert chosen["filters"]["divisions"] and all(d["court"] == court for d in chosen["filters"]["divisions"])


def test_all_figures_in_a_fixed_number_of_queries(demo_all, demo_user):
    """The computation itself (roles included) does not grow with the data: no per-division loops."""
    from hkcourt.org.scoping import UserRoles

    for username in LEADERS:
        user = demo_user(username)
        UserRoles.forget(user)
        with CaptureQueriesContext(connection) as queries:
            selectors.build(user, selectors.Filters())
        assert len(queries) <= 13, (username, [q["sql"][:120] for q in queries])


def test_cache_is_keyed_by_scope_and_invalidated_on_change(client, login_as, demo_all):
    from risks.models import RiskPoint

    login_as("leader_demo")
    before = data_for(client)
    login_as("deputy_demo")
    assert data_for(client)["risks"]["total"] != before["risks"]["total"]  # not the leader's cached figures
    login_as("leader_demo")
    assert data_for(client) == before  # cached
    point = RiskPoint.objects.filter(campaign_year=before["filters"]["year"], grade="low").first()
    point.grade = "high"
    point.save()
    after = data_for(client)
    high = lambda d: d["risks"]["grades"][0]["n"]  # noqa: E731
    assert high(after) == high(before) + 1


def test_print_view(client, login_as, demo_all):
    login_as("president_demo")
    response = client.get(PAGE, {"print": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "echarts.min.js" in html and 'data-print="1"' in html
    assert "nav" not in html.split("<body", 1)[1].split("hk-dash-kpis", 1)[0]


def _page_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_control_and_oversight_figures_equal_their_lists(client, login_as, demo_all):
    """Measures for every dashboard role; warnings, signals, handling and rectifications for the office and
    the leading group: each figure is the count of the list its link opens."""
    for username in LEADERS:
        login_as(username)
        d = data_for(client)
        control = d["control"]
        if control is None:  # the measures app is not installed
            continue
        for status in control["statuses"]:
            assert _page_count(client, status["url"]) == status["n"], (username, status)
        assert _page_count(client, control["overdue_url"]) == control["overdue"], username
        oversight = d["oversight"]
        if username == "deputy_demo":
            assert oversight is None
            continue
        if oversight is None:  # the oversight models are not installed
            continue
        if "warnings" in oversight:
            for level in oversight["warnings"]["levels"]:
                assert _page_count(client, level["url"]) == level["n"], (username, level["key"])
                for cell in level["cells"]:
                    assert _page_count(client, cell["url"]) == cell["n"], (username, level["key"], cell)
        if "signals" in oversight:
            for channel in oversight["signals"]["channels"]:
                assert _page_count(client, channel["url"]) == channel["n"], (username, channel["key"])
        if "handling" in oversight:
            for kind in oversight["handling"]["kinds"]:
                assert _page_count(client, kind["url"]) == kind["n"], (username, kind["key"])
        if "rectifications" in oversight:
            for state in oversight["rectifications"]["states"]:
                assert _page_count(client, state["url"]) == state["n"], (username, state["key"])


def test_a_filtered_dashboard_drops_links_the_lists_cannot_follow(client, login_as, demo_all):
    login_as("office_demo")
    court = data_for(client)["filters"]["courts"][0]["id"]
    d = data_for(client, court=court)
    if d["control"] is not None:
        assert all(s["url"] is None for s in d["control"]["statuses"])
    if d["oversight"] and "warnings" in d["oversight"]:
        assert all(lv["url"] is None for lv in d["oversight"]["warnings"]["levels"])


def test_the_campaign_filter_narrows_measures_and_oversight(client, login_as, demo_all):
    """A known defect: measures, signals, warnings, handling and rectifications counted every campaign. The
    chosen campaign now narrows them (its year's measures; its courts and dates) and the links carry it."""
    import datetime

    from django.contrib.auth import get_user_model

    from workflow.models import Campaign
    from workflow.oversight import services as oversight

    login_as("office_demo")
    history = Campaign.objects.get(builtin_key="demo-history")
    current = Campaign.objects.get(builtin_key="demo-current")
    office = get_user_model().objects.get(username="office_demo")
    # One signal inside the old campaign's dates, none of the current ones' signals.
    oversight.record_signal(
        actor=office,
        court=history.court,
        channel="petition",
        title="往年来信",
        content="反映问题。",
        received_on=history.start + datetime.timedelta(days=3),
    )
    cache.clear()
    old, now = data_for(client, campaign=history.pk), data_for(client, campaign=current.pk)
    assert old["filters"]["campaign"] == history.pk and now["filters"]["campaign"] == current.pk
    assert old["oversight"]["signals"]["total"] == 1
    assert now["oversight"]["signals"]["total"] >= 1
    assert old["control"]["total"] == 0 < now["control"]["total"]  # no measures on 2012's risk points
    assert old["oversight"]["warnings"]["total"] == 0 < now["oversight"]["warnings"]["total"]
    # Each figure is still the count of the list its link opens.
    for d in (old, now):
        for status in d["control"]["statuses"]:
            assert "campaign=" in status["url"]
            assert _page_count(client, status["url"]) == status["n"], status
        for channel in d["oversight"]["signals"]["channels"]:
            assert _page_count(client, channel["url"]) == channel["n"], channel
        for level in d["oversight"]["warnings"]["levels"]:
            assert _page_count(client, level["url"]) == level["n"], level
        for kind in d["oversight"]["handling"]["kinds"]:
            assert _page_count(client, kind["url"]) == kind["n"], kind
        for state in d["oversight"]["rectifications"]["states"]:
            assert _page_count(client, state["url"]) == state["n"], state
