"""Commitment letters through the API: the scoped list and detail, the PDF (the stored signed edition; a
drafted letter's preview), and signing/countersigning with the password re-entered — the same services as the
letter page, with the same lockout after five wrong passwords."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from hkcourt.api.rest import EmptySerializer, PdfRenderer, StrictSerializer, forbid_before_reading, validated
from hkcourt.org import policy

from . import selectors, services
from .models import CommitmentLetter, Edition, Kind, LetterState
from .rendering import RenderError


class LetterSerializer(serializers.ModelSerializer):
    signer = serializers.CharField(source="signer.username", read_only=True)
    countersigner = serializers.CharField(source="countersigner.username", read_only=True, allow_null=True)

    class Meta:
        model = CommitmentLetter
        fields = [
            "id",
            "template",
            "kind",
            "court",
            "division",
            "post",
            "signer",
            "countersigner",
            "countersigner_role",
            "version",
            "state",
            "signed_at",
            "countersigned_at",
            "verification_code",
            "superseded_at",
        ]
        read_only_fields = fields


class LetterDetailSerializer(LetterSerializer):
    body = serializers.JSONField(read_only=True)
    supplement = serializers.CharField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(LetterSerializer.Meta):
        fields = LetterSerializer.Meta.fields + ["body", "supplement", "actions"]
        read_only_fields = fields

    def get_actions(self, letter) -> dict[str, bool]:
        return policy.allowed_actions(self.context["request"].user, letter)


class PasswordSerializer(StrictSerializer):
    password = serializers.CharField(max_length=128, help_text=_("本人登录密码（签订和审核确认须重新输入）"))


def _verify_base(request):
    return request.build_absolute_uri("/")


@extend_schema_view(
    list=extend_schema(
        summary="承诺书列表（范围内）",
        parameters=[
            OpenApiParameter("state", str, enum=[*LetterState.values, "superseded"]),
            OpenApiParameter("kind", str, enum=Kind.values),
            OpenApiParameter("mine", str, enum=["true", "false"], description="只看我自己的"),
        ],
    ),
)
class LetterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self):
        params = self.request.query_params
        errors = {}
        for name, allowed in (
            ("state", [*LetterState.values, "superseded"]),
            ("kind", Kind.values),
            ("mine", ["true", "false"]),
        ):
            values = params.getlist(name)
            if len(values) > 1 or (values and values[0] not in allowed):
                errors[name] = [", ".join(allowed)]
        if errors:
            raise serializers.ValidationError(errors)
        return selectors.letter_list(
            self.request.user,
            state=params.get("state", ""),
            kind=params.get("kind", ""),
            mine=params.get("mine") == "true",
        )

    def get_serializer_class(self):
        return LetterSerializer if self.action == "list" else LetterDetailSerializer

    def retrieve(self, request, pk=None):
        letter = selectors.letter_detail(request.user, pk)
        return Response(LetterDetailSerializer(letter, context={"request": request}).data)

    @extend_schema(
        summary="承诺书PDF（已签订的为存档文件；待签订的为样稿）",
        parameters=[OpenApiParameter("edition", str, enum=Edition.values, description="版本，默认最新")],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        letter = policy.get_for_action_or_404(
            CommitmentLetter.objects.select_related("court"), request.user, "commitments.download_pdf", pk=pk
        )
        wanted = request.query_params.get("edition")  # absent: the latest; present, it must name an edition
        if wanted is not None and wanted not in Edition.values:
            raise serializers.ValidationError({"edition": [", ".join(Edition.values)]})
        name = f"letter-{letter.pk}-v{letter.version}"
        if letter.state == LetterState.DRAFTED:
            try:
                result = services.render_letter(letter, verify_base=_verify_base(request))
            except RenderError:
                raise ValidationError(_("样稿生成失败，请稍后重试。")) from None
            response = HttpResponse(result.pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{name}-draft.pdf"'
            return response
        documents = selectors.documents_of(letter)
        document = next((d for d in reversed(documents) if not wanted or d.edition == wanted), None)
        if document is None:
            raise NotFound
        response = FileResponse(
            document.file.open("rb"), content_type="application/pdf", filename=f"{name}-{document.edition}.pdf"
        )
        response["X-Content-SHA256"] = document.sha256
        return response

    def _sign(self, request, pk, rule, service):
        letter = selectors.letter_detail(request.user, pk)
        forbid_before_reading(request.user, rule, letter)
        data = validated(PasswordSerializer, request)
        service(actor=request.user, letter=letter, password=data["password"], verify_base=_verify_base(request))
        letter = selectors.letter_detail(request.user, pk)
        return Response(LetterDetailSerializer(letter, context={"request": request}).data)

    @extend_schema(
        request=PasswordSerializer, responses={200: LetterDetailSerializer}, summary="签订（须输入本人密码）"
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._sign(request, pk, "commitments.sign", services.sign_letter)

    @extend_schema(
        request=PasswordSerializer,
        responses={200: LetterDetailSerializer},
        summary="监督人签字 / 审核确认（须输入本人密码）",
    )
    @action(detail=True, methods=["post"])
    def countersign(self, request, pk=None):
        return self._sign(request, pk, "commitments.countersign", services.countersign_letter)

    @extend_schema(request=EmptySerializer, responses={200: LetterDetailSerializer}, summary="归档（领导小组办公室）")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        letter = selectors.letter_detail(request.user, pk)
        forbid_before_reading(request.user, "commitments.archive", letter)
        validated(EmptySerializer, request)
        services.archive_letter(actor=request.user, letter=letter)
        letter = selectors.letter_detail(request.user, pk)
        return Response(LetterDetailSerializer(letter, context={"request": request}).data)


def register(router):
    router.register("letters", LetterViewSet, basename="letter")
