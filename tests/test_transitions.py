"""Every declared workflow machine, walked (hkcourt.org.transitions): each step from each state of its model is
either taken — the state set, one history row and one audit entry written, with the step's code — or refused
with the policy's STATE refusal (409 in the API) and nothing written. The services are checked to go through
the mechanism: their history rows carry the step's code."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from hkcourt.org import audit, transitions
from hkcourt.org.models import AuditEntry, Court, StateChange
from hkcourt.org.policy import STATE, Refusal, can, rule_names
from risks.models import RiskPoint, State, Transition
from tests.risks.factories import RiskPointFactory


class _Rollback(Exception):
    pass


def _objects(demo_user):
    """One object of every model with a machine, written straight to the database."""
    from commitments import services as letters
    from commitments.models import CommitmentLetter, Kind, Supervisor
    from risks.measures.models import Measure, MeasureCategory, MeasureKind
    from workflow.models import Phase
    from workflow.oversight.models import Handling, Rectification, Warning, WarningRule
    from workflow.oversight.rules import ensure_default_rules
    from workflow.services import ensure_builtin_template

    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    court = Court.objects.get(code="hgzy")
    today = timezone.localdate()
    rp = RiskPointFactory(owner=staff, state=State.DRAFT)
    measure = Measure.objects.create(
        risk_point=rp,
        court=rp.court,
        division=rp.division,
        kind=MeasureKind.POST,
        category=MeasureCategory.EDUCATION,
        title="走访当事人须两人同行",
        description="……",
        owner=staff,
        deadline=today,
        created_by=office,
    )
    template = letters.save_template(
        actor=office,
        court=court,
        year=2026,
        title="2026—2027年度廉政风险防范承诺书",
        sign_deadline=datetime.date(2026, 12, 31),
        **letters.default_template_texts(),
    )
    letter = CommitmentLetter.objects.create(
        template=template,
        kind=Kind.PERSONAL,
        court=court,
        signer=staff,
        countersigner_role=Supervisor.DIVISION_HEAD,
        generated_at=timezone.now(),
    )
    ensure_default_rules(WarningRule)
    rule = WarningRule.objects.order_by("id").first()
    warning = Warning.objects.create(rule=rule, level=rule.level, key="walk", court=court, summary="走查")
    handling = Handling.objects.create(kind="reminder", court=court, person=staff, content="……", created_by=office)
    rect = Rectification.objects.create(court=court, owner=staff, problem="……", deadline=today, created_by=office)
    phase = Phase.objects.filter(campaign=ensure_builtin_template()).order_by("number").first()
    return [rp, measure, letter, warning, handling, rect, phase]


def _history_count(obj):
    if isinstance(obj, RiskPoint):
        return Transition.objects.filter(risk_point=obj).count()
    return StateChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).count()


def _audit_count(obj):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)).count()


def test_every_workflow_object_declares_a_machine():
    from commitments.models import CommitmentLetter
    from risks.measures.models import Measure
    from workflow.models import Phase
    from workflow.oversight.models import Handling, Rectification, Warning

    expected = {RiskPoint, Measure, CommitmentLetter, Warning, Handling, Rectification, Phase}
    assert set(transitions.machines()) == expected


@pytest.mark.parametrize("model", list(transitions.machines()), ids=lambda m: m.__name__)
def test_steps_name_registered_codes_rules_and_states(model):
    machine = transitions.machine_for(model)
    choices = {str(v) for v, _label in model._meta.get_field(machine.field).choices}
    rules = set(rule_names())
    for step in machine.steps:
        assert step.audit in audit.ACTIONS, step
        assert step.action is None or step.action in rules, step
        assert step.sources <= choices and step.target in choices, step
        for column in (step.stamp, step.stamp_by):
            assert column is None or model._meta.get_field(column), step
    # the old TRANSITIONS dicts are the machine's graph
    if hasattr(model, "TRANSITIONS"):
        assert machine.graph() == model.TRANSITIONS


@pytest.mark.django_db
def test_walk_every_step_from_every_state(demo_user):
    actor = demo_user("office_demo")
    root = get_user_model().objects.create_superuser("walk_root", password="x")  # every rule's "who" allows
    walked = refused = 0
    for obj in _objects(demo_user):
        model, machine = type(obj), transitions.machine_for(obj)
        states = [str(v) for v, _label in model._meta.get_field(machine.field).choices]
        for state in states:
            for step in machine.steps:
                model.objects.filter(pk=obj.pk).update(**{machine.field: state})
                fresh = model.objects.get(pk=obj.pk)
                history, entries = _history_count(fresh), _audit_count(fresh)
                try:
                    with transaction.atomic():
                        if state in step.sources:
                            row = transitions.apply(fresh, step.name, actor=actor, reason="走查理由")
                            reread = model.objects.get(pk=obj.pk)
                            assert getattr(reread, machine.field) == step.target, (model, state, step)
                            assert _history_count(fresh) == history + 1, (model, state, step)
                            assert _audit_count(fresh) == entries + 1, (model, state, step)
                            assert (row.from_state, row.to_state, row.action, row.actor, row.reason) == (
                                state,
                                step.target,
                                step.audit,
                                actor,
                                "走查理由",
                            )
                            entry = AuditEntry.objects.filter(action=step.audit).latest("id")
                            assert (entry.reason, entry.object_id) == ("走查理由", str(obj.pk))
                            if step.stamp:
                                assert getattr(reread, step.stamp) is not None
                            if step.stamp_by:
                                assert getattr(reread, f"{step.stamp_by}_id") == actor.pk
                            walked += 1
                            raise _Rollback
                        with pytest.raises(Refusal) as refusal:
                            transitions.apply(fresh, step.name, actor=actor, reason="走查理由")
                        assert refusal.value.code == STATE, (model, state, step)
                        assert getattr(fresh, machine.field) == state
                        assert getattr(model.objects.get(pk=obj.pk), machine.field) == state
                        assert (_history_count(fresh), _audit_count(fresh)) == (history, entries), (model, state, step)
                        # no drift: the policy never offers (a button) a step the machine refuses from this state
                        if step.action:
                            assert not can(root, step.action, fresh), (model, state, step)
                        refused += 1
                except _Rollback:
                    pass
    # every model's every step was taken at least once and refused at least once
    assert walked >= 20 and refused >= 40, (walked, refused)


@pytest.mark.django_db
def test_services_write_history_with_the_steps_codes(demo_user):
    """A risk point submitted and a measure approved through their services leave their history rows with the
    step's code; the service refused from the wrong state (STATE) writes none."""
    from risks import services as risk_services
    from risks.measures import services as measures

    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = RiskPointFactory(owner=staff, state=State.DRAFT)
    risk_services.submit(actor=staff, risk_point=rp)
    assert Transition.objects.filter(risk_point=rp).latest("id").action == "risks.submit"
    RiskPoint.objects.filter(pk=rp.pk).update(state=State.GRADED, grade="low")
    m = measures.propose_measure(
        actor=staff,
        risk_point=rp,
        category="education",
        title="八小时外交往报告",
        description="……",
        deadline=timezone.localdate() + datetime.timedelta(days=5),
    )
    measures.approve_measure(actor=head, measure=m, note="同意")
    rows = list(transitions.history_of(m).values_list("from_state", "to_state", "action", "reason"))
    assert rows == [("proposed", "planned", "measures.approve", "同意")]
    with pytest.raises(Refusal) as refusal:
        measures.approve_measure(actor=head, measure=m, note="再次")
    assert refusal.value.code == STATE
    assert transitions.history_of(m).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["handling", "rectification", "measure", "letter"])
