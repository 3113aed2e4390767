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


def test_healthz_reports_database_and_broker(client, login_as):
    login_as("admin")  # the details are for the administrator; anonymous callers get ok / not ok
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["database"]["ok"] is True
    assert set(data) >= {"status", "database", "broker"}


def test_healthz_reports_broker_down(client, login_as, settings):
    login_as("admin")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    data = json.loads(client.get("/healthz").content)
    assert data["broker"]["ok"] is False
    assert data["status"] == "degraded"


def test_healthz_reaches_real_redis_when_configured(client, login_as, settings):
    login_as("admin")
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
    assert [str(g["label"]) for g in groups] == ["预警处置", "考核评估"]
    assert [c["url_name"] for c in groups[1]["children"]] == [
        "workflow:assessment",
        "workflow:acceptances",
        "workflow:summaries",
    ]
    assert {c["url_name"] for c in groups[0]["children"]} >= {
        "workflow:signals",
        "workflow:warnings",
        "workflow:dossier",
    }
    login_as("staff_demo")
    staff_menu = client.get("/").context["nav_menu"]
    assert not [item for item in staff_menu if item.get("children")]


# Each demo role's header menu, in order. Entries whose page is not installed in this build are left out
# by the navigation (and here), so the expectation holds as apps add their pages.
EVERYONE = ["home", "risks:catalogue", "risks:list", "risks:measures", "commitments:list"]
EARLY_WARNING = ["workflow:signals", "workflow:warnings", "workflow:handling", "workflow:rectifications"]
ASSESSMENT = ["workflow:assessment", "workflow:acceptances", "workflow:summaries"]  # the ranking: office, leaders
MENUS = {
    "staff_demo": [*EVERYONE, "workflow:surveys"],
    "head_demo": [*EVERYONE, "workflow:campaigns", *ASSESSMENT[1:], "workflow:surveys"],
    "deputy_demo": [*EVERYONE, "workflow:campaigns", "workflow:dashboard", *ASSESSMENT[1:], "workflow:surveys"],
    # The president is 组长 of the leading group (issue 14): the early-warning work and the assessment are his.
    "president_demo": [
        *EVERYONE,
        "workflow:campaigns",
        *EARLY_WARNING,
        "workflow:dashboard",
        *ASSESSMENT,
        "workflow:surveys",
    ],
    "xiangyang_president": [
        *EVERYONE,
        "workflow:campaigns",
        "workflow:dashboard",
        *ASSESSMENT[1:],
        "workflow:surveys",
    ],
    "office_demo": [
        *EVERYONE,
        "workflow:campaigns",
        *EARLY_WARNING,
        "workflow:dossier",
        "workflow:dashboard",
        *ASSESSMENT,
        "workflow:surveys",
    ],
    "leader_demo": [
        *EVERYONE,
        "workflow:campaigns",
        *EARLY_WARNING,
        "workflow:dashboard",
        *ASSESSMENT,
        "workflow:surveys",
    ],
    "admin": [
        *EVERYONE,
        "workflow:campaigns",
        *EARLY_WARNING,
        "workflow:dossier",
        "workflow:dashboard",
        *ASSESSMENT,
        "workflow:surveys",
        "org:leading_group",
        "org:roster_import",
        "admin:index",
    ],
}
for _name, _menu in MENUS.items():
    if "org:leading_group" not in _menu:
        _menu.append("org:leading_group")  # 领导小组: everyone reads who leads the campaign
ROLE_LABELS = {
    "staff_demo": ["干警"],
    "head_demo": ["干警", "庭室负责人"],
    "deputy_demo": ["分管院领导"],
    "president_demo": ["院长", "领导小组组长"],
    "xiangyang_president": ["院长"],
    "office_demo": ["干警", "领导小组办公室主任"],
    "leader_demo": ["领导小组成员"],
    "admin": ["系统管理员"],
}


def _installed(url_names):
    from django.urls import NoReverseMatch

    installed = []
    for name in url_names:
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        installed.append(name)
    return installed


@pytest.mark.parametrize("username", sorted(MENUS))
def test_home_and_header_menu_per_demo_role(client, login_as, username):
    user = login_as(username)
    response = client.get("/")
    assert response.status_code == 200
    entries = response.context["nav_entries"]
    assert [e["url_name"] for e in entries] == _installed(MENUS[username])
    body = response.content.decode()
    for entry in entries:
        assert f'href="{entry["url"]}"' in body, entry["url_name"]
    assert [str(label) for label in response.context["role_labels"]] == ROLE_LABELS[username]
    assert "我的待办" in body and user.person.full_name in body
    # every page the menu offers opens for the person (no entry leads to a 403)
    for entry in entries:
        if entry["url_name"] != "admin:index":
            assert client.get(entry["url"]).status_code == 200, entry["url_name"]


def test_an_entry_shows_only_when_its_url_resolves_and_the_policy_allows(monkeypatch, demo_user):
    from hkcourt.org import navigation
    from hkcourt.org.roles import OVERSIGHT_ROLES

    entries = [
        navigation.NavEntry("无页面", "nowhere:page", "bi-x", rule="nowhere.no_such_rule"),
        navigation.NavEntry("花名册", "org:roster_import", "bi-people", rule="org.import_roster"),
        navigation.NavEntry("监督", "notifications:inbox", "bi-bell", roles=OVERSIGHT_ROLES),
        navigation.NavEntry("待办", "home", "bi-list-check"),
    ]
    monkeypatch.setattr(navigation, "ENTRIES", entries)
    labels = {u: [e["label"] for e in navigation.entries_for(demo_user(u))] for u in ("staff_demo", "leader_demo")}
    assert labels == {"staff_demo": ["待办"], "leader_demo": ["监督", "待办"]}
    assert [e["label"] for e in navigation.entries_for(demo_user("admin"))] == ["花名册", "监督", "待办"]


def test_navigation_names_roles_only_through_role_groups_or_rules():
    from hkcourt.org import navigation, policy, roles

    groups = {value for name, value in vars(roles).items() if name.endswith("_ROLES")}
    for entry in navigation.ENTRIES:
        assert not (entry.rule and entry.roles), entry
        if entry.rule:
            assert entry.rule in policy.rule_names(), entry.rule
        if entry.roles is not None:
            assert entry.roles in groups or all(isinstance(r, roles.Role) for r in entry.roles), entry
    assert not hasattr(navigation, "LEADERS") and not hasattr(navigation, "OVERSIGHT")
