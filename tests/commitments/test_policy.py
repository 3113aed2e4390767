"""The letters' permission policy (commitments/policy.py): the pages show exactly the actions the rules allow,
every service refuses when its rule refuses (and only through it), and a deactivated office member is refused."""

import dataclasses
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from commitments import selectors, services
from commitments.models import CommitmentLetter, Kind, LetterBundle, LetterState, LetterTemplate
from hkcourt.org import policy
from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import AuditEntry, Division, Person, RoleAssignment
from hkcourt.org.roles import Role

from .conftest import VERIFY_BASE

pytestmark = pytest.mark.django_db

ROLES = ("staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo", "admin")
LETTER_ACTIONS = {"download_pdf", "supplement", "sign", "countersign", "archive", "supersede"}


def shown_actions(response):
    """The ``data-action`` of every button or form in the page's main content (not the shared header)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return set(re.findall(r'data-action="([^"]+)"', main))


def allowed(user, obj):
    return {name for name, ok in policy.allowed_actions(user, obj).items() if ok}


@pytest.fixture
def letters_in_every_state(letters, letter_of, sign, countersign, demo_user):
    """One letter per state a page can show: drafted, signed (a person countersigns), countersigned, archived,
    signed for the court (the office countersigns), a corrected version and its drafted successor."""
    office = demo_user("office_demo")
    archived = countersign(sign(letter_of("deputy_demo")), "president_demo")
    archived = services.archive_letter(actor=office, letter=archived)
    corrected = sign(letter_of("president_demo"))
    successor = services.supersede_letter(actor=office, letter=corrected, reason="更正")
    corrected.refresh_from_db()
    return {
        "drafted": letter_of("staff_demo"),
        "signed": sign(letter_of("head_demo")),
        "countersigned": countersign(sign(letter_of("head_demo", Kind.DIVISION)), "deputy_demo"),
        "archived": archived,
        "court_signed": sign(letter_of("president_demo", Kind.COURT)),
        "superseded": corrected,
        "successor": successor,
    }


def test_letter_page_shows_exactly_the_allowed_actions(client, login_as, letters_in_every_state):
    seen_allowed = set()
    for username in ROLES:
        user = login_as(username)
        for state, letter in letters_in_every_state.items():
            letter = CommitmentLetter.objects.get(pk=letter.pk)
            response = client.get(reverse("commitments:detail", args=[letter.pk]))
            if not CommitmentLetter.objects.visible_to(user).filter(pk=letter.pk).exists():
                assert response.status_code == 404, (username, state)
                continue
            assert response.status_code == 200, (username, state)
            expected = allowed(user, letter)
            assert shown_actions(response) == expected, (username, state)
            seen_allowed |= expected
    # Not vacuous: every action on a letter was offered to someone.
    assert seen_allowed == LETTER_ACTIONS


def test_who_may_do_what_on_a_letter(demo_user, letters_in_every_state):
    """The layered-signing rules as the policy states them (the same as the services enforced before)."""
    letters = letters_in_every_state
    may = {u: {s: allowed(demo_user(u), letter) for s, letter in letters.items()} for u in ROLES}
    assert may["staff_demo"]["drafted"] == {"download_pdf", "supplement", "sign"}
    assert may["head_demo"]["drafted"] == {"download_pdf"}  # nobody signs for another
    assert may["deputy_demo"]["signed"] == {"download_pdf", "countersign"}  # the named countersigner only
    assert may["head_demo"]["signed"] == {"download_pdf"}  # not one's own
    assert may["office_demo"]["signed"] == {"download_pdf", "supersede"}
    assert may["office_demo"]["court_signed"] == {"download_pdf", "countersign", "supersede"}  # for the court
    assert may["leader_demo"]["court_signed"] == {"download_pdf"}
    assert may["office_demo"]["countersigned"] == {"download_pdf", "archive", "supersede"}
    assert may["office_demo"]["archived"] == {"download_pdf", "supersede"}
    assert may["office_demo"]["superseded"] == {"download_pdf"}  # kept on record, no further action
    assert may["president_demo"]["successor"] == {"download_pdf", "supplement", "sign"}


def test_list_templates_and_progress_pages_show_what_the_rules_allow(client, login_as, letters_in_every_state):
    template = letters_in_every_state["drafted"].template
    for username in ROLES:
        user = login_as(username)
        page = client.get(reverse("commitments:list"))
        expected = {a for a in ("view_progress", "manage_templates") if policy.can(user, f"commitments.{a}")}
        assert shown_actions(page) == expected, username

        progress = client.get(reverse("commitments:progress"))
        if not policy.can(user, "commitments.view_progress"):
            assert progress.status_code == 403, username
        else:
            groups = progress.context["groups"]
            offered = re.findall(
                r'data-action="download_bundle">.*?name="division" value="(\d+)"', progress.content.decode(), re.S
            )
            assert groups, username
            assert {int(pk) for pk in offered} == {
                g.division.pk for g in groups if policy.can(user, "commitments.download_bundle", g.division)
            }, username

        templates = client.get(reverse("commitments:templates"))
        if not policy.can(user, "commitments.manage_templates"):
            assert templates.status_code == 403, username
        else:
            shown = shown_actions(templates)
            assert ("generate" in shown) == policy.can(user, "commitments.generate", template), username


@pytest.fixture
def court_admin(city, demo_user):
    """A system administrator of the intermediate court who is not a superuser."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("court_admin", password=DEMO_PASSWORD)
    Person.objects.create(user=user, full_name="管理员乙", court=city)
    RoleAssignment.objects.create(user=user, role=Role.ADMIN, court=city)
    return user


