from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["shown_title", "recipient", "kind", "due", "created_at", "read_at"]
    list_filter = ["kind", "due"]
    search_fields = ["message", "title", "recipient__username", "object_ref"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("标题"))
    def shown_title(self, obj):
        return obj.display_title


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "address", "state", "attempts", "queued_at", "sent_at"]
    list_filter = ["state", "channel"]
    search_fields = ["address"]
    raw_id_fields = ["notification"]
    readonly_fields = ["created_at", "queued_at", "sent_at", "last_error"]
