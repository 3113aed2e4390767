"""Layered signing (层层签订): who supervises each layer's letters, set per court by the office with a default that
follows the plan (staff → division head → deputy leader in charge → president; the court letter → the court
above's president, or for the intermediate court a named external signatory, the 纪检组, recorded by the office).
The second signature is 监督人签字 / 审核确认, never 会签, on every page, in the PDF and in the English catalogue."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commitments import selectors, services
from commitments.models import CommitmentLetter, Kind, LetterDocument, LetterState, SigningLayers, Supervisor
from hkcourt.org import policy
from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import AuditEntry, Court, Division, RoleAssignment

from .conftest import VERIFY_BASE

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ROLES = ("staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo", "admin")


@pytest.fixture
def basic_letters(demo_org, demo_user):
    """A basic court's letter round (xiangyang: a president, heads and staff, no deputy leader)."""
    court = Court.objects.get(code="xiangyang")
    template = services.save_template(
        actor=demo_user("office_demo"),
        court=court,
        year=2026,
        title="2026—2027年度廉政风险防范承诺书",
        sign_deadline=datetime.date(2026, 12, 31),
        **services.default_template_texts(),
    )
    services.generate_letters(actor=demo_user("office_demo"), template=template)
    return template


def _letter(template, username, kind=Kind.PERSONAL):
    return CommitmentLetter.objects.current().get(template=template, signer__username=username, kind=kind)


def test_a_basic_courts_letters_go_up_to_the_court_above(basic_letters, demo_user, client, committed):
    """No deputy leader: a head's letters go to the president; the president's letters to the city's president,
    who sees them (and only them) in another court, signs them, and nobody else may."""
    head = _letter(basic_letters, "xiangyang_d0_head")
    staff = _letter(basic_letters, "xiangyang_d0_s0")
    assert staff.countersigner.username == "xiangyang_d0_head" and staff.countersigner_role == Supervisor.DIVISION_HEAD
    assert head.countersigner.username == "xiangyang_president" and head.countersigner_role == Supervisor.PRESIDENT
    court_letter = _letter(basic_letters, "xiangyang_president", Kind.COURT)
    assert court_letter.countersigner.username == "president_demo"
    assert court_letter.countersigner_role == Supervisor.PARENT_COURT
    assert court_letter.body["countersigner_label"] == "鹤岗市中级人民法院院长"
    assert _letter(basic_letters, "xiangyang_president").countersigner.username == "president_demo"

    city_president = demo_user("president_demo")
    visible = CommitmentLetter.objects.visible_to(city_president).filter(template=basic_letters)
    # He supervises the basic court's president's two letters (his reach as 组长 of the leading group also
    # opens the court's other letters to him: reading, not signing).
    assert "xiangyang_president" in set(visible.values_list("signer__username", flat=True))
    court_letter = committed(
        lambda: services.sign_letter(
            actor=court_letter.signer, letter=court_letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE
        )
    )
    assert court_letter in selectors.to_countersign(city_president)
    for username in ("office_demo", "deputy_demo"):
        assert not policy.can(demo_user(username), "commitments.countersign", court_letter), username
    client.force_login(city_president)
    page = client.get(reverse("commitments:detail", args=[court_letter.pk])).content.decode()
    assert 'data-action="countersign"' in page and "监督人签字（审核确认）" in page and "会签" not in page
    response = committed(
        lambda: client.post(
            reverse("commitments:countersign", args=[court_letter.pk]), {"password": DEMO_PASSWORD, "confirm": "on"}
        )
    )
    assert response.status_code == 302
    court_letter.refresh_from_db()
    assert court_letter.state == LetterState.COUNTERSIGNED and court_letter.countersigned_by == city_president
    assert client.get(reverse("commitments:pdf", args=[court_letter.pk])).status_code == 200
    # The basic court's staff letter: its supervisor is the division head there; the city's president reads it
    # as 组长 of the leading group, with no supervisor's button.
    staff_page = client.get(reverse("commitments:detail", args=[staff.pk]))
    assert staff_page.status_code == 200 and 'data-action="countersign"' not in staff_page.content.decode()


def test_the_office_configures_each_layer_and_a_missing_supervisor_goes_one_layer_up(
    letters, letter_of, demo_user, city, civil, client
):
    office = demo_user("office_demo")
    services.save_signing_layers(
        actor=office, court=city, staff=Supervisor.DEPUTY_LEADER, head=Supervisor.PRESIDENT, external_body="纪检组"
    )
    services.generate_letters(actor=office, template=letters)
    assert letter_of("staff_demo").countersigner.username == "deputy_demo"
    assert letter_of("staff_demo").body["countersigner_label"] == "分管院领导"
    assert letter_of("head_demo").countersigner.username == "president_demo"
    assert letter_of("head_demo", Kind.DIVISION).countersigner.username == "president_demo"

    # Back to the default; then the division loses its head and its deputy: staff go to the president.
    services.save_signing_layers(actor=office, court=city, external_body="市纪委派驻纪检组")
    RoleAssignment.objects.filter(division=civil, role__in=["division_head", "deputy_leader"]).delete()
    services.generate_letters(actor=office, template=letters)
    letter = letter_of("staff_demo")
    assert letter.countersigner.username == "president_demo" and letter.countersigner_role == Supervisor.PRESIDENT
    assert letter_of("president_demo", Kind.COURT).body["countersigner_label"] == "市纪委派驻纪检组"

    client.force_login(office)
    page = client.get(reverse("commitments:layers"))
    assert page.status_code == 200
    chain = dict(page.context["chain"])
    assert chain == {
        "干警个人承诺书": "庭室负责人",
        "庭室负责人个人承诺书、庭室承诺书": "分管院领导",
        "院领导个人承诺书": "院长",
        "院长个人承诺书、单位承诺书": "市纪委派驻纪检组",
    }
    assert "会签" not in page.content.decode()


