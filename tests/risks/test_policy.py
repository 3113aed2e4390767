"""The registry's permission policy: the pages show exactly the actions the rules allow (drift), every
service refuses when its rule refuses (no second path), out-of-scope objects answer 404, a flowchart shows
no grade of a point hidden from its reader, and the risk import writes through the services."""

import dataclasses
import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hkcourt.org import policy
from hkcourt.org.models import AuditEntry, Division, Person
from hkcourt.org.policy import FORBIDDEN, STATE, Refusal, deny
from risks import services
from risks.measures import services as measure_services
from risks.measures.models import Measure, MeasureStatus
from risks.models import CatalogueLock, Grade, Level, PeerCheck, RiskPoint, State, Transition

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

USERS = [
    "staff_demo",
    "head_demo",
    "deputy_demo",
    "president_demo",
    "office_demo",
    "leader_demo",
    "admin",
    "hgzy_d02_s0",  # a colleague of staff_demo in the civil division, invited to a peer check below
]
HIGH = {"importance": 3, "discretion": 3, "probability": 2, "harm": 3}
ACTION = re.compile(r'data-action="([a-z_]+)"')


def _shown(html: str) -> set[str]:
    """The actions whose buttons the page's main part shows (the header and menus are not the page's)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return set(ACTION.findall(main))


def _allowed(user, obj) -> set[str]:
    return {name for name, ok in policy.allowed_actions(user, obj).items() if ok}


def _measure(rp, owner, creator, status=MeasureStatus.PLANNED, **kw):
    return Measure.objects.create(
        risk_point=rp,
        court=rp.court,
        division=rp.division,
        kind="post",
        category="supervision",
        title=kw.pop("title", "保全裁定一律合议"),
        description="保全裁定一律经合议庭评议并留痕。",
        owner=owner,
        deadline=kw.pop("deadline", timezone.localdate() + datetime.timedelta(days=30)),
        status=status,
        created_by=creator,
        **kw,
    )


@pytest.fixture
def points(demo_user, civil_power, later):
    """Risk points in every state, and the peer check and measures that open the remaining actions."""
    staff, head, office = demo_user("staff_demo"), demo_user("head_demo"), demo_user("office_demo")
    step = civil_power.steps.first()

    def point(state, owner=staff, **kw):
        return RiskPointFactory(owner=owner, power=civil_power, step=step, state=state, **kw)

    graded = {"grade": Grade.LOW, "responsible_leader": head}
    rows = {
        "draft": point(State.DRAFT),
        "submitted": point(State.SUBMITTED),
        "returned": point(State.RETURNED),
        "graded": point(State.GRADED, **graded),
        "confirmed": point(State.CONFIRMED, **graded),
        "published": point(State.PUBLISHED, publicity_ends=later, **graded),
        "published_in_place": point(State.PUBLISHED, publicity_ends=later, **graded),
        "controlled": point(State.CONTROLLED, **graded),
        "retired": point(State.RETIRED),
        "head_submitted": point(State.SUBMITTED, owner=head),
        "court_level": RiskPointFactory(
            owner=office, level=Level.COURT, division=None, post=None, state=State.SUBMITTED
        ),
    }
    services.request_peer_check(actor=head, risk_point=rows["submitted"], reviewer=demo_user("hgzy_d02_s0"))
    _measure(rows["published_in_place"], staff, head, status=MeasureStatus.IN_PLACE)
    return rows


# ---------------------------------------------------------------- drift: buttons shown == allowed actions


@pytest.mark.parametrize("username", USERS)
def test_risk_page_buttons_are_the_allowed_actions(client, demo_user, points, username):
    user = demo_user(username)
    client.force_login(user)
    seen = 0
    for label, rp in points.items():
        response = client.get(reverse("risks:detail", args=[rp.pk]))
        if response.status_code == 404:
            continue
        assert response.status_code == 200, (username, label)
        rp = RiskPoint.objects.select_related("court").get(pk=rp.pk)
        assert _shown(response.content.decode()) == _allowed(user, rp), (username, label)
        seen += 1
    assert seen, f"{username} sees none of the points"


def test_every_risk_action_has_a_button_somewhere(client, demo_user, points):
    """The drift test above is not vacuous: each action on a risk point is offered to someone."""
    offered = set()
    for username in USERS:
        user = demo_user(username)
        client.force_login(user)
        for rp in points.values():
            response = client.get(reverse("risks:detail", args=[rp.pk]))
            if response.status_code == 200:
                offered |= _shown(response.content.decode())
    assert offered == set(policy.allowed_actions(demo_user("admin"), points["draft"]))


@pytest.fixture
def measures(demo_user, points):
    staff, head, office = demo_user("staff_demo"), demo_user("head_demo"), demo_user("office_demo")
    rp = points["published"]
    past = timezone.localdate() - datetime.timedelta(days=3)
    return {
        "planned": _measure(rp, staff, head),
        "overdue": _measure(rp, staff, head, title="逾期的措施", deadline=past),
        "in_place": _measure(rp, staff, head, status=MeasureStatus.IN_PLACE),
        "checked": _measure(rp, staff, head, status=MeasureStatus.CHECKED, checked_by=office),
        "acknowledged": _measure(rp, staff, head, acknowledged_by=head, acknowledged_at=timezone.now()),
        "office_owned": _measure(rp, office, head, status=MeasureStatus.IN_PLACE),
    }


@pytest.mark.parametrize("username", USERS)
def test_measure_page_buttons_are_the_allowed_actions(client, demo_user, measures, username):
    user = demo_user(username)
    client.force_login(user)
    for label, m in measures.items():
        response = client.get(reverse("risks:measure_detail", args=[m.pk]))
        if response.status_code == 404:
            continue
        assert response.status_code == 200, (username, label)
        m = Measure.objects.select_related("court", "risk_point").get(pk=m.pk)
        assert _shown(response.content.decode()) == _allowed(user, m), (username, label)


def test_every_measure_action_has_a_button_somewhere(client, demo_user, measures):
    offered = set()
    for username in USERS:
        client.force_login(demo_user(username))
        for m in measures.values():
            response = client.get(reverse("risks:measure_detail", args=[m.pk]))
            if response.status_code == 200:
                offered |= _shown(response.content.decode())
    assert offered == {"put_in_place", "check", "acknowledge", "upload_evidence"}


def test_overdue_is_decided_by_the_query_not_the_page(client, login_as, measures):
    login_as("staff_demo")
    html = client.get(reverse("risks:measure_detail", args=[measures["overdue"].pk])).content.decode()
    assert "逾期" in html
    html = client.get(reverse("risks:measure_detail", args=[measures["planned"].pk])).content.decode()
    assert "逾期" not in html
    html = client.get(reverse("risks:measures"), {"overdue": "on"}).content.decode()
    assert "逾期的措施" in html and "逾期" in html


# ---------------------------------------------------------------- no second path around the policy


@pytest.fixture
def ctx(demo_user, civil_power, hgzy, later):
    staff, head, office = demo_user("staff_demo"), demo_user("head_demo"), demo_user("office_demo")
    colleague = demo_user("hgzy_d02_s0")
    step = civil_power.steps.first()

    def point(state, **kw):
        return RiskPointFactory(owner=staff, power=civil_power, step=step, state=state, **kw)

    graded = {"grade": Grade.LOW, "responsible_leader": head}
    published = point(State.PUBLISHED, publicity_ends=later, **graded)
    published_in_place = point(State.PUBLISHED, publicity_ends=later, **graded)
    _measure(published_in_place, staff, head, status=MeasureStatus.IN_PLACE)
    peer_checked = point(State.SUBMITTED)
    PeerCheck.objects.create(risk_point=peer_checked, reviewer=colleague, requested_by=head)
    return SimpleNamespace(
        staff=staff,
        head=head,
        office=office,
        colleague=colleague,
        court=hgzy,
        power=civil_power,
        later=later,
        draft=point(State.DRAFT),
        submitted=point(State.SUBMITTED),
        graded=point(State.GRADED, **graded),
        confirmed=point(State.CONFIRMED, **graded),
        published=published,
        published_in_place=published_in_place,
        peer_checked=peer_checked,
        measure=_measure(published, staff, head),
        in_place=_measure(published, staff, head, status=MeasureStatus.IN_PLACE),
    )


TODAY = timezone.localdate
RISK_CSV = "层面,庭室,岗位,职权,环节,风险点描述,主要表现形式,查找方式,重点环节\n单位,,,,,会前定调,个人定调,集体定,\n"
POWER_CSV = "职权名称,职权内容\n测试职权,测试内容\n"

# (rule, label, the service call an actor the rule allows would make)
SERVICE_CALLS = [
    (
        "risks.create",
        "create",
        lambda c: services.create_risk_point(actor=c.staff, level="post", description="x", manifestations="y"),
    ),
    (
        "risks.use_source",
        "create",
        lambda c: services.create_risk_point(actor=c.staff, level="post", description="x", manifestations="y"),
    ),
    (
        "risks.create_for_division",
        "create",
        lambda c: services.create_risk_point(actor=c.head, level="division", description="x", manifestations="y"),
    ),
    (
        "risks.edit",
        "update",
        lambda c: services.update_risk_point(
            actor=c.staff, risk_point=c.draft, expected_version=c.draft.version, description="x", manifestations="y"
        ),
    ),
    ("risks.submit", "submit", lambda c: services.submit(actor=c.staff, risk_point=c.draft)),
    ("risks.return", "return", lambda c: services.return_risk_point(actor=c.head, risk_point=c.submitted, reason="r")),
    (
        "risks.grade",
        "grade",
        lambda c: services.grade(
            actor=c.head, risk_point=c.submitted, factors=HIGH, grade=Grade.HIGH, expected_version=c.submitted.version
        ),
    ),
    (
        "risks.adjust_grade",
        "adjust",
        lambda c: services.adjust_grade(
            actor=c.office, risk_point=c.graded, factors=HIGH, grade=Grade.HIGH, expected_version=c.graded.version
        ),
    ),
    (
        "risks.confirm",
        "confirm",
        lambda c: services.confirm(
            actor=c.office, risk_points=[c.graded], date=TODAY(), participants="院长", minutes="同意"
        ),
    ),
    (
        "risks.publish",
        "publish",
        lambda c: services.publish(actor=c.office, risk_points=[c.confirmed], publicity_ends=c.later),
    ),
    ("risks.retire", "retire", lambda c: services.retire(actor=c.office, risk_point=c.submitted, reason="r")),
    (
        "risks.mark_controlled",
        "control",
        lambda c: services.mark_controlled(actor=c.office, risk_point=c.published_in_place),
    ),
    (
        "risks.request_peer_check",
        "peer",
        lambda c: services.request_peer_check(actor=c.head, risk_point=c.submitted, reviewer=c.colleague),
    ),
    (
        "risks.comment_peer_check",
        "comment",
        lambda c: services.comment_peer_check(actor=c.colleague, risk_point=c.peer_checked, comment="意见"),
    ),
    (
        "risks.recompute_responsible_leaders",
        "recompute",
        lambda c: services.recompute_responsible_leaders(actor=c.office, court=c.court),
    ),
    (
        "risks.import_risk_points",
        "import",
        lambda c: services.import_risk_points(
            actor=c.office, court=c.court, filename="x.csv", content=RISK_CSV.encode(), commit=True
        ),
    ),
    (
        "risks.import_risk_points",
        "enter",
        lambda c: services.enter_risk_points(
            actor=c.office,
            court=c.court,
            entries=[(RiskPoint(level=Level.COURT, description="会前定调", manifestations="个人定调"), [])],
        ),
    ),
    (
        "risks.import_powers",
        "import",
        lambda c: services.import_powers(
            actor=c.office, court=c.court, filename="x.csv", content=POWER_CSV.encode(), commit=True
        ),
    ),
    (
        "risks.manage_catalogue",
        "power",
        lambda c: services.save_power(actor=c.office, court=c.court, name="新职权", content="内容"),
    ),
    ("risks.edit_power", "steps", lambda c: services.save_steps(actor=c.head, power=c.power, rows=[])),
    (
        "risks.edit_power",
        "power",
        lambda c: services.save_power(
            actor=c.head, court=c.court, power=c.power, name="诉讼保全裁定", content="内容", division=c.power.division
        ),
    ),
    (
        "risks.add_power",
        "power",
        lambda c: services.save_power(
            actor=c.head, court=c.court, name="新增庭室职权", content="内容", division=c.power.division
        ),
    ),
    ("risks.lock_catalogue", "lock", lambda c: services.lock_catalogue(actor=c.office, court=c.court)),
    (
        "risks.unlock_catalogue",
        "unlock",
        lambda c: (
            CatalogueLock.objects.create(court=c.court, locked_by=c.office),
            services.unlock_catalogue(actor=c.office, court=c.court, reason="补充新职权"),
        ),
    ),
    (
        "measures.create",
        "create",
        lambda c: measure_services.create_measure(
            actor=c.head,
            risk_point=c.published,
            kind="post",
            category="supervision",
            title="t",
            description="d",
            owner=c.staff,
            deadline=c.later,
        ),
    ),
    (
        "measures.propose",
        "propose",
        lambda c: measure_services.propose_measure(
            actor=c.staff, risk_point=c.published, category="management", title="t", description="d", deadline=c.later
        ),
    ),
    (
        "measures.approve",
        "approve",
        lambda c: measure_services.approve_measure(
            actor=c.head, measure=_measure(c.published, c.staff, c.staff, status=MeasureStatus.PROPOSED)
        ),
    ),
    (
        "measures.reject",
        "reject",
        lambda c: measure_services.reject_measure(
            actor=c.head, measure=_measure(c.published, c.staff, c.staff, status=MeasureStatus.PROPOSED), reason="重复"
        ),
    ),
    ("measures.put_in_place", "in_place", lambda c: measure_services.mark_in_place(actor=c.staff, measure=c.measure)),
    ("measures.check", "check", lambda c: measure_services.check_measure(actor=c.office, measure=c.in_place, note="n")),
    ("measures.acknowledge", "ack", lambda c: measure_services.acknowledge(actor=c.head, measure=c.measure)),
    (
        "measures.upload_evidence",
        "evidence",
        lambda c: measure_services.add_evidence(
            actor=c.staff, measure=c.measure, upload=SimpleUploadedFile("a.pdf", b"%PDF-1")
        ),
    ),
    (
        "measures.create_rule",
        "rule",
        lambda c: measure_services.create_rule(actor=c.office, court=c.court, title="t", text="x", issued_on=TODAY()),
    ),
]
#: Rules only pages ask (what the list offers, reading the public's comments, exporting what one sees).
PAGE_ONLY = {"risks.bulk_review", "risks.bulk_campaign", "risks.bulk_confirm", "risks.export", "risks.read_feedback"}


def test_every_rule_is_enforced_by_a_service_or_only_asked_by_pages():
    names = {n for n in policy.rule_names() if n.split(".")[0] in ("risks", "measures")}
    assert names == {rule for rule, _label, _call in SERVICE_CALLS} | PAGE_ONLY


@pytest.mark.parametrize("rule,label,call", SERVICE_CALLS, ids=[f"{r}:{lb}" for r, lb, _c in SERVICE_CALLS])
def test_the_service_passes_with_the_real_rules(ctx, rule, label, call):
    call(ctx)  # the actor of each call may take the action: nothing is refused


@pytest.mark.parametrize("rule,label,call", SERVICE_CALLS, ids=[f"{r}:{lb}" for r, lb, _c in SERVICE_CALLS])
def test_the_service_refuses_when_its_rule_refuses(monkeypatch, ctx, rule, label, call):
    entry = policy._RULES[rule]
    monkeypatch.setitem(
        policy._RULES, rule, dataclasses.replace(entry, function=lambda user, obj=None: deny(f"拒绝：{rule}"))
    )
    audit_before, transitions_before = AuditEntry.objects.count(), Transition.objects.count()
    with pytest.raises(Refusal, match=f"拒绝：{rule}"):
        call(ctx)
    assert (AuditEntry.objects.count(), Transition.objects.count()) == (audit_before, transitions_before)


def test_refusals_carry_forbidden_or_state(ctx, demo_user):
    with pytest.raises(Refusal) as refused:
        services.grade(
            actor=ctx.staff,
            risk_point=ctx.submitted,
            factors=HIGH,
            grade="high",
            expected_version=ctx.submitted.version,
        )
    assert refused.value.code == FORBIDDEN
    with pytest.raises(Refusal, match="不能评定等级") as refused:
        services.grade(
            actor=ctx.head, risk_point=ctx.graded, factors=HIGH, grade="high", expected_version=ctx.graded.version
        )
    assert refused.value.code == STATE
    with pytest.raises(Refusal, match="由领导小组办公室录入"):
        services.create_risk_point(
            actor=ctx.staff, level="post", description="x", manifestations="y", source="collective"
        )
    with pytest.raises(Refusal, match="只能为本人负责的庭室"):
        services.create_risk_point(
            actor=ctx.head,
            level="division",
            description="x",
            manifestations="y",
            division=Division.objects.filter(court=ctx.court).exclude(pk=ctx.head.person.division_id).first(),
        )
    with pytest.raises(Refusal, match="没有被邀请互查"):
        services.comment_peer_check(actor=ctx.staff, risk_point=ctx.submitted, comment="x")
    with pytest.raises(Refusal, match="评定等级后才能制定"):
        measure_services.create_measure(
            actor=ctx.head,
            risk_point=ctx.submitted,
            kind="post",
            category="supervision",
            title="t",
            description="d",
            owner=ctx.staff,
            deadline=ctx.later,
        )
    with pytest.raises(Refusal, match="只有领导小组办公室可以导入风险点"):
        services.enter_risk_points(actor=ctx.head, court=ctx.court, entries=[])


def test_the_form_offers_only_the_sources_the_person_may_use(client, login_as):
    login_as("staff_demo")
    html = client.get(reverse("risks:create")).content.decode()
    assert 'value="self"' in html and 'value="collective"' not in html and 'value="leader"' not in html
    login_as("office_demo")
    html = client.get(reverse("risks:create")).content.decode()
    assert 'value="collective"' in html and 'value="leader"' in html


# ---------------------------------------------------------------- 404 before 403


def test_setting_a_measure_on_a_point_one_cannot_see_or_another_persons_draft_is_404(client, login_as, ctx):
    criminal = RiskPointFactory(owner=Person.objects.filter(court=ctx.court, division__name="刑事审判庭").first().user)
    login_as("head_demo")
    assert client.get(reverse("risks:measure_create", args=[criminal.pk])).status_code == 404
    assert client.get(reverse("risks:measure_create", args=[ctx.draft.pk])).status_code == 404  # staff's draft
    assert client.get(reverse("risks:measure_create", args=[ctx.submitted.pk])).status_code == 403  # not graded yet
    assert client.get(reverse("risks:measure_create", args=[ctx.published.pk])).status_code == 200
    login_as("office_demo")
    assert client.get(reverse("risks:measure_create", args=[ctx.draft.pk])).status_code == 404
    login_as("staff_demo")
    assert client.get(reverse("risks:measure_create", args=[ctx.draft.pk])).status_code == 403  # own, not graded


# ---------------------------------------------------------------- flowcharts


def _weak(html, step):
    match = re.search(rf'<g class="hk-step( hk-weak)?" data-step="{step.pk}"', html)
    assert match, "the step is on the flowchart"
    return bool(match.group(1))


def test_a_flowchart_shows_no_grade_of_a_point_its_reader_cannot_see(client, login_as, demo_user, civil_power):
    colleague = demo_user("hgzy_d02_s0")
    assert colleague.person.division_id == demo_user("staff_demo").person.division_id
    step = civil_power.steps.order_by("order")[1]
    RiskPointFactory(owner=colleague, power=civil_power, step=step, state=State.GRADED, grade=Grade.HIGH)
    url = reverse("risks:power_detail", args=[civil_power.pk])
    login_as("head_demo")  # sees the division's points: the step is a weak link, coloured high
    html = client.get(url).content.decode()
    assert _weak(html, step)
    login_as("staff_demo")  # sees only their own points: nothing on that step
    html = client.get(url).content.decode()
    assert not _weak(html, step)
    assert "hk-weak" not in html  # no step of this power is coloured for this reader


# ---------------------------------------------------------------- the import writes through the services


def test_imported_points_get_their_history_and_audit_through_the_services(demo_user, hgzy):
    office = demo_user("office_demo")
    content = (RISK_CSV + "单位,,,,,党组会前定调,会前统一口径,组织评,\n").encode()
    outcome = services.import_risk_points(actor=office, court=hgzy, filename="x.csv", content=content, commit=True)
    assert outcome.committed and outcome.ok
    created = list(RiskPoint.objects.filter(court=hgzy, owner=office).order_by("id"))
    assert [rp.state for rp in created] == [State.SUBMITTED, State.SUBMITTED]
    for rp in created:
        t = rp.transitions.get()
        assert (t.from_state, t.to_state, t.actor) == ("", State.SUBMITTED, office)
        assert t.reason_code == "risks.reason.import"
        assert t.reason_text == "批量导入"
        assert AuditEntry.objects.filter(action="risks.enter", object_id=str(rp.pk)).exists()
        assert rp.campaign_year is not None
    entry = AuditEntry.objects.get(action="risks.points_import")
    assert entry.data["risk_points"] == [rp.pk for rp in created]


def test_a_dry_run_of_the_import_writes_nothing(demo_user, hgzy):
    outcome = services.import_risk_points(
        actor=demo_user("office_demo"), court=hgzy, filename="x.csv", content=RISK_CSV.encode(), commit=False
    )
    assert outcome.ok and not outcome.committed
    assert not RiskPoint.objects.exists() and not Transition.objects.exists()


def test_the_office_marks_a_point_with_a_measure_in_place_as_controlled(client, login_as, ctx):
    url = reverse("risks:action", args=[ctx.published_in_place.pk, "control"])
    login_as("staff_demo")
    assert client.post(url).status_code == 403
    login_as("office_demo")
    bare = RiskPointFactory(owner=ctx.staff, state=State.PUBLISHED, grade=Grade.LOW, publicity_ends=ctx.later)
    response = client.post(reverse("risks:action", args=[bare.pk, "control"]))
    assert response.status_code == 409 and "尚无已落实的防控措施" in response.content.decode()
    assert client.post(url).status_code == 302  # no reason needed
    ctx.published_in_place.refresh_from_db()
    assert ctx.published_in_place.state == State.CONTROLLED
    assert ctx.published_in_place.transitions.latest("id").actor == ctx.office
