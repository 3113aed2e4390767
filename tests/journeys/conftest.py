"""Journeys in a real browser (issue 15): Chromium from the distribution, driven by Playwright, against a live
server holding the whole demo (``seed_demo``), asserting on what a person sees.

The server is Django's live-server thread inside the pytest process, started once for the module, on the test
database seeded once; Celery tasks run eagerly in it (letters, bundles). The journeys build on each other in
file order (the staff's point is returned by the head, confirmed by the office, read by the public), the way a
campaign runs. At the end the database is flushed and the demo organisation seeded again, as the other
transactional tests leave it.

``HKCOURT_SCREENSHOTS=1`` (``make screenshots``) also writes the user guide's pictures to docs/guide/img/ and
axe-core's full findings to docs/guide/axe-report.json. ``JOURNEYS_BASE_URL`` points the journeys at a running
demo server instead (for writing them; nothing is seeded or flushed then).
"""

import json
import os
from importlib import import_module
from pathlib import Path

import pytest

from tests.requires import require_tool

ROOT = Path(__file__).resolve().parents[2]
GUIDE_IMG = ROOT / "docs" / "guide" / "img"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_REPORT = ROOT / "docs" / "guide" / "axe-report.json"
PASSWORD = "hegang2012"  # the documented demo password
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

SCREENSHOTS = os.environ.get("HKCOURT_SCREENSHOTS", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def base_url(request, django_db_blocker):
    external = os.environ.get("JOURNEYS_BASE_URL", "").rstrip("/")
    if external:
        yield external
        return
    request.getfixturevalue("django_db_setup")
    from django.apps import apps as django_apps
    from django.core.management import call_command
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    from hkcourt.celery import app as celery_app

    # pytest-django creates the test database only when a collected test asks for it (test_journeys.py has
    # one that does); the journeys flush at the end, so they refuse any database that is not a test one.
    if not connection.settings_dict["NAME"].startswith("test_"):
        pytest.fail(f"the journeys run on a test database only, not {connection.settings_dict['NAME']!r}")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # The server thread reads and writes the test database all along: the blocker stays open for the module.
    with django_db_blocker.unblock():
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()  # an earlier transactional test may have flushed the table
        # Rows that migrations load are gone after a transactional test's flush: the plan's key links.
        import_module("risks.migrations.0002_key_links").load(django_apps, None)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        server = LiveServer("localhost:0")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server.stop()
            server._live_server_modified_settings.disable()
            celery_app.conf.task_always_eager = eager
            from hkcourt.org.demo import seed

            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            seed(log=lambda *_: None)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = require_tool("chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox", "--headless"])
        yield browser
        browser.close()


class Journey:
    """One person's browser: signs in through the login form, takes the guide's pictures, runs axe."""

    def __init__(self, browser, base, viewport):
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()

    def go(self, path):
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def login(self, username):
        self.context.clear_cookies()
        page = self.go("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        return page

    def shot(self, name, full_page=False, locator=None):
        """A picture for the user guide (only under ``make screenshots``): JPEG, quality 65."""
        if not SCREENSHOTS:
            return
        GUIDE_IMG.mkdir(parents=True, exist_ok=True)
        target = locator if locator is not None else self.page
        kwargs = {} if locator is not None else {"full_page": full_page}
        target.screenshot(path=str(GUIDE_IMG / f"{name}.jpg"), type="jpeg", quality=65, **kwargs)

    def axe(self, name):
        """axe-core's violations on the current page; the serious and critical ones are returned."""
        # Evaluated through the DevTools protocol, not as a <script> the page's Content-Security-Policy would block.
        self.page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map("
            "v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"
        )
        if SCREENSHOTS:
            AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
            report = json.loads(AXE_REPORT.read_text()) if AXE_REPORT.exists() else {}
            report[name] = result
            AXE_REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        return [v for v in result if v["impact"] in ("serious", "critical")]

    def close(self):
        self.context.close()


@pytest.fixture
def journey(chromium, base_url):
    """``journey(username=None, viewport=DESKTOP)``: a fresh browser context, signed in when a username is given."""
    opened = []

    def start(username=None, viewport=DESKTOP):
        j = Journey(chromium, base_url, viewport)
        opened.append(j)
        if username:
            j.login(username)
        return j

    yield start
    for j in opened:
        j.close()
