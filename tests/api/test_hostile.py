"""Issue 11's hostile-input catalogue, for the REST API (tests/security/test_hostile_inputs.py has the forms' and
imports'): script and HTML, NUL bytes, a right-to-left override, 1 MB of text, CJK beyond the BMP, SQL-looking
text, wrong JSON types, unknown fields, an oversized body, malformed and deeply nested JSON, the wrong content
type, negative and huge ids, other courts' ids, a transition from the wrong state, grading one's own point.

Each case is one request. A refused one answers its 4xx with the stable error shape ``{code, message, fields}``
(``fields`` naming the field where there is one) and writes nothing (every table's row count is compared); an
accepted one stores the text exactly as sent and answers it as a JSON string (``application/json``, never
HTML). No case may answer 5xx."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache

from hkcourt.api import services as tokens
from risks import services as risk_services
from risks.models import RiskPoint
from tests.test_access_walk import world  # noqa: F401  (the whole demo, seeded once for this module)

pytestmark = pytest.mark.django_db

RTL = "\u202e"
MANIFEST = "私下会见当事人"


def _point(description, **extra):
    return {"description": description, "manifestations": MANIFEST, **extra}


@dataclass(frozen=True)
class Case:
    id: str
    status: int
    method: str = "post"
    path: str = "/api/v1/risk-points/"  # formatted with the world's objects' ids and {own_*} prepared below
    body: object = None  # JSON-able; or bytes sent as they are
    content_type: str = "application/json"
    who: str = "staff_demo"
    fields: tuple = ()  # the fields the error names
    code: str | None = None  # the error's code
    stored: str | None = None  # accepted: the description stored (and answered) exactly so
    extra: dict = field(default_factory=dict)


def _nested(depth):
    return ("[" * depth + "]" * depth).encode()


CASES = [
    # text: stored as typed, answered as a JSON string
    Case("script", 201, body=_point('<script>alert("x")</script>'), stored='<script>alert("x")</script>'),
    Case(
        "html",
        201,
        body=_point('<img src=x onerror=alert(1)><a href="javascript:alert(1)">链接</a>'),
        stored='<img src=x onerror=alert(1)><a href="javascript:alert(1)">链接</a>',
    ),
    Case("rtl-override", 201, body=_point(f"正常文字{RTL}exe.pdf"), stored=f"正常文字{RTL}exe.pdf"),
    Case("beyond-bmp", 201, body=_point("𠀀𪚥𠮷𡃁 生僻字"), stored="𠀀𪚥𠮷𡃁 生僻字"),
    Case(
        "sql-text",
        201,
        body=_point("'; DROP TABLE risks_riskpoint; -- OR 1=1"),
        stored="'; DROP TABLE risks_riskpoint; -- OR 1=1",
    ),
    Case("sql-in-search", 200, method="get", path="/api/v1/risk-points/?q=%27%20OR%201%3D1--"),
    # text: refused
    Case("nul-byte", 400, body=_point("收受财物\x00截断"), fields=("description",), code="invalid"),
    Case("over-limit", 400, body=_point("廉" * 2001), fields=("description",), code="invalid"),
    Case("megabyte-text", 413, body=_point("廉" * (1024 * 1024 // 3 + 1)), code="too_large"),
    Case("oversized-body", 413, body=_point("x", key_links=list(range(1, 20000))), code="too_large"),
    # JSON types and shapes
    Case("number-for-text", 400, body=_point(12345), fields=("description",), code="invalid"),
    Case("text-for-list", 400, body=_point("x", key_links="1,2"), fields=("key_links",), code="invalid"),
    Case("text-for-id", 400, body=_point("x", power="1"), fields=("power",), code="invalid"),
    Case("bool-for-id", 400, body=_point("x", power=True), fields=("power",), code="invalid"),
    Case("null-for-text", 400, body=_point(None), fields=("description",), code="invalid"),
    Case("list-for-body", 400, body=[_point("x")], code="invalid"),
    Case("unknown-field", 400, body=_point("x", owner="head_demo"), fields=("owner",), code="invalid"),
    Case("state-smuggled", 400, body=_point("x", state="published", grade="high"), fields=("state", "grade")),
    Case("malformed-json", 400, body=b'{"description": "x", ', code="parse_error"),
    Case("nan", 400, body=b'{"description": "x", "manifestations": "y", "power": NaN}', code="parse_error"),
    Case("invalid-utf8", 400, body=b'{"description": "\xff\xfe", "manifestations": "y"}', code="parse_error"),
    Case("deeply-nested", 400, body=_nested(30000)),
    Case("text-plain", 415, body=b"description=x", content_type="text/plain", code="unsupported_media_type"),
    Case(
        "form-encoded",
        415,
        body=b"description=x&manifestations=y",
        content_type="application/x-www-form-urlencoded",
        code="unsupported_media_type",
    ),
    # ids
    Case("negative-id", 404, method="get", path="/api/v1/risk-points/-1/", code="not_found"),
    Case("huge-id", 404, method="get", path="/api/v1/risk-points/99999999999999999999999/", code="not_found"),
    Case("sql-in-id", 404, method="get", path="/api/v1/risk-points/1%20OR%201=1/", code="not_found"),
    Case("huge-id-submit", 404, path="/api/v1/risk-points/99999999999999999999999/submit/", body={}),
    Case("negative-id-in-body", 400, body=_point("x", power=-5), fields=("power",)),
    Case("huge-id-in-body", 400, body=_point("x", power=2**70), fields=("power",)),
    Case("huge-ids-in-list", 400, body=_point("x", key_links=[2**63]), fields=("key_links",)),
    Case("other-courts-point", 404, path="/api/v1/risk-points/{rp_far}/submit/", body={}, code="not_found"),
    Case("other-courts-point-edit", 404, method="patch", path="/api/v1/risk-points/{rp_far}/", body={"version": 1}),
    Case(
        "other-courts-measure",
        404,
        path="/api/v1/measures/",
        who="head_demo",
        body={
            "risk_point": "{rp_far}",
            "kind": "post",
            "category": "education",
            "title": "t",
            "description": "d",
            "owner": "{person_near}",
            "deadline": "2099-01-01",
        },
    ),
    Case(
        "other-courts-owner",
        400,
        path="/api/v1/questionnaires/{survey_near}/items/{survey_item_near}/rectify/",
        who="office_demo",
        body={"owner": "{person_far}", "deadline": "2099-01-01"},
        fields=("owner",),
    ),
    # the workflow
    Case("wrong-state", 409, path="/api/v1/risk-points/{own_submitted}/submit/", body={}, code="state"),
    Case(
        "grade-own-point",
        403,
        path="/api/v1/risk-points/{own_submitted}/grade/",
        body={"importance": 3, "discretion": 3, "probability": 3, "harm": 3, "grade": "high", "version": 1},
        who="head_demo",
        code="forbidden",
        extra={"owner": "head_demo"},
    ),
    Case("wrong-method", 405, method="delete", path="/api/v1/risk-points/{rp_draft}/", code="method_not_allowed"),
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _counts():
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models() if m._meta.managed}


def _submitted_point_of(username):
    """A point of ``username`` already submitted (made through the services when the demo has none)."""
    user = get_user_model().objects.get(username=username)
    rp = RiskPoint.objects.filter(owner=user, state="submitted").order_by("pk").first()
    if rp is None:
        rp = risk_services.create_risk_point(actor=user, level="post", description="本人的风险点", manifestations="—")
        rp = risk_services.submit(actor=user, risk_point=rp)
    return rp


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_request(case, world, client):  # noqa: F811
    user = get_user_model().objects.get(username=case.who)
    ids = {k: getattr(v, "pk", v) for k, v in world.items()}
    if "{own_submitted}" in case.path:
        rp = _submitted_point_of(case.extra.get("owner", case.who))
        ids["own_submitted"] = rp.pk
    _token, raw = tokens.create_token(actor=user, name="hostile", scope="write", days=1)
    path = case.path.format(**ids)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if case.body is not None:
        body = case.body if isinstance(case.body, bytes) else json.dumps(_fill(case.body, ids)).encode()
        kwargs.update(data=body, content_type=case.content_type)
    before = _counts()
    response = getattr(client, case.method)(path, **kwargs)
    assert response.status_code < 500, response.content[:500]
    assert response.status_code == case.status, response.content.decode(errors="replace")[:500]
    assert response["Content-Type"] == "application/json"
    data = response.json()
    if case.status >= 400:
        assert set(data) == {"code", "message", "fields"}, data
        assert isinstance(data["message"], str) and data["message"], data
        assert isinstance(data["fields"], dict), data
        assert set(case.fields) <= set(data["fields"]), data
        if case.code is not None:
            assert data["code"] == case.code, data
        assert _counts() == before, "a refused request wrote rows"
        return
    if case.stored is not None:
        assert data["description"] == case.stored  # answered as the JSON string it is, nothing rendered
        rp = RiskPoint.objects.get(pk=data["id"])
        assert rp.description == case.stored and rp.owner_id == user.pk and rp.state == "draft"
    else:
        assert _counts() == before  # a read writes nothing
