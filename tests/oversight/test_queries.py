"""The lists keep a bounded number of queries whatever the number of rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from risks.measures.models import Measure
from risks.models import Grade, State
from tests.risks.factories import RiskPointFactory
from workflow.oversight import services

pytestmark = pytest.mark.django_db


def _fill(demo_user, hgzy, civil, n):
    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    today = timezone.localdate()
    for i in range(n):
        rp = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.HIGH)
        Measure.objects.create(
            risk_point=rp,
            court=hgzy,
            division=civil,
            kind="post",
            category="education",
            title=f"措施{i}",
            description="d",
            owner=staff,
            deadline=today - datetime.timedelta(days=40),
            created_by=office,
        )
        services.record_signal(
            actor=office,
            court=hgzy,
            channel="media",
            title=f"信息{i}",
            content="c",
            received_on=today,
            risk_point=rp,
            person=staff,
        )
    services.evaluate_warnings()


@pytest.mark.parametrize("n", [5, 30])
def test_list_pages_bounded(client, demo_user, hgzy, civil, n, django_assert_max_num_queries):
    _fill(demo_user, hgzy, civil, n)
    client.force_login(demo_user("office_demo"))
    for url in (
        reverse("risks:measures"),
        reverse("risks:measures") + "?tab=rules",
        reverse("workflow:signals"),
        reverse("workflow:warnings"),
        reverse("workflow:handling"),
        reverse("workflow:rectifications"),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
    client.force_login(demo_user("head_demo"))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("risks:measures") + "?tab=mine").status_code == 200
