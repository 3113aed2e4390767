"""Business actions on notifications: send (idempotently), deliver e-mail, re-queue the outbox, open and
mark read (asking the ``notifications`` rules in ``policy.py`` first).

Every other app notifies people through :func:`notify` or :func:`notify_many`; nothing else writes
:class:`~.models.Notification` rows. Both are safe to call again with the same key: the database's unique
constraint decides, so a re-run sends nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.org import audit, policy, queueing, texts

from .models import Delivery, DeliveryState, Notification, object_ref

log = logging.getLogger(__name__)
User = get_user_model()

audit.register(
    {
        "notifications.notify": gettext_lazy("发送通知"),
        "notifications.notify_batch": gettext_lazy("批量发送通知"),
        "notifications.mark_read": gettext_lazy("通知标为已读"),
        "notifications.requeue": gettext_lazy("重新投递发件箱"),
    }
)

MAX_ATTEMPTS = 5
# A pending delivery queued longer ago than this is considered lost in the broker and queued again.
REQUEUE_AFTER = timedelta(minutes=10)


def chunk_size() -> int:
    return int(getattr(settings, "NOTIFICATIONS_CHUNK_SIZE", 500))


@dataclass(frozen=True)
class Message:
    """One recipient's message in a batch sent with :func:`notify_many`: a registered text code (``message``)
    with its ``params``, or a literal ``title``; ``body`` is literal text shown as it is (a person's words)."""

    recipient_id: int
    title: str = ""
    body: str = ""
    url: str = ""
    message: str = ""
    params: dict | None = None


def _clean_text(title, body, url, message="", params=None):
    """The row's texts: what the system says goes in as a registered code with JSON parameters (rendered in the
    reader's language, see ``hkcourt.org.texts``); only literal text is stored as text."""
    title = (title or "").strip()
    if message:
        if not texts.is_registered(message):
            raise ValueError(f"unknown notification text {message!r}: register it with hkcourt.org.texts.register")
        params = {k: texts.value(v) for k, v in (params or {}).items()}
    elif not title:
        raise ValidationError({"title": _("通知标题不能为空。")})
    return title[:200], (body or "")[:4000], (url or "")[:300], message, params or {}


# After a failed publish, no process tries the same broker again for a while (hkcourt.org.queueing, shared
# with every task queued after commit): the outbox keeps the work.
_broker_down_until = queueing._down_until


def enqueue_deliveries(ids) -> bool:
    """Queue delivery tasks for these outbox rows. Called after commit; never raises and never waits
    long: one connection attempt (refused at once, or the broker connect timeout), no retries. If the
    broker is unreachable the rows stay pending in the outbox and the hourly sweep queues them again."""
    ids = sorted(set(ids))
    if not ids:
        return True
    from .tasks import deliver_emails

    step = chunk_size()
    chunks = [((ids[start : start + step],), None) for start in range(0, len(ids), step)]
    return queueing.send_many(deliver_emails, chunks)


def _after_commit_enqueue(ids):
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)


