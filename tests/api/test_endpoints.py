"""The API beyond the risk points, on the whole demo: letters (sign with the password, the lockout, the PDF),
notifications, measures, oversight, the dashboard; query counts pinned per list endpoint."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import CommitmentLetter, LetterDocument, LetterState
from hkcourt.api import services as tokens
from hkcourt.notifications.models import Notification
from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import AuditEntry
from risks.measures.models import Measure
from tests.test_access_walk import world  # noqa: F401  (the whole demo, seeded once for this module)
from workflow.oversight.models import ReportBack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_eager():
    """Tasks queued run in this process, for real (the letter's PDF task renders and stores its editions)."""
    from hkcourt.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


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


def test_signing_needs_the_password_locks_after_five_failures_and_writes_nothing(
    api,
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
    celery_eager,
):
    letter = CommitmentLetter.objects.filter(signer__username="staff_demo", state=LetterState.DRAFTED).first()
    assert letter is not None, "the demo has a drafted letter for staff_demo"
    staff = api("staff_demo")
    audit_before, documents_before = AuditEntry.objects.count(), LetterDocument.objects.count()
    missing = staff("post", f"/api/v1/letters/{letter.pk}/sign/", {})
    assert missing.status_code == 400 and "password" in missing.json()["fields"]
    for _ in range(5):
        wrong = staff("post", f"/api/v1/letters/{letter.pk}/sign/", {"password": "wrong"})
        assert wrong.status_code == 400 and "password" in wrong.json()["fields"]
    # Locked: 429 with the error shape and how long the lock lasts (even with the right password).
    locked = staff("post", f"/api/v1/letters/{letter.pk}/sign/", {"password": DEMO_PASSWORD})
    assert locked.status_code == 429, locked.json()
    body = locked.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "locked"
    assert "15" in body["message"] and "15" in body["fields"]["password"][0]
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFTED
    assert (AuditEntry.objects.count(), LetterDocument.objects.count()) == (audit_before, documents_before)
    cache.clear()  # the lockout is over
    # The PDF is rendered by a task queued after the signature commits (run here as the commit would).
    with django_capture_on_commit_callbacks(execute=True):
        signed = staff("post", f"/api/v1/letters/{letter.pk}/sign/", {"password": DEMO_PASSWORD})
    assert signed.status_code == 200, signed.json()
    assert signed.json()["state"] == "signed" and signed.json()["verification_code"]
    again = staff("post", f"/api/v1/letters/{letter.pk}/sign/", {"password": DEMO_PASSWORD})
    assert again.status_code == 409 and again.json()["code"] == "state"
    pdf = staff("get", f"/api/v1/letters/{letter.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF") and len(pdf["X-Content-SHA256"]) == 64
    # An edition the schema does not list — an empty one too — is refused, not served as the latest (schemathesis).
    for edition in ("", "draft"):
        refused = staff("get", f"/api/v1/letters/{letter.pk}/pdf/?edition={edition}")
        assert refused.status_code == 400 and "edition" in refused.json()["fields"], edition
    # Someone else's letter in another court: 404; the head may not sign staff_demo's letter: 403.
    far = CommitmentLetter.objects.filter(court__code="xiangyang").first()
    assert staff("post", f"/api/v1/letters/{far.pk}/sign/", {"password": DEMO_PASSWORD}).status_code == 404
    other = CommitmentLetter.objects.filter(signer__username="staff_demo").exclude(pk=letter.pk).first() or letter
    assert api("head_demo")("post", f"/api/v1/letters/{other.pk}/sign/", {"password": "x"}).status_code == 403


def test_notifications_are_ones_own(api, world):  # noqa: F811
    staff = api("staff_demo")
    rows = staff("get", "/api/v1/notifications/?size=200").json()["results"]
    mine = set(Notification.objects.filter(recipient__username="staff_demo").values_list("pk", flat=True))
    assert rows and {r["id"] for r in rows} <= mine
    unread = Notification.objects.filter(recipient__username="staff_demo", read_at__isnull=True).first()
    if unread is not None:
        assert staff("post", f"/api/v1/notifications/{unread.pk}/read/", {}).json()["is_read"] is True
    other = Notification.objects.exclude(recipient__username="staff_demo").first()
    assert staff("post", f"/api/v1/notifications/{other.pk}/read/", {}).status_code == 404
    other.refresh_from_db()
    assert staff("post", "/api/v1/notifications/read-all/", {}).status_code == 200
    assert staff("post", "/api/v1/notifications/read-all/", {"all": True}).status_code == 400  # unknown field


def test_measures_scope_and_bad_input(api, world):  # noqa: F811
    staff = api("staff_demo")
    ids = {r["id"] for r in staff("get", "/api/v1/measures/?size=200").json()["results"]}
    assert ids and ids <= set(
        Measure.objects.visible_to(get_user_model().objects.get(username="staff_demo")).values_list("pk", flat=True)
    )
    assert staff("get", "/api/v1/measures/?status=nonsense").status_code == 400
    before = Measure.objects.count()
    far_point = world["rp_far"]
    body = {
        "risk_point": far_point.pk,
        "kind": "post",
        "category": "education",
        "title": "x",
        "description": "y",
        "owner": world["person_near"].pk,
        "deadline": "2099-01-01",
    }
    assert staff("post", "/api/v1/measures/", body).status_code == 404  # a point outside the scope
    assert staff("post", "/api/v1/measures/", {**body, "deadline": 5}).status_code == 400
    assert Measure.objects.count() == before


def test_oversight_for_the_office_and_a_persons_own_handling(api, world):  # noqa: F811
    staff, office = api("staff_demo"), api("office_demo")
    refused = staff("get", "/api/v1/signals/")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert office("get", "/api/v1/signals/").status_code == 200
    assert staff("get", f"/api/v1/signals/{world['signal_near'].pk}/").status_code == 404
    handling = world["handling_near"]
    assert staff("get", f"/api/v1/handling/{handling.pk}/").status_code == 200
    before = ReportBack.objects.count()
    assert staff("post", f"/api/v1/handling/{handling.pk}/report-back/", {"analysis": "x"}).status_code == 400
    assert ReportBack.objects.count() == before
    done = staff("post", f"/api/v1/handling/{handling.pk}/report-back/", {"analysis": "原因", "commitment": "整改"})
    assert done.status_code == 200 and done.json()["report_back"]["analysis"] == "原因"
    again = staff("post", f"/api/v1/handling/{handling.pk}/report-back/", {"analysis": "原因", "commitment": "整改"})
    assert again.status_code in (400, 409)
    assert ReportBack.objects.count() == before + 1


def test_dashboard_json_is_for_leaders(api, world):  # noqa: F811
    assert api("staff_demo")("get", "/api/v1/dashboard/").status_code == 403
    data = api("deputy_demo")("get", "/api/v1/dashboard/").json()
    assert "filters" in data


LISTS = [
    "risk-points",
    "powers",
    "power-steps",
    "key-links",
    "notifications",
    "letters",
    "measures",
    "court-rules",
    "campaigns",
    "campaign-tasks",
    "signals",
    "warnings",
    "handling",
    "rectifications",
    "courts",
    "divisions",
    "posts",
    "people",
    "questionnaires",
    "survey-invitations",
    "warning-rules",
]
MAX_QUERIES = {"campaigns": 9, "risk-points": 9}


@pytest.mark.parametrize("username", ["office_demo", "staff_demo"])
@pytest.mark.parametrize("name", LISTS)
def test_list_query_counts_are_pinned(api, world, name, username):  # noqa: F811
    call = api(username)
    counts = {}
    for size in (2, 50):
        with CaptureQueriesContext(connection) as ctx:
            response = call("get", f"/api/v1/{name}/?size={size}")
        assert response.status_code in (200, 403)
        counts[size] = len(ctx.captured_queries)
    assert counts[2] == counts[50], counts
    assert counts[50] <= MAX_QUERIES.get(name, 7), counts
