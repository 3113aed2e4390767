"""The indicator system: six formulas over the registry, per court and division, weighted and ranked; every
raw figure equals the list it links to; each reader sees only their rows; weights versioned per campaign."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from hkcourt.org.models import AuditEntry, Court, Division, Person
from hkcourt.org.policy import Refusal
from risks.models import RiskPoint
from workflow.assessment import indicators, selectors, services
from workflow.assessment.models import IndicatorScheme, IndicatorWeight
from workflow.models import Campaign


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo registry, measures, campaigns and signals, seeded once for the module and rolled back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for dotted in settings.DEMO_SEEDERS:
                if dotted.startswith(("hkcourt.org.", "commitments.")):
                    continue
                import_string(dotted)(log=lambda *_: None)
            yield Campaign.objects.get(builtin_key="demo-current")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def campaign(world, db):
    return world


def _user(name):
    return get_user_model().objects.get(username=name)


def test_every_raw_figure_is_the_list_behind_it(campaign):
    office = _user("office_demo")
    data = selectors.scores(office, campaign)
    assert len(data["courts"]) == Court.objects.count() and len(data["divisions"]) == Division.objects.count()
    checked = 0
    for row in data["courts"] + data["divisions"]:
        for cell in row.cells:
            for figure, n in (
                (cell.definition.numerator, cell.numerator),
                (cell.definition.denominator, cell.denominator),
            ):
                records = selectors.figure_records(office, campaign, figure, row.code)
                assert records["total"] == len(records["records"]) == n, (row.code, figure)
                checked += 1
    assert checked == 12 * (Court.objects.count() + Division.objects.count())


def test_the_links_on_the_page_open_lists_of_as_many_records(campaign, client):
    client.force_login(_user("office_demo"))
    html = client.get(reverse("workflow:assessment")).content.decode()
    links = set(re.findall(r'<a href="(/assessment/\d+/figures/[a-z_]+/c\d+/)"[^>]*>(\d+)</a>', html))
    assert len(links) >= 9 * Court.objects.count() // 2
    for href, n in sorted(links):
        page = client.get(href).content.decode()
        assert f'data-count="{n}"' in page, href


def test_a_score_by_hand(campaign):
    """民事审判庭 of the city court, 排查识别: its staff who own a confirmed point of the campaign's year."""
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    staff = Person.objects.filter(division=civil, user__role_assignments__role="staff").distinct()
    covered = [
        p
        for p in staff
        if RiskPoint.objects.filter(owner=p.user, state__in=indicators.CONFIRMED, campaign_year=campaign.year).exists()
    ]
    row = next(r for r in selectors.scores(_user("office_demo"), campaign)["divisions"] if r.unit == civil)
    cell = row.cells[0]
    assert (cell.numerator, cell.denominator) == (len(covered), staff.count())
    assert cell.score == Decimal(100 * len(covered) / staff.count()).quantize(Decimal("0.1"))


def test_lower_is_better_for_petitions_and_cases():
    petitions = indicators.BY_KEY["petitions"]
    assert indicators.score_of(petitions, 0, 40, Decimal(10)) == (Decimal("0.0"), Decimal("100.0"))
    assert indicators.score_of(petitions, 2, 40, Decimal(10)) == (Decimal("5.0"), Decimal("50.0"))
    assert indicators.score_of(petitions, 9, 40, Decimal(10)) == (Decimal("22.5"), Decimal("0.0"))
    assert indicators.score_of(petitions, 1, 0, Decimal(10)) == (None, None)
    identification = indicators.BY_KEY["identification"]
    assert indicators.score_of(identification, 3, 4, Decimal(100)) == (Decimal("75.0"), Decimal("75.0"))
    technology = indicators.BY_KEY["technology"]
    assert indicators.score_of(technology, 3, 10, Decimal(20)) == (Decimal("30.0"), Decimal("100.0"))


def test_ranks_follow_the_totals(campaign):
    rows = selectors.scores(_user("leader_demo"), campaign)["divisions"]
    ranked = [r for r in rows if r.total is not None]
    assert [r.total for r in ranked] == sorted((r.total for r in ranked), reverse=True)
    assert ranked[0].rank == 1
    for a, b in zip(ranked, ranked[1:], strict=False):
        assert b.rank == (a.rank if b.total == a.total else ranked.index(b) + 1)
    assert all(r.rank is None for r in rows if r.total is None)


@pytest.mark.parametrize(
    "username, courts, divisions",
    [
        ("office_demo", "all", "all"),
        ("leader_demo", "all", "all"),
        ("president_demo", "all", "all"),  # 组长 of the leading group (issue 14)
        ("deputy_demo", {"hgzy"}, "hgzy"),
        ("xiangyang_president", {"xiangyang"}, "xiangyang"),
        ("head_demo", set(), "civil"),
    ],
)
def test_each_reader_sees_their_rows(campaign, username, courts, divisions, client):
    data = selectors.scores(_user(username), campaign)
    seen_courts = {r.unit.code for r in data["courts"]}
    seen_divisions = {r.unit.pk for r in data["divisions"]}
    all_codes = set(Court.objects.values_list("code", flat=True))
    assert seen_courts == (all_codes if courts == "all" else courts)
    if divisions == "all":
        assert seen_divisions == set(Division.objects.values_list("pk", flat=True))
    elif divisions == "civil":
        assert seen_divisions == {Division.objects.get(court__code="hgzy", name="民事审判庭").pk}
    else:
        assert seen_divisions == set(Division.objects.filter(court__code=divisions).values_list("pk", flat=True))
    client.force_login(_user(username))
    far = Division.objects.get(court__code="gongnong", name="立案庭")
    status = client.get(
        reverse("workflow:assessment_figure", args=[campaign.pk, "confirmed", f"d{far.pk}"])
    ).status_code
    assert status == (200 if divisions == "all" else 404)


