"""The API's writes added for phase four and the registers, on the whole demo, per role: questionnaires (create,
items, send, publish, close), 限期整改 from a result, court rules, warning rules — allowed, forbidden 403, out of
scope 404, wrong state 409, bad input 400, each refusal writing nothing; ids in a write body looked up in the
writer's scope (another court's id answers like a missing one); the query count of each write pinned."""

import datetime
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from hkcourt.api import services as tokens
from hkcourt.api.rest import ScopedPrimaryKeyField
from hkcourt.notifications.models import Notification
from hkcourt.org.models import AuditEntry, Person
from risks.measures.models import CourtRule
from risks.models import Power, PowerStep, RiskPoint
from tests.test_access_walk import world  # noqa: F401  (the whole demo, seeded once for this module)
from workflow.assessment.models import Invitation, Item, Questionnaire
from workflow.oversight.models import Rectification, Signal, WarningRule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(client):
    def make(username, scope="write"):
        user = get_user_model().objects.get(username=username)
        _token, raw = tokens.create_token(actor=user, name="t", scope=scope, days=5)

        def call(method, path, data=None, **extra):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}
            if data is not None:
                kwargs.update(data=json.dumps(data), content_type="application/json")
            return getattr(client, method)(path, **kwargs)

        return call

    return make


def _counts():
    """Rows per model: what a request wrote."""
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models() if m._meta.managed}


def _changed(before):
    after = _counts()
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def _queries(call, *args):
    with CaptureQueriesContext(connection) as ctx:
        response = call(*args)
    return response, len(ctx.captured_queries)


def _error(response, status, code=None):
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "fields"} and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


# Measured on the demo (office_demo); a query per recipient, item or linked row would show here.
WRITE_QUERIES = {
    "create": 19,
    "items": 17,
    "send": 24,
    "publish": 18,
    "close": 18,
    "rectify": 75,
    "court_rule": 23,
    "warning_rule": 17,
}


def _today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# ---------------------------------------------------------------- questionnaires


def _new_questionnaire(city, **extra):
    return {"court": city.pk, "title": "审判作风问卷", "opens_on": _today(), "closes_on": _today(14), **extra}


