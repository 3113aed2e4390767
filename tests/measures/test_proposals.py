"""岗位定措施、部门定流程、单位定制度; 制度+管理+科技 (issue 14 item 7): the 管理 category exists; a staff member
proposes a measure for a point of their own post, the division head approves it (or does not adopt it)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hkcourt.org.models import AuditEntry
from hkcourt.org.policy import STATE, Refusal, allowed_actions, can
from risks.measures import services
from risks.measures.models import Measure, MeasureCategory, MeasureKind, MeasureStatus
from risks.models import Grade, State
from risks.services import responsible_leader_for
from tests.risks.factories import RiskPointFactory

pytestmark = pytest.mark.django_db
ACTION = re.compile(r'data-action="([a-z_]+)"')
LATER = lambda: timezone.localdate() + datetime.timedelta(days=30)  # noqa: E731


@pytest.fixture
def own_point(demo_user):
    staff = demo_user("staff_demo")
    rp = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.LOW)
    rp.responsible_leader = responsible_leader_for(rp)
    rp.save()
    return rp


def _propose(actor, rp, **kw):
    args = {
        "category": MeasureCategory.MANAGEMENT,
        "title": "保全财产清单当日登记",
        "description": "查封财产当日登记入册，次日复核。",
        "deadline": LATER(),
    }
    args.update(kw)
    return services.propose_measure(actor=actor, risk_point=rp, **args)


def test_management_is_a_category():
    assert MeasureCategory("management").label == "管理"
    assert [c.label for c in MeasureCategory] == ["教育", "制度", "监督", "管理", "科技"]


def test_staff_proposes_head_approves(own_point, demo_user):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    m = _propose(staff, own_point)
    assert (m.status, m.kind, m.owner, m.created_by) == (MeasureStatus.PROPOSED, MeasureKind.POST, staff, staff)
    # a proposal is not yet a planned measure: nothing to put in place, the proposer does not approve it
    assert not can(staff, "measures.put_in_place", m)
    assert not can(staff, "measures.approve", m)
    assert can(head, "measures.approve", m) and can(head, "measures.reject", m)
    services.approve_measure(actor=head, measure=m, note="同意")
    m.refresh_from_db()
    assert m.status == MeasureStatus.PLANNED
    assert AuditEntry.objects.filter(action="measures.approve", object_id=str(m.pk)).exists()
    with pytest.raises(Refusal) as again:
        services.approve_measure(actor=head, measure=m)
    assert again.value.code == STATE
    # now it runs as any post measure
    services.mark_in_place(actor=staff, measure=m, note="已执行")
    own_point.refresh_from_db()
    assert own_point.state == State.CONTROLLED


def test_head_does_not_adopt_with_a_reason(own_point, demo_user):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    m = _propose(staff, own_point)
    with pytest.raises(Exception, match="理由"):
        services.reject_measure(actor=head, measure=m, reason="")
    services.reject_measure(actor=head, measure=m, reason="与现有制度重复")
    m.refresh_from_db()
    assert m.status == MeasureStatus.REJECTED
    assert AuditEntry.objects.get(action="measures.reject", object_id=str(m.pk)).reason == "与现有制度重复"


def test_only_for_the_own_post(own_point, demo_user):
    colleague = demo_user("hgzy_d02_s0")  # same division, maybe another post
    other = RiskPointFactory(owner=colleague, state=State.PUBLISHED, grade=Grade.LOW)
    staff = demo_user("staff_demo")
    if other.post_id == staff.person.post_id:
        other.post = other.division.posts.exclude(pk=staff.person.post_id).first()
        other.save()
    with pytest.raises(Refusal, match="本人岗位"):
        _propose(staff, other)
    draft = RiskPointFactory(owner=staff, state=State.SUBMITTED)
    with pytest.raises(Refusal) as early:
        _propose(staff, draft)
    assert early.value.code == STATE
    assert not Measure.objects.filter(risk_point__in=[other, draft]).exists()
    # another division's head may not approve
    m = _propose(staff, own_point)
    criminal_head = demo_user("hgzy_d01_head")
    with pytest.raises(Refusal):
        services.approve_measure(actor=criminal_head, measure=m)


def test_pages_offer_exactly_the_allowed_actions(client, login_as, own_point, demo_user):
    staff = login_as("staff_demo")
    page = client.get(reverse("risks:detail", args=[own_point.pk])).content.decode()
    main = page.split("<main", 1)[1]
    assert "propose" in ACTION.findall(main)
    form = client.get(reverse("risks:measure_create", args=[own_point.pk]))
    assert form.status_code == 200 and "提出岗位防控措施" in form.content.decode()
    response = client.post(
        reverse("risks:measure_create", args=[own_point.pk]),
        {"category": "management", "title": "当日登记", "description": "当日登记入册", "deadline": LATER().isoformat()},
    )
    m = Measure.objects.get(risk_point=own_point, title="当日登记")
    assert response.status_code == 302 and m.status == MeasureStatus.PROPOSED
    for username in ("staff_demo", "head_demo", "deputy_demo", "office_demo"):
        user = login_as(username)
        html = client.get(reverse("risks:measure_detail", args=[m.pk])).content.decode().split("<main", 1)[1]
        shown = set(ACTION.findall(html)) & {"approve", "reject"}
        allowed = {k for k, ok in allowed_actions(user, m).items() if ok} & {"approve", "reject"}
        assert shown == allowed, username
    assert "approve" in shown  # the office too
    login_as("head_demo")
    home = client.get(reverse("home")).content.decode()
    assert "干警提出的岗位措施待我审批" in home
    assert client.post(reverse("risks:measure_action", args=[m.pk, "approve"]), {"note": "同意"}).status_code == 302
    m.refresh_from_db()
    assert m.status == MeasureStatus.PLANNED
    assert staff.pk == m.owner_id
