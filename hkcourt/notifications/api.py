"""The inbox through the API: a person's own notifications (``visible_to``), marking one or all read through
the same services as the inbox page."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import EmptySerializer, forbid_before_reading, validated
from hkcourt.org.policy import get_visible_or_404

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    # In the request's language (Accept-Language), rendered from the stored text code and parameters.
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "due", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """我的通知: only the person's own."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.inbox(self.request.user)

    @extend_schema(request=EmptySerializer, responses={200: NotificationSerializer}, summary="标为已读")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = get_visible_or_404(Notification, request.user, pk=pk)
        forbid_before_reading(request.user, "notifications.mark_read", notification)
        validated(EmptySerializer, request)
        notification = services.mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=EmptySerializer,
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
        summary="全部标为已读",
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        forbid_before_reading(request.user, "notifications.mark_all_read")
        validated(EmptySerializer, request)
        return Response({"marked": services.mark_all_read(actor=request.user)})


def register(router):
    router.register("notifications", NotificationViewSet, basename="notification")
