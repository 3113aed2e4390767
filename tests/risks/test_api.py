"""The risk point endpoints: the page's scope, filters and services through JSON; 404/403/409/400 with one
error shape and nothing written on refusal; cursor pages; pinned query counts."""

import json
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hkcourt.api import services as tokens
from hkcourt.org.models import AuditEntry, Court
from risks import services
from risks.models import KeyLink, RiskGrading, RiskPoint, State, Transition

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def api(client, demo_user):
    """``api(username, scope)`` → a function making JSON requests with that person's token."""

    def make(username, scope="write"):
        _token, raw = tokens.create_token(actor=demo_user(username), name="t", scope=scope, days=5)

        def call(method, path, data=None, **extra):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}
            if data is not None:
                kwargs.update(data=data if isinstance(data, str) else json.dumps(data), content_type="application/json")
            return getattr(client, method)(path, **kwargs)

        return call

    return make


def writes():
    return (
        RiskPoint.objects.count(),
        Transition.objects.count(),
        RiskGrading.objects.count(),
        AuditEntry.objects.count(),
    )


def draft_of(user, **kw):
    return services.create_risk_point(
        actor=user, level="post", description=kw.get("description", "庭审中违规会见当事人"), manifestations="私下会见"
    )


def test_staff_creates_lists_and_submits_a_draft(api, demo_user, civil_power):
    staff = api("staff_demo")
    link = KeyLink.objects.first()
    created = staff(
        "post",
        "/api/v1/risk-points/",
        {
            "description": "保全裁定拖延",
            "manifestations": "故意拖延",
            "power": civil_power.pk,
            "step": civil_power.steps.first().pk,
            "key_links": [link.pk],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "draft" and body["owner"] == "staff_demo" and body["key_links"] == [link.pk]
    assert body["actions"]["submit"] is True and body["actions"]["grade"] is False
    listed = staff("get", "/api/v1/risk-points/?mine=true").json()
    assert body["id"] in [row["id"] for row in listed["results"]]
    submitted = staff("post", f"/api/v1/risk-points/{body['id']}/submit/", {"version": body["version"]})
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert Transition.objects.filter(risk_point_id=body["id"], to_state="submitted").count() == 1


def test_out_of_scope_and_another_persons_draft_are_404(api, demo_user):
    far = RiskPointFactory(owner=demo_user("xiangyang_president"), state=State.SUBMITTED)
    colleague_draft = draft_of(demo_user("hgzy_d02_s0"))
    staff = api("staff_demo")
    office = api("office_demo")
    for rp in (far, colleague_draft):
        before = writes()
        for method, path in (("get", ""), ("post", "submit/"), ("get", "gradings/"), ("patch", "")):
            response = staff(method, f"/api/v1/risk-points/{rp.pk}/{path}", {} if method != "get" else None)
            assert response.status_code == 404, (rp, method, path)
            assert response.json()["code"] == "not_found"
        assert writes() == before
    # The office of the city reaches the basic court's point.
    assert office("get", f"/api/v1/risk-points/{far.pk}/").status_code == 200


def test_forbidden_is_403_and_wrong_state_is_409_and_nothing_is_written(api, demo_user):
    staff_user = demo_user("staff_demo")
    rp = draft_of(staff_user)
    services.submit(actor=staff_user, risk_point=rp)
    rp.refresh_from_db()
    head, staff = api("head_demo"), api("staff_demo")
    before = writes()
    # The head of the division may not submit someone's point: 403.
    refused = head("post", f"/api/v1/risk-points/{rp.pk}/submit/", {})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden" and refused.json()["message"]
    # The owner submitting again: the state stands in the way: 409.
    again = staff("post", f"/api/v1/risk-points/{rp.pk}/submit/", {})
    assert again.status_code == 409 and again.json()["code"] == "state"
    # A stale version: 409 as well.
    stale = head(
        "post",
        f"/api/v1/risk-points/{rp.pk}/grade/",
        {
            "importance": 3,
            "discretion": 3,
            "probability": 2,
            "harm": 3,
            "grade": "high",
            "version": rp.version - 1 or 99,
        },
    )
    assert stale.status_code == 409
    assert writes() == before


def test_grading_ones_own_point_is_refused(api, demo_user):
    head_user = demo_user("head_demo")
    rp = services.create_risk_point(actor=head_user, level="division", description="庭室层面", manifestations="x")
    services.submit(actor=head_user, risk_point=rp)
    rp.refresh_from_db()
    head = api("head_demo")
    before = writes()
    response = head(
        "post",
        f"/api/v1/risk-points/{rp.pk}/grade/",
        {"importance": 2, "discretion": 2, "probability": 2, "harm": 2, "grade": "low", "version": rp.version},
    )
    assert response.status_code in (403, 404)
    assert writes() == before


def test_head_returns_and_grades_through_the_services(api, demo_user):
    staff_user = demo_user("staff_demo")
    rp = draft_of(staff_user)
    services.submit(actor=staff_user, risk_point=rp)
    rp.refresh_from_db()
    head = api("head_demo")
    missing_reason = head("post", f"/api/v1/risk-points/{rp.pk}/return/", {})
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()["fields"]
    graded = head(
        "post",
        f"/api/v1/risk-points/{rp.pk}/grade/",
        {"importance": 3, "discretion": 3, "probability": 2, "harm": 3, "grade": "high", "version": rp.version},
    )
    assert graded.status_code == 200, graded.json()
    assert graded.json()["state"] == "graded" and graded.json()["grade"] == "high"
    gradings = head("get", f"/api/v1/risk-points/{rp.pk}/gradings/").json()
    assert [g["tier"] for g in gradings] == ["review"] and gradings[0]["factors"]["importance"] == 3
    # Office confirms, then publishes.
    office = api("office_demo")
    today = timezone.localdate()
    confirmed = office(
        "post", f"/api/v1/risk-points/{rp.pk}/confirm/", {"date": str(today), "participants": "张三", "minutes": "同意"}
    )
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    past = office("post", f"/api/v1/risk-points/{rp.pk}/publish/", {"publicity_ends": str(today)})
    assert past.status_code == 400 and "publicity_ends" in past.json()["fields"]
    published = office("post", f"/api/v1/risk-points/{rp.pk}/publish/", {"publicity_ends": "2099-01-01"})
    assert published.status_code in (200, 400)


def test_bad_input_unknown_fields_wrong_types_are_400_and_write_nothing(api):
    staff = api("staff_demo")
    before = writes()
    cases = [
        ({"description": "a", "manifestations": "b", "colour": "red"}, "colour"),
        ({"description": ["a"], "manifestations": "b"}, "description"),
        ({"description": "a", "manifestations": "b", "power": "x"}, "power"),
        ({"description": "a", "manifestations": "b", "key_links": [999999]}, "key_links"),
        ({"description": "a", "manifestations": "b", "level": "galaxy"}, "level"),
        ({"manifestations": "b"}, "description"),
    ]
    for body, field in cases:
        response = staff("post", "/api/v1/risk-points/", body)
        assert response.status_code == 400, body
        data = response.json()
        assert data["code"] == "invalid" and field in data["fields"], data
    assert staff("post", "/api/v1/risk-points/", "{not json").status_code == 400
    assert staff("post", "/api/v1/risk-points/", "[1, 2]").status_code == 400
    assert writes() == before


def test_only_own_draft_is_updated(api, demo_user):
    staff_user = demo_user("staff_demo")
    rp = draft_of(staff_user)
    staff = api("staff_demo")
    changed = staff("patch", f"/api/v1/risk-points/{rp.pk}/", {"description": "改过的描述", "version": rp.version})
    assert changed.status_code == 200 and changed.json()["description"] == "改过的描述"
    stale = staff("patch", f"/api/v1/risk-points/{rp.pk}/", {"description": "再改", "version": rp.version})
    assert stale.status_code == 409
    services.submit(actor=staff_user, risk_point=RiskPoint.objects.get(pk=rp.pk))
    version = RiskPoint.objects.get(pk=rp.pk).version
    refused = staff(
        "put", f"/api/v1/risk-points/{rp.pk}/", {"description": "x", "manifestations": "y", "version": version}
    )
    assert refused.status_code in (403, 409)
    assert RiskPoint.objects.get(pk=rp.pk).description == "改过的描述"


Q = quote("游标测试")  # clients send the query percent-encoded


def test_list_uses_the_pages_filters_and_a_stable_cursor(api, demo_user):
    owner = demo_user("staff_demo")
    for i in range(7):
        RiskPointFactory(
            owner=owner, description=f"游标测试{i}", state=State.SUBMITTED, grade="high" if i % 2 else "low"
        )
    staff = api("staff_demo")
    first = staff("get", f"/api/v1/risk-points/?q={Q}&size=3").json()
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        page = staff("get", url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7
    high = staff("get", f"/api/v1/risk-points/?q={Q}&grade=high").json()["results"]
    assert {row["grade"] for row in high} == {"high"} and len(high) == 3
    ranked = staff("get", f"/api/v1/risk-points/?q={Q}&sort=grade_rank").json()["results"]
    assert [row["grade"] for row in ranked][:3] == ["high"] * 3
    bad = staff("get", "/api/v1/risk-points/?court=notanumber")
    assert bad.status_code == 400 and "court" in bad.json()["fields"]
    # Another court's points never appear.
    far_court = Court.objects.get(code="xiangyang")
    assert all(row["court"] != far_court.pk for row in staff("get", "/api/v1/risk-points/?size=200").json()["results"])


@pytest.mark.parametrize("username", ["office_demo", "head_demo", "staff_demo"])
def test_list_and_detail_query_counts_are_pinned(api, demo_user, civil_power, username):
    owners = [demo_user(u) for u in ("staff_demo", "hgzy_d02_s0", "hgzy_d02_s2")]
    links = list(KeyLink.objects.all()[:3])
    for i in range(60):
        rp = RiskPointFactory(owner=owners[i % 3], power=civil_power, state=State.SUBMITTED)
        rp.key_links.set(links[: 1 + i % 3])
    rp = RiskPoint.objects.filter(owner=owners[0]).last()
    call = api(username)
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            response = call("get", f"/api/v1/risk-points/?size={size}")
        assert response.status_code == 200
        counts[size] = len(ctx.captured_queries)
    assert counts[5] == counts[50] <= 8, counts
    with CaptureQueriesContext(connection) as ctx:
        assert call("get", f"/api/v1/risk-points/{rp.pk}/").status_code == 200
    assert len(ctx.captured_queries) <= 12, [q["sql"][:80] for q in ctx.captured_queries]


def test_catalogue_endpoints_are_read_only(api, civil_power):
    staff = api("staff_demo")
    detail = staff("get", f"/api/v1/powers/{civil_power.pk}/").json()
    assert [s["name"] for s in detail["steps"]] == ["审查申请与担保", "作出保全裁定", "实施查封冻结"]
    assert staff("get", "/api/v1/key-links/").status_code == 200
    assert staff("get", f"/api/v1/power-steps/{civil_power.steps.first().pk}/").status_code == 200
    assert staff("post", "/api/v1/powers/", {"name": "x"}).status_code == 405
