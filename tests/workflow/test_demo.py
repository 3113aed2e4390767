"""Done-when of the campaign issue: with the demo data (today inside phase two of the current campaign),
running the beat schedule once reminds staff_demo if he has submitted no risk point and head_demo if
points wait for his review; a second run adds nothing."""

from celery import current_app
from django_celery_beat.models import PeriodicTask

from hkcourt.notifications.models import Notification
from hkcourt.org.demo import seed as seed_org
from risks.demo import seed as seed_risks
from risks.models import RiskPoint
from workflow import schedule
from workflow.demo import CURRENT_KEY, HISTORY_KEY
from workflow.demo import seed as seed_workflow
from workflow.models import Campaign, local_today


def run_schedule_once():
    """Every enabled entry of the beat schedule (the rows migration 0002 installs), run in-process."""
    schedule.ensure()  # a transactional test elsewhere may have flushed the migration's rows
    entries = list(PeriodicTask.objects.filter(enabled=True).exclude(task="celery.backend_cleanup"))
    assert {e.task for e in entries} >= {
        "workflow.advance_phases",
        "workflow.send_deadline_reminders",
        "workflow.escalate_overdue",
        "notifications.requeue_deliveries",
    }
    current_app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks
    for entry in entries:
        current_app.tasks[entry.task].apply()


def test_demo_reminds_staff_and_head_once(demo_user, db):
    quiet = lambda *_: None  # noqa: E731
    seed_org(log=quiet)
    seed_risks(log=quiet)
    seed_workflow(log=quiet)
    seed_workflow(log=quiet)  # idempotent
    assert Campaign.objects.filter(builtin_key__in=[HISTORY_KEY, CURRENT_KEY]).count() == 2
    current = Campaign.objects.get(builtin_key=CURRENT_KEY)
    phase_two = current.phases.get(number=2)
    assert phase_two.contains(local_today())
    assert phase_two.state == "open"

    run_schedule_once()
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    staff_submitted = (
        RiskPoint.objects.filter(owner=staff, level="post").exclude(state__in=["draft", "retired"]).exists()
    )
    waiting = RiskPoint.objects.filter(division=head.person.division, state="submitted").exists()
    staff_reminders = Notification.objects.filter(recipient=staff, kind__startswith="task_reminder")
    head_reminders = Notification.objects.filter(recipient=head, kind__startswith="task_reminder")
    assert staff_reminders.filter(params__task__icontains="查找廉政风险").exists() == (not staff_submitted)
    assert head_reminders.filter(params__task__icontains="确定风险等级").exists() == waiting
    assert waiting, "the demo should leave points waiting for head_demo's review"

    before = Notification.objects.count()
    run_schedule_once()
    assert Notification.objects.count() == before


def test_history_campaign_is_complete(demo_org, db):
    seed_workflow(log=lambda *_: None)
    from workflow.progress import CampaignUnits, progress_of

    history = Campaign.objects.get(builtin_key=HISTORY_KEY)
    tasks = list(history.phases.all().prefetch_related("tasks"))
    units = CampaignUnits(history)
    all_tasks = [t for p in tasks for t in p.tasks.all()]
    assert all(p.percent == 100 for p in progress_of(units, all_tasks))
