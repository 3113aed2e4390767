"""Celery tasks of the notifications app: thin, idempotent wrappers over the services."""

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver_emails", acks_late=True)
def deliver_emails(delivery_ids):
    """Send these outbox e-mails; rows already sent are skipped, so a re-run sends nothing twice."""
    results = {}
    for delivery_id in delivery_ids:
        state = services.deliver_email(delivery_id=delivery_id)
        results[state] = results.get(state, 0) + 1
    return results


@shared_task(name="notifications.requeue_deliveries")
def requeue_deliveries():
    """Hourly: queue again whatever the outbox still holds (failed, or lost with a broker outage)."""
    return services.requeue_deliveries()
