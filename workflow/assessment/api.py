"""Phase four's questionnaires through the API: the questionnaires a person may see (the office and the
leading group of its court or above, the court's leaders), their results where the results page shows them
(after the questionnaire ends; free-text answers and groups only from MIN_GROUP answers on), and for a
person the questionnaires they are invited to answer, with the answer sheet submitted through the same
service as the answer page. The answer stays anonymous: the answer call returns nothing that names the
response, and nothing but the token's ``used`` flag and the anonymous response is written.

Registered on the root router by hkcourt/urls.py (this sub-app is sealed: nobody else imports it)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hkcourt.api.rest import Conflict, StrictSerializer, validated
from hkcourt.org import policy
from hkcourt.org.policy import allowed_actions

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


class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    """问卷调查与民主测评: the office and the leading group of the court or a court above, the court's leaders."""

    serializer_class = QuestionnaireSerializer

    def get_queryset(self):
        return selectors.questionnaires(self.request.user)

    @extend_schema(summary="问卷详情（含题目）", responses={200: QuestionnaireDetailSerializer})
    def retrieve(self, request, pk=None):
        q = selectors.get_questionnaire(request.user, pk)
        q.n_invited, q.n_responses = q.invitations.count(), q.responses.count()
        context = {"request": request, "items": selectors.items_of(q)}
        return Response(QuestionnaireDetailSerializer(q, context=context).data)

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
