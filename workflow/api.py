"""Campaigns, their phases and tasks through the API (read), from the campaign scope (``visible_to``)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import EmptySerializer, StrictSerializer, forbid_before_reading, validated

from . import selectors, services
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
    """廉政风险防控工作方案 with its four phases."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.campaigns_for(self.request.user)

    @extend_schema(summary="工作方案详情（含阶段）")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class CompletionSerializer(StrictSerializer):
    unit = serializers.IntegerField(min_value=1, help_text="完成的单位（法院、庭室或人员的编号，依任务的责任人而定）")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PhaseTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """The phases' tasks with their deadlines; the office registers completions and urges those behind."""

    serializer_class = PhaseTaskSerializer

    def get_queryset(self):
        return PhaseTask.objects.visible_to(self.request.user).select_related("phase")

    @extend_schema(
        request=CompletionSerializer,
        responses={200: inline_serializer("Completed", {"completion": serializers.IntegerField()})},
        summary="登记完成",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = selectors.get_task(request.user, pk)
        forbid_before_reading(request.user, "workflow.complete", task)
        data = validated(CompletionSerializer, request)
        completion = services.record_completion(actor=request.user, task=task, unit_id=data["unit"], note=data["note"])
        return Response({"completion": completion.pk})

    @extend_schema(
        request=EmptySerializer,
        responses={200: inline_serializer("Urged", {"notified": serializers.IntegerField()})},
        summary="催办（领导小组办公室）",
    )
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        task = selectors.get_task(request.user, pk)
        forbid_before_reading(request.user, "workflow.urge", task)
        validated(EmptySerializer, request)
        return Response({"notified": services.urge(actor=request.user, task=task)})


def register(router):
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("campaign-tasks", PhaseTaskViewSet, basename="campaign-task")
