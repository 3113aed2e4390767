"""Production readiness: the compose file and image, the prod settings, and no asset from a CDN."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver

from tests.requires import require_tool

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")
WEASYPRINT_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libharfbuzz-subset0",
    "fontconfig",
    "fonts-noto-cjk",
    "fonts-hanazono",
)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _command(service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _prod_env(**overrides):
    """A clean environment for a subprocess running manage.py with the production settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS"))}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="lianzheng.court.example",
        PUBLIC_BASE_URL="https://lianzheng.court.example",
        RISKS_TRUSTED_PROXIES="10.0.0.2",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hkcourt")
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=hkcourt.settings.prod"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- docker-compose.yml ---------------------------------------------------------------------------


def test_compose_has_the_five_services_with_health_checks(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "ping" in str(services["redis"]["healthcheck"]["test"])
    assert "/healthz" in str(services["web"]["healthcheck"]["test"])


def test_compose_keeps_the_database_in_a_volume(compose):
    mounts = compose["services"]["postgres"]["volumes"]
    volume = next(m.split(":")[0] for m in mounts if m.split(":")[1] == "/var/lib/postgresql/data")
    assert volume in (compose.get("volumes") or {}), "the database volume must be a named volume"


def test_web_worker_and_beat_share_one_image(compose):
    services = compose["services"]
    builds = {repr(services[name].get("build")) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(builds) == 1 and None not in [services[n].get("build") for n in APP_SERVICES]
    assert len(images) == 1 and None not in images
    build = services["web"]["build"]
    assert (ROOT / build["context"] / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE


def test_app_services_run_gunicorn_celery_worker_and_database_beat(compose):
    services = compose["services"]
    assert _command(services["web"]).startswith("gunicorn hkcourt.wsgi")
    assert re.search(r"celery -A hkcourt worker\b", _command(services["worker"]))
    beat = _command(services["beat"])
    assert re.search(r"celery -A hkcourt beat\b", beat)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "hkcourt.settings.prod"
        for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
            assert variable in environment, f"{name} does not read {variable}"
        # Nothing starts before the schema is there: migrations run once, before web, worker and beat.
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "migrate" in _command(services["migrate"])


def test_compose_requires_its_secrets_and_ships_none():
    text = COMPOSE.read_text(encoding="utf-8")
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"):
        assert "${" + variable + ":?" in text, f"{variable} must be a required variable"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert values["SECRET_KEY"] == "" and values["POSTGRES_PASSWORD"] == ""
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_docker_compose_v1_accepts_the_file(tmp_path):
    """Debian's docker-compose (v1.29) validates the file offline; .ci/run installs it when root."""
    cli = require_tool("docker-compose")
    empty = tmp_path / "empty.env"
    empty.write_text("")
    base = [cli, "--env-file", str(empty), "-f", str(COMPOSE), "config", "-q"]
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD")}
    ok = subprocess.run(
        base,
        cwd=ROOT,
        env={**env, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "ci", "POSTGRES_PASSWORD": "ci"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run(base, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0
    assert "SECRET_KEY" in missing.stderr or "POSTGRES_PASSWORD" in missing.stderr


# --- Dockerfile -----------------------------------------------------------------------------------


def _final_stage(dockerfile: str) -> str:
    return re.split(r"(?im)^FROM\s", dockerfile)[-1]


def test_dockerfile_builds_a_slim_non_root_image_with_weasyprint_dependencies():
    text = DOCKERFILE.read_text(encoding="utf-8")
    final = _final_stage(text)
    assert final.startswith("python:3.11-slim-bookworm")
    for package in WEASYPRINT_PACKAGES:
        assert re.search(rf"(?<![\w.-]){re.escape(package)}(?![\w.-])", final), f"{package} not installed"
    assert "npm" not in final and "nodejs" not in final, "Node belongs to the build stage only"
    users = re.findall(r"(?m)^USER\s+(\S+)", final)
    assert users and users[-1] not in ("root", "0")
    assert "collectstatic" in final
    assert "DJANGO_SETTINGS_MODULE=hkcourt.settings.prod" in final
    assert re.search(r"(?m)^RUN npm ci\b", text)


def test_dockerfile_copies_every_node_modules_folder_the_settings_serve():
    """STATICFILES_DIRS names folders under node_modules; the image must hold each at the same path."""
    copied = set(re.findall(r"(?m)^COPY --from=assets /app/(node_modules/\S+) /app/\1\s*$", DOCKERFILE.read_text()))
    needed = set()
    for entry in settings.STATICFILES_DIRS:
        path = Path(entry[1] if isinstance(entry, tuple) else entry)
        if settings.NODE_MODULES in path.parents:
            needed.add(path.relative_to(settings.BASE_DIR).as_posix())
    assert needed, "expected the vendor assets to come from node_modules"
    assert needed <= copied, f"Dockerfile does not copy {sorted(needed - copied)}"


# --- the production settings ----------------------------------------------------------------------


def test_check_deploy_prints_no_warnings():
    result = _manage("check", "--deploy", "--fail-level=WARNING", env=_prod_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def _without_secret_key():
    # base.py also reads a local .env (values already in the environment win): if a developer's .env sets
    # SECRET_KEY, an empty value stands in for "unset", which prod treats the same.
    env_file = ROOT / ".env"
    if env_file.exists() and re.search(r"(?m)^\s*SECRET_KEY\s*=\s*\S", env_file.read_text(encoding="utf-8")):
        return _prod_env(SECRET_KEY="")
    return _prod_env(SECRET_KEY=None)


def test_prod_refuses_to_start_without_secret_key():
    env = _without_secret_key()
    assert env.get("SECRET_KEY", "") == ""
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize("key", ["short-key", "django-insecure-" + "x" * 50])
def test_prod_refuses_a_weak_secret_key(key):
    result = _manage("check", env=_prod_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_prod_refuses_to_start_without_allowed_hosts():
    result = _manage("check", env=_prod_env(ALLOWED_HOSTS=""))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_prod_refuses_seed_demo():
    result = _manage("seed_demo", env=_prod_env())
    assert result.returncode != 0
    assert "生产环境不允许加载演示数据" in result.stderr
    assert "演示数据已就绪" not in result.stdout


# --- nothing loads from outside the court network ---------------------------------------------------

# src= / href= / CSS url() / @import pointing at another host (http://, https:// or protocol-relative //).
EXTERNAL_REF = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])(?:https?:)?//""",
    re.IGNORECASE,
)
SCANNED_SUFFIXES = {".html", ".txt", ".xml", ".svg", ".css", ".js", ".mjs", ".json", ".webmanifest"}
# Third-party templates that do load from a CDN, and why that cannot reach a user.
UNROUTED_THIRD_PARTY = {
    "drf_spectacular/redoc.html": "ReDoc is not routed (hkcourt/urls.py serves Swagger UI from the sidecar)",
}


def _in_anchor(text: str, pos: int) -> bool:
    """Only <a href> may name another site: a link the user chooses to follow loads nothing by itself."""
    tag = text.rfind("<", 0, pos)
    return tag != -1 and ">" not in text[tag:pos] and re.match(r"<a\s", text[tag:], re.IGNORECASE) is not None


def _external_refs(path: Path):
    text = path.read_text(encoding="utf-8", errors="replace")
    hits = []
    for match in EXTERNAL_REF.finditer(text):
        if _in_anchor(text, match.start()):
            continue
        line = text.count("\n", 0, match.start()) + 1
        hits.append(f"{path}:{line}: {text[match.start() : match.start() + 80]!r}")
    return hits


def _files(folder: Path):
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SCANNED_SUFFIXES]


def _project_app_template_dirs():
    for config in apps.get_app_configs():
        path = Path(config.path)
        own = ROOT in path.parents and not {".venv", "site-packages", "node_modules"} & set(path.parts)
        if own and (path / "templates").is_dir():
            yield path / "templates"


def test_the_scanner_sees_external_loads():
    sample = ROOT / "var" / "scan-sample.html"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text(
        '<script src="https://cdn.example/x.js"></script>\n<link href=//fonts.example/a.css rel=stylesheet>\n'
        "<style>@font-face{src:url('https://f.example/a.woff2')}</style>\n"
        '<a href="https://www.court.gov.cn/">法院网</a>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
        encoding="utf-8",
    )
    try:
        hits = _external_refs(sample)
    finally:
        sample.unlink()
    assert len(hits) == 3, hits


def test_own_templates_and_static_files_load_nothing_from_outside():
    folders = [ROOT / "templates", ROOT / "static", *_project_app_template_dirs()]
    folders += [ROOT / app / "static" for app in ("hkcourt", "risks", "commitments", "workflow")]
    files = [f for folder in folders if folder.is_dir() for f in _files(folder)]
    files += [f for folder in (ROOT / "hkcourt").glob("*/static") for f in _files(folder)]
    assert any(f.name == "base.html" for f in files)
    hits = [hit for f in sorted(set(files)) for hit in _external_refs(f)]
    assert not hits, "external URLs (court networks are closed; serve it locally):\n" + "\n".join(hits)


def test_vendor_assets_and_installed_app_templates_load_nothing_from_outside():
    files = []
    for entry in settings.STATICFILES_DIRS:
        path = Path(entry[1] if isinstance(entry, tuple) else entry)
        files += [f for f in _files(path) if f.suffix in (".css", ".html")]
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if folder.is_dir():
            files += [f for f in _files(folder) if f.relative_to(folder).as_posix() not in UNROUTED_THIRD_PARTY]
    hits = [hit for f in sorted(set(files)) for hit in _external_refs(f)]
    assert not hits, "\n".join(hits)


def test_unrouted_third_party_templates_stay_unrouted():
    from drf_spectacular.views import SpectacularRedocView

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            else:
                yield getattr(pattern.callback, "view_class", None)

    assert SpectacularRedocView not in set(views(get_resolver().url_patterns))


@pytest.mark.django_db
def test_rendered_pages_load_nothing_from_outside(client, admin_user):
    """The login page, the API docs and every page in the superuser's navigation, as served."""
    from hkcourt.org.navigation import entries_for

    def scan(url, required=True):
        response = client.get(url)
        if required:
            assert response.status_code == 200, url
        if response.status_code == 200:
            body = response.content.decode()
            match = EXTERNAL_REF.search(body)
            assert match is None, f"{url}: {body[match.start() : match.start() + 200]}"

    scan("/accounts/login/")
    client.force_login(admin_user)
    scan("/")
    scan("/api/docs/")
    for entry in entries_for(admin_user):
        # Other failures of these pages are their own tests' business; here only what they load counts.
        scan(entry["url"], required=False)
