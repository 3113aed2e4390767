import datetime

import pytest
from django.core.cache import cache

from hkcourt.org.models import Court, Division
from workflow.assessment import services
from workflow.assessment.models import Invitation, ItemKind
from workflow.models import local_today


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hgzy(demo_org):
    return Court.objects.get(code="hgzy")


@pytest.fixture
def civil(hgzy):
    return Division.objects.get(court=hgzy, name="民事审判庭")


@pytest.fixture
def office(demo_user):
    return demo_user("office_demo")


def build(office, court, *, title="廉政风险防控满意度调查", opens_on=None, closes_on=None):
    """A draft with one item of each kind: 1 single (two satisfied choices), 2 multiple, 3 rating, 4 text."""
    today = local_today()
    q = services.create_questionnaire(
        actor=office,
        court=court,
        title=title,
        intro="请如实作答。",
        opens_on=opens_on or today,
        closes_on=closes_on or today + datetime.timedelta(days=10),
    )
    services.add_item(
        actor=office,
        questionnaire=q,
        kind=ItemKind.SINGLE,
        text="总体评价",
        choices=["满意", "基本满意", "不满意"],
        satisfied=[1, 2],
    )
    services.add_item(
        actor=office, questionnaire=q, kind=ItemKind.MULTIPLE, text="需要加强的环节", choices=["立案", "执行", "采购"]
    )
    services.add_item(actor=office, questionnaire=q, kind=ItemKind.RATING, text="执行工作廉洁情况")
    services.add_item(actor=office, questionnaire=q, kind=ItemKind.TEXT, text="意见建议", required=False)
    return q


def sheet(q, *, single=0, multiple=(0,), rating=4, text="无"):
    """A valid answer sheet for :func:`build`'s questionnaire (choices by their index)."""
    items = list(q.items.order_by("number").prefetch_related("choices"))
    choices = [list(i.choices.order_by("number")) for i in items]
    return {
        items[0].pk: choices[0][single].pk,
        items[1].pk: [choices[1][m].pk for m in multiple],
        items[2].pk: rating,
        items[3].pk: text,
    }


@pytest.fixture
def survey(office, hgzy, civil):
    """Built and sent to 民事审判庭 (staff_demo, head_demo and three more)."""
    q = build(office, hgzy)
    services.send_to_staff(actor=office, questionnaire=q, divisions=[civil])
    q.refresh_from_db()
    return q


@pytest.fixture
def token_of(survey):
    def get(user):
        return Invitation.objects.get(questionnaire=survey, recipient=user).token

    return get
