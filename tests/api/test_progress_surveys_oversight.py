"""The API's campaign progress, phase four's questionnaires (results under the page's rules, one's own
invitations, the anonymous answer) and the oversight writes (record a signal, create a handling), on the
whole demo: out of scope 404, forbidden 403, wrong state 409, bad input 400 — and nothing written on refusal."""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hkcourt.api import services as tokens
from hkcourt.notifications.models import Notification
from hkcourt.org.models import AuditEntry, Person
from tests.test_access_walk import world  # noqa: F401  (the whole demo, seeded once for this module)
from workflow import selectors as campaign_selectors
from workflow.assessment.models import MIN_GROUP, Invitation, ItemKind, Questionnaire, QuestionnaireState
from workflow.models import Campaign
from workflow.oversight import services as oversight
from workflow.oversight.models import Handling, Rectification, Signal, Warning, WarningState

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


def _user(username):
    return get_user_model().objects.get(username=username)


# ---------------------------------------------------------------- campaign progress


def test_campaign_progress_is_the_pages_overview_in_the_readers_reach(api, world):  # noqa: F811
    campaign = Campaign.objects.get(builtin_key="demo-current")
    url = f"/api/v1/campaigns/{campaign.pk}/progress/"
    answers = {}
    for username in ("staff_demo", "office_demo"):
        response = api(username)("get", url)
        assert response.status_code == 200, response.json()
        answers[username] = data = response.json()
        reader = _user(username)
        page = campaign_selectors.campaign_overview(reader, campaign_selectors.get_campaign(reader, campaign.pk))
        assert [p["percent"] for p in data["phases"]] == [pv.percent for pv in page["phases"]]
        assert [[t["id"] for t in p["tasks"]] for p in data["phases"]] == [
            [task.pk for task, _tp, _x, _late in pv.tasks] for pv in page["phases"]
        ]
        assert data["selected_phase"] == page["selected"].phase.number
        assert [r["division"] for r in data["behind"]] == [r.division for r in page["behind"]]
        assert sum(len(p["tasks"]) for p in data["phases"]) > 0
    # staff_demo sees its own row of the table, the office every division of the campaign
    assert len(answers["staff_demo"]["behind"]) < len(answers["office_demo"]["behind"])
    staff_names = {n for r in answers["staff_demo"]["behind"] for c in r["cells"] if c for n in c["names"]}
    assert staff_names <= {_user("staff_demo").person.full_name}
    office = api("office_demo")
    first = answers["office_demo"]["phases"][0]["number"]
    assert office("get", f"{url}?phase={first}").json()["selected_phase"] == first
    bad = office("get", f"{url}?phase=x&court=1&court=2")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"phase", "court"}
    assert office("get", "/api/v1/campaigns/999999/progress/").status_code == 404
    # the query count does not grow with the number of phases shown or the reader
    counts = []
    for username in ("staff_demo", "office_demo"):
        call = api(username)
        with CaptureQueriesContext(connection) as ctx:
            assert call("get", url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert max(counts) <= 15, counts  # measured: 15 for staff_demo and for office_demo


# ---------------------------------------------------------------- questionnaires


def test_questionnaires_and_results_follow_the_pages_rules(api, world):  # noqa: F811
    staff, head, office = api("staff_demo"), api("head_demo"), api("office_demo")
    assert staff("get", "/api/v1/questionnaires/").json()["results"] == []  # staff read no questionnaire
    near = world["survey_near"]
    assert {r["id"] for r in office("get", "/api/v1/questionnaires/?size=200").json()["results"]} >= {near.pk}
    assert head("get", f"/api/v1/questionnaires/{near.pk}/").status_code == 404
    assert staff("get", f"/api/v1/questionnaires/{near.pk}/results/").status_code == 404
    detail = office("get", f"/api/v1/questionnaires/{near.pk}/")
    assert detail.status_code == 200
    assert [i["number"] for i in detail.json()["items"]] == sorted(i["number"] for i in detail.json()["items"])
    results = office("get", f"/api/v1/questionnaires/{near.pk}/results/").json()
    assert results["pending"] is False and results["total"] == near.responses.count() and results["stats"]
    assert results["min_group"] == MIN_GROUP
    for s in results["stats"]:
        for group in s["groups"]:
            assert group["answered"] >= MIN_GROUP  # no group smaller than the minimum is shown
        if s["kind"] == ItemKind.TEXT:
            assert (s["texts"] is None) == (s["answered"] < MIN_GROUP)
    # A questionnaire still running: how many answered, no figures (as the page).
    running = Questionnaire.objects.filter(court=world["court_near"], state=QuestionnaireState.OPEN).first()
    if running is not None and not running.finished:
        pending = office("get", f"/api/v1/questionnaires/{running.pk}/results/").json()
        assert pending["pending"] is True and pending["stats"] == []


def _sheet(questionnaire):
    """A valid answer sheet for any questionnaire: the first choice, a 4, a short text."""
    answers = {}
    for item in questionnaire.items.order_by("number").prefetch_related("choices"):
        first = item.choices.order_by("number").first()
        answers[str(item.pk)] = {
            ItemKind.SINGLE: first.pk if first else None,
            ItemKind.MULTIPLE: [first.pk] if first else [],
            ItemKind.RATING: 4,
            ItemKind.TEXT: "无",
        }[item.kind]
    return answers


def test_answering_ones_invitation_is_anonymous_and_once(api, world):  # noqa: F811
    invitation = world["invitation_near"]
    staff, head = api("staff_demo"), api("head_demo")
    listed = staff("get", "/api/v1/survey-invitations/").json()["results"]
    assert invitation.pk in {r["id"] for r in listed}
    detail = staff("get", f"/api/v1/survey-invitations/{invitation.pk}/").json()
    assert detail["refusal"] == "" and detail["items"] and "token" not in detail
    url = f"/api/v1/survey-invitations/{invitation.pk}/answer/"
    sheet = _sheet(invitation.questionnaire)
    before = _counts()
    # someone else's invitation: 404; wrong types, unknown fields, an item of another questionnaire: 400
    assert head("get", f"/api/v1/survey-invitations/{invitation.pk}/").status_code == 404
    assert head("post", url, {"answers": sheet}).status_code == 404
    assert staff("post", url, {"answers": sheet, "person": 1}).status_code == 400
    assert staff("post", url, {"answers": {k: {"x": 1} for k in sheet}}).status_code == 400
    assert staff("post", url, {"answers": {**sheet, "999999": 1}}).status_code == 400
    rating = next(k for k, v in sheet.items() if v == 4) if 4 in sheet.values() else None
    if rating is not None:
        bad = staff("post", url, {"answers": {**sheet, rating: 9}})
        assert bad.status_code == 400 and f"item_{rating}" in bad.json()["fields"]
    assert _changed(before) == {}
    # the answer: one response and its answers, the token's flag; no audit entry, nothing naming the response
    audit_before = AuditEntry.objects.count()
    done = staff("post", url, {"answers": sheet})
    assert done.status_code == 200, done.json()
    assert done.json() == {"submitted": True}
    changed = _changed(before)
    assert set(changed) == {"assessment.response", "assessment.answer"} and changed["assessment.response"] == 1
    assert AuditEntry.objects.count() == audit_before
    invitation.refresh_from_db()
    assert invitation.used
    # once: the used token answers 409 and writes nothing
    before = _counts()
    again = staff("post", url, {"answers": sheet})
    assert again.status_code == 409 and again.json()["code"] == "state"
    assert _changed(before) == {}
    assert invitation.pk not in {r["id"] for r in staff("get", "/api/v1/survey-invitations/").json()["results"]}


def test_a_closed_questionnaire_refuses_the_answer_with_409(api, world):  # noqa: F811
    invitation = Invitation.objects.filter(used=False, questionnaire__state=QuestionnaireState.OPEN).first()
    Questionnaire.objects.filter(pk=invitation.questionnaire_id).update(state=QuestionnaireState.CLOSED)
    call = api(invitation.recipient.username)
    before = _counts()
    refused = call("post", f"/api/v1/survey-invitations/{invitation.pk}/answer/", {"answers": {}})
    assert refused.status_code == 409 and refused.json()["code"] == "state"
    assert _changed(before) == {}


# ---------------------------------------------------------------- oversight writes


def _signal_body(city, **extra):
    return {
        "court": city.pk,
        "channel": "petition",
        "title": "关于立案窗口的来信",
        "content": "来信反映立案窗口推诿。",
        "received_on": timezone.localdate().isoformat(),
        **extra,
    }


def test_recording_a_signal_is_the_offices(api, world):  # noqa: F811
    staff, leader, office = api("staff_demo"), api("leader_demo"), api("office_demo")
    city = world["court_near"]
    before = _counts()
    refused = staff("post", "/api/v1/signals/", _signal_body(city))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert leader("post", "/api/v1/signals/", _signal_body(city)).status_code == 403
    assert office("post", "/api/v1/signals/", _signal_body(city, court=999999)).status_code == 404
    assert office("post", "/api/v1/signals/", _signal_body(city, person=999999)).status_code == 404
    assert office("post", "/api/v1/signals/", _signal_body(city, channel="rumour")).status_code == 400
    assert office("post", "/api/v1/signals/", _signal_body(city, court="1")).status_code == 400
    future = office("post", "/api/v1/signals/", _signal_body(city, received_on="2999-01-01"))
    assert future.status_code == 400 and "received_on" in future.json()["fields"]
    assert _changed(before) == {}
    person = world["person_near"]
    done = office("post", "/api/v1/signals/", _signal_body(city, person=person.pk, severity="serious"))
    assert done.status_code == 201, done.json()
    signal = Signal.objects.get(pk=done.json()["id"])
    assert (signal.person_id, signal.division_id, signal.severity) == (person.user_id, person.division_id, "serious")
    assert AuditEntry.objects.filter(action="oversight.signal_record", object_id=str(signal.pk)).exists()


def test_creating_a_handling_goes_through_the_service(api, world):  # noqa: F811
    staff, leader, office = api("staff_demo"), api("leader_demo"), api("office_demo")
    signal, person = world["signal_near"], world["person_near"]
    body = {"signal": signal.pk, "kind": "reminder", "person": person.pk, "content": "请注意立案窗口作风。"}
    before = _counts()
    assert staff("post", "/api/v1/handling/", body).status_code == 403
    assert leader("post", "/api/v1/handling/", body).status_code == 403  # the group oversees, the office handles
    assert office("post", "/api/v1/handling/", {**body, "signal": 999999}).status_code == 404
    assert office("post", "/api/v1/handling/", {**body, "person": 999999}).status_code == 404
    both = office("post", "/api/v1/handling/", {**body, "warning": world["warning_near"].pk})
    assert both.status_code == 400 and "non_field_errors" in both.json()["fields"]
    talk = office("post", "/api/v1/handling/", {**body, "kind": "talk"})
    assert talk.status_code == 400 and "talk_date" in talk.json()["fields"]
    own = Person.objects.get(user__username="office_demo")
    assert office("post", "/api/v1/handling/", {**body, "person": own.pk}).status_code == 400
    assert office("post", "/api/v1/handling/", {**body, "report_days": 0}).status_code == 400
    assert _changed(before) == {}
    done = office("post", "/api/v1/handling/", body)
    assert done.status_code == 201, done.json()
    handling = Handling.objects.get(pk=done.json()["id"])
    assert (handling.signal_id, handling.person_id, handling.kind) == (signal.pk, person.user_id, "reminder")
    assert Notification.objects.filter(recipient_id=person.user_id, kind="oversight.reminder").exists()
    # an order opens its rectification
    order = office(
        "post",
        "/api/v1/handling/",
        {**body, "kind": "order", "rect_deadline": timezone.localdate().isoformat(), "rect_plan": "一月内整改"},
    )
    assert order.status_code == 201 and Rectification.objects.filter(handling_id=order.json()["id"]).exists()
    # a closed warning: 409, nothing written
    warning = Warning.objects.filter(court=world["court_near"]).exclude(state=WarningState.CLOSED).first()
    oversight.close_warning(actor=_user("office_demo"), warning=warning, note="已核实")
    before = _counts()
    closed = office("post", "/api/v1/handling/", {**body, "signal": None, "warning": warning.pk})
    assert closed.status_code == 409 and closed.json()["code"] == "state"
    assert _changed(before) == {}


# Measured on the demo; a query per item, choice or answer would show here.
DETAIL_QUERIES = {"questionnaire": 8, "results": 17, "invitation": 6}


def test_questionnaire_and_invitation_query_counts_are_pinned(api, world):  # noqa: F811
    office, staff = api("office_demo"), api("staff_demo")
    near, invitation = world["survey_near"], world["invitation_near"]
    measured = {}
    for name, call, url in (
        ("questionnaire", office, f"/api/v1/questionnaires/{near.pk}/"),
        ("results", office, f"/api/v1/questionnaires/{near.pk}/results/"),
        ("invitation", staff, f"/api/v1/survey-invitations/{invitation.pk}/"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert call("get", url).status_code == 200
        measured[name] = len(ctx.captured_queries)
    assert all(measured[k] <= DETAIL_QUERIES[k] for k in DETAIL_QUERIES), measured
    assert near.items.count() >= 3  # several items, each with choices: the counts above do not grow with them