def test_the_administrator_writes_templates_but_only_the_office_generates(client, court_admin, template):
    """As before the policy: templates are the office's and the administrator's; generating is the office's."""
    client.force_login(court_admin)
    page = client.get(reverse("commitments:templates"))
    assert page.status_code == 200 and shown_actions(page) == {"manage_templates", "manage_layers"}  # no generate
    assert client.get(reverse("commitments:template_edit", args=[template.pk])).status_code == 200
    with pytest.raises(policy.Refusal, match="只有领导小组办公室"):
        services.generate_letters(actor=court_admin, template=template)
    assert not CommitmentLetter.objects.exists()


def test_the_countersign_and_archive_lists_are_the_rules_rows(demo_user, letters_in_every_state):
    for username in ROLES:
        user = demo_user(username)
        visible = list(CommitmentLetter.objects.visible_to(user).select_related("court"))
        assert {letter.pk for letter in selectors.to_countersign(user)} == {
            letter.pk for letter in visible if policy.can(user, "commitments.countersign", letter)
        }, username
        assert {letter.pk for letter in selectors.to_archive(user)} == {
            letter.pk for letter in visible if policy.can(user, "commitments.archive", letter)
        }, username


# ---------------------------------------------------------------- the services go through the rules


class _Undo(Exception):
    pass


def _attempt(call):
    """Run a service and undo whatever it wrote; returns the exception it raised, if any."""
    cache.clear()  # wrong passwords below must not lock anyone out
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return None
    except (policy.Refusal, ValidationError) as exc:
        return exc


SERVICES = {
    "supplement": lambda actor, letter: services.update_supplement(actor=actor, letter=letter, text="补充"),
    # A wrong password: the policy answers before the password is checked, so an allowed signing stops at it.
    "sign": lambda actor, letter: services.sign_letter(actor=actor, letter=letter, password="wrong"),
    "countersign": lambda actor, letter: services.countersign_letter(actor=actor, letter=letter, password="wrong"),
    "archive": lambda actor, letter: services.archive_letter(actor=actor, letter=letter),
    "supersede": lambda actor, letter: services.supersede_letter(actor=actor, letter=letter, reason="更正"),
}


