"""The risk-point import's queries do not grow with its rows (issue 12): the court's posts, catalogue and
key links are read once, the rows are checked without a query each, and the service writes them in bulk —
still one transition, one version and one audit entry per point."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hkcourt.org.models import AuditEntry, Court
from risks import services
from risks.models import KeyLink, RiskPoint, State, Transition
from risks.resources import RISK_COLUMNS

pytestmark = pytest.mark.django_db


def _rows(n, civil_power, staff):
    step = civil_power.steps.order_by("order").first()
    link = KeyLink.objects.filter(area="civil").order_by("sort_order").first()
    division, post = staff.person.division.name, staff.person.post.name
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(RISK_COLUMNS.values()))
    for i in range(n):
        if i % 4 == 3:
            writer.writerow(["单位", "", "", "", "", f"单位层面风险点{i}", "会前定调", "集体定", ""])
        elif i % 4 == 2:
            writer.writerow(
                ["庭室", division, "", civil_power.name, "", f"庭室风险点{i}", "审批流于形式", "组织评", ""]
            )
        else:
            writer.writerow(
                ["岗位", division, post, civil_power.name, step.name if i % 2 else "", f"岗位风险点{i}", "审查不严",
                 "群众提", link.name]
            )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def _run(office, court, content, commit):
    with CaptureQueriesContext(connection) as queries:
        outcome = services.import_risk_points(
            actor=office, court=court, filename="x.csv", content=content, commit=commit
        )
    assert outcome.ok and outcome.committed == commit, (outcome.file_error, outcome.rows[:2])
    return len(queries)


@pytest.mark.parametrize("commit", [False, True], ids=["dry-run", "commit"])
def test_the_import_runs_the_same_queries_for_20_and_200_rows(demo_user, hgzy, civil_power, commit):
    staff = demo_user("staff_demo")
    small, large = _rows(20, civil_power, staff), _rows(200, civil_power, staff)
    ContentType.objects.get_for_models(RiskPoint, Court)  # the audit's content types, cached per process
    small = _run(demo_user("office_demo"), hgzy, small, commit)  # each run with the user as a request has it
    large = _run(demo_user("office_demo"), hgzy, large, commit)
    assert small == large, (small, large)
    assert large <= (40 if commit else 20)


def test_a_bulk_import_still_writes_a_transition_a_version_and_an_audit_entry_per_point(demo_user, hgzy, civil_power):
    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    _run(office, hgzy, _rows(40, civil_power, staff), True)
    created = list(RiskPoint.objects.filter(court=hgzy, owner=office).order_by("id"))
    assert len(created) == 40 and {rp.state for rp in created} == {State.SUBMITTED}
    ids = [rp.pk for rp in created]
    assert Transition.objects.filter(risk_point__in=ids, from_state="", to_state=State.SUBMITTED).count() == 40
    assert AuditEntry.objects.filter(action="risks.enter", object_id__in=[str(i) for i in ids]).count() == 40
    versions = RiskPoint.history.filter(id__in=ids, history_type="+", history_user=office)
    assert versions.count() == 40
    linked = [rp for rp in created if rp.key_links.exists()]
    assert linked
    for rp in linked[:3]:
        version = versions.get(id=rp.pk)
        assert [k.keylink_id for k in version.key_links.all()] == list(rp.key_links.values_list("pk", flat=True))
    with_step = [rp for rp in created if rp.step_id]
    assert with_step and all(rp.step.power_id == civil_power.pk for rp in with_step)
    court_level = [rp for rp in created if rp.level == "court"]
    assert court_level and all(rp.division_id is None and rp.post_id is None for rp in court_level)


def test_a_row_naming_a_post_of_another_division_is_refused_without_writing(demo_user, hgzy, civil_power):
    office = demo_user("office_demo")
    content = "层面,庭室,岗位,风险点描述,主要表现形式\n岗位,民事审判庭,不存在的岗位,描述,表现\n".encode()
    outcome = services.import_risk_points(actor=office, court=hgzy, filename="x.csv", content=content, commit=True)
    assert not outcome.ok and not outcome.committed
    assert any("不存在的岗位" in m for r in outcome.rows for m in r["messages"])
    assert not RiskPoint.objects.filter(owner=office).exists()


def test_record_risk_points_refuses_a_path_the_state_machine_does_not_allow(demo_user, hgzy):
    """The seeders' bulk service writes only pasts the per-action services could have produced."""
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    staff = demo_user("staff_demo")
    now = timezone.now()

    def entry(path):
        rp = RiskPoint(
            court=hgzy,
            division=staff.person.division,
            post=staff.person.post,
            owner=staff,
            level="post",
            description="跳过评级直接公示",
            manifestations="未经评定即公示",
            state=path[-1],
        )
        steps = [(state, staff.pk, "", now - datetime.timedelta(days=9 - i)) for i, state in enumerate(path)]
        return (rp, [], steps, [])

    with pytest.raises(ValidationError):
        services.record_risk_points(court=hgzy, entries=[entry([State.DRAFT, State.PUBLISHED])])
    assert not RiskPoint.objects.filter(owner=staff, description="跳过评级直接公示").exists()
    (rp,) = services.record_risk_points(court=hgzy, entries=[entry([State.DRAFT, State.SUBMITTED])])
    assert [t.to_state for t in rp.transitions.order_by("created_at")] == [State.DRAFT, State.SUBMITTED]
    assert rp.version == 2 and RiskPoint.history.filter(id=rp.pk).count() == 2
    assert AuditEntry.objects.filter(object_id=str(rp.pk), action__in=["risks.create", "risks.submit"]).count() == 2
