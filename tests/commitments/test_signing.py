"""Generation and the signing rules, through the services (the public surface of business actions)."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import CommitmentLetter, Kind, LetterDocument, LetterState
from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import AuditEntry
from hkcourt.org.policy import Refusal

from .conftest import VERIFY_BASE

pytestmark = pytest.mark.django_db


def test_generation_covers_every_person_division_head_and_president(letters, letter_of, demo_user):
    from hkcourt.org.models import Person, RoleAssignment

    city = letters.court
    personal = CommitmentLetter.objects.filter(template=letters, kind=Kind.PERSONAL)
    assert personal.count() == Person.objects.filter(court=city).count()
    heads = RoleAssignment.objects.filter(court=city, role="division_head").count()
    assert CommitmentLetter.objects.filter(template=letters, kind=Kind.DIVISION).count() == heads
    assert CommitmentLetter.objects.filter(template=letters, kind=Kind.COURT).get().signer.username == "president_demo"

    # Layer by layer: staff → head, head → deputy leader, deputy → president, and the intermediate court's
    # president → the external supervisor (纪检组), whose paper signature the office records.
    assert letter_of("staff_demo").countersigner.username == "head_demo"
    assert letter_of("head_demo").countersigner.username == "deputy_demo"
    assert letter_of("head_demo", Kind.DIVISION).countersigner.username == "deputy_demo"
    assert letter_of("deputy_demo").countersigner.username == "president_demo"
    for letter in (letter_of("president_demo"), letter_of("president_demo", Kind.COURT)):
        assert letter.countersigner is None and letter.countersigner_role == "external"


def test_body_lists_post_risks_with_grades_highest_first_and_no_drafts(letter_of):
    body = letter_of("staff_demo").body
    assert [r["description"] for r in body["risks"]] == ["违规采取诉讼保全措施", "调解中偏向一方当事人"]
    assert [r["grade_label"] for r in body["risks"]] == ["高", "低"]
    assert body["post"] == "审判员" and body["signer_name"] == "王晓东"
    assert "王晓东" in body["before"][0] and "鹤岗市中级人民法院" in body["before"][0]
    division_body = letter_of("head_demo", Kind.DIVISION).body
    assert [r["description"] for r in division_body["risks"]] == ["庭室案件分配不公开"]


def test_letters_list_only_confirmed_points_and_note_the_graded_ones_to_the_signer(
    client, login_as, letters, letter_of, demo_user, tmp_path
):
    """Phase three signs on what phase two confirmed (集体定) and published: a graded point awaiting the collective
    decision is not in the letter or its PDF; it is in the draft note shown to the signer on the letter page."""
    import subprocess

    from django.urls import reverse

    from risks.models import RiskPoint
    from tests.requires import require_tool

    letter = letter_of("staff_demo")
    assert "已评级待集体确定" not in str(letter.body)
    assert [n["description"] for n in letter.draft_note] == ["已评级待集体确定"]
    assert letter.draft_note[0]["state_label"] == "已评级" and letter.draft_note[0]["grade_label"] == "中"
    login_as("staff_demo")
    page = client.get(reverse("commitments:detail", args=[letter.pk])).content.decode()
    note, sheet = page.split('id="draft-note"')[1].split("</section>")[0], page.split('class="hk-sheet"')[1]
    assert "已评级待集体确定" in note and "不列入承诺书" in note
    assert "已评级待集体确定" not in sheet
    path = tmp_path / "draft.pdf"
    path.write_bytes(client.get(reverse("commitments:pdf", args=[letter.pk])).content)
    text = subprocess.run([require_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True)
    assert "违规采取诉讼保全措施" in text.stdout.decode() and "已评级待集体确定" not in text.stdout.decode()

    # Confirmed in a collective decision: the next generation moves it from the note into the letter.
    RiskPoint.objects.filter(description="已评级待集体确定").update(state="confirmed")
    services.generate_letters(actor=demo_user("office_demo"), template=letters)
    letter = letter_of("staff_demo")
    assert "已评级待集体确定" in [r["description"] for r in letter.body["risks"]] and letter.draft_note == []
    page = client.get(reverse("commitments:detail", args=[letter.pk])).content.decode()
    assert 'id="draft-note"' not in page


def test_generation_is_idempotent_and_never_touches_signed_letters(letters, letter_of, sign, demo_user):
    signed = sign(letter_of("staff_demo"))
    frozen_body = signed.body
    before = CommitmentLetter.objects.count()
    result = services.generate_letters(actor=demo_user("office_demo"), template=letters)
    assert result["created"] == 0 and result["frozen"] == 1
    assert CommitmentLetter.objects.count() == before
    signed.refresh_from_db()
    assert signed.body == frozen_body and signed.state == LetterState.SIGNED


def test_only_the_office_generates(letters, demo_user):
    for username in ("staff_demo", "head_demo", "president_demo"):
        with pytest.raises(PermissionDenied):
            services.generate_letters(actor=demo_user(username), template=letters)


def test_sign_freezes_renders_once_and_stores_hash_and_code(letter_of, sign):
    letter = sign(letter_of("staff_demo"))
    assert letter.state == LetterState.SIGNED and letter.signed_at
    assert services.normalise_code(letter.verification_code) == letter.verification_code
    document = LetterDocument.objects.get(letter=letter)
    data = document.file.read()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == document.sha256
    assert document.size == len(data)
    assert AuditEntry.objects.filter(action="commitments.sign", object_id=str(letter.pk)).exists()


def test_wrong_password_refused_nothing_changed(letter_of, demo_user):
    letter = letter_of("staff_demo")
    with pytest.raises(ValidationError, match="密码不正确"):
        services.sign_letter(actor=demo_user("staff_demo"), letter=letter, password="wrong", verify_base=VERIFY_BASE)
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFTED and letter.verification_code is None
    assert not LetterDocument.objects.filter(letter=letter).exists()


def test_signing_twice_is_refused(letter_of, sign):
    letter = sign(letter_of("staff_demo"))
    code = letter.verification_code
    with pytest.raises(Refusal, match="不能重复签订"):
        sign(letter)
    letter.refresh_from_db()
    assert letter.verification_code == code
    assert LetterDocument.objects.filter(letter=letter).count() == 1


@pytest.mark.parametrize("username", ["head_demo", "office_demo", "president_demo", "admin"])
def test_nobody_signs_on_someone_elses_behalf(letter_of, demo_user, username):
    letter = letter_of("staff_demo")
    with pytest.raises(PermissionDenied, match="本人签订"):
        services.sign_letter(actor=demo_user(username), letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE)
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFTED


def test_countersign_rules(letter_of, sign, countersign):
    staff_letter = letter_of("staff_demo")
    with pytest.raises(Refusal, match="尚未签订"):
        countersign(staff_letter, "head_demo")
    sign(staff_letter)
    # Only the named countersigner: not the deputy, not the office, not the signer.
    for username in ("deputy_demo", "office_demo"):
        with pytest.raises(PermissionDenied, match="不能代他人签字"):
            countersign(staff_letter, username)
    with pytest.raises(PermissionDenied, match="不能作为监督人在本人"):
        countersign(staff_letter, "staff_demo")
    letter = countersign(staff_letter, "head_demo")
    assert letter.state == LetterState.COUNTERSIGNED and letter.countersigned_by.username == "head_demo"
    assert sorted(LetterDocument.objects.filter(letter=letter).values_list("edition", flat=True)) == [
        "countersigned",
        "signed",
    ]
    with pytest.raises(Refusal, match="不能重复签字"):
        countersign(letter, "head_demo")


def test_head_cannot_countersign_own_letter(letter_of, sign, countersign):
    head_letter = sign(letter_of("head_demo"))
    with pytest.raises(PermissionDenied, match="不能作为监督人在本人"):
        countersign(head_letter, "head_demo")
    assert countersign(head_letter, "deputy_demo").state == LetterState.COUNTERSIGNED


def test_the_external_supervisors_signature_is_recorded_by_the_office(
    letter_of, sign, demo_user, city, tmp_path, committed
):
    """The intermediate court has no court above: its court letter's supervisor is the 纪检组, named by the
    office; they sign on paper and the office records the signatory. Nobody else may, and not without a name."""
    import subprocess

    from tests.requires import require_tool

    court_letter = sign(letter_of("president_demo", Kind.COURT))
    for username in ("deputy_demo", "leader_demo", "head_demo"):
        with pytest.raises(PermissionDenied, match="由领导小组办公室录入"):
            services.countersign_letter(actor=demo_user(username), letter=court_letter, password=DEMO_PASSWORD)
    office = demo_user("office_demo")
    with pytest.raises(ValidationError, match="外部监督人的姓名"):
        services.countersign_letter(actor=office, letter=court_letter, password=DEMO_PASSWORD)
    assert CommitmentLetter.objects.get(pk=court_letter.pk).state == LetterState.SIGNED
    services.save_signing_layers(
        actor=office, court=city, external_body="市纪委派驻纪检组", external_name="刘振东", external_title="组长"
    )
    letter = committed(lambda: services.countersign_letter(actor=office, letter=court_letter, password=DEMO_PASSWORD))
    assert letter.state == LetterState.COUNTERSIGNED and letter.external_signatory == "刘振东（组长）"
    assert letter.countersigned_by == office
    path = tmp_path / "court.pdf"
    path.write_bytes(letter.documents.get(edition="countersigned").file.read())
    run = subprocess.run([require_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True)
    text = "".join(run.stdout.decode().split())
    assert "刘振东（组长）（书面签字，孙立新录入）" in text and "监督人签字日期" in text and "会签" not in text


def test_supplement_only_before_signing_and_only_by_signer(letter_of, sign, demo_user):
    letter = letter_of("staff_demo")
    with pytest.raises(PermissionDenied):
        services.update_supplement(actor=demo_user("head_demo"), letter=letter, text="代写")
    services.update_supplement(actor=demo_user("staff_demo"), letter=letter, text="不接受当事人宴请。")
    sign(letter)
    with pytest.raises(Refusal, match="不能再修改"):
        services.update_supplement(actor=demo_user("staff_demo"), letter=letter, text="签后改动")
    letter.refresh_from_db()
    assert letter.supplement == "不接受当事人宴请。"


def test_archive_rules(letter_of, sign, countersign, demo_user):
    letter = letter_of("staff_demo")
    with pytest.raises(Refusal, match="只有监督人已签字"):
        services.archive_letter(actor=demo_user("office_demo"), letter=letter)
    letter = countersign(sign(letter), "head_demo")
    with pytest.raises(PermissionDenied):
        services.archive_letter(actor=demo_user("head_demo"), letter=letter)
    assert services.archive_letter(actor=demo_user("office_demo"), letter=letter).state == LetterState.ARCHIVED


def test_correction_is_a_new_version_and_the_old_cannot_be_signed(letter_of, sign, countersign, demo_user):
    office = demo_user("office_demo")
    draft = letter_of("staff_demo")
    with pytest.raises(Refusal, match="无需更正"):
        services.supersede_letter(actor=office, letter=draft, reason="x")
    old = sign(draft)
    with pytest.raises(ValidationError, match="更正理由"):
        services.supersede_letter(actor=office, letter=old, reason="  ")
    with pytest.raises(PermissionDenied):
        services.supersede_letter(actor=demo_user("staff_demo"), letter=old, reason="自己改")
    new = services.supersede_letter(actor=office, letter=old, reason="新增风险点")
    old.refresh_from_db()
    assert old.is_superseded and old.state == LetterState.SIGNED  # kept on record, unchanged
    assert LetterDocument.objects.filter(letter=old).count() == 1
    assert new.version == 2 and new.supersedes == old and new.state == LetterState.DRAFTED
    with pytest.raises(Refusal, match="已被第2版更正"):
        countersign(old, "head_demo")
    with pytest.raises(Refusal, match="已被第2版更正"):
        services.supersede_letter(actor=office, letter=old, reason="再改")
    signed_new = sign(new)
    assert signed_new.verification_code != old.verification_code


def test_placeholder_language_refuses_unknown_names_and_runs_no_code(city, demo_user):
    office = demo_user("office_demo")
    texts = services.default_template_texts()
    with pytest.raises(ValidationError) as excinfo:
        services.save_template(
            actor=office, court=city, year=2030, title="t", **{**texts, "personal_text": "本人{密码}承诺 {风险点清单}{"}
        )
    message = " ".join(excinfo.value.message_dict["personal_text"])
    assert "未知的占位符“{密码}”" in message and "单独的花括号" in message
    from commitments.models import LetterTemplate

    assert not LetterTemplate.objects.filter(year=2030).exists()
    from commitments import placeholders

    before, after = placeholders.expand(
        "{{ settings.SECRET_KEY }} {% load static %} {姓名}\n\n{风险点清单}\n\n完", {"姓名": "<b>王</b>"}
    )
    assert before == ["{ settings.SECRET_KEY } {% load static %} <b>王</b>"] and after == ["完"]


def test_reminders_before_the_deadline_are_sent_once(letters, letter_of, sign):
    import datetime

    from hkcourt.notifications.models import Notification

    sign(letter_of("staff_demo"))
    deadline = letters.sign_deadline
    assert services.remind_unsigned(template=letters, today=deadline - datetime.timedelta(days=30)) == 0
    day = deadline - datetime.timedelta(days=3)
    created = services.remind_unsigned(template=letters, today=day)
    unsigned = set(CommitmentLetter.objects.filter(template=letters, state="drafted").values_list("signer", flat=True))
    assert created == len(unsigned)  # one per person: head_demo's covers his own letters and the one to countersign
    assert services.remind_unsigned(template=letters, today=day) == 0  # idempotent
    head = Notification.objects.get(recipient__username="head_demo", kind="commitments.reminder")
    assert "审核确认" in head.display_title and "签订" in head.display_title
    assert not Notification.objects.filter(recipient__username="staff_demo", kind="commitments.reminder").exists()


def test_repeated_wrong_passwords_lock_signing(letter_of, demo_user):
    from django.core.cache import cache

    cache.clear()
    staff, letter = demo_user("staff_demo"), letter_of("staff_demo")
    for _ in range(services.MAX_PASSWORD_FAILURES):
        with pytest.raises(ValidationError, match="密码不正确"):
            services.sign_letter(actor=staff, letter=letter, password="guess", verify_base=VERIFY_BASE)
    with pytest.raises(ValidationError, match="次数过多"):
        services.sign_letter(actor=staff, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE)
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFTED
    cache.clear()
    assert services.sign_letter(actor=staff, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE).signed_at


def test_a_signed_body_cannot_be_saved_changed_even_outside_the_services(letter_of, sign):
    letter = sign(letter_of("staff_demo"))
    letter.body = {**letter.body, "title": "改过的承诺书"}
    with pytest.raises(ValidationError, match="不能再修改"):
        letter.save()
    letter.refresh_from_db()
    assert letter.title == "个人廉政风险防范承诺书"


def test_body_lists_the_measures_set_on_each_risk_point(template, civil, judge_post, demo_user, letter_of):
    import datetime

    from django.utils import timezone

    from risks.measures.services import create_measure

    from .conftest import make_risk

    point = make_risk(
        court=civil.court, division=civil, post=judge_post, owner=demo_user("staff_demo"), description="保全风险"
    )
    create_measure(
        actor=demo_user("office_demo"),
        risk_point=point,
        kind="post",
        category="supervision",
        title="保全裁定报庭长审批",
        description="保全申请、担保和裁定全部留痕",
        owner=demo_user("head_demo"),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.generate_letters(actor=demo_user("office_demo"), template=template)
    risk = next(r for r in letter_of("staff_demo").body["risks"] if r["description"] == "保全风险")
    assert risk["measures"] == [{"text": "保全裁定报庭长审批：保全申请、担保和裁定全部留痕", "kind": "岗位定措施"}]


def test_the_beat_schedule_sends_letter_reminders_once(letters, time_machine):
    """The daily beat entry runs the reminder task; a second run the same day sends nothing more."""
    import datetime

    from celery import current_app
    from django_celery_beat.models import PeriodicTask

    from hkcourt.notifications.models import Notification
    from workflow import schedule

    schedule.ensure()
    entry = PeriodicTask.objects.get(task="commitments.remind_unsigned")
    assert entry.enabled and entry.crontab.timezone.key == "Asia/Shanghai"
    current_app.loader.import_default_modules()
    time_machine.move_to(
        datetime.datetime.combine(letters.sign_deadline - datetime.timedelta(days=2), datetime.time(8))
    )
    current_app.tasks[entry.task].apply()
    reminded = Notification.objects.filter(kind="commitments.reminder", recipient__username="staff_demo")
    assert reminded.count() == 1
    current_app.tasks[entry.task].apply()
    assert reminded.count() == 1


def test_documents_and_pages_name_the_campaign_year_september_to_august(
    client, login_as, city, demo_user, tmp_path, sign
):
    """The plan's year is 2012—2013年度 (September to August): the label the campaign passes down (or the one the
    start year gives) is what every letter, its PDF and the pages print — never “2012年度”."""
    import subprocess

    from django.urls import reverse

    from commitments.models import LetterTemplate
    from tests.requires import require_tool

    office = demo_user("office_demo")
    texts = services.default_template_texts()
    with pytest.raises(ValidationError, match="起始年份2012"):
        services.save_template(actor=office, court=city, year=2012, title="承诺书", year_label="2013年度", **texts)
    template = services.save_template(actor=office, court=city, year=2012, title="承诺书", **texts)
    assert template.year_label == "2012—2013年度"
    template = services.save_template(
        actor=office, court=city, year=2012, title="承诺书", year_label="2012—2013年度", template=template, **texts
    )
    services.generate_letters(actor=office, template=template)
    division_letter = CommitmentLetter.objects.get(template=template, kind=Kind.DIVISION, signer__username="head_demo")
    assert division_letter.body["year_label"] == "2012—2013年度"
    assert "为落实2012—2013年度廉政风险防控工作要求" in division_letter.body["before"][0]
    letter = sign(CommitmentLetter.objects.get(template=template, kind=Kind.PERSONAL, signer__username="staff_demo"))
    path = tmp_path / "year.pdf"
    path.write_bytes(letter.documents.get().file.read())
    run = subprocess.run([require_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True)
    text = "".join(run.stdout.decode().split())
    assert "2012—2013年度" in text and "·2012年度" not in text
    login_as("office_demo")
    for url in (
        reverse("commitments:detail", args=[division_letter.pk]),
        reverse("commitments:templates"),
        reverse("commitments:template_preview", args=[template.pk]) + "?kind=division",
    ):
        page = client.get(url).content.decode()
        assert "2012—2013年度" in page and "2012年度" not in page.replace("2012—2013年度", ""), url
    new = client.get(reverse("commitments:template_new")).content.decode()
    assert LetterTemplate.objects.get(pk=template.pk).label in page
    assert "年度名称" in new and "—" in new  # the new template's form offers this campaign year's label


def test_the_pdf_is_rendered_by_a_task_after_commit_once_and_shown_as_pending_until_then(
    client, login_as, letter_of, demo_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    """Signing answers without rendering: the editions are rendered by a Celery task queued after the commit (run
    here for real, eagerly), each once — running the task again stores nothing more — and the page says so."""
    import subprocess

    from django.urls import reverse

    from commitments import tasks
    from commitments.models import PdfStatus
    from tests.requires import require_tool

    letter = letter_of("staff_demo")
    with django_capture_on_commit_callbacks() as queued:
        letter = services.sign_letter(
            actor=letter.signer, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE
        )
    assert letter.pdf_status == PdfStatus.PENDING and not LetterDocument.objects.filter(letter=letter).exists()
    assert queued  # the task waits for the commit
    login_as("staff_demo")
    page = client.get(reverse("commitments:detail", args=[letter.pk])).content.decode()
    assert 'data-status="pending"' in page and 'http-equiv="refresh"' in page
    response = client.get(reverse("commitments:pdf", args=[letter.pk]))
    assert response.status_code == 302  # back to the letter: “PDF正在生成”

    # The supervisor signs before the worker got to it: one run renders both editions, each as it was then.
    with django_capture_on_commit_callbacks() as queued_too:
        services.countersign_letter(actor=demo_user("head_demo"), letter=letter, password=DEMO_PASSWORD)
    for callback in [*queued, *queued_too]:
        callback()
    letter.refresh_from_db()
    documents = {d.edition: d for d in LetterDocument.objects.filter(letter=letter)}
    assert set(documents) == {"signed", "countersigned"} and letter.pdf_status == PdfStatus.DONE
    for document in documents.values():
        assert hashlib.sha256(document.file.read()).hexdigest() == document.sha256
    texts = {}
    for edition, document in documents.items():
        path = tmp_path / f"{edition}.pdf"
        path.write_bytes(document.file.open("rb").read())
        run = subprocess.run([require_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True)
        texts[edition] = "".join(run.stdout.decode().split())
    assert "（待监督人签字）" in texts["signed"] and "李建国（电子签字）" not in texts["signed"]
    assert "李建国（电子签字）" in texts["countersigned"]
    assert AuditEntry.objects.filter(action="commitments.pdf").count() == 2

    # Idempotent: the task again (a redelivery) renders and stores nothing.
    assert tasks.render_letter_documents.apply(args=[letter.pk, VERIFY_BASE]).get() == PdfStatus.DONE
    assert LetterDocument.objects.filter(letter=letter).count() == 2
    assert AuditEntry.objects.filter(action="commitments.pdf").count() == 2
    page = client.get(reverse("commitments:detail", args=[letter.pk])).content.decode()
    assert 'data-status="done"' in page and 'http-equiv="refresh"' not in page
    assert (
        client.get(reverse("commitments:pdf", args=[letter.pk]))["X-Content-SHA256"]
        == documents["countersigned"].sha256
    )


def test_a_failed_render_is_shown_and_the_daily_sweep_renders_it_again(
    letter_of, settings, committed, client, login_as
):
    """A render that fails (here: the real renderer stopped by its time cap) leaves the letter signed, says so on
    its page, and the daily reminder task queues it again."""
    from django.urls import reverse

    from commitments import tasks
    from commitments.models import PdfStatus

    settings.COMMITMENTS_RENDER_TIMEOUT = 0.001
    letter = letter_of("staff_demo")
    letter = committed(
        lambda: services.sign_letter(
            actor=letter.signer, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE
        )
    )
    assert (
        letter.state == LetterState.SIGNED and letter.pdf_status == PdfStatus.FAILED and "exceeded" in letter.pdf_error
    )
    assert not letter.documents.exists()
    login_as("staff_demo")
    assert 'data-status="failed"' in client.get(reverse("commitments:detail", args=[letter.pk])).content.decode()
    settings.COMMITMENTS_RENDER_TIMEOUT = 20
    tasks.remind_unsigned.apply().get()
    letter.refresh_from_db()
    assert letter.pdf_status == PdfStatus.DONE and letter.documents.count() == 1
