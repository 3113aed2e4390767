"""Queue a Celery task after the current transaction commits, without ever failing or stalling the person's
action when the broker (Redis) is down.

Celery's ``delay_on_commit`` publishes from inside Django's commit hook with kombu's retries: with Redis down a
signature (already committed) waited about three seconds and then answered 500. Here the publish makes one
connection attempt (refused at once, or the broker's connect timeout) and no retries, and a failure is logged,
never raised: the person's action stands. The work stays recorded in the database — a letter's PDF ``pending``
(the daily sweep ``commitments.services.requeue_letter_documents`` queues it again), a bundle or a campaign
report ``queued`` (no sweep yet: they wait until asked again). After a failure this process does not try the same
broker again for ``BACKOFF_SECONDS``. With ``task_always_eager`` (the tests'
fixtures) the task runs at commit as before, its errors propagating.
"""

import logging
import time

from django.db import transaction

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 30
_down_until: dict[str, float] = {}


def send(task, args=(), kwargs=None) -> bool:
    """Publish ``task`` now; False (logged) when the broker cannot be reached. Never raises."""
    return send_many(task, [(args, kwargs)])


def send_many(task, calls) -> bool:
    """Publish ``task`` once per ``(args, kwargs)`` in ``calls`` over one connection; False (logged) when the
    broker cannot be reached. Never raises."""
    app = task.app
    if app.conf.task_always_eager:
        for args, kwargs in calls:
            task.apply_async(args, kwargs)
        return True
    url = str(app.conf.broker_url)
    if time.monotonic() < _down_until.get(url, 0):
        log.info("broker marked down: %s not queued (its sweep will queue it)", task.name)
        return False
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)  # one attempt: kombu would otherwise retry for seconds
            for args, kwargs in calls:
                task.apply_async(args, kwargs, connection=conn, retry=False)
    except Exception as exc:  # noqa: BLE001 - a broker failure must never fail the person's action
        _down_until[url] = time.monotonic() + BACKOFF_SECONDS
        log.warning(
            "broker unreachable (%s): %s not queued (its sweep will queue it)", exc.__class__.__name__, task.name
        )
        return False
    _down_until.pop(url, None)
    return True


def queue_after_commit(task, *args, **kwargs) -> None:
    """``task.delay(*args, **kwargs)`` once the current transaction commits (at once outside one)."""
    eager = task.app.conf.task_always_eager
    transaction.on_commit(lambda: send(task, args, kwargs), robust=not eager)
