"""The figures: counts, means, satisfaction; small groups never shown on their own, in any combination."""

import datetime

import pytest

from hkcourt.org.models import Court, Division
from workflow.assessment import selectors, services
from workflow.assessment.models import Invitation
from workflow.assessment.stats import _partition, questionnaire_stats
from workflow.models import local_today

from .conftest import build, sheet

pytestmark = pytest.mark.django_db


def _answer(q, n, **kw):
    tokens = Invitation.objects.filter(questionnaire=q, used=False).order_by("pk")[:n]
    assert len(tokens) == n
    for t in tokens:
        services.answer_with_token(token=t.token, answers=sheet(q, **kw))


def test_counts_means_and_satisfaction(survey):
    _answer(survey, 2, single=0, multiple=(0, 2), rating=5, text="甲")
    _answer(survey, 2, single=2, multiple=(1,), rating=2, text="乙")
    total, stats = questionnaire_stats(survey)
    assert total == 4
    single, multiple, rating, text = stats
    assert [(c["n"], c["pct"]) for c in single.choices] == [(2, 50), (0, 0), (2, 50)]
    assert single.satisfaction == 50  # 满意 and 基本满意 count as satisfied
    assert [c["n"] for c in multiple.choices] == [2, 2, 2]
    assert multiple.satisfaction is None
    assert [r["n"] for r in rating.ratings] == [0, 2, 0, 0, 2]
    assert str(rating.mean) == "3.50"
    # Four answers: below the minimum, so no text, no verdict, no groups.
    assert text.texts is None
    assert not rating.below and not single.below
    assert rating.groups == []


def test_texts_and_verdicts_appear_from_five_answers(survey):
    _answer(survey, 5, rating=3, text="建议公开")
    _total, stats = questionnaire_stats(survey)
    assert stats[3].texts == [{"text": "建议公开", "n": 5}]
    assert stats[2].below and stats[2].threshold == "整改线3.50分"
    assert not stats[0].below


def test_a_division_shows_only_with_five_answers_and_the_rest_is_merged(office, hgzy):
    q = build(office, hgzy)
    divisions = Division.objects.filter(court=hgzy)
    services.send_to_staff(actor=office, questionnaire=q, courts=[hgzy])
    civil = divisions.get(name="民事审判庭")
    for invitation in Invitation.objects.filter(questionnaire=q, division=civil):
        services.answer_with_token(token=invitation.token, answers=sheet(q, rating=5))
    others = Invitation.objects.filter(questionnaire=q, used=False).exclude(division=civil).order_by("pk")[:6]
    for invitation in others:
        services.answer_with_token(token=invitation.token, answers=sheet(q, rating=1))
    _total, stats = questionnaire_stats(q)
    rating = stats[2]
    assert rating.level == "division"
    labels = {g.label: (g.answered, str(g.mean)) for g in rating.groups}
    assert labels.pop("鹤岗中院·民事审判庭") == (civil.people.count(), "5.00")
    (merged,) = labels.items()
    assert merged[0].startswith("其他") and merged[1] == (6, "1.00")
    assert sum(g.answered for g in rating.groups) == rating.answered


def test_answers_from_several_courts_are_grouped_by_court_only(office, hgzy):
    q = build(office, hgzy)
    services.send_to_staff(actor=office, questionnaire=q, courts=list(Court.objects.all()))
    tokens = list(Invitation.objects.filter(questionnaire=q, court=hgzy)[:6])
    tokens += list(Invitation.objects.filter(questionnaire=q).exclude(court=hgzy)[:6])
    for invitation in tokens:
        services.answer_with_token(token=invitation.token, answers=sheet(q, rating=4))
    _total, stats = questionnaire_stats(q)
    assert stats[2].level == "court"
    assert [g.answered for g in stats[2].groups if g.label == "鹤岗中院"] == [6]
    assert all("·" not in g.label for g in stats[2].groups)


@pytest.mark.parametrize(
    "sizes, shown, hidden",
    [
        ({"甲": 7, "乙": 6}, ["甲", "乙"], 0),
        ({"甲": 7, "乙": 3, "丙": 2}, ["甲", "其他"], 0),  # 3 + 2 merged make five
        ({"甲": 7, "乙": 6, "丙": 1}, ["甲", "其他"], 0),  # 1 alone could be worked out: 乙 joins it
        ({"甲": 2, "乙": 1}, [], 2),
        ({"甲": 9}, ["甲"], 0),
    ],
)
def test_no_row_under_five_and_no_row_that_could_be_subtracted(sizes, shown, hidden):
    entries = [(label, {"n": n, "sum": 3 * n, "sat": 0}) for label, n in sizes.items()]
    groups, left_out = _partition(entries, rating=True)
    assert sorted(g.label[:2] if g.label.startswith("其他") else g.label for g in groups) == sorted(shown)
    assert all(g.answered >= 5 for g in groups)
    assert left_out == hidden
    if groups and not hidden:
        assert sum(g.answered for g in groups) == sum(sizes.values())


def test_results_wait_for_the_end_of_the_questionnaire(survey, office):
    _answer(survey, 5, rating=2)
    data = selectors.results(survey)
    assert data["pending"] and data["stats"] == [] and data["total"] == 5
    services.close(actor=office, questionnaire=survey)
    survey.refresh_from_db()
    data = selectors.results(survey)
    assert not data["pending"] and data["stats"][2].below


def test_a_questionnaire_past_its_date_is_finished(survey):
    survey.closes_on = local_today() - datetime.timedelta(days=1)
    assert survey.finished