def test_building_and_sending_a_questionnaire_is_the_offices(api, world):  # noqa: F811
    staff, head, leader, office = api("staff_demo"), api("head_demo"), api("leader_demo"), api("office_demo")
    city = world["court_near"]
    measured = {}
    before = _counts()
    _error(staff("post", "/api/v1/questionnaires/", _new_questionnaire(city)), 403, "forbidden")
    _error(leader("post", "/api/v1/questionnaires/", _new_questionnaire(city)), 403, "forbidden")
    bad = _error(office("post", "/api/v1/questionnaires/", _new_questionnaire(city, closes_on=_today(-1))), 400)
    assert "closes_on" in bad["fields"]
    assert (
        "court"
        in _error(office("post", "/api/v1/questionnaires/", _new_questionnaire(city, court=999999)), 400)["fields"]
    )
    assert (
        "satisfaction_threshold"
        in _error(office("post", "/api/v1/questionnaires/", _new_questionnaire(city, satisfaction_threshold=101)), 400)[
            "fields"
        ]
    )
    assert (
        "campaign"
        in _error(office("post", "/api/v1/questionnaires/", _new_questionnaire(city, campaign=999999)), 400)["fields"]
    )
    text_for_number = office("post", "/api/v1/questionnaires/", _new_questionnaire(city, rating_threshold="3.5"))
    assert "rating_threshold" in _error(text_for_number, 400)["fields"]  # the schema says a number
    assert _changed(before) == {}
    # allowed: the office drafts one (its answer is the detail, with what it may do next)
    body = _new_questionnaire(city, rating_threshold=3.8)
    created, measured["create"] = _queries(office, "post", "/api/v1/questionnaires/", body)
    assert created.status_code == 201, created.json()
    q = created.json()
    assert (q["state"], q["court"], q["items"], q["actions"]["edit"]) == ("draft", city.pk, [], True)
    assert Questionnaire.objects.get(pk=q["id"]).rating_threshold == Decimal("3.80")
    url = f"/api/v1/questionnaires/{q['id']}/"
    # items: the office only; staff cannot see the questionnaire (404), the leading group may not edit it (403)
    rating = {"kind": "rating", "text": "办案人员廉洁自律情况"}
    _error(staff("post", url + "items/", rating), 404, "not_found")
    _error(leader("post", url + "items/", rating), 403, "forbidden")
    _error(office("post", url + "items/", {"kind": "single", "text": "满意吗", "choices": ["是"]}), 400)
    _error(office("post", url + "items/", {**rating, "choices": "是"}), 400)
    numbers = office("post", url + "items/", {"kind": "single", "text": "满意吗", "choices": [1, 2]})
    assert "choices" in _error(numbers, 400)["fields"]  # texts, not numbers coerced into texts
    added, measured["items"] = _queries(office, "post", url + "items/", rating)
    assert added.status_code == 201 and [i["number"] for i in added.json()["items"]] == [1]
    single = {"kind": "single", "text": "立案窗口服务", "choices": ["满意", "一般", "不满意"], "satisfied": [1]}
    assert [c["satisfied"] for c in office("post", url + "items/", single).json()["items"][1]["choices"]] == [
        True,
        False,
        False,
    ]
    # sending: to staff_demo's division; a division of another court outside the questionnaire's is refused
    division = world["division_near"]
    far = Questionnaire.objects.get(pk=world["survey_far"].pk)
    before = _counts()
    _error(staff("post", url + "send/", {"divisions": [division.pk]}), 404)
    _error(head("post", url + "send/", {"divisions": [division.pk]}), 404)
    _error(leader("post", url + "send/", {"divisions": [division.pk]}), 403)
    assert "divisions" in _error(office("post", url + "send/", {"divisions": [999999]}), 400)["fields"]
    assert "courts" in _error(office("post", url + "send/", {}), 400)["fields"]  # nothing chosen
    # the far court's questionnaire may go to the far court only: the city's division is not among its targets
    outside = office("post", f"/api/v1/questionnaires/{far.pk}/send/", {"divisions": [division.pk]})
    assert "divisions" in _error(outside, 400)["fields"]
    assert _changed(before) == {}
    sent, measured["send"] = _queries(office, "post", url + "send/", {"divisions": [division.pk]})
    assert sent.status_code == 200, sent.json()
    people = Person.objects.filter(division=division, user__is_active=True).count()
    assert sent.json() == {"invited": people} and people > 0
    assert Invitation.objects.filter(questionnaire_id=q["id"], recipient__username="staff_demo").exists()
    assert Notification.objects.filter(recipient__username="staff_demo", kind="assessment.invite").exists()
    assert office("post", url + "send/", {"divisions": [division.pk]}).json() == {"invited": 0}  # once per person
    # sent: its items are fixed (409), publishing and closing follow
    before = _counts()
    _error(office("post", url + "items/", rating), 409, "state")
    _error(leader("post", url + "publish/", {}), 403)
    _error(office("post", url + "publish/", {"public": True}), 400)
    assert _changed(before) == {}
    published, measured["publish"] = _queries(office, "post", url + "publish/", {})
    assert published.status_code == 200 and published.json()["is_public"] is True
    _error(office("post", url + "publish/", {}), 409, "state")
    closed, measured["close"] = _queries(office, "post", url + "close/", {})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    before = _counts()
    _error(office("post", url + "close/", {}), 409, "state")
    _error(office("post", url + "send/", {"divisions": [division.pk]}), 409, "state")
    assert _changed(before) == {}
    actions = set(AuditEntry.objects.filter(object_id=str(q["id"])).values_list("action", flat=True))
    assert {"assessment.create", "assessment.item_add", "assessment.send", "assessment.publish"} <= actions
    for name in ("create", "items", "send", "publish", "close"):
        assert measured[name] <= WRITE_QUERIES[name], measured


