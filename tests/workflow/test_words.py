"""Words a court clerk uses (issue 14, item 9): no developer notes on pages or in help texts, the public page
asks for 意见和建议 (群众提 is the office's word for the channel), the campaign is 工作 as the plan calls it
(推进廉政风险防控工作), what the system counts is 系统统计, and phase one's tasks follow the plan's order."""

import datetime
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from risks.models import State

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
APPS = ("hkcourt", "risks", "commitments", "workflow", "templates")
# Words of a note from a developer to a developer: the modules, what is not built yet, what is not linked.
DEVELOPER_NOTES = re.compile(r"模块|不依赖|暂不链接|尚无按|尚未实现|待开发|TODO|FIXME")


def test_no_developer_note_in_any_template_or_help_text():
    for app in APPS:
        for path in (ROOT / app).rglob("*.html"):
            text = path.read_text()
            for msgid in re.findall(r"{% (?:trans|blocktrans)[^%]*%}", text):
                assert not DEVELOPER_NOTES.search(msgid), (path, msgid)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            help_text = str(getattr(field, "help_text", "") or "")
            assert not DEVELOPER_NOTES.search(help_text), (model.__name__, field.name, help_text)


def test_the_dashboard_shows_no_note_about_missing_links(client, login_as, campaign):
    login_as("office_demo")
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "暂不链接" not in page.content.decode() and "尚无按责任领导筛选" not in page.content.decode()


def test_the_public_page_asks_for_comments_and_suggestions(client, demo_user, hgzy):
    from risks.models import RiskPoint

    RiskPoint.objects.create(
        court=hgzy,
        owner=demo_user("office_demo"),
        level="court",
        description="大额资金使用未经集体研究",
        manifestations="个人决定大额支出",
        grade="high",
        state=State.PUBLISHED,
        publicity_ends=timezone.localdate() + datetime.timedelta(days=10),
    )
    page = client.get(reverse("risks:public", args=[hgzy.code])).content.decode()
    assert "提出意见和建议" in page and "提交意见和建议" in page
    assert "群众提" not in page


def test_the_campaign_is_called_work_and_counted_by_the_system(client, login_as, campaign):
    login_as("office_demo")
    listing = client.get(reverse("workflow:campaigns")).content.decode()
    assert "工作进度" in listing and "活动进度" not in listing and "由模板创建活动" not in listing
    detail = client.get(reverse("workflow:campaign", args=[campaign.pk])).content.decode()
    assert "系统统计" in detail and "自动计量" not in detail and "活动" not in detail.replace(campaign.name, "")
    task = campaign.phases.get(number=2).tasks.exclude(measure_key="").first()
    page = client.get(reverse("workflow:task", args=[task.pk])).content.decode()
    assert "自动计量" not in page and ("系统统计" in page or "系统暂无法统计" in page)


def test_phase_one_tasks_follow_the_plan(template, campaign):
    """(一)学习宣传 (二)制定方案 (三)动员部署: in the template, in a campaign copied from it, by deadline."""
    for c in (template, campaign):
        tasks = list(c.phases.get(number=1).tasks.all())
        assert [t.title for t in tasks] == ["学习宣传", "制定方案", "动员部署"]
        assert [t.deadline for t in tasks] == sorted(t.deadline for t in tasks)


def test_no_model_says_activity_or_automatic_measure():
    """Verbose names and help texts say 工作/工作方案 and 系统统计 as the plan does, in every app."""
    for model in apps.get_models():
        names = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
        for field in model._meta.get_fields():
            names += [str(getattr(field, "verbose_name", "") or ""), str(getattr(field, "help_text", "") or "")]
        for text in names:
            assert "活动" not in text and "自动计量" not in text, (model.__name__, text)
    from workflow.models import Campaign, PhaseTask

    assert str(Campaign._meta.verbose_name) == "工作方案"
    assert str(PhaseTask._meta.get_field("measure_key").verbose_name) == "系统统计"


def test_no_template_shows_activity_for_the_work():
    """活动 in a template's words would name the campaign; the plan calls it 工作 (an event would be 活动, but
    no page shows one)."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.html"):
            for msgid in re.findall(r"{% (?:trans|blocktrans)[^%]*%}", path.read_text()):
                assert "活动" not in msgid and "自动计量" not in msgid, (path, msgid)


def test_the_acceptance_list_names_the_work_plan(client, login_as, campaign):
    login_as("office_demo")
    page = client.get(reverse("workflow:acceptances")).content.decode()
    assert "工作方案" in page and "活动" not in page


def test_the_data_migration_puts_an_existing_templates_phase_one_in_the_plans_order(template, campaign):
    """A database whose built-in template still has the old order (制定方案 first) gets 学习宣传 first from data
    migration 0008, not only when ensure_builtin_template runs; a campaign the office copied is left alone."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from workflow import template_2012
    from workflow.models import PhaseTask

    migration = importlib.import_module("workflow.migrations.0008_phase_one_plan_order")
    state = MigrationLoader(connection).project_state(("workflow", "0008_phase_one_plan_order"), at_end=True).apps
    old = {"plan": (datetime.date(2012, 10, 10), 0), "study": (datetime.date(2012, 10, 17), 1)}
    for c in (template, campaign):
        for code, (deadline, order) in old.items():
            PhaseTask.objects.filter(phase__campaign=c, phase__number=1, code=code).update(
                deadline=deadline, sort_order=order
            )
    copied = list(campaign.phases.get(number=1).tasks.values_list("title", "deadline"))
    assert [t.title for t in template.phases.get(number=1).tasks.all()][0] == "制定方案"

    migration.forwards(state, None)
    tasks = list(template.phases.get(number=1).tasks.all())
    assert [t.title for t in tasks] == ["学习宣传", "制定方案", "动员部署"]
    assert [t.deadline for t in tasks] == [
        datetime.date(2012, 10, 10),
        datetime.date(2012, 10, 17),
        datetime.date(2012, 10, 24),
    ]
    assert list(campaign.phases.get(number=1).tasks.values_list("title", "deadline")) == copied
    # idempotent: a second run changes nothing; without a built-in template there is nothing to do
    Campaign, Task = state.get_model("workflow", "Campaign"), state.get_model("workflow", "PhaseTask")
    assert template_2012.reorder_phase_one(Campaign, Task) == 0
    Campaign.objects.filter(builtin_key=template_2012.BUILTIN_KEY).update(builtin_key="")
    assert template_2012.reorder_phase_one(Campaign, Task) == 0
