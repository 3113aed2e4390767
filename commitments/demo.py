"""Demo letters: this year's template for the Hegang intermediate court, every letter generated from the demo
registry, and a realistic mix of unsigned, signed, countersigned, archived and corrected letters. staff_demo's
letter stays unsigned (the tour signs it); head_demo has staff letters waiting for his countersignature.
Idempotent: when the year's template exists, letters are only refreshed (signed ones never change)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import Court

from . import services
from .models import CommitmentLetter, Kind, LetterState, LetterTemplate, SigningLayers

User = get_user_model()
VERIFY_BASE = "http://127.0.0.1:8000/"
EXTERNAL_BODY = "市纪委派驻市中级人民法院纪检组"


def _sign(letter, countersign=False, archive=None):
    letter = services.sign_letter(actor=letter.signer, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE)
    if countersign:
        actor = letter.countersigner or archive
        if actor is not None:
            letter = services.countersign_letter(
                actor=actor, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE
            )
    # The demo renders its PDFs here (no worker needed); the queued task later finds them stored and does nothing.
    return services.store_letter_documents(letter_id=letter.pk, verify_base=VERIFY_BASE)


def seed(log=print):
    city = Court.objects.filter(code="hgzy").first()
    office = User.objects.filter(username="office_demo").first()
    if city is None or office is None:
        log("承诺书: 未找到演示法院或 office_demo，请先运行组织机构的演示数据。")
        return
    if not SigningLayers.objects.filter(court=city).exists():
        # 层层签订: the intermediate court's own letters are supervised by the discipline inspection group (纪检组)
        # the city's discipline commission stations in the court; its leader signs on paper, the office records.
        services.save_signing_layers(
            actor=office, court=city, external_body=EXTERNAL_BODY, external_name="刘振东", external_title="纪检组组长"
        )
    defaults = services.new_template_defaults()  # this campaign year (September to August) and its label
    year = defaults["year"]
    template = LetterTemplate.objects.filter(court=city, year=year).first()
    fresh = template is None
    if fresh:
        template = services.save_template(
            actor=office,
            court=city,
            year=year,
            year_label=defaults["year_label"],
            title=defaults["title"],
            sign_deadline=timezone.localdate() + datetime.timedelta(days=14),
            **services.default_template_texts(),
        )
    result = services.generate_letters(actor=office, template=template)
    if fresh:
        _mix(template, office)
    counts = services.CommitmentLetter.objects.filter(template=template).values_list("state", flat=True)
    summary = dict.fromkeys(LetterState.values, 0)
    for state in counts:
        summary[state] += 1
    log(
        f"承诺书: {template.title} 新建 {result['created']} 份、更新 {result['refreshed']} 份；"
        + "、".join(f"{LetterState(s).label} {n}" for s, n in summary.items())
    )


def _mix(template, office):
    letters = CommitmentLetter.objects.filter(template=template).current().select_related("signer", "countersigner")
    by_user = {(letter.kind, letter.signer.username): letter for letter in letters if letter.kind != Kind.DIVISION}
    division_letters = {letter.division.name: letter for letter in letters if letter.kind == Kind.DIVISION}

    # 民事审判庭: staff_demo unsigned; the head's own letters signed and countersigned by deputy_demo; two
    # colleagues signed and waiting for head_demo; one countersigned and archived, then corrected (v2).
    if ("personal", "head_demo") in by_user:
        _sign(by_user[("personal", "head_demo")], countersign=True)
    if "民事审判庭" in division_letters:
        _sign(division_letters["民事审判庭"])
    colleagues = [
        letter
        for (kind, username), letter in sorted(by_user.items())
        if kind == Kind.PERSONAL
        and letter.division
        and letter.division.name == "民事审判庭"
        and username not in ("staff_demo", "head_demo")
    ]
    for letter in colleagues[:2]:
        _sign(letter)
    # Other divisions: a spread of states.
    others = [
        letter
        for (kind, _username), letter in sorted(by_user.items())
        if kind == Kind.PERSONAL and letter.division and letter.division.name in ("立案庭", "执行局", "刑事审判庭")
    ]
    for index, letter in enumerate(others[:6]):
        letter = _sign(letter, countersign=index % 2 == 0)
        if index == 0 and letter.state == LetterState.COUNTERSIGNED:
            letter = services.archive_letter(actor=office, letter=letter)
            services.supersede_letter(actor=office, letter=letter, reason="所在岗位新增经集体确定的风险点，重新签订。")
        elif index == 2 and letter.state == LetterState.COUNTERSIGNED:
            services.archive_letter(actor=office, letter=letter)
    # The court letter: signed by the president; the 纪检组's paper signature recorded by the office.
    if ("court", "president_demo") in by_user:
        _sign(by_user[("court", "president_demo")], countersign=True, archive=office)