def test_staff_see_no_scores(campaign, client):
    client.force_login(_user("staff_demo"))
    assert client.get(reverse("workflow:assessment")).status_code == 403
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    url = reverse("workflow:assessment_figure", args=[campaign.pk, "confirmed", f"d{civil.pk}"])
    assert client.get(url).status_code == 403


# ---------------------------------------------------------------- weights, versioned


def _weights(**changes):
    w = {d.key: (d.weight, d.target) for d in indicators.DEFINITIONS}
    w.update(changes)
    return w


def test_the_office_edits_weights_and_earlier_versions_stay(campaign):
    office = _user("office_demo")
    before = IndicatorScheme.objects.filter(campaign=campaign).count()
    v_next = services.save_weights(
        actor=office,
        campaign=campaign,
        weights=_weights(identification=(40, Decimal(100)), technology=(0, Decimal(20)), openness=(10, Decimal(100))),
        note="突出排查识别",
    )
    assert v_next.version == before + 1
    assert IndicatorScheme.objects.filter(campaign=campaign).count() == before + 1
    latest = indicators.weights_for(campaign)
    assert latest.version == v_next.version and latest.items["identification"][0] == 40
    if before:
        earlier = indicators.weights_for(campaign, version=before)
        assert earlier.version == before and earlier.items != latest.items
    data = selectors.scores(office, campaign, version=v_next.version)
    assert [c.weight for c in data["courts"][0].cells] == [40, 20, 0, 10, 15, 15]
    assert AuditEntry.objects.filter(action="assessment.weights", reason="突出排查识别").exists()


@pytest.mark.parametrize(
    "weights, message",
    [
        (_weights(identification=(30, Decimal(100))), "合计须为100（现为110）"),
        (_weights(identification=(101, Decimal(100))), "0至100的整数"),
        (_weights(petitions=(15, Decimal(0))), "目标值须在0.01至1000之间"),
        ({**_weights(), "bribes": (0, Decimal(1))}, "未知的指标"),
    ],
)
def test_bad_weights_are_refused_and_nothing_written(campaign, weights, message):
    before = (IndicatorScheme.objects.count(), IndicatorWeight.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.save_weights(actor=_user("office_demo"), campaign=campaign, weights=weights, note="调整")
    assert message in " ".join(exc.value.messages)
    assert (IndicatorScheme.objects.count(), IndicatorWeight.objects.count()) == before


@pytest.mark.parametrize("username", ["leader_demo", "president_demo", "head_demo", "staff_demo"])
def test_only_the_office_edits_weights(campaign, username, client):
    with pytest.raises(Refusal):
        services.save_weights(actor=_user(username), campaign=campaign, weights=_weights(), note="调整")
    client.force_login(_user(username))
    assert client.get(reverse("workflow:assessment_weights", args=[campaign.pk])).status_code == 403


def test_the_weights_page(campaign, client):
    client.force_login(_user("office_demo"))
    url = reverse("workflow:assessment_weights", args=[campaign.pk])
    assert client.get(url).status_code == 200
    data = {"note": "按会议意见调整"}
    for d in indicators.DEFINITIONS:
        data[f"weight_{d.key}"] = d.weight
        data[f"target_{d.key}"] = d.target
    data["weight_identification"] = 25  # 105 in all
    response = client.post(url, data)
    assert response.status_code == 400 and "合计须为100" in response.content.decode()
    data["weight_identification"] = 20
    response = client.post(url, data)
    assert response.status_code == 302
    assert IndicatorScheme.objects.filter(campaign=campaign, note="按会议意见调整").exists()
    page = client.get(reverse("workflow:assessment")).content.decode()
    assert 'data-action="weights"' in page and "按会议意见调整" not in page


def test_the_ranking_page_takes_a_bounded_number_of_queries(campaign, client, django_assert_max_num_queries):
    client.force_login(_user("office_demo"))
    with django_assert_max_num_queries(30):
        assert client.get(reverse("workflow:assessment")).status_code == 200


def test_the_ranking_exports_as_a_workbook_of_the_readers_rows(campaign, client):
    import io

    import openpyxl

    client.force_login(_user("deputy_demo"))  # a reader of the intermediate court only
    response = client.get(reverse("workflow:assessment_export") + f"?campaign={campaign.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["法院排名", "庭室排名", "说明"]
    courts = list(book["法院排名"].iter_rows(values_only=True))
    assert courts[0][:3] == ("名次", "单位", "总分") and len(courts[0]) == 3 + 18
    assert [r[1] for r in courts[1:]] == ["鹤岗市中级人民法院"]
    divisions = list(book["庭室排名"].iter_rows(values_only=True))[1:]
    assert len(divisions) == Division.objects.filter(court__code="hgzy").count()
    client.force_login(_user("staff_demo"))
    assert client.get(reverse("workflow:assessment_export")).status_code == 403