def test_a_rectification_is_ordered_from_a_low_result(api, world):  # noqa: F811
    staff, leader, office = api("staff_demo"), api("leader_demo"), api("office_demo")
    item = world["survey_item_near"]
    q = item.questionnaire
    url = f"/api/v1/questionnaires/{q.pk}/items/{item.pk}/rectify/"
    owner = Person.objects.filter(court=q.court, user__is_active=True).exclude(user__username="office_demo").first()
    body = {"owner": owner.pk, "deadline": _today(30), "plan": "一月内整改到位"}
    before = _counts()
    _error(staff("post", url, body), 404, "not_found")
    _error(leader("post", url, body), 403, "forbidden")
    # an item of another questionnaire under this one's address: 404
    other = Item.objects.exclude(questionnaire=q).first()
    _error(office("post", f"/api/v1/questionnaires/{q.pk}/items/{other.pk}/rectify/", body), 404)
    # another court's person as the owner answers like a missing one: 400 on the field, nothing linked
    assert "owner" in _error(office("post", url, {**body, "owner": world["person_far"].pk}), 400)["fields"]
    assert "owner" in _error(office("post", url, {**body, "owner": 999999}), 400)["fields"]
    assert "deadline" in _error(office("post", url, {**body, "deadline": _today(-1)}), 400)["fields"]
    assert _changed(before) == {}
    done, queries = _queries(office, "post", url, body)
    assert done.status_code == 201, done.json()
    rect = Rectification.objects.get(pk=done.json()["rectification"])
    assert done.json()["code"] == rect.code and rect.owner_id == owner.user_id
    assert Signal.objects.filter(court=q.court, channel="survey").exists()
    item.refresh_from_db()
    assert item.rectification_id == rect.pk
    _error(office("post", url, body), 409, "state")  # once per item
    assert queries <= WRITE_QUERIES["rectify"], queries


# ---------------------------------------------------------------- court rules


def test_registering_a_court_rule_is_the_offices(api, world):  # noqa: F811
    staff, leader, president, office = api("staff_demo"), api("leader_demo"), api("president_demo"), api("office_demo")
    city = world["court_near"]
    rp = RiskPoint.objects.filter(court=city).exclude(state="retired").first()
    power = Power.objects.filter(court=city).first()
    body = {
        "court": city.pk,
        "title": "审判流程节点管理办法",
        "number": "法〔2026〕1号",
        "issued_on": _today(),
        "text": "各审判庭按节点办理。",
        "risk_points": [rp.pk],
        "powers": [power.pk],
    }
    before = _counts()
    for call in (staff, leader, president):
        _error(call("post", "/api/v1/court-rules/", body), 403, "forbidden")
    # another court's risk point and power: the office sees them, the service refuses them for this court
    for extra, field in (
        ({"risk_points": [world["rp_far"].pk]}, "risk_points"),
        ({"powers": [world["power_far"].pk]}, "powers"),
        ({"risk_points": [999999]}, "risk_points"),
        ({"court": 999999}, "court"),
    ):
        assert field in _error(office("post", "/api/v1/court-rules/", {**body, **extra}), 400)["fields"], extra
    assert "text" in _error(office("post", "/api/v1/court-rules/", {**body, "text": ""}), 400)["fields"]
    assert "file" in _error(office("post", "/api/v1/court-rules/", {**body, "file": "x.pdf"}), 400)["fields"]
    assert _changed(before) == {}
    done, queries = _queries(office, "post", "/api/v1/court-rules/", body)
    assert done.status_code == 201, done.json()
    assert (done.json()["risk_points"], done.json()["powers"], done.json()["court"]) == ([rp.pk], [power.pk], city.pk)
    rule = CourtRule.objects.get(pk=done.json()["id"])
    assert AuditEntry.objects.filter(action="measures.rule_create", object_id=str(rule.pk)).exists()
    assert staff("get", f"/api/v1/court-rules/{rule.pk}/").status_code == 200  # the register is readable
    before = _counts()
    assert "title" in _error(office("post", "/api/v1/court-rules/", body), 400)["fields"]  # the same title again
    assert _changed(before) == {}
    assert queries <= WRITE_QUERIES["court_rule"], queries


def test_a_staff_member_cannot_see_the_rows_a_rule_would_link(api, world):  # noqa: F811
    """The scope of each id: a risk point the writer cannot see answers exactly like one that does not exist."""
    staff = get_user_model().objects.get(username="staff_demo")

    class Request:
        user = staff

    hidden = world["rp_far"]
    assert not RiskPoint.objects.visible_to(staff).filter(pk=hidden.pk).exists()

    class Body(serializers.Serializer):
        risk_points = ScopedPrimaryKeyField(RiskPoint, many=True)

    for pk in (hidden.pk, 999999):
        body = Body(data={"risk_points": [pk]}, context={"request": Request()})
        assert not body.is_valid()
        assert str(pk) in str(body.errors["risk_points"][0]) and hidden.description not in str(body.errors)
    visible = RiskPoint.objects.visible_to(staff).first()
    body = Body(data={"risk_points": [visible.pk]}, context={"request": Request()})
    assert body.is_valid(), body.errors