def test_each_letter_service_refuses_exactly_when_its_rule_refuses(demo_user, letters_in_every_state):
    for username in ROLES:
        actor = demo_user(username)
        for state, letter in letters_in_every_state.items():
            for action, call in SERVICES.items():
                letter = CommitmentLetter.objects.get(pk=letter.pk)
                decision = policy.decide(actor, f"commitments.{action}", letter)
                before = (letter.state, letter.supplement, letter.superseded_at, AuditEntry.objects.count())
                exc = _attempt(lambda call=call, actor=actor, letter=letter: call(actor, letter))
                where = (username, state, action)
                if decision.allowed:
                    assert not isinstance(exc, policy.Refusal), where
                else:
                    assert isinstance(exc, policy.Refusal), where
                    assert (exc.message, exc.code) == (decision.message, decision.code), where
                letter.refresh_from_db()
                after = (letter.state, letter.supplement, letter.superseded_at, AuditEntry.objects.count())
                assert after == before, where


def _refuse(patch, name):
    """Make one rule refuse everyone: whatever the service would otherwise accept must now be refused."""
    entry = policy._RULES[name]
    patch.setitem(policy._RULES, name, dataclasses.replace(entry, function=lambda user, obj: policy.deny("规则拒绝")))


@pytest.fixture
def refuse(monkeypatch):
    return lambda name: _refuse(monkeypatch, name)


def test_no_service_has_a_second_path_around_its_rule(monkeypatch, demo_user, city, civil, letters_in_every_state):
    office, head, deputy, staff = (demo_user(u) for u in ("office_demo", "head_demo", "deputy_demo", "staff_demo"))
    letters = letters_in_every_state
    template = letters["drafted"].template
    texts = services.default_template_texts()
    calls = {
        "manage_templates": [
            lambda: services.save_template(actor=office, court=city, year=2031, title="新模板", **texts),
            lambda: services.save_template(
                actor=office, court=city, year=template.year, title="改名", template=template, **texts
            ),
        ],
        "generate": [lambda: services.generate_letters(actor=office, template=template)],
        "supplement": [lambda: services.update_supplement(actor=staff, letter=letters["drafted"], text="补充")],
        "sign": [
            lambda: services.sign_letter(
                actor=staff, letter=letters["drafted"], password=DEMO_PASSWORD, verify_base=VERIFY_BASE
            )
        ],
        "countersign": [
            lambda: services.countersign_letter(
                actor=deputy, letter=letters["signed"], password=DEMO_PASSWORD, verify_base=VERIFY_BASE
            )
        ],
        "archive": [lambda: services.archive_letter(actor=office, letter=letters["countersigned"])],
        "supersede": [lambda: services.supersede_letter(actor=office, letter=letters["signed"], reason="更正")],
        "download_bundle": [lambda: services.request_bundle(actor=head, template=template, division=civil)],
    }
    for action, attempts in calls.items():
        for call in attempts:
            audit = AuditEntry.objects.count()
            with monkeypatch.context() as patch:
                _refuse(patch, f"commitments.{action}")
                with pytest.raises(policy.Refusal, match="规则拒绝"):
                    call()
            assert AuditEntry.objects.count() == audit, action
    assert not LetterTemplate.objects.filter(year=2031).exists()
    assert LetterTemplate.objects.get(pk=template.pk).title == template.title
    assert not LetterBundle.objects.exists()
    states = {k: CommitmentLetter.objects.get(pk=v.pk).state for k, v in letters.items()}
    assert states["drafted"] == LetterState.DRAFTED and states["signed"] == LetterState.SIGNED
    assert states["countersigned"] == LetterState.COUNTERSIGNED
    assert CommitmentLetter.objects.get(pk=letters["drafted"].pk).supplement == ""


