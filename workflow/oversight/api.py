"""The early-warning work through the API: signals and warnings (the office and the leading group), handling
and rectification (theirs, and a person's own: report-back and progress), the warning rules (read by the office
and the leading group; edited only by the top court's office, as the policy says: the rules are city-wide),
through the same selectors (each linked row through its own scope) and services as the pages."""

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import StrictSerializer, forbid_before_reading, validated
from hkcourt.org import policy
from hkcourt.org.models import Court, Division
from risks.models import RiskPoint
from workflow.oversight import selectors, services
from workflow.oversight.models import (
    Channel,
    Handling,
    HandlingKind,
    Rectification,
    ReportBack,
    Severity,
    Signal,
    TalkerLevel,
    Warning,
    WarningLevel,
    WarningRule,
)
from workflow.oversight.policy import RUNG_ACTIONS


class SignalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signal
        fields = ["id", "court", "division", "channel", "severity", "title", "content", "received_on", "created_at"]
        read_only_fields = fields


class WarningSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.kind", read_only=True)
    summary = serializers.CharField(source="display_summary", read_only=True)  # in the request's language

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
    problem = serializers.CharField(source="problem_text", read_only=True)  # the system's in the reader's language

    class Meta:
        model = Rectification
        fields = ["id", "court", "division", "owner", "problem", "plan", "deadline", "state"]
        read_only_fields = fields


class TextSerializer(StrictSerializer):
    text = serializers.CharField(max_length=2000)


class ReportBackInputSerializer(StrictSerializer):
    analysis = serializers.CharField(max_length=2000)
    commitment = serializers.CharField(max_length=2000)


class SignalCreateSerializer(StrictSerializer):
    court = serializers.IntegerField(min_value=1, help_text="法院编号（本办公室所在或下级法院）")
    channel = serializers.ChoiceField(choices=Channel.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MINOR)
    title = serializers.CharField(max_length=120)
    content = serializers.CharField(max_length=4000)
    received_on = serializers.DateField()
    division = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="涉及庭室")
    person = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="涉及人员（人员编号）")
    risk_point = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="涉及风险点")


class HandlingCreateSerializer(StrictSerializer):
    warning = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="针对的预警")
    signal = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="针对的风险信息")
    kind = serializers.ChoiceField(choices=HandlingKind.choices)
    person = serializers.IntegerField(min_value=1, help_text="处置对象（人员编号）")
    content = serializers.CharField(max_length=4000)
    report_days = serializers.IntegerField(min_value=1, max_value=60, default=services.REPORT_DAYS)
    talk_date = serializers.DateField(required=False, allow_null=True, default=None)
    talker_level = serializers.ChoiceField(choices=TalkerLevel.choices, required=False, allow_blank=True, default="")
    talkers = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    talk_record = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    rect_deadline = serializers.DateField(required=False, allow_null=True, default=None)
    rect_plan = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if bool(data.get("warning")) == bool(data.get("signal")):
            raise serializers.ValidationError({"non_field_errors": [gettext("处置须针对一条预警或风险信息。")]})
        return data


def _in_scope(queryset, pk):
    """The row the body names, in the reader's scope; else 404 (as an object outside the scope)."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


class _OversightOnly:
    """The lists of signals and warnings: the office and the leading group only (403 for others, as the list
    pages); one signal or warning outside the scope answers 404, as its page does."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "list":
            policy.check(request.user, "oversight.oversee")