def test_detail_pages_show_history_in_one_query(client, demo_user, kind):
    """A handling's, rectification's, measure's and letter's page lists its moves (who, which step, from → to,
    the reason), read in one query with its actors: the page costs as many queries after its moves as before
    (moves chosen so that the page's other fields cost nothing more)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    office = demo_user("office_demo")
    rp, measure, letter, _warning, handling, rect, _phase = _objects(demo_user)
    obj, url, steps = {
        "handling": (handling, reverse("workflow:handling_detail", args=[handling.pk]), ["report_back", "close"]),
        "rectification": (rect, reverse("workflow:rectification_detail", args=[rect.pk]), ["close"]),
        "measure": (measure, reverse("risks:measure_detail", args=[measure.pk]), ["put_in_place"]),
        "letter": (letter, reverse("commitments:detail", args=[letter.pk]), ["sign"]),
    }[kind]
    client.force_login(office)
    client.get(url)  # warm the caches (content types, the session)
    with CaptureQueriesContext(connection) as before:
        page = client.get(url)
    assert page.status_code == 200
    assert "暂无流转记录" in page.content.decode()
    for step in steps:
        transitions.apply(obj, step, actor=office, reason=f"理由{step}")
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    html = page.content.decode()
    assert "暂无流转记录" not in html
    for step in steps:
        assert f"理由{step}" in html
        assert str(audit.label(transitions.machine_for(obj).step(step).audit)) in html
    assert office.person.full_name in html.split("data-history", 1)[1]
    assert len(after.captured_queries) == len(before.captured_queries), [q["sql"] for q in after.captured_queries]
    assert [q["sql"] for q in after.captured_queries if "org_statechange" in q["sql"]] != []
    assert len([q for q in after.captured_queries if "org_statechange" in q["sql"]]) == 1
