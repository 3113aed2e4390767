"""Celery task of the early-warning work: a thin wrapper over the service, idempotent (one active
warning per condition, a DB unique constraint; notifications keyed per recipient and day)."""

from celery import shared_task

from . import services


@shared_task(name="workflow.evaluate_warnings")
def evaluate_warnings():
    return services.evaluate_warnings()


@shared_task(name="workflow.evaluate_warnings_for")
def evaluate_warnings_for(signal_ids=(), risk_point_ids=(), measure_ids=(), rectification_ids=()):
    """即时预警: the rules for the objects an event touched (queued on commit by the service that recorded it)."""
    return services.evaluate_warnings_for(
        signal_ids=signal_ids,
        risk_point_ids=risk_point_ids,
        measure_ids=measure_ids,
        rectification_ids=rectification_ids,
    )


@shared_task(name="workflow.sweep_missed_deadlines")
def sweep_missed_deadlines():
    """即时预警 for missed deadlines, hourly: the deadline rules for what passed since yesterday (idempotent)."""
    return services.sweep_missed_deadlines()
