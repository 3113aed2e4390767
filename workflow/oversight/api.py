"""The early-warning work through the API: signals and warnings (the office and the leading group), handling
and rectification (theirs, and a person's own: report-back and progress), through the same selectors (each
linked row through its own scope) and services as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import StrictSerializer, forbid_before_reading, validated
from hkcourt.org import policy
from workflow.oversight import selectors, services
from workflow.oversight.models import Handling, Rectification, ReportBack, Signal, Warning


class SignalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signal
        fields = ["id", "court", "division", "channel", "severity", "title", "content", "received_on", "created_at"]
        read_only_fields = fields


class WarningSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.kind", read_only=True)

    class Meta:
        model = Warning
        fields = ["id", "rule", "level", "state", "court", "division", "summary", "raised_at", "closed_at"]
        read_only_fields = fields


class ReportBackSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportBack
        fields = ["analysis", "commitment", "submitted_at", "late"]
        read_only_fields = fields


class HandlingSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.username", read_only=True)
    report_back = serializers.SerializerMethodField()

    class Meta:
        model = Handling
        fields = [
            "id",
            "kind",
            "state",
            "court",
            "division",
            "person",
            "content",
            "talk_date",
            "report_deadline",
            "delivered_at",
            "outcome",
            "closed_at",
            "created_at",
            "report_back",
        ]
        read_only_fields = fields

    def get_report_back(self, handling) -> ReportBackSerializer(allow_null=True):
        report = getattr(handling, "report_back", None)
        return ReportBackSerializer(report).data if report is not None else None


class RectificationSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "court", "division", "owner", "problem", "plan", "deadline", "state"]
        read_only_fields = fields


class TextSerializer(StrictSerializer):
    text = serializers.CharField(max_length=2000)


class ReportBackInputSerializer(StrictSerializer):
    analysis = serializers.CharField(max_length=2000)
    commitment = serializers.CharField(max_length=2000)


class _OversightOnly:
    """The lists of signals and warnings: the office and the leading group only (403 for others, as the list
    pages); one signal or warning outside the scope answers 404, as its page does."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "list":
            policy.check(request.user, "oversight.oversee")


class SignalViewSet(_OversightOnly, viewsets.ReadOnlyModelViewSet):
    serializer_class = SignalSerializer

    def get_queryset(self):
        return selectors.signals(self.request.user)


class WarningViewSet(_OversightOnly, viewsets.ReadOnlyModelViewSet):
    serializer_class = WarningSerializer

    def get_queryset(self):
        return selectors.warnings(self.request.user)

    @extend_schema(request=TextSerializer, responses={200: WarningSerializer}, summary="办结预警")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        warning = policy.get_visible_or_404(Warning, request.user, pk=pk)
        forbid_before_reading(request.user, "oversight.close_warning", warning)
        services.close_warning(actor=request.user, warning=warning, note=validated(TextSerializer, request)["text"])
        return Response(WarningSerializer(selectors.warnings(request.user).get(pk=pk)).data)


class HandlingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = HandlingSerializer

    def get_queryset(self):
        return selectors.handlings(self.request.user)

    def _answer(self, request, pk):
        return Response(HandlingSerializer(selectors.handlings(request.user).get(pk=pk)).data)

    @extend_schema(request=ReportBackInputSerializer, responses={200: HandlingSerializer}, summary="回告（被处置人）")
    @action(detail=True, methods=["post"], url_path="report-back", url_name="report-back")
    def report_back(self, request, pk=None):
        handling = policy.get_visible_or_404(Handling, request.user, pk=pk)
        forbid_before_reading(request.user, "oversight.report_back", handling)
        data = validated(ReportBackInputSerializer, request)
        services.submit_report_back(actor=request.user, handling=handling, **data)
        return self._answer(request, pk)

    @extend_schema(request=TextSerializer, responses={200: HandlingSerializer}, summary="办结处置")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        handling = policy.get_visible_or_404(Handling, request.user, pk=pk)
        forbid_before_reading(request.user, "oversight.close_handling", handling)
        text = validated(TextSerializer, request)["text"]
        services.close_handling(actor=request.user, handling=handling, outcome=text)
        return self._answer(request, pk)


class RectificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RectificationSerializer

    def get_queryset(self):
        return selectors.rectifications(self.request.user)

    def _answer(self, request, pk):
        return Response(RectificationSerializer(selectors.rectifications(request.user).get(pk=pk)).data)

    @extend_schema(request=TextSerializer, responses={200: RectificationSerializer}, summary="报告整改进展")
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        rect = policy.get_visible_or_404(Rectification, request.user, pk=pk)
        forbid_before_reading(request.user, "oversight.report_progress", rect)
        services.report_progress(
            actor=request.user, rectification=rect, text=validated(TextSerializer, request)["text"]
        )
        return self._answer(request, pk)

    @extend_schema(request=TextSerializer, responses={200: RectificationSerializer}, summary="整改验收")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        rect = policy.get_visible_or_404(Rectification, request.user, pk=pk)
        forbid_before_reading(request.user, "oversight.close_rectification", rect)
        services.close_rectification(
            actor=request.user, rectification=rect, check=validated(TextSerializer, request)["text"]
        )
        return self._answer(request, pk)


def register(router):
    router.register("signals", SignalViewSet, basename="signal")
    router.register("warnings", WarningViewSet, basename="warning")
    router.register("handling", HandlingViewSet, basename="handling")
    router.register("rectifications", RectificationViewSet, basename="rectification")
