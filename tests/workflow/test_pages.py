"""The campaign pages through the test client: who sees what, the office's actions, bad input, queries."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hkcourt.org.models import Court, Division
from tests.factories import make_person
from workflow import services
from workflow.models import Campaign, Phase, PhaseTask, PhaseTaskCompletion

from .conftest import PLAN_START, at, submit_post_risk

D = dt.date


def test_campaign_list_and_timeline_with_real_dates(client, login_as, campaign, template):
    login_as("office_demo")
    page = client.get(reverse("workflow:campaigns")).content.decode()
    assert campaign.name in page and "模板" in page
    with time_machine.travel(at(D(2013, 1, 13)), tick=False):
        page = client.get(reverse("workflow:campaign", args=[campaign.pk])).content.decode()
    for text in (
        "2012-09-24 — 2012-10-24",
        "2012-10-25 — 2013-02-15",
        "2013-02-16 — 2013-05-15",
        "2013-05-16 — 2013-08-15",
    ):
        assert text in page
    assert 'class="today"' in page  # today's line is drawn inside the campaign
    assert 'data-testid="behind-table"' in page
    # Per-division progress of phase two: the civil division's staff who have not submitted are named.
    assert "民事审判庭" in page and "王晓东" in page


def test_the_template_page_has_no_progress_and_no_today_line(client, login_as, template):
    login_as("office_demo")
    page = client.get(reverse("workflow:campaign", args=[template.pk])).content.decode()
    assert "2012-10-25 — 2013-02-15" in page
    assert 'data-testid="behind-table"' not in page


def test_campaign_detail_query_count_is_pinned(client, login_as, campaign, django_assert_max_num_queries, hgzy):
    login_as("office_demo")
    url = reverse("workflow:campaign", args=[campaign.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    division = Division.objects.filter(court=hgzy).first()
    for i in range(40):
        make_person(username=f"more{i}", division=division)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
    assert len(first.captured_queries) <= 25


def test_a_campaign_of_another_court_answers_404(client, login_as, template, demo_user, demo_org):
    office = demo_user("office_demo")
    local = services.copy_campaign(
        actor=office,
        source=template,
        court=Court.objects.get(code="gongnong"),
        name="工农区法院活动",
        start=PLAN_START,
        covers_subordinates=False,
    )
    task = PhaseTask.objects.filter(phase__campaign=local).first()
    user = make_person(username="xy_staff", division=Division.objects.get(court__code="xiangyang", name="立案庭")).user
    client.force_login(user)
    assert client.get(reverse("workflow:campaign", args=[local.pk])).status_code == 404
    assert client.get(reverse("workflow:task", args=[task.pk])).status_code == 404
    assert "工农区法院活动" not in client.get(reverse("workflow:campaigns")).content.decode()


def test_staff_see_only_their_own_row_on_a_task(client, login_as, campaign):
    task = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks")
    login_as("staff_demo")
    page = client.get(reverse("workflow:task", args=[task.pk])).content.decode()
    assert "王晓东" in page
    assert "李建国" not in page  # the head is in the same division, but staff see only themselves
    assert "登记完成情况" not in page


def test_office_creates_from_template_then_bad_dates_are_refused(client, login_as, template, hgzy):
    login_as("office_demo")
    response = client.post(
        reverse("workflow:campaign_new"),
        {
            "source": template.pk,
            "name": "2027年度活动",
            "court": hgzy.pk,
            "covers_subordinates": "on",
            "start": "2027-03-01",
        },
    )
    campaign = Campaign.objects.get(name="2027年度活动")
    assert response.status_code == 302 and response["Location"] == reverse(
        "workflow:campaign_schedule", args=[campaign.pk]
    )
    assert campaign.phases.order_by("number").first().start == D(2027, 3, 1)
    phase2 = Phase.objects.get(campaign=campaign, number=2)
    form = client.get(reverse("workflow:campaign_schedule", args=[campaign.pk])).context["form"]
    data = {name: (field.initial.isoformat() if field.initial else "") for name, field in form.fields.items()}
    data[f"phase_{phase2.pk}_end"] = (phase2.start - dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("workflow:campaign_schedule", args=[campaign.pk]), data)
    assert response.status_code == 200
    assert "早于开始日期" in response.content.decode()
    assert Phase.objects.get(pk=phase2.pk).end == phase2.end  # nothing written
    # Garbage in a date field is a form error, not a 500.
    data[f"phase_{phase2.pk}_end"] = "明天"
    assert client.post(reverse("workflow:campaign_schedule", args=[campaign.pk]), data).status_code == 200


def test_only_the_office_may_create_or_edit(client, login_as, campaign):
    login_as("head_demo")
    assert client.get(reverse("workflow:campaign_new")).status_code == 403
    assert client.get(reverse("workflow:campaign_schedule", args=[campaign.pk])).status_code == 403


def test_office_ticks_off_with_an_attachment_and_undoes(client, login_as, campaign, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    task = PhaseTask.objects.get(phase__campaign=campaign, code="powers")
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    login_as("office_demo")
    minutes = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    response = client.post(
        reverse("workflow:task_complete", args=[task.pk]),
        {"unit": civil.pk, "note": "职权目录已报送", "attachment": minutes},
    )
    assert response.status_code == 302
    completion = PhaseTaskCompletion.objects.get(task=task, division=civil)
    download = client.get(reverse("workflow:completion_attachment", args=[completion.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    # An executable is refused with a message, nothing written.
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    criminal = Division.objects.get(court__code="hgzy", name="刑事审判庭")
    client.post(
        reverse("workflow:task_complete", args=[task.pk]), {"unit": criminal.pk, "note": "x", "attachment": bad}
    )
    assert not PhaseTaskCompletion.objects.filter(task=task, division=criminal).exists()
    # Undo needs a reason.
    client.post(reverse("workflow:completion_undo", args=[completion.pk]), {"reason": ""})
    assert PhaseTaskCompletion.objects.filter(pk=completion.pk).exists()
    client.post(reverse("workflow:completion_undo", args=[completion.pk]), {"reason": "登记错误"})
    assert not PhaseTaskCompletion.objects.filter(pk=completion.pk).exists()


def test_my_todos_list_the_current_tasks_not_yet_done(client, login_as, campaign, demo_user):
    login_as("staff_demo")
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert "查找廉政风险" in page
    login_as("head_demo")
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert "查找廉政风险" in page
    assert "确定风险等级" not in page  # nothing waits for his review yet
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        submit_post_risk(demo_user("staff_demo"))
        page = client.get(reverse("home")).content.decode()
    assert "确定风险等级" in page
    login_as("staff_demo")
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        assert "查找廉政风险" not in client.get(reverse("home")).content.decode()


def test_deputy_sees_the_divisions_he_oversees(client, login_as, campaign):
    login_as("deputy_demo")
    with time_machine.travel(at(D(2013, 1, 13)), tick=False):
        page = client.get(reverse("workflow:campaign", args=[campaign.pk])).content.decode()
    table = page[page.index('data-testid="behind-table"') :]
    assert "民事审判庭" in table and "行政审判庭" in table
    assert "刑事审判庭" not in table and "执行局" not in table


def test_progress_table_filters_by_court_and_ignores_junk(client, login_as, campaign):
    login_as("office_demo")
    xiangyang = Court.objects.get(code="xiangyang")
    url = reverse("workflow:campaign", args=[campaign.pk])
    with time_machine.travel(at(D(2013, 1, 13)), tick=False):
        rows = client.get(url, {"court": xiangyang.pk}).context["behind"]
        assert rows and {r.court for r in rows} == {xiangyang.short_name}
        assert len(client.get(url, {"court": "abc", "phase": "x"}).context["behind"]) > len(rows)


def test_the_office_is_pointed_at_the_running_phase(client, login_as, campaign):
    login_as("office_demo")
    with time_machine.travel(at(D(2013, 1, 8)), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert "第2阶段“排查廉政风险”进行中" in page
    assert reverse("workflow:campaign", args=[campaign.pk]) in page


def test_the_service_refuses_a_bad_attachment_itself(demo_user, campaign, settings, tmp_path):
    """The upload rule lives in the service (shared with every other upload), not only in the form."""
    import pytest
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow import services

    settings.MEDIA_ROOT = tmp_path
    task = PhaseTask.objects.get(phase__campaign=campaign, code="powers")
    criminal = Division.objects.get(court__code="hgzy", name="刑事审判庭")
    bad = SimpleUploadedFile("../../x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="不支持的文件类型"):
        services.record_completion(
            actor=demo_user("office_demo"), task=task, unit_id=criminal.pk, note="x", attachment=bad
        )
    assert not PhaseTaskCompletion.objects.filter(task=task, division=criminal).exists()
    good = SimpleUploadedFile("../学习记录.txt", "学习记录".encode(), content_type="text/plain")
    [row] = services.record_completions(
        actor=demo_user("office_demo"), task=task, unit_ids=[criminal.pk], note="已学习", attachment=good
    )
    assert row.attachment.name.endswith("学习记录.txt") and ".." not in row.attachment.name
