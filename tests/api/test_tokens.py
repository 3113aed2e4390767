"""Personal API tokens and what every endpoint shares: the error shape and its language, 401/403/404,
read-only tokens, revoked/expired/deactivated tokens, throttles, the body size cap."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from hkcourt.api import services
from hkcourt.api.models import ApiToken, digest
from hkcourt.org.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def token_for(user, scope="write", days=30):
    return services.create_token(actor=user, name="脚本", scope=scope, days=days)


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_page_shows_the_token_once_and_stores_only_its_digest(client, login_as):
    user = login_as("staff_demo")
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and "data-token-created" not in page.content.decode()
    response = client.post("/accounts/tokens/", {"name": "案件系统", "scope": "read", "days": "30"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=user)
    raw = html.split("data-token>")[1].split("<")[0]
    assert raw.startswith("hk_") and len(raw) > 40
    assert token.key_hash == digest(raw) and raw not in token.key_hash and token.hint == raw[:10]
    assert token.scope == "read"
    assert AuditEntry.objects.filter(action="api.token_create", object_id=str(token.pk)).exists()
    # Shown once: the list page afterwards has only the hint.
    again = client.get("/accounts/tokens/").content.decode()
    assert raw not in again and token.hint in again
    # And the token works.
    client.logout()
    assert client.get("/api/v1/risk-points/", **auth(raw)).status_code == 200


def test_token_form_refuses_bad_input(client, login_as):
    login_as("staff_demo")
    response = client.post("/accounts/tokens/", {"name": "", "scope": "root", "days": "9999"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_revoke_on_the_page_stops_the_token_and_another_persons_token_is_404(client, login_as, demo_user):
    token, raw = token_for(demo_user("staff_demo"))
    login_as("head_demo")
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    login_as("staff_demo")
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    response = client.get("/api/v1/risk-points/", **auth(raw))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_expired_and_deactivated_tokens_are_refused_at_once(client, demo_user):
    user = demo_user("staff_demo")
    token, raw = token_for(user)
    assert client.get("/api/v1/risk-points/", **auth(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/risk-points/", **auth(raw)).status_code == 401
    token2, raw2 = token_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/risk-points/", **auth(raw2)).status_code == 401


def test_unknown_and_malformed_tokens_are_401(client, demo_org):
    for header in ("Bearer hk_nope", "Bearer", "Bearer a b", "Token something"):
        response = client.get("/api/v1/risk-points/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert set(response.json()) == {"code", "message", "fields"}


def test_read_only_token_is_refused_on_writes_and_writes_nothing(client, demo_user):
    from risks.models import RiskPoint

    _token, raw = token_for(demo_user("staff_demo"), scope="read")
    before = RiskPoint.objects.count()
    response = client.post(
        "/api/v1/risk-points/",
        data=json.dumps({"description": "a", "manifestations": "b"}),
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "只读" in response.json()["message"]
    assert RiskPoint.objects.count() == before


def test_error_message_follows_accept_language(client, demo_user):
    _token, raw = token_for(demo_user("staff_demo"), scope="read")
    zh = client.get("/api/v1/risk-points/999999999/", **auth(raw)).json()
    en = client.get("/api/v1/risk-points/999999999/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", **auth(raw)).json()
    assert zh["code"] == en["code"] == "not_found"
    assert zh["message"] == "未找到，或您无权查看。"
    assert en["message"] == "Not found, or you may not see it."


def test_token_throttle_and_anonymous_throttle(client, demo_user):
    _token, raw = token_for(demo_user("staff_demo"), scope="read")
    with override_settings(API_THROTTLE_RATES={"token": "3/min", "anon": "2/min"}):
        statuses = [client.get("/api/v1/key-links/", **auth(raw)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        throttled = client.get("/api/v1/key-links/", **auth(raw))
        assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) >= 1
        # Another token of the same person has its own budget.
        _t2, raw2 = token_for(demo_user("staff_demo"), scope="read")
        assert client.get("/api/v1/key-links/", **auth(raw2)).status_code == 200
        anonymous = [client.get("/api/v1/key-links/").status_code for _ in range(3)]
        assert anonymous == [401, 401, 429]
    cache.clear()
    with override_settings(API_THROTTLE_RATES={"token": "3/min", "anon": "2/min"}):
        guesses = [client.get("/api/v1/key-links/", **auth("hk_guess")).status_code for _ in range(3)]
        assert guesses == [401, 401, 429]


def test_oversized_body_is_413_and_writes_nothing(client, demo_user):
    from risks.models import RiskPoint

    _token, raw = token_for(demo_user("staff_demo"))
    before = RiskPoint.objects.count()
    body = json.dumps({"description": "风" * 40000, "manifestations": "x"})
    response = client.post("/api/v1/risk-points/", data=body, content_type="application/json", **auth(raw))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert RiskPoint.objects.count() == before


def test_service_refuses_revoking_twice_and_another_persons_token(demo_user):
    from hkcourt.org.policy import Refusal

    token, _raw = token_for(demo_user("staff_demo"))
    with pytest.raises(Refusal):
        services.revoke_token(actor=demo_user("head_demo"), token=token)
    services.revoke_token(actor=demo_user("staff_demo"), token=token)
    with pytest.raises(Refusal) as refused:
        services.revoke_token(actor=demo_user("staff_demo"), token=token)
    assert refused.value.code == "state"