class SignalViewSet(_OversightOnly, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SignalSerializer

    def get_queryset(self):
        return selectors.signals(self.request.user)

    @extend_schema(request=SignalCreateSerializer, responses={201: SignalSerializer}, summary="登记风险信息（办公室）")
    def create(self, request):
        user = request.user
        forbid_before_reading(user, "oversight.record_signal")  # 403 for who records signals nowhere
        data = validated(SignalCreateSerializer, request)
        court = _in_scope(Court.objects.visible_to(user), data["court"])
        person = _in_scope(selectors.people_for(user), data.get("person"))
        signal = services.record_signal(
            actor=user,
            court=court,
            channel=data["channel"],
            severity=data["severity"],
            title=data["title"],
            content=data["content"],
            received_on=data["received_on"],
            division=_in_scope(Division.objects.visible_to(user), data.get("division")),
            person=person.user if person is not None else None,
            risk_point=_in_scope(RiskPoint.objects.visible_to(user), data.get("risk_point")),
        )
        answer = SignalSerializer(selectors.signals(user).get(pk=signal.pk)).data
        return Response(answer, status=status.HTTP_201_CREATED)


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


class HandlingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = HandlingSerializer

    def get_queryset(self):
        return selectors.handlings(self.request.user)

    @extend_schema(
        request=HandlingCreateSerializer,
        responses={201: HandlingSerializer},
        summary="登记处置（办公室）：针对一条预警或风险信息的风险提示、诫勉谈话或责令纠错",
    )
    def create(self, request):
        user = request.user
        forbid_before_reading(user, "oversight.oversee")  # the early-warning work is the office's and the group's
        data = validated(HandlingCreateSerializer, request)
        if data.get("warning"):
            source = policy.get_visible_or_404(Warning.objects.select_related("court"), user, pk=data["warning"])
            target, rule = {"warning": source}, "oversight.handle_warning"
        else:
            source = policy.get_visible_or_404(Signal.objects.select_related("court"), user, pk=data["signal"])
            target, rule = {"signal": source}, "oversight.handle_signal"
        forbid_before_reading(user, rule, source)
        forbid_before_reading(user, RUNG_ACTIONS[data["kind"]], source)
        person = _in_scope(selectors.people_for(user), data["person"])
        handling = services.create_handling(
            actor=user,
            kind=data["kind"],
            person=person.user,
            content=data["content"],
            report_days=data["report_days"],
            talk_date=data["talk_date"],
            talker_level=data["talker_level"],
            talkers=data["talkers"],
            talk_record=data["talk_record"],
            rect_deadline=data["rect_deadline"],
            rect_plan=data["rect_plan"],
            **target,
        )
        return Response(
            HandlingSerializer(selectors.handlings(user).get(pk=handling.pk)).data, status=status.HTTP_201_CREATED
        )

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


class WarningRuleSerializer(serializers.ModelSerializer):
    updated_by = serializers.CharField(source="updated_by.username", read_only=True, allow_null=True)

    class Meta:
        model = WarningRule
        fields = ["id", "kind", "name", "level", "threshold", "window_days", "enabled", "description", "updated_by"]
        read_only_fields = fields


class WarningRuleUpdateSerializer(StrictSerializer):
    level = serializers.ChoiceField(choices=WarningLevel.choices)
    threshold = serializers.IntegerField(min_value=1, max_value=100000, help_text="阈值（条数或天数，依规则）")
    window_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True, default=None, help_text="统计期间（天）"
    )
    enabled = serializers.BooleanField(default=True)


@extend_schema_view(
    list=extend_schema(summary="预警规则（领导小组及其办公室）"),
    retrieve=extend_schema(summary="预警规则详情"),
)
class WarningRuleViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The early-warning rules, city-wide: read by the office and the leading group (403 for others, as the
    warnings page), edited by the top court's office only (``oversight.edit_rule``: 403 for every other)."""

    serializer_class = WarningRuleSerializer
    http_method_names = ["get", "put", "patch", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        policy.check(request.user, "oversight.oversee")

    def get_queryset(self):
        return selectors.rules().select_related("updated_by")

    @extend_schema(request=WarningRuleUpdateSerializer, responses={200: WarningRuleSerializer}, summary="修改预警规则")
    def update(self, request, pk=None, partial=False):
        rule = self.get_object()
        forbid_before_reading(request.user, "oversight.edit_rule", rule)
        body = WarningRuleUpdateSerializer(data=request.data, partial=partial, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if partial:  # a PATCH keeps what it does not name
            current = {"level": rule.level, "threshold": rule.threshold, "window_days": rule.window_days}
            data = {**current, "enabled": rule.enabled, **data}
        services.update_rule(actor=request.user, rule=rule, **data)
        return Response(WarningRuleSerializer(self.get_queryset().get(pk=rule.pk)).data)

    @extend_schema(
        request=WarningRuleUpdateSerializer, responses={200: WarningRuleSerializer}, summary="修改预警规则（部分字段）"
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)


def register(router):
    router.register("signals", SignalViewSet, basename="signal")
    router.register("warnings", WarningViewSet, basename="warning")
    router.register("handling", HandlingViewSet, basename="handling")
    router.register("rectifications", RectificationViewSet, basename="rectification")
    router.register("warning-rules", WarningRuleViewSet, basename="warning-rule")