# ---------------------------------------------------------------- risk points: ids of other courts


def test_a_risk_points_power_and_step_come_from_the_writers_court(api, world):  # noqa: F811
    """The power catalogue is the organisation's (every court's powers are readable), so another court's power is
    found and refused by the service; an id outside the catalogue answers the same field."""
    staff = api("staff_demo")
    own_power = Power.objects.filter(court=world["court_near"], division=world["division_near"]).first()
    own_step = PowerStep.objects.filter(power=own_power).first()
    far_power = world["power_far"]
    far_step = PowerStep.objects.exclude(power=own_power).filter(power__court=world["court_far"]).first()
    far_step = far_step or PowerStep.objects.exclude(power=own_power).first()  # a step of another power
    body = {"description": "庭审中接受当事人宴请", "manifestations": "私下会见当事人"}
    before = _counts()
    for extra, field in (
        ({"power": far_power.pk}, "power"),
        ({"power": 999999}, "power"),
        ({"power": own_power.pk, "step": far_step.pk}, "step"),
        ({"step": 999999}, "step"),
        ({"key_links": [999999]}, "key_links"),
    ):
        refused = _error(staff("post", "/api/v1/risk-points/", {**body, **extra}), 400, "invalid")
        assert field in refused["fields"], (extra, refused)
    assert _changed(before) == {}
    draft = world["rp_draft"]
    patched = staff("patch", f"/api/v1/risk-points/{draft.pk}/", {"power": far_power.pk, "version": draft.version})
    assert "power" in _error(patched, 400)["fields"]
    draft.refresh_from_db()
    assert draft.power_id != far_power.pk
    done = staff(
        "post", "/api/v1/risk-points/", {**body, "power": own_power.pk, "step": own_step.pk if own_step else None}
    )
    assert done.status_code == 201, done.json()
    assert done.json()["power"] == own_power.pk


# ---------------------------------------------------------------- warning rules


def test_warning_rules_are_read_by_the_overseers_and_edited_by_the_top_office(api, world):  # noqa: F811
    staff, leader, president, office = api("staff_demo"), api("leader_demo"), api("president_demo"), api("office_demo")
    rule = WarningRule.objects.order_by("pk").first()
    url = f"/api/v1/warning-rules/{rule.pk}/"
    _error(staff("get", "/api/v1/warning-rules/"), 403, "forbidden")
    _error(staff("get", url), 403, "forbidden")
    listed = leader("get", "/api/v1/warning-rules/")
    assert listed.status_code == 200 and rule.pk in {r["id"] for r in listed.json()["results"]}
    assert president("get", url).status_code == 200
    body = {"level": "red", "threshold": rule.threshold + 1, "window_days": 30, "enabled": True}
    before = _counts()
    _error(staff("put", url, body), 403)
    _error(leader("put", url, body), 403, "forbidden")  # reads the rules, edits none (city-wide: the top office)
    _error(president("patch", url, {"enabled": False}), 403)
    _error(office("put", "/api/v1/warning-rules/999999/", body), 404, "not_found")
    assert "threshold" in _error(office("put", url, {**body, "threshold": 0}), 400)["fields"]
    assert "threshold" in _error(office("put", url, {**body, "threshold": "5"}), 400)["fields"]
    assert "level" in _error(office("put", url, {**body, "level": "purple"}), 400)["fields"]
    assert "name" in _error(office("patch", url, {"name": "改名"}), 400)["fields"]  # the name is fixed
    _error(office("delete", url), 405)
    assert _changed(before) == {}
    done, queries = _queries(office, "put", url, body)
    assert done.status_code == 200, done.json()
    assert (done.json()["level"], done.json()["threshold"], done.json()["updated_by"]) == (
        "red",
        rule.threshold + 1,
        "office_demo",
    )
    patched = office("patch", url, {"enabled": False})
    assert patched.status_code == 200
    rule.refresh_from_db()
    assert (rule.enabled, rule.threshold, rule.window_days, rule.level) == (False, body["threshold"], 30, "red")
    assert AuditEntry.objects.filter(action="oversight.rule_update", object_id=str(rule.pk)).count() == 2
    assert queries <= WRITE_QUERIES["warning_rule"], queries
