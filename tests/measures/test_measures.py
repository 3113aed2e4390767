"""Prevention measures and court rules, through the services and the pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from hkcourt.org.policy import Refusal
from risks.measures import services
from risks.measures.models import CourtRule, Measure, MeasureAttachment, MeasureStatus
from risks.models import Grade, RiskPoint, State, Transition, reason_text
from risks.services import responsible_leader_for
from tests.risks.factories import RiskPointFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def published(demo_user):
    staff = demo_user("staff_demo")
    rp = RiskPointFactory(owner=staff, state=State.PUBLISHED, grade=Grade.LOW)
    rp.responsible_leader = responsible_leader_for(rp)
    rp.save()
    return rp


def _measure(actor, rp, **kw):
    args = {
        "kind": "post",
        "category": "supervision",
        "title": "财产保全裁定由合议庭评议",
        "description": "保全裁定一律经合议庭评议并留痕。",
        "owner": rp.owner,
        "deadline": TODAY() + datetime.timedelta(days=30),
    }
    args.update(kw)
    return services.create_measure(actor=actor, risk_point=rp, **args)


def test_responsible_leader_of_low_grade_is_head(published, demo_user):
    assert published.responsible_leader == demo_user("head_demo")


def test_planned_in_place_checked_and_point_controlled(published, demo_user):
    head, office, staff = demo_user("head_demo"), demo_user("office_demo"), demo_user("staff_demo")
    m = _measure(head, published)
    assert m.status == MeasureStatus.PLANNED
    with translation.override("en"):  # the owner works in English
        services.mark_in_place(actor=staff, measure=m, note="已执行")
    published.refresh_from_db()
    assert published.state == State.CONTROLLED
    t = Transition.objects.filter(risk_point=published).latest("id")
    assert (t.from_state, t.to_state, t.actor) == (State.PUBLISHED, State.CONTROLLED, staff)
    # the system's reason is a code: it reads in the reader's language
    assert (t.reason, t.reason_code, t.reason_params) == (
        "",
        "risks.reason.measure_in_place",
        {"code": m.code, "title": m.title},
    )
    assert t.reason_text == f"防控措施{m.code}“{m.title}”已落实。"
    with translation.override("en"):
        assert t.reason_text == f'Prevention measure {m.code} "{m.title}" is in place.'
    version = RiskPoint.history.filter(id=published.pk).latest("history_id")  # its field history too
    assert reason_text(version.history_change_reason) == f"防控措施{m.code}“{m.title}”已落实。"
    with pytest.raises(Refusal, match="已落实"):
        services.mark_in_place(actor=staff, measure=m)
    with pytest.raises(PermissionDenied):
        services.check_measure(actor=staff, measure=m, note="好")
    services.check_measure(actor=office, measure=m, note="抽查三件，均已评议")
    m.refresh_from_db()
    assert m.status == MeasureStatus.CHECKED


def test_acknowledgement_only_by_responsible_leader(published, demo_user):
    m = _measure(demo_user("office_demo"), published)
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=demo_user("deputy_demo"), measure=m)
    services.acknowledge(actor=demo_user("head_demo"), measure=m)
    with pytest.raises(Refusal, match="确认过"):
        services.acknowledge(actor=demo_user("head_demo"), measure=m)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"deadline": datetime.date(2000, 1, 1)}, "不能早于今天"),
        ({"title": "   "}, "不能为空"),
        ({"description": ""}, "不能为空"),
    ],
)
def test_bad_input_writes_nothing(published, demo_user, kw, message):
    with pytest.raises(ValidationError, match=message):
        _measure(demo_user("head_demo"), published, **kw)
    assert not Measure.objects.exists()


def test_owner_outside_court_refused(published, demo_user):
    from hkcourt.org.models import Person

    outsider = Person.objects.exclude(court=published.court).first().user
    with pytest.raises(ValidationError, match="落实责任人须是"):
        _measure(demo_user("head_demo"), published, owner=outsider)
    assert not Measure.objects.exists()


def test_staff_cannot_set_measures(published, demo_user):
    with pytest.raises(PermissionDenied):
        _measure(demo_user("staff_demo"), published)


def test_evidence_types_size_and_names(published, demo_user):
    m = _measure(demo_user("head_demo"), published)
    staff = demo_user("staff_demo")
    with pytest.raises(ValidationError, match="不支持的文件类型"):
        services.add_evidence(actor=staff, measure=m, upload=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError, match="不支持"):
        services.add_evidence(actor=staff, measure=m, upload=SimpleUploadedFile("x.html", b"<script>"))
    att = services.add_evidence(actor=staff, measure=m, upload=SimpleUploadedFile("../../etc/会议 纪要.pdf", b"%PDF-1"))
    assert att.name == "会议_纪要.pdf"
    assert ".." not in att.file.name and att.file.name.startswith(f"measures/{m.pk}/")
    assert MeasureAttachment.objects.count() == 1


def test_evidence_download_is_scoped(client, published, demo_user):
    m = _measure(demo_user("head_demo"), published)
    att = services.add_evidence(actor=demo_user("staff_demo"), measure=m, upload=SimpleUploadedFile("a.pdf", b"%PDF-1"))
    url = reverse("risks:measure_attachment", args=[att.pk])
    client.force_login(demo_user("staff_demo"))
    assert client.get(url).status_code == 200
    from hkcourt.org.models import Person

    other = (
        Person.objects.filter(court=published.court)
        .exclude(division=published.division)
        .exclude(user__role_assignments__role__in=["office", "president", "leading_group", "admin", "deputy_leader"])
        .first()
        .user
    )
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("risks:measure_detail", args=[m.pk])).status_code == 404


def test_rule_register(published, demo_user):
    office = demo_user("office_demo")
    with pytest.raises(PermissionDenied):
        services.create_rule(
            actor=demo_user("head_demo"), court=published.court, title="x", text="y", issued_on=TODAY()
        )
    with pytest.raises(ValidationError, match="制度内容"):
        services.create_rule(actor=office, court=published.court, title="审判流程管理办法", issued_on=TODAY())
    rule = services.create_rule(
        actor=office,
        court=published.court,
        title="财产保全工作规定",
        number="鹤中法〔2013〕5号",
        text="第一条 ……",
        issued_on=TODAY(),
        risk_points=[published.pk],
    )
    assert list(rule.risk_points.all()) == [published]
    m = _measure(office, published, kind="court", rule=rule)
    assert m.rule == rule
    with pytest.raises(ValidationError, match="依据的制度"):
        _measure(office, published, kind="court")
    assert CourtRule.objects.count() == 1


def test_pages(client, published, demo_user):
    head = demo_user("head_demo")
    client.force_login(head)
    resp = client.post(
        reverse("risks:measure_create", args=[published.pk]),
        {
            "kind": "post",
            "category": "education",
            "title": "每季度廉政谈话",
            "description": "庭长每季度与审判员谈话一次。",
            "owner": head.person.pk,
            "deadline": (TODAY() + datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    m = Measure.objects.get()
    for tab in ("measures", "rules", "mine"):
        resp = client.get(reverse("risks:measures"), {"tab": tab})
        assert resp.status_code == 200
    assert "每季度廉政谈话" in client.get(reverse("risks:measures"), {"tab": "mine"}).content.decode()
    resp = client.post(reverse("risks:measure_action", args=[m.pk, "acknowledge"]))
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.acknowledged_by == head
    resp = client.post(
        reverse("risks:measure_create", args=[published.pk]),
        {
            "kind": "post",
            "category": "education",
            "title": "x",
            "description": "y",
            "owner": head.person.pk,
            "deadline": "2001-01-01",
        },
    )
    assert "不能早于今天" in resp.content.decode()


def test_risk_panel_partial_renders_measures_and_rules(published, demo_user):
    from django.template.loader import render_to_string

    office = demo_user("office_demo")
    rule = services.create_rule(
        actor=office, court=published.court, title="保全规定", text="……", issued_on=TODAY(), risk_points=[published.pk]
    )
    _measure(office, published, kind="court", rule=rule, title="执行保全规定")
    from risks.measures import selectors as measure_selectors

    point_measures = measure_selectors.measures_of_point(office, published)  # the page passes them through scope
    html = render_to_string("risks/measures/_risk_panel.html", {"rp": published, "point_measures": point_measures})
    assert "执行保全规定" in html and "保全规定" in html and "李建国" in html


def test_a_confirmed_point_with_a_measure_in_place_is_controlled_once_published(demo_user, client):
    """A measure can be put in place before publication; publishing such a point puts it under control."""
    from risks import services as risk_services

    staff, head, office = demo_user("staff_demo"), demo_user("head_demo"), demo_user("office_demo")
    rp = RiskPointFactory(owner=staff, state=State.CONFIRMED, grade=Grade.LOW)
    rp.responsible_leader = responsible_leader_for(rp)
    rp.save()
    services.mark_in_place(actor=staff, measure=_measure(head, rp), note="已执行")
    rp.refresh_from_db()
    assert rp.state == State.CONFIRMED
    risk_services.publish(actor=office, risk_points=[rp], publicity_ends=TODAY() + datetime.timedelta(days=10))
    rp.refresh_from_db()
    assert rp.state == State.CONTROLLED
    states = list(Transition.objects.filter(risk_point=rp).order_by("id").values_list("to_state", flat=True))
    assert states[-2:] == [State.PUBLISHED, State.CONTROLLED]


def test_risk_page_shows_measures_and_offers_adding_only_to_who_may(published, demo_user, client):
    _measure(demo_user("head_demo"), published)
    client.force_login(demo_user("head_demo"))
    page = client.get(reverse("risks:detail", args=[published.pk])).content.decode()
    assert "财产保全裁定由合议庭评议" in page
    assert reverse("risks:measure_create", args=[published.pk]) in page
    client.force_login(demo_user("staff_demo"))
    page = client.get(reverse("risks:detail", args=[published.pk])).content.decode()
    assert "财产保全裁定由合议庭评议" in page
    # staff do not set measures; for a point of their own post they propose one (issue 14 item 7)
    assert 'data-action="create"' not in page.split("<main", 1)[1]
    assert 'data-action="propose"' in page
