"""Phase summaries: the office writes the court's, division heads submit their divisions' for the office to
collect; the phase's figures are attached when written and frozen; the text is light markup, never HTML;
attachments pass the project's upload checks; bad input writes nothing."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.module_loading import import_string

from hkcourt.org.models import AuditEntry, Division
from hkcourt.org.policy import Refusal
from workflow.assessment import services
from workflow.assessment.markup import render
from workflow.assessment.models import PhaseSummary, SummaryAttachment
from workflow.models import Campaign, local_today
from workflow.oversight import services as oversight


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for dotted in settings.DEMO_SEEDERS:
                if dotted.startswith(("hkcourt.org.", "commitments.")):
                    continue
                import_string(dotted)(log=lambda *_: None)
            yield Campaign.objects.get(builtin_key="demo-current")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def campaign(world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world


def _user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def civil():
    return Division.objects.get(court__code="hgzy", name="民事审判庭")


def _phase(campaign, number):
    return campaign.phases.get(number=number)


def _count():
    return PhaseSummary.objects.count(), SummaryAttachment.objects.count(), AuditEntry.objects.count()


def test_the_figures_are_taken_when_written_and_stay(campaign):
    office = _user("office_demo")
    phase = _phase(campaign, 2)  # the current phase
    s = services.write_summary(
        actor=office, phase=phase, court=campaign.court, title="第二阶段总结", body="# 一、基本情况\n查找风险点。"
    )
    frozen = s.figures
    assert frozen["risk_points"]["total"] > 0 and frozen["people"] > 0 and frozen["tasks"]
    oversight.record_signal(
        actor=office,
        court=campaign.court,
        channel="petition",
        title="来信",
        content="反映问题。",
        received_on=local_today(),
    )
    assert services.phase_figures(phase, campaign.court)["signals"] == frozen["signals"] + 1
    services.edit_summary(actor=office, summary=s, title="第二阶段工作总结", body="修改后的正文")
    s.refresh_from_db()
    assert s.figures == frozen and s.title == "第二阶段工作总结"
    assert AuditEntry.objects.filter(action="assessment.summary_write", object_id=str(s.pk)).count() == 1


def test_a_divisions_figures_are_the_divisions(campaign, civil):
    figures = services.phase_figures(_phase(campaign, 2), civil.court, civil)
    whole = services.phase_figures(_phase(campaign, 2), civil.court)
    assert 0 < figures["people"] < whole["people"]
    assert figures["risk_points"]["total"] <= whole["risk_points"]["total"]
    assert all(t["total"] <= 20 for t in figures["tasks"])


def test_markup_is_escaped_text_with_a_few_marks():
    html = render('# 标题\n<script>alert(1)</script>\n\n- 一项 **重点**\n- 二项\n<img src=x onerror="y">')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h3>标题</h3>" in html and "<li>一项 <b>重点</b></li>" in html
    assert "<img" not in html and "&lt;img" in html


@pytest.mark.parametrize(
    "change, message",
    [
        ({"body": "长" * 100_000}, "20000"),
        ({"body": "   "}, "不能为空"),
        ({"title": ""}, "不能为空"),
        ({"uploads": [SimpleUploadedFile("x.exe", b"MZ")]}, "不支持的文件类型"),
        ({"uploads": [SimpleUploadedFile("空.pdf", b"")]}, "文件是空的"),
        ({"uploads": [SimpleUploadedFile(f"{i}.pdf", b"%PDF") for i in range(11)]}, "最多10个附件"),
    ],
)
def test_bad_input_writes_nothing(campaign, change, message):
    args = {
        "actor": _user("office_demo"),
        "phase": _phase(campaign, 2),
        "court": campaign.court,
        "title": "第二阶段总结",
        "body": "正文",
    }
    args.update(change)
    before = _count()
    with pytest.raises(ValidationError) as exc:
        services.write_summary(**args)
    assert message in " ".join(exc.value.messages)
    assert _count() == before


def test_once_per_phase_and_not_before_it_starts(campaign):
    office = _user("office_demo")
    services.write_summary(actor=office, phase=_phase(campaign, 2), court=campaign.court, title="一", body="正文")
    before = _count()
    with pytest.raises(ValidationError):
        services.write_summary(actor=office, phase=_phase(campaign, 2), court=campaign.court, title="二", body="正文")
    with pytest.raises(Refusal) as exc:
        services.write_summary(actor=office, phase=_phase(campaign, 4), court=campaign.court, title="四", body="正文")
    assert "尚未开始" in exc.value.message
    assert _count() == before


def test_who_writes_what(campaign, civil):
    phase = _phase(campaign, 2)
    for name in ("staff_demo", "head_demo", "president_demo", "leader_demo"):
        with pytest.raises(Refusal):
            services.write_summary(actor=_user(name), phase=phase, court=campaign.court, title="越权", body="x")
    other = Division.objects.get(court__code="hgzy", name="刑事审判庭")
    for name in ("staff_demo", "office_demo"):
        with pytest.raises(Refusal):
            services.write_summary(
                actor=_user(name), phase=phase, court=civil.court, division=civil, title="越权", body="x"
            )
    with pytest.raises(Refusal):
        services.write_summary(
            actor=_user("head_demo"), phase=phase, court=other.court, division=other, title="越权", body="x"
        )
    s = services.write_summary(
        actor=_user("head_demo"),
        phase=phase,
        court=civil.court,
        division=civil,
        title="民事审判庭第一阶段总结",
        body="本庭完成学习动员。",
        uploads=[SimpleUploadedFile("学习记录.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")],
    )
    assert s.attachments.get().name == "学习记录.pdf"


def test_the_office_collects_division_summaries_on_the_board(campaign, civil, client):
    phase = _phase(campaign, 2)
    services.write_summary(
        actor=_user("head_demo"), phase=phase, court=civil.court, division=civil, title="民事审判庭总结", body="正文"
    )
    client.force_login(_user("office_demo"))
    url = reverse("workflow:summaries") + f"?campaign={campaign.pk}&phase=2"
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page.status_code == 200 and len(ctx.captured_queries) <= 16, len(ctx.captured_queries)
    text = page.content.decode()
    assert "民事审判庭总结" in text and "已报送1/" in text
    assert 'data-action="write_summary"' in text  # the court's own summary is still to write
    client.force_login(_user("head_demo"))
    text = client.get(url).content.decode()
    assert "民事审判庭总结" in text and "刑事审判庭" not in text
    client.force_login(_user("staff_demo"))
    assert client.get(url).status_code == 403


def test_pages_write_read_and_download(campaign, client):
    office = _user("office_demo")
    client.force_login(office)
    phase = _phase(campaign, 2)
    new = reverse("workflow:summary_new") + f"?phase={phase.pk}&court={campaign.court_id}"
    assert client.get(new).status_code == 200
    r = client.post(
        reverse("workflow:summary_new"),
        {"phase": phase.pk, "court": campaign.court_id, "title": "第一阶段总结", "body": "长" * 20001},
    )
    assert r.status_code == 400 and not PhaseSummary.objects.filter(phase=phase, division=None).exists()
    r = client.post(
        reverse("workflow:summary_new"),
        {
            "phase": phase.pk,
            "court": campaign.court_id,
            "title": "第一阶段总结",
            "body": "# 一、工作开展\n- 召开动员大会\n<b>不是标签</b>",
            "files": [SimpleUploadedFile("动员会.pdf", b"%PDF-1.4 x", content_type="application/pdf")],
        },
    )
    assert r.status_code == 302
    s = PhaseSummary.objects.get(phase=phase, division=None)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("workflow:summary", args=[s.pk]))
    assert len(ctx.captured_queries) <= 10, len(ctx.captured_queries)
    text = page.content.decode()
    assert "<h3>一、工作开展</h3>" in text and "&lt;b&gt;不是标签&lt;/b&gt;" in text and "截至" in text
    att = s.attachments.get()
    assert client.get(reverse("workflow:summary_attachment", args=[att.pk])).status_code == 200
    for name, status in (("staff_demo", 404), ("head_demo", 404), ("president_demo", 200)):
        client.force_login(_user(name))
        assert client.get(reverse("workflow:summary", args=[s.pk])).status_code == status, name
        assert client.get(reverse("workflow:summary_attachment", args=[att.pk])).status_code == status, name
    client.force_login(_user("president_demo"))
    assert client.get(reverse("workflow:summary_edit", args=[s.pk])).status_code == 403
