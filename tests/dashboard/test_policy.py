"""Who reads the dashboard is the policy's ("dashboard.view", "dashboard.view_oversight"): the page asks it."""

import dataclasses

import pytest
from django.core.cache import cache
from django.urls import reverse

from hkcourt.org import policy
from hkcourt.org.policy import ALLOW, deny

pytestmark = pytest.mark.django_db

DATA = reverse("workflow:dashboard_data")
PAGE = reverse("workflow:dashboard")

EXPECTED = {
    # username: (view, view_oversight)
    "staff_demo": (False, False),
    "head_demo": (False, False),
    "deputy_demo": (True, False),
    "president_demo": (True, True),  # 组长 of the leading group
    "xiangyang_president": (True, False),
    "office_demo": (True, True),
    "leader_demo": (True, True),
    "admin": (True, True),  # a superuser
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_the_rules_per_demo_role(client, login_as, fresh_cache, username):
    user = login_as(username)
    view, oversight = EXPECTED[username]
    assert policy.can(user, "dashboard.view") is view
    assert policy.can(user, "dashboard.view_oversight") is oversight
    response = client.get(DATA)
    if view:
        assert response.status_code == 200 and response.json()["oversight_visible"] is oversight
    else:
        assert response.status_code == 403
        page = client.get(PAGE)
        assert (
            page.status_code == 403
            and "领导驾驶舱仅供分管院领导、院长、领导小组及其办公室使用。" in page.content.decode()
        )


def _replace(monkeypatch, name, function):
    entry = policy._RULES[name]
    monkeypatch.setitem(policy._RULES, name, dataclasses.replace(entry, function=function))


def test_the_page_asks_the_rule(client, login_as, fresh_cache, monkeypatch):
    login_as("office_demo")
    _replace(monkeypatch, "dashboard.view", lambda user, obj: deny("今天不开放"))
    for url in (PAGE, DATA, reverse("workflow:dashboard_section", args=["risks"])):
        response = client.get(url)
        assert response.status_code == 403, url
    assert "今天不开放" in client.get(PAGE).content.decode()


def test_the_oversight_figures_ask_the_rule(client, login_as, fresh_cache, monkeypatch):
    login_as("deputy_demo")
    assert client.get(DATA).json()["oversight"] is None
    _replace(monkeypatch, "dashboard.view_oversight", lambda user, obj: ALLOW)
    cache.clear()  # the figures are cached by scope, which does not know of the patch
    data = client.get(DATA).json()
    assert data["oversight_visible"] is True and data["oversight"] is not None
