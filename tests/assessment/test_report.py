"""The campaign report: requested by the office or the leading group, built by a Celery task after the commit
(progress kept on the row), a PDF through the letters' guarded renderer and an .xlsx, kept for download."""

import io
import shutil
import subprocess

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from hkcourt.org.models import AuditEntry
from hkcourt.org.policy import Refusal
from workflow.assessment import services
from workflow.assessment.models import CampaignReport, ReportState
from workflow.models import Campaign


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
def built(campaign):
    office = _user("office_demo")
    services.write_summary(
        actor=office,
        phase=campaign.phases.get(number=2),
        court=campaign.court,
        title="第二阶段工作总结",
        body="# 一、学习动员\n召开动员大会，组织学习《实施方案》。\n- 参加人数 **120** 人",
    )
    report = services.request_report(actor=office, campaign=campaign)
    return services.build_report(report_id=report.pk)


def test_the_report_is_built_with_both_files(built):
    assert built.state == ReportState.DONE and built.progress == 100 and built.finished_at
    pdf = built.pdf.read()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        for words in (
            "总结报告",
            "一、阶段总结",
            "第一阶段（学习动员）工作总结",
            "第二阶段工作总结",
            "参加人数",
            "三、考核评估排名",
            "向阳区法院",
            "七、问卷测评",
        ):
            assert words in text, words
    book = openpyxl.load_workbook(io.BytesIO(built.xlsx.read()))
    assert book.sheetnames == [
        "关键数据",
        "法院排名",
        "庭室排名",
        "重点风险点",
        "预警处置",
        "整改",
        "问卷测评",
        "考核验收",
    ]
    assert book["法院排名"].max_row == 1 + 9  # the nine demo courts
    assert any("2013年上半年" in str(row[0].value) for row in book["问卷测评"].iter_rows(min_row=2))


def test_building_again_changes_nothing(built):
    name = built.pdf.name
    again = services.build_report(report_id=built.pk)
    assert again.pdf.name == name and again.state == ReportState.DONE


def test_one_report_at_a_time_and_only_for_the_office_and_leading_group(campaign):
    office = _user("office_demo")
    services.request_report(actor=office, campaign=campaign)
    before = (CampaignReport.objects.count(), AuditEntry.objects.count())
    for name in ("leader_demo", "president_demo"):  # the leading group (the president is its 组长): one at a time
        with pytest.raises(ValidationError):
            services.request_report(actor=_user(name), campaign=campaign)
    for name in ("staff_demo", "head_demo", "deputy_demo"):
        with pytest.raises(Refusal):
            services.request_report(actor=_user(name), campaign=campaign)
    assert (CampaignReport.objects.count(), AuditEntry.objects.count()) == before


def test_the_task_runs_after_the_commit(campaign, django_capture_on_commit_callbacks):
    from hkcourt.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report = services.request_report(actor=_user("office_demo"), campaign=campaign)
        report.refresh_from_db()
        assert report.state == ReportState.QUEUED and len(callbacks) == 1  # nothing ran before the commit
        callbacks[0]()
        report.refresh_from_db()
        assert report.state == ReportState.DONE
    finally:
        app.conf.task_always_eager = eager


def test_pages_show_progress_and_serve_the_files(built, client):
    client.force_login(_user("office_demo"))
    page = client.get(reverse("workflow:assessment_report", args=[built.campaign_id]))
    assert page.status_code == 200 and "100%" in page.content.decode()
    running = CampaignReport.objects.create(
        campaign=built.campaign, court=built.court, requested_by=built.requested_by, state="running", progress=40
    )
    status = client.get(reverse("workflow:assessment_report_status", args=[running.pk])).content.decode()
    assert "40%" in status and "hx-get" in status  # it polls itself while running
    pdf = client.get(reverse("workflow:assessment_report_file", args=[built.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("workflow:assessment_report_file", args=[built.pk, "doc"])).status_code == 404
    for name, status_code in (("deputy_demo", 403), ("staff_demo", 403), ("leader_demo", 200), ("president_demo", 200)):
        client.force_login(_user(name))
        assert (
            client.get(reverse("workflow:assessment_report_file", args=[built.pk, "xlsx"])).status_code == status_code
        )
