"""Every URL of risks/ (risks.views), for each demo role and anonymous, on objects in and out of the role's
scope.

The table below must name every URL pattern served by risks.views: a new view added without an entry here
(and so without thinking about its scope) fails ``test_every_url_is_in_the_table``."""

import pytest
from django.db import transaction
from django.urls import URLPattern, reverse

from hkcourt.org.models import Division, Post
from hkcourt.org.policy import Refusal
from risks import services, urls
from risks.models import Grade, State
from tests.factories import CourtFactory, DivisionFactory, PostFactory, make_person

from .factories import PowerFactory, RiskPointFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo", "admin"]
HIGH = {"importance": "3", "discretion": "3", "probability": "2", "harm": "3", "grade": Grade.HIGH}


def row(anonymous=302, *, staff, head, deputy, president, office, leader, admin):
    return dict(zip(ROLES, [anonymous, staff, head, deputy, president, office, leader, admin], strict=True))


ALL_200 = row(staff=200, head=200, deputy=200, president=200, office=200, leader=200, admin=200)
ONLY_ADMIN = row(staff=404, head=404, deputy=404, president=404, office=404, leader=404, admin=200)


@pytest.fixture
def world(demo_user, civil_power):
    staff = demo_user("staff_demo")
    criminal = Division.objects.get(court=civil_power.court, name="刑事审判庭")
    foreign_division = DivisionFactory(court=CourtFactory(code="elsewhere"))
    foreign_post = PostFactory(division=foreign_division)
    foreign_person = make_person(division=foreign_division)
    foreign_person.post = foreign_post
    foreign_person.save()
    rp_in = RiskPointFactory(owner=staff, power=civil_power, state=State.SUBMITTED)
    return {
        "rp_in": rp_in,
        "rp_draft": RiskPointFactory(owner=staff, state=State.DRAFT),
        "rp_crim": RiskPointFactory(owner=demo_user("hgzy_d01_s0"), state=State.SUBMITTED),
        "rp_out": RiskPointFactory(owner=foreign_person.user, state=State.SUBMITTED),
        "power_in": civil_power,
        "power_out": PowerFactory(division=foreign_division, court=foreign_division.court),
        "post_in": staff.person.post,
        "post_out": foreign_post,
        "criminal": criminal,
    }


