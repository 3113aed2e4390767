"""The demo's finished round (an acceptance with one unit ordered to redo, phase summaries), 我的待办 (the
questionnaire to answer, the summary to write, the acceptance to do) and the dashboard's assessment section."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from hkcourt.org.models import Division, RoleAssignment
from hkcourt.org.roles import Role
from hkcourt.org.todos import todos_for
from workflow.assessment import demo, selectors
from workflow.assessment.models import Acceptance, AcceptanceUnit, PhaseSummary
from workflow.models import Campaign


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
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
    cache.clear()
    return world


def _user(name):
    return get_user_model().objects.get(username=name)


def _head_of(name):
    division = Division.objects.get(court__code="hgzy", name=name)
    return RoleAssignment.objects.get(role=Role.DIVISION_HEAD, division=division).user


def test_the_demo_round_orders_one_unit_to_redo(campaign):
    acceptance = Acceptance.objects.get(title=demo.ACCEPTANCE_TITLE)
    units = {u.label: u for u in acceptance.units.select_related("rectification")}
    assert units["鹤岗中院·民事审判庭"].grade == "pass" and units["鹤岗中院·民事审判庭"].rectification is None
    redo = units["鹤岗中院·执行局"]
    assert redo.grade == "fail" and redo.formalism and redo.social_grade and redo.spot_grade == "fail"
    assert redo.rectification.state == "open" and redo.rectification.owner == _head_of("执行局")
    assert [u.ordered_redo for u in units.values()].count(True) == 1
    assert PhaseSummary.objects.filter(phase__campaign=campaign, division__isnull=True).count() == 1
    assert PhaseSummary.objects.filter(phase__campaign=campaign, division__isnull=False).count() == 1
    counts = (Acceptance.objects.count(), AcceptanceUnit.objects.count(), PhaseSummary.objects.count())
    demo.seed(log=lambda *_: None)
    assert (Acceptance.objects.count(), AcceptanceUnit.objects.count(), PhaseSummary.objects.count()) == counts


def test_my_todos(campaign, client):
    titles = lambda user: [t.title for t in todos_for(user)]  # noqa: E731
    assert any(t.startswith("答问卷") for t in titles(_user("staff_demo")))
    criminal = _head_of("刑事审判庭")
    assert any(t.startswith("提交自查报告") and "刑事审判庭" in t for t in titles(criminal))
    assert not any(t.startswith("提交自查报告") for t in titles(_user("head_demo")))  # 民事审判庭 reported
    office = [t for t in todos_for(_user("office_demo")) if t.title.startswith("完成考核验收")]
    assert len(office) == 1 and office[0].count == 2  # 刑事审判庭 and 向阳区法院 wait for a result
    # The summaries to write are exactly the ones due and not yet written.
    due = selectors.summaries_to_write(criminal)
    for phase, _court, division in due:
        assert division.name == "刑事审判庭" and phase.start <= phase.end
        assert not PhaseSummary.objects.filter(phase=phase, division=division).exists()
    client.force_login(criminal)
    assert "提交自查报告" in client.get(reverse("home")).content.decode()


def test_the_dashboard_shows_the_acceptance_results(campaign, client):
    client.force_login(_user("office_demo"))
    d = client.get(reverse("workflow:dashboard_data")).json()["assessment"]
    assert d["units"] == 4 and d["decided"] == 2
    assert {g["label"]: g["n"] for g in d["grades"]} == {"优秀": 0, "合格": 1, "基本合格": 0, "不合格": 1}
    assert [r["unit"] for r in d["redo"]] == ["鹤岗中院·执行局"] and d["redo"][0]["rectification"]
    page = client.get(reverse("workflow:dashboard")).content.decode()
    assert 'id="dash-assessment"' in page and "须重新补课的单位" in page
    assert client.get(reverse("workflow:dashboard_section", args=["assessment"])).status_code == 200
    # A deputy sees the units of the divisions they oversee only.
    client.force_login(_user("deputy_demo"))
    d = client.get(reverse("workflow:dashboard_data")).json()["assessment"]
    assert d["units"] == 1 and d["redo"] == [] and "report" not in d["links"]
    client.force_login(_user("president_demo"))  # 组长 of the leading group: the rectification too
    d = client.get(reverse("workflow:dashboard_data")).json()["assessment"]
    assert [r["unit"] for r in d["redo"]] == ["鹤岗中院·执行局"] and d["redo"][0]["rectification"]
