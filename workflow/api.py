"""Campaigns, their phases and tasks through the API (read), from the campaign scope (``visible_to``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from . import selectors
from .models import Campaign, Phase, PhaseTask


class PhaseTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhaseTask
        fields = ["id", "phase", "code", "title", "description", "deadline", "responsible_role", "sort_order"]
        read_only_fields = fields


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "number", "name", "summary", "start", "end", "state"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "year", "court", "covers_subordinates", "is_template", "phases"]
        read_only_fields = fields


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """廉政风险防控活动 with its four phases."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.campaigns_for(self.request.user)

    @extend_schema(summary="活动详情（含阶段）")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class PhaseTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """The phases' tasks with their deadlines."""

    serializer_class = PhaseTaskSerializer

    def get_queryset(self):
        return PhaseTask.objects.visible_to(self.request.user).select_related("phase")


def register(router):
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("campaign-tasks", PhaseTaskViewSet, basename="campaign-task")
