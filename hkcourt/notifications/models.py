"""Notifications: the in-app inbox and the e-mail outbox.

A :class:`Notification` is one message to one person; its key ``(kind, object_ref, recipient, due)`` is a
database unique constraint, so a sweep that runs twice, or is killed half-way and runs again, never
creates a message twice. The inbox *is* this table: it needs no broker at all.

E-mail goes through the outbox: a :class:`Delivery` row is written in the same transaction as the
notification (state ``pending``), and a Celery task is queued only after the commit. If the broker is
down, the row simply stays ``pending``; the hourly sweep queues it again. The delivery task locks the
row, sends, and marks it ``sent`` in one transaction, so a second run of the same task sends nothing.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hkcourt.org import texts
from hkcourt.org.scoping import Scope, ScopedQuerySet


def object_ref(obj) -> str:
    """A stable text reference to any model instance: ``app_label.model:pk``."""
    if obj is None:
        return ""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


class NotificationQuerySet(ScopedQuerySet):
    # An inbox is personal: only the recipient sees a notification, whatever roles they hold.
    scope = Scope(court=None, division=None, owner="recipient")

    def visible_to(self, user):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=40, db_index=True)
    object_ref = models.CharField(_("相关对象"), max_length=80, blank=True)
    due = models.DateField(_("日期"), help_text=_("提醒所针对的截止日期或事件日期"))
    # What the system says is a registered text code and its parameters (``hkcourt.org.texts``), rendered in the
    # reader's language; ``title``/``body`` hold only text that is not translated (a person's words, a name).
    message = models.CharField(_("消息代码"), max_length=60, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True, max_length=4000)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_ref", "recipient", "due"], name="notification_unique_key")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the active language: the registered text with its parameters, or the stored title."""
        if self.message:
            return texts.render(self.message, self.params, default=self.title)[:200]
        return self.title

    @property
    def display_body(self) -> str:
        """The body in the active language: the registered ``<code>.body`` text if there is one, else the stored
        body (a person's words, shown as typed)."""
        if self.message and texts.is_registered(f"{self.message}.body"):
            return texts.render(f"{self.message}.body", self.params)
        return self.body

    @property
    def is_read(self):
        return self.read_at is not None


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One e-mail in the outbox, one per notification."""

    CHANNEL_EMAIL = "email"

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=16, default=CHANNEL_EMAIL)
    address = models.CharField(_("地址"), max_length=254)
    state = models.CharField(
        _("状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    queued_at = models.DateTimeField(_("最近排队时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递（发件箱）")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_per_channel")]

    def __str__(self):
        return f"{self.get_state_display()} → {self.address}"

    @property
    def message_id(self):
        return f"<hkcourt-delivery-{self.pk}@{getattr(settings, 'NOTIFICATIONS_MAIL_DOMAIN', 'court.local')}>"
