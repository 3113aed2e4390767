"""The registry's REST endpoints: risk points (the list page's filters, search and ordering; create own;
update own draft; the transitions as actions calling the same services), their gradings, and the power
catalogue, flowchart steps and key links (read). Rows come from the selectors (``visible_to``); every write
goes through ``risks.services``, which ask the policy: out of scope 404, forbidden 403, wrong state 409."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import Conflict, CursorPagination, ScopedPrimaryKeyField, StrictSerializer
from hkcourt.org.policy import STATE, Refusal, allowed_actions, decide

from . import selectors, services
from .models import Grade, KeyLink, Level, Power, PowerStep, RiskGrading, RiskPoint, Source, State

# ---------------------------------------------------------------- serializers (responses)


class KeyLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyLink
        fields = ["id", "area", "name"]


class PowerStepSerializer(serializers.ModelSerializer):
    next_steps = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PowerStep
        fields = ["id", "power", "order", "name", "actor", "time_limit_days", "is_end", "next_steps"]


class PowerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Power
        fields = [
            "id",
            "court",
            "division",
            "name",
            "content",
            "legal_basis",
            "conditions",
            "procedure",
            "time_limit_days",
            "supervision",
            "business_area",
            "major_matter",
            "is_active",
        ]


class PowerDetailSerializer(PowerSerializer):
    posts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    steps = PowerStepSerializer(many=True, read_only=True)

    class Meta(PowerSerializer.Meta):
        fields = PowerSerializer.Meta.fields + ["posts", "steps"]


class RiskPointSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True, help_text="未评定时为空")
    owner = serializers.CharField(source="owner.username", read_only=True)
    key_links = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RiskPoint
        fields = [
            "id",
            "code",
            "court",
            "division",
            "post",
            "owner",
            "level",
            "power",
            "step",
            "description",
            "manifestations",
            "source",
            "key_links",
            "state",
            "grade",
            "responsible_leader",
            "publicity_ends",
            "campaign_year",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RiskPointDetailSerializer(RiskPointSerializer):
    actions = serializers.SerializerMethodField(help_text=_("当前用户现在可以进行的操作"))

    class Meta(RiskPointSerializer.Meta):
        fields = RiskPointSerializer.Meta.fields + ["actions"]
        read_only_fields = fields

    def get_actions(self, rp) -> dict[str, bool]:
        return allowed_actions(self.context["request"].user, rp)


class RiskGradingSerializer(serializers.ModelSerializer):
    factors = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    graded_by = serializers.CharField(source="graded_by.username", read_only=True)

    class Meta:
        model = RiskGrading
        fields = ["id", "tier", "factors", "suggested", "grade", "reason", "graded_by", "graded_at"]
        read_only_fields = fields


# ---------------------------------------------------------------- serializers (requests)


def _version():
    return serializers.IntegerField(min_value=1, required=False, help_text=_("读取时的版本号；他人已修改时答 409"))


class RiskPointWriteSerializer(StrictSerializer):
    description = serializers.CharField(max_length=2000)
    manifestations = serializers.CharField(max_length=2000)
    power = ScopedPrimaryKeyField(Power, required=False, allow_null=True, help_text=_("职权（本人可见的职权目录中）"))
    step = ScopedPrimaryKeyField(PowerStep, required=False, allow_null=True, help_text=_("所选职权的流程环节"))
    source = serializers.ChoiceField(choices=Source.choices, default=Source.SELF)
    # The plan's list of key links is the same for every court (no scope).
    key_links = serializers.PrimaryKeyRelatedField(queryset=KeyLink.objects.all(), many=True, required=False)


class RiskPointCreateSerializer(RiskPointWriteSerializer):
    level = serializers.ChoiceField(choices=Level.choices, default=Level.POST)


class RiskPointUpdateSerializer(RiskPointWriteSerializer):
    version = serializers.IntegerField(min_value=1, help_text=_("读取时的版本号；他人已修改时答 409"))


class VersionSerializer(StrictSerializer):
    version = _version()


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)
    version = _version()


class GradeSerializer(StrictSerializer):
    importance = serializers.IntegerField(min_value=1, max_value=3)
    discretion = serializers.IntegerField(min_value=1, max_value=3)
    probability = serializers.IntegerField(min_value=1, max_value=3)
    harm = serializers.IntegerField(min_value=1, max_value=3)
    grade = serializers.ChoiceField(choices=Grade.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class ConfirmSerializer(StrictSerializer):
    date = serializers.DateField()
    participants = serializers.CharField(max_length=2000)
    minutes = serializers.CharField(max_length=4000)


class PublishSerializer(StrictSerializer):
    publicity_ends = serializers.DateField()


# ---------------------------------------------------------------- risk points

SORT_PARAM = OpenApiParameter(
    "sort",
    str,
    enum=["-updated_at", "updated_at", "grade_rank", "-grade_rank", "id"],
    description="排序（同列表页）：最近更新、最早更新、等级从高到低、等级从低到高、按编号",
)
FILTER_PARAMS = [
    OpenApiParameter("q", str, description="搜索描述与表现形式"),
    OpenApiParameter("court", int),
    OpenApiParameter("division", int),
    OpenApiParameter("level", str, enum=Level.values),
    OpenApiParameter("grade", str, enum=Grade.values),
    OpenApiParameter("source", str, enum=Source.values),
    OpenApiParameter("key_link", int),
    OpenApiParameter("campaign", int, description="工作年度"),
    OpenApiParameter("area", str, description="业务领域"),
    OpenApiParameter("major", str, enum=["1"], description="仅“三重一大”"),
    OpenApiParameter("review", str, enum=["true", "false"], description="待我审核"),
    OpenApiParameter("mine", str, enum=["true", "false"], description="只看我提出的"),
    OpenApiParameter("state", str, enum=State.values),
    SORT_PARAM,
]
# Cursor pagination needs an order of columns on the row itself, ending with the primary key.
CURSOR_ORDER = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "grade_rank": ("-grade_rank", "-updated_at", "-id"),
    "-grade_rank": ("grade_rank", "-updated_at", "-id"),
    "id": ("id",),
}


BOOLEANS = ["true", "false"]


class RiskPointPagination(CursorPagination):
    def get_ordering(self, request, queryset, view):
        return CURSOR_ORDER.get(request.query_params.get("sort", "-updated_at"), CURSOR_ORDER["-updated_at"])


def _transition(view, request, pk, serializer_class, call):
    """One transition: the point in scope (else 404); forbidden answers 403 before the body is read, as the
    pages do (hkcourt/org/actions.py); the input checked (400); the service called (it checks again: 403/409)."""
    rp = selectors.risk_point_or_404(request.user, pk)
    decision = decide(request.user, f"risks.{view.action.rstrip('_')}", rp)
    if not decision.allowed and decision.code != STATE:
        raise Refusal(decision.message, decision.code)
    data = serializer_class(data=request.data or {})
    data.is_valid(raise_exception=True)
    try:
        call(rp, data.validated_data)
    except services.Conflict as exc:
        raise Conflict(exc.messages[0]) from None
    return Response(
        RiskPointDetailSerializer(selectors.risk_point_detail(request.user, pk), context={"request": request}).data
    )


TRANSITION = {"responses": {200: RiskPointDetailSerializer}}


@extend_schema_view(
    list=extend_schema(parameters=FILTER_PARAMS, summary="风险点列表（范围内，筛选同列表页）"),
    retrieve=extend_schema(summary="风险点详情（含当前可进行的操作）"),
)
class RiskPointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    pagination_class = RiskPointPagination
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _check_params(self):
        """What the page tolerates (an unknown tab or order falls back), the API refuses: 400 names the field."""
        params, errors = self.request.query_params, {}
        checks = {
            "state": State.values,
            "sort": list(CURSOR_ORDER),
            "review": BOOLEANS,
            "mine": BOOLEANS,
        }
        for name, allowed in checks.items():
            values = params.getlist(name)
            if len(values) > 1 or (values and values[0] not in allowed):
                errors[name] = [_("可选值：%(values)s") % {"values": ", ".join(allowed)}]
        if errors:
            raise serializers.ValidationError(errors)

    def get_queryset(self):
        if self.action == "list":
            self._check_params()
            filterset, _filtered, rows = selectors.filtered_risk_points(
                self.request.user, self.request.query_params, self.request
            )
            if not filterset.is_valid():
                raise serializers.ValidationError(filterset.errors)
            # for_list() gives the key links' names as an array column; the API answers their ids: one prefetch.
            return rows.annotate(grade_rank=selectors.GRADE_RANK).for_list().prefetch_related("key_links")
        return selectors.risk_points(self.request.user)

    def get_serializer_class(self):
        return RiskPointSerializer if self.action == "list" else RiskPointDetailSerializer

    def retrieve(self, request, pk=None):
        rp = selectors.risk_point_detail(request.user, pk)
        return Response(RiskPointDetailSerializer(rp, context={"request": request}).data)

    @extend_schema(
        request=RiskPointCreateSerializer, responses={201: RiskPointDetailSerializer}, summary="新建风险点（草稿）"
    )
    def create(self, request):
        data = RiskPointCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        rp = services.create_risk_point(actor=request.user, **data.validated_data)
        rp = selectors.risk_point_detail(request.user, rp.pk)
        return Response(
            RiskPointDetailSerializer(rp, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=RiskPointUpdateSerializer, responses={200: RiskPointDetailSerializer}, summary="修改自己的草稿"
    )
    def update(self, request, pk=None, partial=False):
        rp = selectors.risk_point_or_404(request.user, pk)
        data = RiskPointUpdateSerializer(data=request.data, partial=partial, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if partial:  # a PATCH keeps what it does not name
            current = {
                "description": rp.description,
                "manifestations": rp.manifestations,
                "power": rp.power,
                "step": rp.step,
                "source": rp.source,
                "key_links": list(rp.key_links.all()),
            }
            values = {**current, **values}
        version = values.pop("version", rp.version)
        try:
            services.update_risk_point(actor=request.user, risk_point=rp, expected_version=version, **values)
        except services.Conflict as exc:
            raise Conflict(exc.messages[0]) from None
        rp = selectors.risk_point_detail(request.user, pk)
        return Response(RiskPointDetailSerializer(rp, context={"request": request}).data)

    @extend_schema(
        request=RiskPointUpdateSerializer,
        responses={200: RiskPointDetailSerializer},
        summary="修改自己的草稿（部分字段）",
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=VersionSerializer, summary="提交审核", **TRANSITION)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return _transition(
            self,
            request,
            pk,
            VersionSerializer,
            lambda rp, d: services.submit(actor=request.user, risk_point=rp, expected_version=d.get("version")),
        )

    @extend_schema(request=ReasonSerializer, summary="退回（附理由）", **TRANSITION)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return _transition(
            self,
            request,
            pk,
            ReasonSerializer,
            lambda rp, d: services.return_risk_point(
                actor=request.user, risk_point=rp, reason=d["reason"], expected_version=d.get("version")
            ),
        )

    @extend_schema(request=GradeSerializer, summary="评定等级（四项因素）", **TRANSITION)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        def call(rp, d):
            services.grade(
                actor=request.user,
                risk_point=rp,
                factors={k: d[k] for k in services.FACTORS},
                grade=d["grade"],
                reason=d["reason"],
                expected_version=d["version"],
            )

        return _transition(self, request, pk, GradeSerializer, call)

    @extend_schema(request=ConfirmSerializer, summary="集体决定确定", **TRANSITION)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return _transition(
            self,
            request,
            pk,
            ConfirmSerializer,
            lambda rp, d: services.confirm(actor=request.user, risk_points=[rp], **d),
        )

    @extend_schema(request=PublishSerializer, summary="公示", **TRANSITION)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return _transition(
            self,
            request,
            pk,
            PublishSerializer,
            lambda rp, d: services.publish(actor=request.user, risk_points=[rp], **d),
        )

    @extend_schema(request=ReasonSerializer, summary="撤销（附理由）", **TRANSITION)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return _transition(
            self,
            request,
            pk,
            ReasonSerializer,
            lambda rp, d: services.retire(
                actor=request.user, risk_point=rp, reason=d["reason"], expected_version=d.get("version")
            ),
        )

    @extend_schema(responses={200: RiskGradingSerializer(many=True)}, summary="各层级的评定（提出人建议、审核、确认）")
    @action(detail=True, methods=["get"], pagination_class=None)
    def gradings(self, request, pk=None):
        rp = selectors.risk_point_or_404(request.user, pk)
        rows = [g for _tier, g in selectors.gradings(rp) if g is not None]
        return Response(RiskGradingSerializer(rows, many=True).data)


# ---------------------------------------------------------------- the catalogue (read)


class PowerViewSet(viewsets.ReadOnlyModelViewSet):
    """职权目录: the powers of the courts in the reader's organisation scope, with their flowchart steps."""

    def get_queryset(self):
        qs = Power.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return qs.prefetch_related("posts", "steps__next_steps")
        return qs

    def get_serializer_class(self):
        return PowerDetailSerializer if self.action == "retrieve" else PowerSerializer


class PowerStepViewSet(viewsets.ReadOnlyModelViewSet):
    """权力运行流程图的环节."""

    serializer_class = PowerStepSerializer

    def get_queryset(self):
        return PowerStep.objects.visible_to(self.request.user).prefetch_related("next_steps")


class KeyLinkViewSet(viewsets.ReadOnlyModelViewSet):
    """重点环节 (the plan's list, the same for every court)."""

    serializer_class = KeyLinkSerializer
    queryset = KeyLink.objects.all()


def register(router):
    router.register("risk-points", RiskPointViewSet, basename="risk-point")
    router.register("powers", PowerViewSet, basename="power")
    router.register("power-steps", PowerStepViewSet, basename="power-step")
    router.register("key-links", KeyLinkViewSet, basename="key-link")
