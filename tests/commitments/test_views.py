"""The pages: scope (404 outside it), signing through the form, downloads, verification, templates, bundles."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments import services
from commitments.models import CommitmentLetter, LetterBundle, LetterState, LetterTemplate
from hkcourt.org.demo import DEMO_PASSWORD
from tests.requires import require_tool

pytestmark = pytest.mark.django_db


def ids(response):
    return {letter.pk for letter in response.context["page"].object_list}


def test_staff_sees_and_downloads_only_own_letters(client, login_as, letters, letter_of):
    login_as("staff_demo")
    own, colleague = letter_of("staff_demo"), letter_of("head_demo")
    assert ids(client.get(reverse("commitments:list"))) == {own.pk}
    assert client.get(reverse("commitments:detail", args=[own.pk])).status_code == 200
    for name in ("commitments:detail", "commitments:pdf"):
        assert client.get(reverse(name, args=[colleague.pk])).status_code == 404
    assert client.post(reverse("commitments:sign", args=[colleague.pk]), {"password": DEMO_PASSWORD}).status_code == 404


def test_head_sees_own_division_only_and_office_the_court(client, login_as, letters):
    head = login_as("head_demo")
    seen = CommitmentLetter.objects.filter(pk__in=ids(client.get(reverse("commitments:list"))))
    assert seen.exists() and {letter.division.name for letter in seen} == {"民事审判庭"}
    assert head.pk in {letter.signer_id for letter in seen}
    other = CommitmentLetter.objects.filter(template=letters, division__name="刑事审判庭").first()
    assert client.get(reverse("commitments:detail", args=[other.pk])).status_code == 404
    login_as("office_demo")
    assert len(ids(client.get(reverse("commitments:list")))) == min(50, CommitmentLetter.objects.count())
    assert client.get(reverse("commitments:detail", args=[other.pk])).status_code == 200


def test_staff_signs_head_countersigns_through_the_pages(client, login_as, letter_of, committed):
    letter = letter_of("staff_demo")
    login_as("staff_demo")
    page = client.get(reverse("commitments:detail", args=[letter.pk]))
    assert "签订承诺书" in page.content.decode()
    response = client.get(reverse("commitments:pdf", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")  # 样稿

    response = client.post(reverse("commitments:sign", args=[letter.pk]), {"password": "nope", "confirm": "on"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFTED
    assert "密码不正确" in client.get(reverse("commitments:detail", args=[letter.pk])).content.decode()

    committed(  # the PDF task queued after the commit runs (eagerly)
        lambda: client.post(reverse("commitments:sign", args=[letter.pk]), {"password": DEMO_PASSWORD, "confirm": "on"})
    )
    letter.refresh_from_db()
    assert letter.state == LetterState.SIGNED
    response = client.get(reverse("commitments:pdf", args=[letter.pk]))
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == letter.documents.get().sha256 == response["X-Content-SHA256"]

    # Signing again through the page: refused with a message, nothing changes.
    client.post(reverse("commitments:sign", args=[letter.pk]), {"password": DEMO_PASSWORD, "confirm": "on"})
    assert letter.documents.count() == 1

    login_as("head_demo")
    waiting = client.get(reverse("commitments:list") + "?tab=countersign")
    assert letter.pk in ids(waiting)
    client.post(reverse("commitments:countersign", args=[letter.pk]), {"password": DEMO_PASSWORD, "confirm": "on"})
    letter.refresh_from_db()
    assert letter.state == LetterState.COUNTERSIGNED


def test_home_todo_lists_the_letter_to_sign(client, login_as, letters):
    login_as("staff_demo")
    assert "签订个人廉政风险防范承诺书" in client.get(reverse("home")).content.decode()


def test_verification_by_code_and_by_file(client, letter_of, sign, demo_user):
    letter = sign(letter_of("staff_demo"))
    data = letter.documents.get().file.read()
    url = reverse("commitments:verify")

    page = client.get(url, {"code": letter.verification_code.lower().replace("-", " ")}).content.decode()
    assert "验证通过" in page and "王晓东" in page and "现行有效" in page
    assert "没有与该验证码对应" in client.get(url, {"code": "0000-0000-0000-0000"}).content.decode()
    assert "格式不正确" in client.get(url, {"code": "<script>"}).content.decode()

    genuine = client.post(url, {"file": SimpleUploadedFile("a.pdf", data, "application/pdf")}).content.decode()
    assert "验证通过" in genuine and "签订本" in genuine
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01  # one byte
    forged = client.post(url, {"file": SimpleUploadedFile("a.pdf", bytes(altered), "application/pdf")})
    assert forged.status_code == 200 and "验证未通过" in forged.content.decode()
    assert (
        "验证未通过" in client.post(url, {"file": SimpleUploadedFile("x.pdf", b"", "application/pdf")}).content.decode()
    )
    assert "验证未通过" in client.post(url, {}).content.decode()

    newer = services.supersede_letter(actor=demo_user("office_demo"), letter=letter, reason="更正")
    page = client.get(url, {"code": letter.verification_code}).content.decode()
    assert "已被更正，现已失效" in page and f"现行为第{newer.version}版" in page


def test_template_editing_refuses_bad_placeholders_and_previews(client, login_as, template):
    login_as("office_demo")
    url = reverse("commitments:template_edit", args=[template.pk])
    form = {
        "year": 2026,
        "title": template.title,
        "personal_text": "{不存在}",
        "division_text": template.division_text,
        "court_text": template.court_text,
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "未知的占位符" in response.content.decode()
    template.refresh_from_db()
    assert template.personal_text != "{不存在}"
    response = client.get(reverse("commitments:template_preview", args=[template.pk]))
    assert response.status_code == 200 and "孙立新" in response.content.decode()
    preview = reverse("commitments:template_preview", args=[template.pk])
    page = client.post(preview, {**form, "personal_text": "{姓名}承诺<script>x</script>"}).content.decode()
    assert "孙立新承诺&lt;script&gt;x&lt;/script&gt;" in page and "尚未保存" in page
    assert "未知的占位符" in client.post(preview, form).content.decode()
    template.refresh_from_db()
    assert "{姓名}" in template.personal_text and "<script>" not in template.personal_text
    login_as("staff_demo")
    assert client.get(url).status_code == 403  # the court's template is visible to its staff; editing is refused
    assert client.post(reverse("commitments:generate", args=[template.pk])).status_code == 403
    assert not CommitmentLetter.objects.exists()


def test_pages_render_for_every_role(client, login_as, letters, letter_of, sign):
    sign(letter_of("staff_demo"))
    for username in ("staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo", "admin"):
        login_as(username)
        for name in ("commitments:list", "commitments:progress", "home"):
            expected = 403 if (username, name) == ("staff_demo", "commitments:progress") else 200
            assert client.get(reverse(name)).status_code == expected, (username, name)
    login_as("office_demo")
    assert client.get(reverse("commitments:templates")).status_code == 200
    assert client.get(reverse("commitments:template_new")).status_code == 200
    client.logout()
    assert client.get(reverse("commitments:list")).status_code == 302  # login first
    assert client.get(reverse("commitments:verify")).status_code == 200  # public


def test_bundle_zips_the_divisions_signed_letters(
    client, login_as, letter_of, sign, django_capture_on_commit_callbacks
):
    sign(letter_of("staff_demo"))
    sign(letter_of("head_demo"))
    head = login_as("head_demo")
    letter = letter_of("staff_demo")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("commitments:bundle_request"), {"template": letter.template_id, "division": letter.division_id}
        )
    bundle = LetterBundle.objects.get(requested_by=head)
    assert response.status_code == 302 and len(callbacks) == 1  # the task is queued after commit
    services.build_bundle(bundle_id=bundle.pk)
    services.build_bundle(bundle_id=bundle.pk)  # idempotent
    status = client.get(reverse("commitments:bundle", args=[bundle.pk]), HTTP_HX_REQUEST="true")
    assert "下载ZIP" in status.content.decode()
    data = b"".join(client.get(reverse("commitments:bundle_download", args=[bundle.pk])).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    login_as("staff_demo")
    assert client.get(reverse("commitments:bundle", args=[bundle.pk])).status_code == 404
    response = client.post(
        reverse("commitments:bundle_request"), {"template": letter.template_id, "division": letter.division_id}
    )
    assert LetterBundle.objects.count() == 1
    login_as("head_demo")
    for bad in ({"template": "x", "division": "1"}, {}, {"template": "1", "division": "' OR 1=1"}):
        assert client.post(reverse("commitments:bundle_request"), bad).status_code == 404


def test_signing_progress_counts(letters, letter_of, sign):
    from commitments.selectors import signing_counts

    sign(letter_of("staff_demo"))
    counts = signing_counts(LetterTemplate.objects.get(pk=letters.pk))
    assert counts["signed"] == 1 and counts["unsigned"] == counts["total"] - 1


def test_post_power_statement_pdf_goes_through_the_same_renderer(client, login_as, judge_post, tmp_path):
    import subprocess

    from risks.models import Power

    power = Power.objects.create(
        court=judge_post.division.court,
        division=judge_post.division,
        name="诉讼保全裁定<script>",
        content='<img src="file:///etc/passwd">对财产保全申请作出裁定',
    )
    power.posts.add(judge_post)
    login_as("staff_demo")
    response = client.get(reverse("commitments:post_statement_pdf", args=[judge_post.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "s.pdf"
    path.write_bytes(response.content)
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "岗位权力说明书" in text and "诉讼保全裁定<script>" in text and 'src="file:///etc/passwd">' in text
    assert client.get(reverse("commitments:post_statement_pdf", args=[999999])).status_code == 404


def test_list_query_count_does_not_grow_with_rows(client, login_as, letters, django_assert_max_num_queries):
    login_as("office_demo")
    assert CommitmentLetter.objects.count() > 50  # a full page of 50 rows
    with django_assert_max_num_queries(14):  # 13 measured: session, user, roles, nav, badge, page, counts
        response = client.get(reverse("commitments:list"))
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(14):
        client.get(reverse("commitments:progress"))


def test_a_second_template_for_the_same_year_is_refused_with_a_message(client, login_as, template):
    login_as("office_demo")
    form = {
        "court": template.court_id,
        "year": template.year,
        "title": "重复",
        "personal_text": template.personal_text,
        "division_text": template.division_text,
        "court_text": template.court_text,
    }
    response = client.post(reverse("commitments:template_new"), form)
    assert response.status_code == 200 and "本院该年度的承诺书模板已存在" in response.content.decode()
    assert LetterTemplate.objects.count() == 1
    response = client.post(reverse("commitments:template_new"), {**form, "year": "abc"})
    assert response.status_code == 200 and LetterTemplate.objects.count() == 1


def test_the_city_office_writes_a_basic_courts_template(client, login_as, city):
    from hkcourt.org.models import Court

    login_as("office_demo")
    xiangyang = Court.objects.get(code="xiangyang")
    page = client.get(reverse("commitments:template_new")).content.decode()
    assert "鹤岗市向阳区人民法院" in page
    form = {
        "court": xiangyang.pk,
        "year": 2027,
        "title": "向阳区法院2027年度承诺书",
        **services.default_template_texts(),
    }
    response = client.post(reverse("commitments:template_new"), form)
    assert response.status_code == 302
    assert LetterTemplate.objects.get(year=2027).court == xiangyang
    login_as("xiangyang_president")  # not the office: refused
    assert client.get(reverse("commitments:template_new")).status_code == 403


def test_english_ui_but_the_signed_pdf_stays_chinese(client, login_as, letter_of, tmp_path, committed):
    import subprocess

    from django.conf import settings

    letter = letter_of("staff_demo")
    login_as("staff_demo")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "My letters" in client.get(reverse("commitments:list")).content.decode()
    committed(
        lambda: client.post(reverse("commitments:sign", args=[letter.pk]), {"password": DEMO_PASSWORD, "confirm": "on"})
    )
    letter.refresh_from_db()
    path = tmp_path / "l.pdf"
    path.write_bytes(letter.documents.get().file.read())
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "承诺人" in text and "验证码" in text and "Signer" not in text and "Verification" not in text