def test_no_page_has_a_second_path_around_its_rule(client, login_as, refuse, letters_in_every_state, civil):
    head = login_as("head_demo")
    template = letters_in_every_state["drafted"].template
    bundle = services.request_bundle(actor=head, template=template, division=civil)
    services.build_bundle(bundle_id=bundle.pk)
    letter = letters_in_every_state["signed"]
    assert client.get(reverse("commitments:pdf", args=[letter.pk])).status_code == 200
    assert client.get(reverse("commitments:bundle_download", args=[bundle.pk])).status_code == 200
    assert client.get(reverse("commitments:progress")).status_code == 200
    refuse("commitments.download_pdf")
    refuse("commitments.download_zip")
    refuse("commitments.view_progress")
    assert client.get(reverse("commitments:pdf", args=[letter.pk])).status_code == 403
    assert client.get(reverse("commitments:bundle_download", args=[bundle.pk])).status_code == 403
    assert client.get(reverse("commitments:progress")).status_code == 403
    page = client.get(reverse("commitments:detail", args=[letter.pk]))
    assert "download_pdf" not in shown_actions(page)

    login_as("office_demo")
    assert client.get(reverse("commitments:templates")).status_code == 200
    refuse("commitments.manage_templates")
    for url in (
        reverse("commitments:templates"),
        reverse("commitments:template_new"),
        reverse("commitments:template_edit", args=[template.pk]),
        reverse("commitments:template_preview", args=[template.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_out_of_scope_is_404_and_in_scope_refused_is_403(client, login_as, letters_in_every_state, civil):
    login_as("staff_demo")
    colleague = letters_in_every_state["signed"]  # head_demo's: not staff_demo's to see
    assert client.get(reverse("commitments:pdf", args=[colleague.pk])).status_code == 404
    template = letters_in_every_state["drafted"].template
    assert client.get(reverse("commitments:template_edit", args=[template.pk])).status_code == 403
    other = Division.objects.exclude(court=template.court).first()
    response = client.post(reverse("commitments:bundle_request"), {"template": template.pk, "division": other.pk})
    assert response.status_code == 404  # a division of another court is not this template's


# ---------------------------------------------------------------- deactivated people


def test_a_deactivated_office_member_is_refused(client, demo_user, letters_in_every_state, city, civil):
    office = demo_user("office_demo")
    letters = letters_in_every_state
    template = letters["drafted"].template
    office.is_active = False
    office.save(update_fields=["is_active"])
    attempts = {
        "manage_templates": (
            city,
            lambda: services.save_template(
                actor=office, court=city, year=2032, title="停用", **services.default_template_texts()
            ),
        ),
        "generate": (template, lambda: services.generate_letters(actor=office, template=template)),
        "countersign": (
            letters["court_signed"],
            lambda: services.countersign_letter(
                actor=office, letter=letters["court_signed"], password=DEMO_PASSWORD, verify_base=VERIFY_BASE
            ),
        ),
        "archive": (
            letters["countersigned"],
            lambda: services.archive_letter(actor=office, letter=letters["countersigned"]),
        ),
        "supersede": (
            letters["signed"],
            lambda: services.supersede_letter(actor=office, letter=letters["signed"], reason="更正"),
        ),
        "download_bundle": (civil, lambda: services.request_bundle(actor=office, template=template, division=civil)),
    }
    for action, (target, call) in attempts.items():
        with pytest.raises(policy.Refusal, match="需要登录"):
            call()
        assert not policy.can(office, f"commitments.{action}", target), action
    assert not any(policy.allowed_actions(office, letters["countersigned"]).values())
    assert CommitmentLetter.objects.get(pk=letters["countersigned"].pk).state == LetterState.COUNTERSIGNED
    assert not LetterTemplate.objects.filter(year=2032).exists()
    assert selectors.to_countersign(office).count() == 0 and selectors.to_archive(office).count() == 0
    client.force_login(office)  # a session from before the deactivation is not honoured: back to the login page
    assert client.get(reverse("commitments:detail", args=[letters["countersigned"].pk])).status_code == 302
