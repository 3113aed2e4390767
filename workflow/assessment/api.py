"""Phase four's questionnaires through the API: the questionnaires a person may see (the office and the
leading group of its court or above, the court's leaders), their results where the results page shows them
(after the questionnaire ends; free-text answers and groups only from MIN_GROUP answers on), and for a
person the questionnaires they are invited to answer, with the answer sheet submitted through the same
service as the answer page. The office writes through the same services as the questionnaire pages: a new
questionnaire (draft), its items, sending it to the staff of courts and divisions, publishing and closing it,
and 限期整改 ordered from an item under its threshold. The answer stays anonymous: the answer call returns
nothing that names the response, and nothing but the token's ``used`` flag and the anonymous response is written.

Registered on the root router by hkcourt/urls.py (this sub-app is sealed: nobody else imports it)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import (
    Conflict,
    EmptySerializer,
    ScopedPrimaryKeyField,
    StrictSerializer,
    forbid_before_reading,
    validated,
)
from hkcourt.org import policy
from hkcourt.org.models import Court, Division, Person
from hkcourt.org.policy import allowed_actions
from workflow.models import Campaign

from . import selectors, services
from .models import MIN_GROUP, TEXT_ANSWER_LIMIT, Choice, Invitation, Item, ItemKind, Questionnaire, QuestionnaireKind

# ---------------------------------------------------------------- questionnaires (read)


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "number", "text", "satisfied"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Item
        fields = ["id", "number", "kind", "text", "required", "choices"]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer):
    is_public = serializers.BooleanField(read_only=True)
    n_invited = serializers.IntegerField(read_only=True, help_text="发放（答卷邀请）数")
    n_responses = serializers.IntegerField(read_only=True, help_text="已收答卷数")

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "court",
            "campaign",
            "kind",
            "title",
            "opens_on",
            "closes_on",
            "state",
            "is_public",
            "n_invited",
            "n_responses",
        ]
        read_only_fields = fields


class QuestionnaireDetailSerializer(QuestionnaireSerializer):
    items = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以进行的操作")

    class Meta(QuestionnaireSerializer.Meta):
        fields = QuestionnaireSerializer.Meta.fields + [
            "intro",
            "rating_threshold",
            "satisfaction_threshold",
            "items",
            "actions",
        ]
        read_only_fields = fields

    def get_items(self, q) -> ItemSerializer(many=True):
        return ItemSerializer(self.context["items"], many=True).data

    def get_actions(self, q) -> dict[str, bool]:
        return allowed_actions(self.context["request"].user, q)


# ---------------------------------------------------------------- results (what the results page shows)


class ChoiceCountSerializer(serializers.Serializer):
    choice = serializers.IntegerField(source="choice.pk")
    text = serializers.CharField(source="choice.text")
    satisfied = serializers.BooleanField(source="choice.satisfied")
    n = serializers.IntegerField()
    pct = serializers.IntegerField()


class RatingCountSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    n = serializers.IntegerField()


class TextCountSerializer(serializers.Serializer):
    text = serializers.CharField()
    n = serializers.IntegerField(help_text="写下相同文字的人数")


class GroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    answered = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)


class ItemStatsSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    number = serializers.IntegerField(source="item.number")
    kind = serializers.ChoiceField(source="item.kind", choices=ItemKind.choices)
    text = serializers.CharField(source="item.text")
    answered = serializers.IntegerField(help_text="作答人数")
    choices = ChoiceCountSerializer(many=True)
    ratings = RatingCountSerializer(many=True)
    mean = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True, help_text="满意率（%）")
    texts = TextCountSerializer(
        many=True, allow_null=True, help_text=f"文字回答；不足{MIN_GROUP}份时为空（为保护作答人不予显示）"
    )
    level = serializers.ChoiceField(choices=["court", "division"], help_text="分组结果的层级")
    groups = GroupSerializer(many=True, help_text=f"不少于{MIN_GROUP}份的单位（较小的单位合并）")
    hidden_groups = serializers.IntegerField(help_text="合计不足最小份数、不予显示的单位数")
    below = serializers.BooleanField(help_text="低于整改线")
    threshold = serializers.CharField()
    rectification = serializers.IntegerField(source="item.rectification_id", allow_null=True)


class ParticipationSerializer(serializers.Serializer):
    label = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="答卷总数")
    public = serializers.IntegerField(help_text="其中经公开链接的答卷数")
    pending = serializers.BooleanField(help_text="问卷进行中：各题结果在问卷结束后才给出")
    min_group = serializers.IntegerField()
    participation = ParticipationSerializer(many=True)
    stats = ItemStatsSerializer(many=True)


# ---------------------------------------------------------------- building and distributing (requests)


class QuestionnaireCreateSerializer(StrictSerializer):
    court = ScopedPrimaryKeyField(Court, help_text="问卷所属法院（本办公室所在或下级法院）")
    kind = serializers.ChoiceField(choices=QuestionnaireKind.choices, default=QuestionnaireKind.SURVEY)
    title = serializers.CharField(max_length=120)
    intro = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    rating_threshold = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=1,
        max_value=5,
        required=False,
        coerce_to_string=False,
        help_text="评分整改线（1–5分，如 3.5；默认 3.5）",
    )
    satisfaction_threshold = serializers.IntegerField(
        min_value=0, max_value=100, default=80, help_text="满意率整改线（%）"
    )
    campaign = ScopedPrimaryKeyField(
        Campaign,
        scope=lambda user, _context: selectors.campaigns_for(user),
        required=False,
        allow_null=True,
        default=None,
        help_text="所属工作方案（进行中的）",
    )


class ItemCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    text = serializers.CharField(max_length=300)
    required = serializers.BooleanField(default=True)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=60,
        required=False,
        default=list,
        help_text="选择题的选项（依次）",
    )
    satisfied = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=60,
        required=False,
        default=list,
        help_text="计为满意的选项序号（从1起）",
    )


def _send_courts(user, context):
    q = context["questionnaire"]
    return Court.objects.visible_to(user).filter(path__startswith=q.court.path)


def _send_divisions(user, context):
    q = context["questionnaire"]
    return Division.objects.visible_to(user).filter(court__path__startswith=q.court.path).select_related("court")


class SendSerializer(StrictSerializer):
    courts = ScopedPrimaryKeyField(
        Court, scope=_send_courts, many=True, required=False, default=list, help_text="发放到这些法院的全体人员"
    )
    divisions = ScopedPrimaryKeyField(
        Division, scope=_send_divisions, many=True, required=False, default=list, help_text="发放到这些庭室的人员"
    )


def _rectify_owners(user, context):
    return Person.objects.visible_to(user).filter(user__in=selectors.owner_choices(context["questionnaire"]))


class RectifySerializer(StrictSerializer):
    owner = ScopedPrimaryKeyField(Person, scope=_rectify_owners, help_text="整改责任人（问卷所属法院的人员编号）")
    deadline = serializers.DateField(help_text="整改期限")
    plan = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RectificationOpenedSerializer(serializers.Serializer):
    rectification = serializers.IntegerField(help_text="整改编号（/api/v1/rectifications/{id}/）")
    code = serializers.CharField()


class SentSerializer(serializers.Serializer):
    invited = serializers.IntegerField(help_text="新发出的答卷邀请数（已收到过的不重复发送）")


class QuestionnaireViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """问卷调查与民主测评: the office and the leading group of the court or a court above, the court's leaders.
    The office of the questionnaire's court builds, sends, publishes and closes it, and orders 限期整改 from
    an item under its threshold."""

    serializer_class = QuestionnaireSerializer

    def get_queryset(self):
        return selectors.questionnaires(self.request.user)

    def _detail(self, request, pk, code=status.HTTP_200_OK):
        q = selectors.get_questionnaire(request.user, pk)
        q.n_invited, q.n_responses = q.invitations.count(), q.responses.count()
        context = {"request": request, "items": selectors.items_of(q)}
        return Response(QuestionnaireDetailSerializer(q, context=context).data, status=code)

    @extend_schema(summary="问卷详情（含题目）", responses={200: QuestionnaireDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(request, pk)

    @extend_schema(
        summary="制作问卷（草稿；领导小组办公室）",
        request=QuestionnaireCreateSerializer,
        responses={201: QuestionnaireDetailSerializer},
    )
    def create(self, request):
        forbid_before_reading(request.user, "assessment.create", None)  # 403 for who is no office anywhere
        data = validated(QuestionnaireCreateSerializer, request)
        q = services.create_questionnaire(actor=request.user, **data)  # no rating_threshold: the service's 3.50
        return self._detail(request, q.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="添加题目（草稿）", request=ItemCreateSerializer, responses={201: QuestionnaireDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        q = selectors.get_questionnaire(request.user, pk)
        forbid_before_reading(request.user, "assessment.edit", q)
        data = validated(ItemCreateSerializer, request)
        services.add_item(actor=request.user, questionnaire=q, **data)
        return self._detail(request, pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="发放问卷（向所选法院、庭室的人员发送一次性答卷链接）",
        request=SendSerializer,
        responses={200: SentSerializer},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        q = selectors.get_questionnaire(request.user, pk)
        forbid_before_reading(request.user, "assessment.send", q)
        data = validated(SendSerializer, request, questionnaire=q)
        n = services.send_to_staff(
            actor=request.user, questionnaire=q, courts=data["courts"], divisions=data["divisions"]
        )
        return Response({"invited": n})

    @extend_schema(
        summary="向社会公开（公开链接）", request=EmptySerializer, responses={200: QuestionnaireDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        q = selectors.get_questionnaire(request.user, pk)
        forbid_before_reading(request.user, "assessment.publish", q)
        validated(EmptySerializer, request)
        services.publish(actor=request.user, questionnaire=q)
        return self._detail(request, pk)

    @extend_schema(summary="结束问卷", request=EmptySerializer, responses={200: QuestionnaireDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        q = selectors.get_questionnaire(request.user, pk)
        forbid_before_reading(request.user, "assessment.close", q)
        validated(EmptySerializer, request)
        services.close(actor=request.user, questionnaire=q)
        return self._detail(request, pk)

    @extend_schema(
        summary="根据结果下达限期整改（某题低于整改线；问卷结束后）",
        parameters=[OpenApiParameter("item", int, OpenApiParameter.PATH, description="题目的编号（结果中的 item）")],
        request=RectifySerializer,
        responses={201: RectificationOpenedSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item>[0-9]+)/rectify", url_name="rectify")
    def rectify(self, request, pk=None, item=None):
        q = selectors.get_questionnaire(request.user, pk)
        row = Item.objects.filter(questionnaire=q, pk=item).first()  # an item of this questionnaire, else 404
        if row is None:
            raise Http404
        row.questionnaire = q
        forbid_before_reading(request.user, "assessment.rectify", row)
        data = validated(RectifySerializer, request, questionnaire=q)
        rect = services.open_rectification(
            actor=request.user, item=row, owner=data["owner"].user, deadline=data["deadline"], plan=data["plan"]
        )
        return Response({"rectification": rect.pk, "code": rect.code}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="问卷结果（同结果页：问卷结束后给出；不足最小份数的不予显示）", responses={200: ResultsSerializer}
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        q = selectors.get_questionnaire(request.user, pk)
        policy.check(request.user, "assessment.results", q)
        return Response(ResultsSerializer({**selectors.results(q), "min_group": MIN_GROUP}).data)


# ---------------------------------------------------------------- answering one's own invitation


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "单选题的选项编号，或评分题的分数（1–5）"},
            {"type": "array", "items": {"type": "integer"}, "description": "多选题的选项编号"},
            {"type": "string", "maxLength": TEXT_ANSWER_LIMIT, "description": "文字题的回答"},
        ]
    }
)
class AnswerValueField(serializers.JSONField):
    """An integer (a choice or a score), a list of integers (choices) or a text: the service checks each
    against its item."""

    def to_internal_value(self, data):
        ok = (
            (isinstance(data, int) and not isinstance(data, bool))
            or isinstance(data, str)
            or (isinstance(data, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in data))
        )
        if not ok:
            raise serializers.ValidationError(_("类型不对：请按接口说明给出。"))
        return data


class AnswerSheetSerializer(StrictSerializer):
    answers = serializers.DictField(
        child=AnswerValueField(),
        help_text="题目编号 → 回答（单选：选项编号；多选：选项编号列表；评分：1–5；文字题：文字）",
    )


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    used = serializers.BooleanField(help_text="已提交过答卷")
    questionnaire = serializers.IntegerField(source="questionnaire.pk")
    title = serializers.CharField(source="questionnaire.title")
    kind = serializers.ChoiceField(source="questionnaire.kind", choices=QuestionnaireKind.choices)
    court = serializers.IntegerField(source="questionnaire.court_id")
    opens_on = serializers.DateField(source="questionnaire.opens_on")
    closes_on = serializers.DateField(source="questionnaire.closes_on")


class InvitationDetailSerializer(InvitationSerializer):
    intro = serializers.CharField(source="questionnaire.intro")
    refusal = serializers.CharField(help_text="现在不能作答的原因（可以作答时为空）")
    items = ItemSerializer(many=True)


class SurveyInvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """请我填写的问卷: a person's own invitations. The list holds those that accept answers today and are
    not answered yet (as the questionnaire page's list); one invitation is readable and answerable by its
    recipient only (anyone else: 404)."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # for the schema (the path's type); rows come from get_queryset

    def get_queryset(self):
        return selectors.my_invitations(self.request.user)

    @extend_schema(summary="请我填写的问卷（含题目）", responses={200: InvitationDetailSerializer})
    def retrieve(self, request, pk=None):
        invitation = selectors.get_invitation(request.user, pk)
        q = invitation.questionnaire
        invitation.refusal = q.refusal()
        invitation.items = selectors.items_of(q)
        return Response(InvitationDetailSerializer(invitation).data)

    @extend_schema(
        summary="提交答卷（匿名：答卷不记录作答人、令牌和时间）",
        request=AnswerSheetSerializer,
        responses={200: inline_serializer("AnswerSubmitted", {"submitted": serializers.BooleanField()})},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        invitation = selectors.get_invitation(request.user, pk)
        answers = validated(AnswerSheetSerializer, request)["answers"]
        try:
            services.answer_with_token(token=invitation.token, answers=answers)
        except ValidationError as exc:
            if getattr(exc, "code", None) == services.STATE_CODE:
                raise Conflict(exc.messages[0]) from None
            raise
        return Response({"submitted": True})


def register(router):
    router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
    router.register("survey-invitations", SurveyInvitationViewSet, basename="survey-invitation")