def cases(world):
    """(url name, label, method, path, data, expected statuses by role)."""
    w = world
    rp = w["rp_in"]
    grade = lambda obj: {**HIGH, "version": obj.version}  # noqa: E731
    return [
        ("catalogue", "", "get", reverse("risks:catalogue"), None, ALL_200),
        ("power_detail", "in", "get", reverse("risks:power_detail", args=[w["power_in"].pk]), None, ALL_200),
        ("power_detail", "out", "get", reverse("risks:power_detail", args=[w["power_out"].pk]), None, ONLY_ADMIN),
        ("post_statement", "in", "get", reverse("risks:post_statement", args=[w["post_in"].pk]), None, ALL_200),
        ("post_statement", "out", "get", reverse("risks:post_statement", args=[w["post_out"].pk]), None, ONLY_ADMIN),
        (
            "power_create",
            "",
            "get",
            reverse("risks:power_create") + f"?court={w['power_in'].court_id}",
            None,
            row(staff=403, head=200, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        (
            "power_edit",
            "in",
            "get",
            reverse("risks:power_edit", args=[w["power_in"].pk]),
            None,
            row(staff=403, head=200, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        ("power_edit", "out", "get", reverse("risks:power_edit", args=[w["power_out"].pk]), None, ONLY_ADMIN),
        (
            "power_steps",
            "in",
            "get",
            reverse("risks:power_steps", args=[w["power_in"].pk]),
            None,
            row(staff=403, head=200, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        ("power_steps", "out", "get", reverse("risks:power_steps", args=[w["power_out"].pk]), None, ONLY_ADMIN),
        (
            "catalogue_lock",
            "in",
            "post",
            reverse("risks:catalogue_lock", args=[w["power_in"].court_id]),
            {"note": "审核完毕"},
            row(staff=403, head=403, deputy=403, president=403, office=302, leader=403, admin=302),
        ),
        (
            "catalogue_lock",
            "out",
            "post",
            reverse("risks:catalogue_lock", args=[w["power_out"].court_id]),
            {"note": "审核完毕"},
            row(staff=404, head=404, deputy=404, president=404, office=404, leader=404, admin=302),
        ),
        ("step_options", "", "get", reverse("risks:step_options") + f"?power={w['power_in'].pk}", None, ALL_200),
        ("list", "", "get", reverse("risks:list"), None, ALL_200),
        ("export", "", "get", reverse("risks:export") + "?format=csv", None, ALL_200),
        (
            "catalogue_export",
            "in",
            "get",
            reverse("risks:catalogue_export") + f"?court={w['power_in'].court_id}",
            None,
            ALL_200,
        ),
        (
            "catalogue_export",
            "out",
            "get",
            reverse("risks:catalogue_export") + f"?court={w['power_out'].court_id}",
            None,
            ONLY_ADMIN,
        ),
        (
            "catalogue_import",
            "",
            "get",
            reverse("risks:catalogue_import"),
            None,
            row(staff=403, head=403, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        (
            "catalogue_template",
            "",
            "get",
            reverse("risks:catalogue_template"),
            None,
            row(staff=403, head=403, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        (
            "create",
            "",
            "get",
            reverse("risks:create"),
            None,
            row(staff=200, head=200, deputy=200, president=200, office=200, leader=403, admin=200),
        ),
        (
            "bulk",
            "",
            "post",
            reverse("risks:bulk"),
            {"action": "return", "ids": [rp.pk], "reason": "请补充"},
            row(staff=403, head=302, deputy=302, president=302, office=302, leader=302, admin=302),
        ),
        (
            "import",
            "",
            "get",
            reverse("risks:import"),
            None,
            row(staff=403, head=403, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        (
            "import_template",
            "",
            "get",
            reverse("risks:import_template"),
            None,
            row(staff=403, head=403, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        ("picker", "powers", "get", reverse("risks:picker", args=["powers"]) + "?q=保全", None, ALL_200),
        (
            "picker",
            "people in",
            "get",
            reverse("risks:picker", args=["people"]) + f"?risk_point={rp.pk}",
            None,
            row(staff=403, head=200, deputy=403, president=403, office=200, leader=403, admin=200),
        ),
        (
            "picker",
            "people out",
            "get",
            reverse("risks:picker", args=["people"]) + f"?risk_point={w['rp_crim'].pk}",
            None,
            row(staff=404, head=404, deputy=404, president=403, office=200, leader=403, admin=200),
        ),
        (
            "recompute_leaders",
            "",
            "post",
            reverse("risks:recompute_leaders"),
            None,
            row(staff=403, head=403, deputy=403, president=403, office=302, leader=403, admin=302),
        ),
        ("suggest_grade", "", "get", reverse("risks:suggest_grade") + "?importance=3&discretion=3", None, ALL_200),
        ("detail", "in", "get", reverse("risks:detail", args=[rp.pk]), None, ALL_200),
        (
            "detail",
            "other division",
            "get",
            reverse("risks:detail", args=[w["rp_crim"].pk]),
            None,
            row(staff=404, head=404, deputy=404, president=200, office=200, leader=200, admin=200),
        ),
        (
            "detail",
            "someone's draft",
            "get",
            reverse("risks:detail", args=[w["rp_draft"].pk]),
            None,
            row(staff=200, head=404, deputy=404, president=404, office=404, leader=404, admin=404),
        ),
        ("detail", "out", "get", reverse("risks:detail", args=[w["rp_out"].pk]), None, ONLY_ADMIN),
        (
            "edit",
            "own draft",
            "get",
            reverse("risks:edit", args=[w["rp_draft"].pk]),
            None,
            row(staff=200, head=404, deputy=404, president=404, office=404, leader=404, admin=404),
        ),
        (
            "edit",
            "submitted",
            "get",
            reverse("risks:edit", args=[rp.pk]),
            None,
            row(staff=403, head=403, deputy=403, president=403, office=403, leader=403, admin=403),
        ),
        (
            "edit",
            "out",
            "get",
            reverse("risks:edit", args=[w["rp_out"].pk]),
            None,
            row(staff=404, head=404, deputy=404, president=404, office=404, leader=404, admin=403),
        ),
        (
            "action",
            "grade in",
            "post",
            reverse("risks:action", args=[rp.pk, "grade"]),
            grade(rp),
            row(staff=403, head=302, deputy=302, president=403, office=302, leader=403, admin=302),
        ),
        (
            "action",
            "grade other division",
            "post",
            reverse("risks:action", args=[w["rp_crim"].pk, "grade"]),
            grade(w["rp_crim"]),
            row(staff=404, head=404, deputy=404, president=403, office=302, leader=403, admin=302),
        ),
        (
            "action",
            "grade out",
            "post",
            reverse("risks:action", args=[w["rp_out"].pk, "grade"]),
            grade(w["rp_out"]),
            row(staff=404, head=404, deputy=404, president=404, office=404, leader=404, admin=302),
        ),
        (
            "action",
            "get is refused",
            "get",
            reverse("risks:action", args=[rp.pk, "grade"]),
            None,
            row(staff=405, head=405, deputy=405, president=405, office=405, leader=405, admin=405),
        ),
        (
            "feedback",
            "",
            "get",
            reverse("risks:feedback"),
            None,
            row(staff=403, head=403, deputy=403, president=200, office=200, leader=200, admin=200),
        ),
        ("public", "known court", "get", reverse("risks:public", args=["hgzy"]), None, dict.fromkeys(ROLES, 200)),
        ("public", "unknown court", "get", "/public/nowhere/", None, dict.fromkeys(ROLES, 404)),
    ]


def test_every_url_is_in_the_table(world):
    """Every URL served by risks.views is in the table. (Sub-apps included by risks.urls, such as the
    measures, keep a table of the same kind next to their own tests.)"""
    named = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern) and p.callback.__module__ == "risks.views"}
    assert named == {c[0] for c in cases(world)}


def test_access_matrix(client, demo_user, world):
    failures = []
    for name, label, method, path, data, expected in cases(world):
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(demo_user(role))
            # Run each request in a transaction that is rolled back: a permitted action leaves no trace
            # for the next role.
            with transaction.atomic():
                response = getattr(client, method)(path, data or {})
                transaction.set_rollback(True)
            status = response.status_code
            if status != expected[role]:
                failures.append(f"{name} [{label}] as {role}: {status}, expected {expected[role]}")
            if role == "anonymous" and expected[role] == 302:
                assert response.url.startswith(reverse("login"))
    assert not failures, "\n".join(failures)


def test_permitted_grade_really_happened(client, demo_user, world):
    """The 302s above are real successes, not silent refusals."""
    rp = world["rp_in"]
    client.force_login(demo_user("head_demo"))
    client.post(reverse("risks:action", args=[rp.pk, "grade"]), {**HIGH, "version": rp.version})
    rp.refresh_from_db()
    assert rp.state == State.GRADED


def test_pickers_offer_nothing_out_of_scope(client, login_as, world):
    login_as("head_demo")
    html = client.get(reverse("risks:detail", args=[world["rp_in"].pk])).content.decode()
    # the peer-check picker lists people of the head's own division only
    assert "王晓东" not in html.split('name="reviewer"')[1].split("</select>")[0]  # the owner is excluded
    from hkcourt.org.models import Person

    criminal_people = Person.objects.filter(division=world["criminal"]).values_list("full_name", flat=True)
    picker = html.split('name="reviewer"')[1].split("</select>")[0]
    assert not any(name in picker for name in criminal_people)
    # the power picker of the submit form offers only the user's court
    login_as("staff_demo")
    form = client.get(reverse("risks:create")).content.decode()
    assert world["power_in"].name in form and world["power_out"].name not in form


def test_pickers_search_within_scope(client, login_as, world):
    login_as("staff_demo")
    html = client.get(reverse("risks:picker", args=["powers"]), {"q": "保全"}).content.decode()
    assert world["power_in"].name in html and world["power_out"].name not in html
    login_as("head_demo")
    url = reverse("risks:picker", args=["people"])
    html = client.get(url, {"risk_point": world["rp_in"].pk, "q": "王"}).content.decode()
    assert "王晓东" not in html  # the owner is never offered
    html = client.get(url, {"risk_point": world["rp_in"].pk}).content.decode()
    from hkcourt.org.models import Person

    for name in Person.objects.filter(division=world["criminal"]).values_list("full_name", flat=True):
        assert name not in html


def test_services_refuse_what_the_views_hide(demo_user, world):
    """Scope is not only a view matter: a service called for an out-of-scope reviewer refuses too."""
    with pytest.raises(Refusal):
        services.grade(
            actor=demo_user("head_demo"),
            risk_point=world["rp_crim"],
            factors={"importance": 3, "discretion": 3, "probability": 3, "harm": 3},
            grade=Grade.HIGH,
            expected_version=world["rp_crim"].version,
        )


def test_unused_post_fixture_is_foreign(world):
    assert world["post_out"].division.court.code == "elsewhere"
    assert not Post.objects.visible_to(world["rp_in"].owner).filter(pk=world["post_out"].pk).exists()


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("get", "/risks/?page=abc&size=-5&sort=nope&state=bogus&court=x&division=y&key_link=z&campaign=q", None),
        ("get", "/catalogue/?court=abc", None),
        ("get", "/catalogue/?division=abc", None),
        ("get", "/catalogue/steps/?power=abc", None),
        ("get", "/pickers/people/?risk_point=abc", None),
        ("get", "/pickers/nothing/", None),
        ("get", "/risks/suggest-grade/?importance=9&harm=x", None),
        ("get", "/catalogue/export/?court=abc&format=zip", None),
        ("post", "/risks/bulk/", {"action": "confirm", "ids": ["abc", "1"], "date": "not-a-date"}),
        ("post", "/risks/bulk/", {"action": "explode"}),
    ],
)
def test_junk_input_never_answers_500(client, login_as, world, method, path, data):
    login_as("office_demo")
    response = getattr(client, method)(path, data or {})
    assert response.status_code < 500


def test_junk_version_is_refused_cleanly(client, login_as, world):
    login_as("staff_demo")
    rp = world["rp_draft"]
    response = client.post(reverse("risks:action", args=[rp.pk, "submit"]), {"version": "abc"})
    assert response.status_code == 400 and "页面已过期" in response.content.decode()
    response = client.post(reverse("risks:action", args=[rp.pk, "explode"]))
    assert response.status_code == 404
