"""Campaigns, their phases and tasks through the API (read), from the campaign scope (``visible_to``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
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


# ---------------------------------------------------------------- progress (what the campaign page shows)


class TaskProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    deadline = serializers.DateField()
    responsible_role = serializers.CharField()
    unit = serializers.ChoiceField(choices=["person", "division", "court"], allow_null=True, help_text="计量单位")
    measured = serializers.BooleanField(help_text="由系统统计（否则由办公室登记）")
    done = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True, help_text="模板无进度时为空")
    late = serializers.BooleanField(help_text="已逾期未完成")


class PhaseProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    percent = serializers.IntegerField()
    is_current = serializers.BooleanField()
    is_closed = serializers.BooleanField()
    tasks = TaskProgressSerializer(many=True)


@extend_schema_field(
    {
        "type": "array",
        "description": "按列（任务）给出；该任务不适用于此庭室时为 null",
        "items": {
            "type": "object",
            "nullable": True,
            "properties": {
                "done": {"type": "integer"},
                "total": {"type": "integer"},
                "names": {"type": "array", "items": {"type": "string"}, "description": "尚未完成的人员或单位"},
                "people": {"type": "boolean", "description": "按人计量"},
            },
            "required": ["done", "total", "names", "people"],
        },
    }
)
class BehindCellsField(serializers.ListField):
    """The cells of one row: an object per task column, or null where the task does not apply."""


class BehindColumnSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    title = serializers.CharField()
    deadline = serializers.DateField()


class BehindRowSerializer(serializers.Serializer):
    court = serializers.CharField()
    division = serializers.CharField()
    cells = BehindCellsField()
    behind_total = serializers.IntegerField()


class CourtNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CampaignProgressSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    today = serializers.DateField()
    phases = PhaseProgressSerializer(many=True)
    selected_phase = serializers.IntegerField(allow_null=True, help_text="下方各庭室进度所属阶段的序号")
    behind_columns = BehindColumnSerializer(many=True)
    behind = BehindRowSerializer(many=True, help_text="当前用户可见范围内的各庭室进度")
    behind_courts = CourtNameSerializer(many=True, help_text="可按法院筛选时的法院")
    behind_court = serializers.IntegerField(allow_null=True)


def _progress_json(overview) -> dict:
    """The campaign page's progress (``selectors.campaign_overview``) as plain values."""

    def task_row(task, tp, late):
        return {
            "id": task.pk,
            "title": task.title,
            "deadline": task.deadline,
            "responsible_role": task.responsible_role,
            "unit": tp.unit if tp else None,
            "measured": bool(tp and tp.measured),
            "done": tp.done_count if tp else None,
            "total": tp.total if tp else None,
            "percent": tp.percent if tp else None,
            "late": late,
        }

    selected = overview["selected"]
    return {
        "start": overview["start"],
        "end": overview["end"],
        "today": overview["today"],
        "phases": [
            {
                "id": pv.phase.pk,
                "number": pv.phase.number,
                "name": pv.phase.name,
                "start": pv.phase.start,
                "end": pv.phase.end,
                "percent": pv.percent,
                "is_current": pv.is_current,
                "is_closed": pv.is_closed,
                "tasks": [task_row(task, tp, late) for task, tp, _left, late in pv.tasks],
            }
            for pv in overview["phases"]
        ],
        "selected_phase": selected.phase.number if selected is not None else None,
        "behind_columns": [
            {"task": tp.task.pk, "title": tp.task.title, "deadline": tp.task.deadline}
            for tp in overview["behind_columns"]
        ],
        "behind": [
            {"court": r.court, "division": r.division, "cells": r.cells, "behind_total": r.behind_total}
            for r in overview["behind"]
        ],
        "behind_courts": [{"id": c.pk, "name": c.name} for c in overview["behind_courts"]],
        "behind_court": overview["behind_court"],
    }


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """廉政风险防控工作方案 with its four phases."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.campaigns_for(self.request.user)

    @extend_schema(summary="工作方案详情（含阶段）")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="活动进度（同活动页面：各阶段、各任务完成情况，及本人可见范围内各庭室的进度）",
        parameters=[
            OpenApiParameter("phase", int, description="各庭室进度所示阶段的序号（默认当前阶段）"),
            OpenApiParameter("court", int, description="各庭室进度只看该法院"),
        ],
        responses={200: CampaignProgressSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def progress(self, request, pk=None):
        campaign = selectors.get_campaign(request.user, pk)
        errors = {}
        for name in ("phase", "court"):  # the page ignores a bad filter; the API says so
            values = request.query_params.getlist(name)
            if len(values) > 1 or (values and not values[0].isdigit()):
                errors[name] = [_("须为整数编号。")]
        if errors:
            raise serializers.ValidationError(errors)
        overview = selectors.campaign_overview(
            request.user,
            campaign,
            phase_number=request.query_params.get("phase"),
            court_id=request.query_params.get("court"),
        )
        return Response(CampaignProgressSerializer(_progress_json(overview)).data)


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
