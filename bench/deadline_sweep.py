"""Benchmark: the daily deadline sweep over 20,000 people in 200 courts.

    createdb -h 127.0.0.1 -U postgres hk_bench   # or let Django create the tables in an empty database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_bench CELERY_BROKER_URL=memory:// \
        DJANGO_SETTINGS_MODULE=hkcourt.settings.dev .venv/bin/python bench/deadline_sweep.py

Builds (once, in bulk) a city of 200 courts × 5 divisions × 20 staff, half of whom have submitted a post
risk point, and a city-wide campaign whose 查找廉政风险 is due in 3 days; then times the reminder sweep,
a second (idempotent) run, the escalation the day after the deadline, and the campaign page's progress
computation, counting SQL queries for each. Results go to stdout; bench/README.md keeps the figures.
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from hkcourt.notifications.models import Delivery, Notification  # noqa: E402
from hkcourt.org.models import Court, CourtLevel, Division, Person, Role, RoleAssignment  # noqa: E402
from risks.models import RiskPoint  # noqa: E402
from workflow import selectors, services  # noqa: E402
from workflow.models import Campaign, PhaseTask, local_today  # noqa: E402
from workflow.progress import CampaignUnits, progress_of  # noqa: E402

COURTS, DIVISIONS, STAFF = 200, 5, 20
User = get_user_model()


@transaction.atomic
def build():
    if Court.objects.filter(code="bench-root").exists():
        return
    t = time.perf_counter()
    root = Court.objects.create(name="基准测试中级法院", code="bench-root", level=CourtLevel.INTERMEDIATE)
    courts = Court.objects.bulk_create(
        [
            Court(name=f"基准法院{i:03d}", code=f"bench-{i:03d}", parent=root, path=f"{root.path}bench-{i:03d}/")
            for i in range(COURTS - 1)
        ]
    )
    courts = [root, *courts]
    divisions = Division.objects.bulk_create(
        [Division(court=c, name=f"庭室{j}", sort_order=j) for c in courts for j in range(DIVISIONS)]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"b{d.pk}_{k}", email=f"b{d.pk}_{k}@court.local", password="!")
            for d in divisions
            for k in range(STAFF)
        ],
        batch_size=2000,
    )
    people, roles = [], []
    for index, user in enumerate(users):
        division = divisions[index // STAFF]
        people.append(Person(user=user, full_name=f"干警{index:05d}", court_id=division.court_id, division=division))
        roles.append(RoleAssignment(user=user, role=Role.STAFF, court_id=division.court_id))
        if index % STAFF == 0:
            roles.append(
                RoleAssignment(user=user, role=Role.DIVISION_HEAD, court_id=division.court_id, division=division)
            )
    Person.objects.bulk_create(people, batch_size=2000)
    office = User.objects.create(username="bench-office", email="bench-office@court.local", password="!")
    Person.objects.create(user=office, full_name="办公室", court=root)
    roles.append(RoleAssignment(user=office, role=Role.OFFICE, court=root))
    RoleAssignment.objects.bulk_create(roles, batch_size=2000)
    RiskPoint.objects.bulk_create(
        [
            RiskPoint(
                court_id=p.court_id,
                division_id=p.division_id,
                owner_id=p.user_id,
                level="post",
                description="基准风险点",
                manifestations="基准表现形式",
                state="submitted" if i % 4 else "graded",
            )
            for i, p in enumerate(people)
            if i % 2 == 0
        ],
        batch_size=2000,
    )
    template = services.ensure_builtin_template()
    task = PhaseTask.objects.get(phase__campaign=template, code="find-risks")
    start = local_today() + dt.timedelta(days=3) - (task.deadline - template.start)
    services.copy_campaign(actor=office, source=template, court=root, name="基准活动", start=start)
    print(
        f"built {len(courts)} courts, {len(divisions)} divisions, {len(people)} people",
        f"in {time.perf_counter() - t:.1f}s",
    )


def measure(label, func):
    reset_queries()  # the query log is a bounded deque: a full one would count nothing
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - t
    print(f"{label:<48} {elapsed:7.2f} s {len(ctx.captured_queries):6d} queries   result={result}")
    return result


def main():
    call_command("migrate", verbosity=0)
    build()
    Notification.objects.filter(recipient__username__startswith="b").delete()
    campaign = Campaign.objects.get(name="基准活动")
    deadline = PhaseTask.objects.get(phase__campaign=campaign, code="find-risks").deadline
    print(f"people: {Person.objects.count()}, courts: {Court.objects.count()}, vendor: {connection.vendor}")
    today = local_today()
    measure("reminders (first run, 3 days before)", lambda: services.send_deadline_reminders(today=today))
    measure("reminders (second run: nothing new)", lambda: services.send_deadline_reminders(today=today))
    after = deadline + dt.timedelta(days=1)
    measure("escalation (day after the deadline)", lambda: services.escalate_overdue(today=after))
    measure("escalation (second run: nothing new)", lambda: services.escalate_overdue(today=after))

    def page():
        units = CampaignUnits(campaign)
        tasks = list(PhaseTask.objects.filter(phase__campaign=campaign))
        return sum(p.done_count for p in progress_of(units, tasks))

    measure("progress of every task (campaign page data)", page)
    office = User.objects.get(username="bench-office")
    measure(
        "campaign page data for the office (all 1,000 rows)",
        lambda: len(selectors.campaign_overview(office, campaign)["behind"]),
    )
    court = Court.objects.get(code="bench-007")
    measure(
        "campaign page data, one court chosen",
        lambda: len(selectors.campaign_overview(office, campaign, court_id=court.pk)["behind"]),
    )
    print(f"notifications: {Notification.objects.count()}, outbox rows: {Delivery.objects.count()}")


if __name__ == "__main__":
    main()
