"""Sign-in throttling: five wrong passwords lock the account for 15 minutes, counted in the database so every
gunicorn worker sees the same count; the right password does not get in while locked, and the admin's sign-in
page is throttled the same way."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "hegang2012"


@pytest.fixture
def staff(demo_user):
    user = demo_user("staff_demo")
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, password, url=None):
    return client.post(url or reverse("login"), {"username": "staff_demo", "password": password})


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, staff):
    for _ in range(4):
        response = _sign_in(client, "wrong")
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    locked = _sign_in(client, "wrong")
    assert locked.status_code == 429 and "账号已暂时锁定" in locked.content.decode()
    right = _sign_in(client, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="staff_demo").failures_since_start >= 5


def test_a_lock_holds_for_another_client_address(client, staff):
    """Counted per account, not per address: a second worker or a second address sees the same lock."""
    for _ in range(5):
        _sign_in(client, "wrong")
    response = client.post(
        reverse("login"), {"username": "staff_demo", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 429


def test_a_right_password_before_the_limit_resets_the_count(client, staff):
    for _ in range(4):
        _sign_in(client, "wrong")
    assert _sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, "wrong").status_code == 200
    assert _sign_in(client, PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, demo_user):
    admin = demo_user("admin")
    admin.set_password(PASSWORD)
    admin.save()
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "admin", "password": "wrong"})
    response = client.post(url, {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_locked_too(client, staff, demo_user):
    for username in ["head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo"]:
        client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    response = client.post(
        reverse("login"), {"username": "staff_demo", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 429
    assert _sign_in(client, PASSWORD).status_code == 302  # from another address the account is fine
