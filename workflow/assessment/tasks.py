"""Celery tasks of phase four: thin, take ids, call services, idempotent."""

from celery import shared_task


@shared_task(name="assessment.build_campaign_report", acks_late=True)
def build_campaign_report(report_id):
    from .services import build_report

    build_report(report_id=report_id)
