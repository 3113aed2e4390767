"""Celery task of the early-warning work: a thin wrapper over the service, idempotent (one active
warning per condition, a DB unique constraint; notifications keyed per recipient and day)."""

from celery import shared_task

from . import services


@shared_task(name="workflow.evaluate_warnings")
def evaluate_warnings():
    return services.evaluate_warnings()