@transaction.atomic
def notify(
    *,
    recipient,
    kind: str,
    obj,
    due,
    message: str = "",
    params: dict | None = None,
    title: str = "",
    body: str = "",
    url: str = "",
    actor=None,
):
    """Send one notification to ``recipient`` unless one with the same key exists. Returns
    ``(notification, created)``. An e-mail is put in the outbox when the recipient has an address.
    The system's words are ``message`` (a registered text code) and ``params``; ``title``/``body`` are literal."""
    title, body, url, message, params = _clean_text(title, body, url, message, params)
    if not kind:
        raise ValidationError({"kind": _("通知类别不能为空。")})
    if due is None:
        raise ValidationError({"due": _("通知必须注明日期。")})
    notification = Notification(
        kind=kind,
        object_ref=object_ref(obj),
        recipient=recipient,
        due=due,
        message=message,
        params=params,
        title=title,
        body=body,
        url=url,
    )
    notification.full_clean(validate_constraints=False)
    existing = Notification.objects.filter(
        kind=kind, object_ref=notification.object_ref, recipient=recipient, due=due
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:  # a concurrent run created it first
        return Notification.objects.get(
            kind=kind, object_ref=notification.object_ref, recipient=recipient, due=due
        ), False
    if recipient.email:
        delivery = Delivery.objects.create(notification=notification, address=recipient.email, queued_at=timezone.now())
        _after_commit_enqueue([delivery.pk])
    audit.record(actor=actor, action="notifications.notify", obj=notification, data={"kind": kind})
    return notification, True


def notify_many(*, kind: str, obj, due, messages, actor=None) -> int:
    """Send one notification per message (each to its ``recipient_id``) under the same kind, object and
    due date. Idempotent, bounded in queries (a few per chunk, never one per person), and committed
    chunk by chunk so a crash half-way keeps what was done; running it again completes the rest.
    Returns the number of notifications created."""
    if not kind or due is None:
        raise ValidationError(_("通知类别和日期不能为空。"))
    ref = object_ref(obj)
    messages = list({m.recipient_id: m for m in messages}.values())
    created = 0
    step = chunk_size()
    for start in range(0, len(messages), step):
        created += _notify_chunk(kind=kind, ref=ref, due=due, messages=messages[start : start + step], actor=actor)
    return created


@transaction.atomic
def _notify_chunk(*, kind, ref, due, messages, actor) -> int:
    wanted = {m.recipient_id: m for m in messages}
    existing = set(
        Notification.objects.filter(kind=kind, object_ref=ref, due=due, recipient_id__in=wanted).values_list(
            "recipient_id", flat=True
        )
    )
    rows = []
    for rid, m in wanted.items():
        if rid in existing:
            continue
        title, body, url, message, params = _clean_text(m.title, m.body, m.url, m.message, m.params)
        rows.append(
            Notification(
                recipient_id=rid,
                kind=kind,
                object_ref=ref,
                due=due,
                message=message,
                params=params,
                title=title,
                body=body,
                url=url,
            )
        )
    if not rows:
        return 0
    # ignore_conflicts: a concurrent run (a second beat, a re-delivered task) may have won the race.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    new_ids = [r.recipient_id for r in rows]
    fresh = list(
        Notification.objects.filter(
            kind=kind, object_ref=ref, due=due, recipient_id__in=new_ids, deliveries__isnull=True
        ).values_list("pk", "recipient__email")
    )
    deliveries = [Delivery(notification_id=pk, address=email) for pk, email in fresh if email]
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            notification_id__in=[pk for pk, _email in fresh], state=DeliveryState.PENDING
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    _after_commit_enqueue(ids)
    audit.record(
        actor=actor,
        action="notifications.notify_batch",
        data={"kind": kind, "object": ref, "due": due.isoformat(), "count": len(fresh)},
    )
    return len(fresh)


def deliver_email(*, delivery_id: int) -> str:
    """Send one outbox e-mail, at most once. The row is locked for the whole send, so two workers never
    send it twice; a ``sent`` row is skipped, so a re-delivered task sends nothing. Returns the new state.

    The one window SMTP leaves open: a worker killed after the mail server accepted the message but
    before the ``sent`` mark commits will send it again when re-run (at-least-once for that single
    in-flight message). The message carries a stable Message-ID derived from the outbox row, so mail
    clients recognise such a copy as the same message."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "locked-or-missing"
        if delivery.state == DeliveryState.SENT:
            return DeliveryState.SENT
        if delivery.attempts >= MAX_ATTEMPTS:
            return delivery.state
        n = delivery.notification
        with translation.override(settings.LANGUAGE_CODE):  # the site's language: a person has no other yet
            body = n.display_body
            if n.url:
                body = f"{body}\n\n{_('查看：')}{getattr(settings, 'SITE_URL', '')}{n.url}"
            subject = f"[{_('廉政风险防控')}] {n.display_title}"
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={"Message-ID": delivery.message_id},
        )
        delivery.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any transport error is recorded, the row stays in the outbox
            delivery.state = DeliveryState.FAILED
            delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
            delivery.save(update_fields=["state", "attempts", "last_error"])
            log.warning("e-mail delivery %s failed: %s", delivery.pk, delivery.last_error)
            return DeliveryState.FAILED
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["state", "attempts", "last_error", "sent_at"])
        return DeliveryState.SENT


@transaction.atomic
def requeue_deliveries(*, actor=None, now=None, older_than=REQUEUE_AFTER) -> int:
    """The hourly sweep: queue again every failed delivery (below the attempt limit) and every pending
    one that has waited longer than ``older_than`` (its task was lost: broker down, worker killed)."""
    now = now or timezone.now()
    stale = now - older_than
    qs = Delivery.objects.filter(attempts__lt=MAX_ATTEMPTS).filter(
        Q(state=DeliveryState.FAILED)
        | Q(state=DeliveryState.PENDING) & (Q(queued_at__lt=stale) | Q(queued_at__isnull=True))
    )
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(queued_at=now)
    _after_commit_enqueue(ids)
    audit.record(actor=actor, action="notifications.requeue", data={"count": len(ids)})
    return len(ids)


def _lock(notification) -> Notification:
    return Notification.objects.select_for_update().get(pk=notification.pk)


@transaction.atomic
def open_notification(*, actor, notification) -> Notification:
    """Follow the notification's link: marks it read (if it was not). Returns the notification."""
    notification = _lock(notification)
    policy.check(actor, "notifications.open", notification)
    if not notification.is_read:
        _set_read(actor, notification)
    return notification


@transaction.atomic
def mark_read(*, actor, notification) -> Notification:
    notification = _lock(notification)
    policy.check(actor, "notifications.mark_read", notification)
    _set_read(actor, notification)
    return notification


def _set_read(actor, notification):
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])
    audit.record(actor=actor, action="notifications.mark_read", obj=notification)


@transaction.atomic
def mark_all_read(*, actor) -> int:
    policy.check(actor, "notifications.mark_all_read")
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit.record(actor=actor, action="notifications.mark_read", data={"count": count, "all": True})
    return count
