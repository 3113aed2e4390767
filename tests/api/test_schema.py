"""The schema is honest: valid OpenAPI, every operation documents the error shape, the docs page's assets are
local; and the live property run (schemathesis, scripts/api_fuzz.py) passes as staff_demo and office_demo."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.requires import missing

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_is_valid_openapi(schema):
    from openapi_spec_validator import validate

    validate(schema)


def test_every_operation_documents_the_error_shape(schema):
    problems = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            expected = {"400", "401", "403", "429"} | ({"404"} if "{" in path else set())
            if method not in ("get", "head", "options"):
                expected |= {"404", "409", "413", "415"}
            for code in expected:
                body = operation["responses"].get(code, {}).get("content", {}).get("application/json", {})
                if body.get("schema", {}).get("$ref") != "#/components/schemas/Error":
                    problems.append(f"{method.upper()} {path} {code}")
            if not codes & {"200", "201", "204"}:
                problems.append(f"{method.upper()} {path}: no success response")
    assert not problems, problems
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "fields"}


@pytest.mark.django_db
def test_docs_page_uses_local_assets_only(client, login_as):
    login_as("staff_demo")
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    for host in ("cdn", "unpkg", "jsdelivr", "http://", "https://"):
        assert host not in html.lower().replace("http://testserver", ""), host


def test_schemathesis_finds_nothing_against_a_live_server():
    """Bounded in time (about three minutes): a throwaway database with the demo, two people, every check."""
    try:
        import psycopg2  # noqa: F401
        import schemathesis  # noqa: F401
    except ImportError as exc:
        missing(f"schemathesis run needs {exc.name} (pip install -r requirements-dev.txt)")
    if "postgres" not in os.environ.get("DATABASE_URL", "postgres"):
        missing("schemathesis run needs PostgreSQL (DATABASE_URL)")
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "api_fuzz.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=420,
        env={**os.environ, "API_FUZZ_PORT": os.environ.get("API_FUZZ_PORT", "8765")},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-8000:]
