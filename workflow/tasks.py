"""Periodic and on-demand Celery tasks of the campaign: thin wrappers over the services. Each is
idempotent (the notifications' unique key): running one twice, or after a crash, sends nothing twice.
The schedule itself is in the database (django-celery-beat), installed by migration 0002."""

from celery import shared_task

from . import services


@shared_task(name="workflow.advance_phases")
def advance_phases():
    return services.advance_phases()


@shared_task(name="workflow.send_deadline_reminders")
def send_deadline_reminders():
    return services.send_deadline_reminders()


@shared_task(name="workflow.escalate_overdue")
def escalate_overdue():
    return services.escalate_overdue()


@shared_task(name="workflow.daily_sweep")
def daily_sweep():
    """All three in order, for running the schedule once by hand (``manage.py campaign_sweep``)."""
    return {
        "phases": services.advance_phases(),
        "reminders": services.send_deadline_reminders(),
        "escalations": services.escalate_overdue(),
    }
