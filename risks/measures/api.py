"""Prevention measures and the court rules register through the API: the scoped lists and details, setting a
measure on a risk point and its actions (in place, checked, acknowledged), and registering a court rule with
the risk points and powers it covers, through ``risks.measures.services``."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import EmptySerializer, ScopedPrimaryKeyField, StrictSerializer, forbid_before_reading, validated
from hkcourt.org.models import Court, Person
from hkcourt.org.policy import allowed_actions
from risks.measures import selectors, services
from risks.measures.models import CourtRule, Measure, MeasureCategory, MeasureKind, MeasureStatus
from risks.models import TEXT_LIMIT, Power, RiskPoint
from risks.selectors import risk_point_or_404


class MeasureSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "risk_point",
            "court",
            "division",
            "kind",
            "category",
            "title",
            "description",
            "rule",
            "owner",
            "deadline",
            "status",
            "is_overdue",
            "in_place_at",
            "in_place_note",
            "checked_at",
            "check_note",
            "acknowledged_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, measure) -> bool:
        return measure.status == MeasureStatus.PLANNED and measure.deadline < timezone.localdate()


class MeasureDetailSerializer(MeasureSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(MeasureSerializer.Meta):
        fields = MeasureSerializer.Meta.fields + ["actions"]
        read_only_fields = fields

    def get_actions(self, measure) -> dict[str, bool]:
        return allowed_actions(self.context["request"].user, measure)


class MeasureCreateSerializer(StrictSerializer):
    risk_point = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    category = serializers.ChoiceField(choices=MeasureCategory.choices)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=2000)
    owner = serializers.IntegerField(min_value=1, help_text=_("责任人（人员编号）"))
    deadline = serializers.DateField()
    rule = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CourtRuleSerializer(serializers.ModelSerializer):
    risk_points = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    powers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = CourtRule
        fields = ["id", "court", "title", "number", "issued_on", "text", "file_name", "risk_points", "powers"]
        read_only_fields = fields


FLAG = ["true", "false"]


@extend_schema_view(
    list=extend_schema(
        summary="防控措施（范围内）",
        parameters=[
            OpenApiParameter("status", str, enum=MeasureStatus.values),
            OpenApiParameter("kind", str, enum=MeasureKind.values),
            OpenApiParameter("category", str, enum=MeasureCategory.values),
            OpenApiParameter("overdue", str, enum=FLAG),
            OpenApiParameter("mine", str, enum=FLAG),
            OpenApiParameter("q", str),
        ],
    )
)
class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        params = self.request.query_params
        errors = {}
        for name, allowed in (
            ("status", MeasureStatus.values),
            ("kind", MeasureKind.values),
            ("category", MeasureCategory.values),
            ("overdue", FLAG),
            ("mine", FLAG),
        ):
            values = params.getlist(name)
            if len(values) > 1 or (values and values[0] not in allowed):
                errors[name] = [", ".join(allowed)]
        if errors:
            raise serializers.ValidationError(errors)
        return selectors.measure_list(
            self.request.user,
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            category=params.get("category", ""),
            overdue=params.get("overdue") == "true",
            mine=params.get("mine") == "true",
            q=params.get("q", "").strip(),
        )

    def get_serializer_class(self):
        return MeasureSerializer if self.action == "list" else MeasureDetailSerializer

    def _answer(self, request, pk, code=status.HTTP_200_OK):
        measure = selectors.measure_detail(request.user, pk)
        return Response(MeasureDetailSerializer(measure, context={"request": request}).data, status=code)

    def retrieve(self, request, pk=None):
        return self._answer(request, pk)

    @extend_schema(
        request=MeasureCreateSerializer, responses={201: MeasureDetailSerializer}, summary="为风险点制定措施"
    )
    def create(self, request):
        data = validated(MeasureCreateSerializer, request)
        rp = risk_point_or_404(request.user, data["risk_point"], "court", "division")  # out of scope: 404
        forbid_before_reading(request.user, "measures.create", rp)
        owner = Person.objects.visible_to(request.user).filter(pk=data["owner"]).select_related("user").first()
        if owner is None:
            raise serializers.ValidationError({"owner": [_("责任人不存在或不在您的范围内。")]})
        rule = None
        if data.get("rule"):
            rule = selectors.rules(request.user).filter(pk=data["rule"]).first()
            if rule is None:
                raise serializers.ValidationError({"rule": [_("制度不存在或不在您的范围内。")]})
        measure = services.create_measure(
            actor=request.user,
            risk_point=rp,
            kind=data["kind"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            owner=owner.user,
            deadline=data["deadline"],
            rule=rule,
        )
        return self._answer(request, measure.pk, status.HTTP_201_CREATED)

    def _act(self, request, pk, rule, serializer_class, call):
        measure = selectors.measure_detail(request.user, pk)
        forbid_before_reading(request.user, rule, measure)
        call(measure, validated(serializer_class, request))
        return self._answer(request, pk)

    @extend_schema(request=NoteSerializer, responses={200: MeasureDetailSerializer}, summary="标记为已落实")
    @action(detail=True, methods=["post"], url_path="in-place", url_name="in-place")
    def in_place(self, request, pk=None):
        return self._act(
            request,
            pk,
            "measures.put_in_place",
            NoteSerializer,
            lambda m, d: services.mark_in_place(actor=request.user, measure=m, note=d["note"]),
        )

    @extend_schema(request=NoteSerializer, responses={200: MeasureDetailSerializer}, summary="检查（领导小组办公室）")
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        return self._act(
            request,
            pk,
            "measures.check",
            NoteSerializer,
            lambda m, d: services.check_measure(actor=request.user, measure=m, note=d["note"]),
        )

    @extend_schema(request=EmptySerializer, responses={200: MeasureDetailSerializer}, summary="责任领导确认")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._act(
            request,
            pk,
            "measures.acknowledge",
            EmptySerializer,
            lambda m, d: services.acknowledge(actor=request.user, measure=m),
        )


class CourtRuleCreateSerializer(StrictSerializer):
    court = ScopedPrimaryKeyField(Court, help_text=_("制定制度的法院（本办公室所在或下级法院）"))
    title = serializers.CharField(max_length=120)
    number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="", help_text=_("文号"))
    issued_on = serializers.DateField(help_text=_("印发日期"))
    text = serializers.CharField(max_length=TEXT_LIMIT * 10, help_text=_("制度内容（制度文件在页面上传）"))
    risk_points = ScopedPrimaryKeyField(
        RiskPoint, many=True, required=False, default=list, help_text=_("覆盖的风险点（本院的）")
    )
    powers = ScopedPrimaryKeyField(Power, many=True, required=False, default=list, help_text=_("覆盖的职权（本院的）"))


class CourtRuleViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """单位定制度: the court rules register; the office registers a rule of its court."""

    serializer_class = CourtRuleSerializer

    def get_queryset(self):
        return selectors.rules(self.request.user)

    @extend_schema(
        request=CourtRuleCreateSerializer, responses={201: CourtRuleSerializer}, summary="登记制度（领导小组办公室）"
    )
    def create(self, request):
        forbid_before_reading(request.user, "measures.create_rule")  # 403 for who is no office anywhere
        data = validated(CourtRuleCreateSerializer, request)
        rule = services.create_rule(actor=request.user, **data)
        return Response(
            CourtRuleSerializer(selectors.rules(request.user).get(pk=rule.pk)).data, status=status.HTTP_201_CREATED
        )


def register(router):
    router.register("measures", MeasureViewSet, basename="measure")
    router.register("court-rules", CourtRuleViewSet, basename="court-rule")