def test_layer_settings_refuse_what_cannot_be_and_write_nothing(demo_user, city, client):
    office = demo_user("office_demo")
    basic = Court.objects.get(code="xiangyang")
    cases = [
        ({"court_letter": Supervisor.PARENT_COURT}, "没有上级法院"),  # the intermediate court has none
        ({"court_letter": Supervisor.EXTERNAL}, "所在单位"),  # an external supervisor needs a name
        ({"staff": Supervisor.EXTERNAL}, "不能选择"),
        ({"head": Supervisor.DIVISION_HEAD}, "不能选择"),
    ]
    for values, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.save_signing_layers(actor=office, court=city, **values)
    assert not SigningLayers.objects.exists()
    for username in ("staff_demo", "head_demo", "deputy_demo", "president_demo", "leader_demo"):
        with pytest.raises(policy.Refusal):
            services.save_signing_layers(actor=demo_user(username), court=city, external_body="纪检组")
        client.force_login(demo_user(username))
        assert client.get(reverse("commitments:layers")).status_code == 403, username
        assert client.post(reverse("commitments:layers"), {"court": city.pk}).status_code == 403, username
    assert not SigningLayers.objects.exists() and not AuditEntry.objects.filter(action="commitments.layers").exists()

    # The city's office sets a basic court's layers through the page.
    client.force_login(office)
    response = client.post(
        reverse("commitments:layers"), {"court": basic.pk, "staff": "deputy_leader", "court_letter": ""}
    )
    assert response.status_code == 302
    layers = SigningLayers.objects.get(court=basic)
    assert layers.staff == Supervisor.DEPUTY_LEADER and layers.supervisor_of("court_letter") == Supervisor.PARENT_COURT
    assert AuditEntry.objects.filter(action="commitments.layers").count() == 1


def test_drift_who_may_sign_as_supervisor_is_the_named_one_in_every_configuration(
    letters, letter_of, demo_user, city, sign
):
    """Generation names the supervisor, the policy lets exactly that person (or the office for an external one)
    sign, and the 待我签字确认 list holds exactly those letters — in the default and a changed configuration."""
    office = demo_user("office_demo")
    users = {u: demo_user(u) for u in ROLES}
    for config in ({}, {"staff": Supervisor.PRESIDENT, "head": Supervisor.PRESIDENT}):
        services.save_signing_layers(actor=office, court=city, external_body="纪检组", **config)
        LetterDocument.objects.filter(letter__template=letters).delete()  # a fresh round for this configuration
        CommitmentLetter.objects.filter(template=letters).delete()
        services.generate_letters(actor=office, template=letters)
        for username in ("staff_demo", "head_demo", "deputy_demo", "president_demo"):
            sign(letter_of(username))
        sign(letter_of("president_demo", Kind.COURT))
        signed = list(CommitmentLetter.objects.filter(template=letters, state=LetterState.SIGNED))
        assert len(signed) == 5
        for letter in signed:
            allowed = {u for u, user in users.items() if policy.can(user, "commitments.countersign", letter)}
            if letter.countersigner_id:
                assert allowed == {letter.countersigner.username}, (config, letter)
            else:
                assert letter.countersigner_role == Supervisor.EXTERNAL and allowed == {"office_demo", "admin"}, (
                    letter
                )  # admin: superuser
        for username, user in users.items():
            listed = set(selectors.to_countersign(user).filter(template=letters).values_list("pk", flat=True))
            expected = {letter.pk for letter in signed if policy.can(user, "commitments.countersign", letter)}
            assert listed == expected, (config, username)


def test_no_user_facing_text_says_huiqian():
    """The second signature is 监督人签字 / 审核确认: no page, PDF or message of the letters says 会签, and the
    English catalogue does not call those words “countersign”."""
    app = ROOT / "commitments"
    for path in app.rglob("*.html"):
        assert "会签" not in path.read_text(), path.name
    for path in app.glob("*.py"):
        for msgid in re.findall(r'_\(\s*"([^"]*)"', path.read_text()):
            assert "会签" not in msgid, (path.name, msgid)
    po = (app / "locale/en/LC_MESSAGES/django.po").read_text().replace('"\n"', "")
    pairs = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', po, re.M)
    named = [(msgid, msgstr) for msgid, msgstr in pairs if "监督人签字" in msgid or "审核确认" in msgid]
    assert len(named) >= 5
    for msgid, msgstr in named:
        assert msgstr and "countersign" not in msgstr.lower(), msgid


def test_the_layers_page_lists_only_courts_the_person_may_configure(demo_user, client):
    client.force_login(demo_user("office_demo"))
    page = client.get(reverse("commitments:layers"))
    courts = {c.code for c in page.context["courts"]}
    assert {"hgzy", "xiangyang"} <= courts
    client.force_login(demo_user("office_demo"))
    other = Division.objects.filter(court__code="xiangyang").first().court
    assert client.get(reverse("commitments:layers") + f"?court={other.pk}").context["court"] == other
