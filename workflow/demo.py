"""Demo campaigns: the 2012–2013 campaign as history (every task done), and a current campaign made from
the template with its dates shifted so that today falls inside phase two (on the plan's calendar: 13
January 2013, a few days before 查找廉政风险 is due), with realistic progress. Idempotent: both are found
by their demo key; a second run changes nothing. Measured progress comes from the risks demo's points."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from hkcourt.org.models import Court

from . import services, template_2012
from .models import Campaign, PhaseTask, Unit, local_today
from .progress import CampaignUnits, progress_of

HISTORY_KEY = "demo-history"
CURRENT_KEY = "demo-current"
# Where "today" sits on the plan's own calendar in the current demo campaign.
TODAY_ON_PLAN = dt.date(2013, 1, 13)


def _tick(office, campaign, tasks, share, note, rng):
    """Tick off ``share`` of each task's units that are not done yet (all of them when share is 1)."""
    units = CampaignUnits(campaign)
    for progress in progress_of(units, tasks):
        behind = progress.behind
        if not behind:
            continue
        chosen = behind if share >= 1 else [u for u in behind if rng.random() < share]
        if progress.unit == Unit.PERSON and share < 1:
            chosen = [u for u in chosen if units.persons[u].user_id != office.pk]
        if chosen:
            services.record_completions(actor=office, task=progress.task, unit_ids=chosen, note=note)


@transaction.atomic
def seed(log=print):
    city = Court.objects.filter(code="hgzy").first()
    office = get_user_model().objects.filter(username="office_demo").first()
    if city is None or office is None:
        log("工作方案: 未找到演示法院或 office_demo，请先运行组织机构的演示数据。")
        return
    template = services.ensure_builtin_template()
    rng = random.Random(2013)

    history = Campaign.objects.filter(builtin_key=HISTORY_KEY).first()
    if history is None:
        history = services.copy_campaign(
            actor=office, source=template, court=city, name=template_2012.NAME, start=template.start
        )
        Campaign.objects.filter(pk=history.pk).update(builtin_key=HISTORY_KEY)
        tasks = list(PhaseTask.objects.filter(phase__campaign=history).select_related("phase__campaign__court"))
        _tick(office, history, tasks, 1, "2012—2013年度工作方案已完成（历史数据补录）。", rng)

    current = Campaign.objects.filter(builtin_key=CURRENT_KEY).first()
    if current is None:
        start = local_today() - (TODAY_ON_PLAN - template.start)
        current = services.copy_campaign(
            actor=office,
            source=template,
            court=city,
            name=f"{start.year}—{start.year + 1}年度推进廉政风险防控工作",
            start=start,
        )
        Campaign.objects.filter(pk=current.pk).update(builtin_key=CURRENT_KEY)
        today = local_today()
        tasks = list(
            PhaseTask.objects.filter(phase__campaign=current, measure_key="").select_related("phase__campaign__court")
        )
        past = [t for t in tasks if t.deadline < today]
        _tick(office, current, [t for t in past if t.phase.number == 1], 1, "已召开动员会，学习记录已归档。", rng)
        _tick(office, current, [t for t in past if t.phase.number > 1], 0.8, "职权目录和流程图已报送。", rng)
    services.advance_phases(actor=None)
    log(f"工作方案: 模板、历史工作方案“{history.name}”、当前工作方案“{current.name}”（今天在第二阶段）")
