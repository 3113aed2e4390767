"""The web shell: login, navigation by role, 我的待办, /healthz, language switch, password change."""

import json

import pytest
from django.urls import reverse

from tests.requires import require_env

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_with_demo_password_lands_on_todos(client, demo_org):
    response = client.post("/accounts/login/", {"username": "staff_demo", "password": "hegang2012"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    body = response.content.decode()
    assert "我的待办" in body
    assert "王晓东" in body  # the person's name in the header


def test_wrong_password_gets_a_chinese_message(client, demo_org):
    response = client.post("/accounts/login/", {"username": "staff_demo", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def _nav_labels(response):
    return [str(entry["label"]) for entry in response.context["nav_entries"]]


def test_navigation_differs_by_role(client, login_as):
    login_as("staff_demo")
    staff_nav = _nav_labels(client.get("/"))
    login_as("admin")
    admin_nav = _nav_labels(client.get("/"))
    assert "我的待办" in staff_nav
    assert "系统管理" not in staff_nav
    assert "系统管理" in admin_nav


def test_roles_shown_in_header(client, login_as):
    login_as("head_demo")
    body = client.get("/").content.decode()
    assert "庭室负责人" in body and "干警" in body


def test_logout_is_a_post(client, login_as):
    login_as("staff_demo")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, login_as):
    user = login_as("staff_demo")
    response = client.post(
        reverse("password_change"),
        {"old_password": "hegang2012", "new_password1": "Qz7#court-2026", "new_password2": "Qz7#court-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qz7#court-2026")


def test_password_change_mismatch_writes_nothing(client, login_as):
    user = login_as("staff_demo")
    response = client.post(
        reverse("password_change"),
        {"old_password": "hegang2012", "new_password1": "Qz7#court-2026", "new_password2": "different-1"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("hegang2012")


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["database"]["ok"] is True
    assert set(data) >= {"status", "database", "broker"}


def test_healthz_reports_broker_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    data = json.loads(client.get("/healthz").content)
    assert data["broker"]["ok"] is False
    assert data["status"] == "degraded"


def test_healthz_reaches_real_redis_when_configured(client, db, settings):
    url = require_env("REDIS_URL", "the real Redis broker to check; CI sets it")
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    data = json.loads(client.get("/healthz").content)
    assert data["broker"] == {"ok": True, "transport": "redis"}


def test_chinese_by_default_english_when_chosen(client, login_as):
    login_as("staff_demo")
    # A browser that prefers English still gets Chinese until the user chooses.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "My to-do list" in body


def test_static_assets_are_local(client, login_as):
    login_as("staff_demo")
    body = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in body
    assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body


def test_forbidden_and_missing_pages_are_in_chinese(client, login_as):
    login_as("staff_demo")
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "页面不存在" in missing.content.decode()
    forbidden = client.get("/org/roster/import/")
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.content.decode()


def test_early_warning_pages_form_one_menu_for_the_office(client, login_as):
    login_as("office_demo")
    menu = client.get("/").context["nav_menu"]
    groups = [item for item in menu if item.get("children")]
    assert [str(g["label"]) for g in groups] == ["预警处置"]
    assert {c["url_name"] for c in groups[0]["children"]} >= {
        "workflow:signals",
        "workflow:warnings",
        "workflow:dossier",
    }
    login_as("staff_demo")
    staff_menu = client.get("/").context["nav_menu"]
    assert not [item for item in staff_menu if item.get("children")]
