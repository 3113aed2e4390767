"""Sessions on a shared court PC: no page is cached, an idle session ends, a password change or a deactivation
ends the person's other sessions at once."""

import pytest
from django.test import Client
from django.urls import reverse

from hkcourt.org import security

pytestmark = pytest.mark.django_db


def test_signed_in_pages_and_downloads_are_not_stored(client, login_as):
    login_as("staff_demo")
    response = client.get(reverse("risks:list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    export = client.get(reverse("risks:export") + "?format=csv")
    assert "no-store" in export["Cache-Control"]


def test_an_idle_session_is_signed_out(client, login_as, settings, monkeypatch):
    login_as("staff_demo")
    assert client.get(reverse("home")).status_code == 200
    now = security._now()
    monkeypatch.setattr(security, "_now", lambda: now + settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_activity_keeps_the_session_and_writes_at_most_once_a_minute(client, login_as, settings, monkeypatch):
    login_as("staff_demo")
    start = security._now()
    for minutes in (10, 20, 29, 45, 70):  # each request within 30 minutes of the previous one
        monkeypatch.setattr(security, "_now", lambda m=minutes: start + m * 60)
        assert client.get(reverse("home")).status_code == 200
    assert client.session[security.LAST_SEEN] == start + 70 * 60


def test_a_password_change_ends_the_other_sessions(demo_user):
    user = demo_user("staff_demo")
    other = Client()
    other.force_login(user)
    assert other.get(reverse("home")).status_code == 200
    user.set_password("a-new-long-password-2026")
    user.save()
    assert other.get(reverse("home")).status_code == 302


def test_deactivating_a_person_ends_their_sessions_at_once(demo_user):
    user = demo_user("staff_demo")
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("risks:list")).status_code == 200
    user.is_active = False
    user.save()
    response = browser.get(reverse("risks:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
