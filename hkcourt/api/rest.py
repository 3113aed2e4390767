"""What every endpoint shares: token authentication, the access check (body size, read-only tokens), the
throttles, the one error shape, cursor pagination, strict serializers and the schema's error responses.

Errors always answer ``{"code": …, "message": …, "fields": {…}}``; ``message`` is in the language of
``Accept-Language`` (Chinese by default). Statuses: out of scope 404 (existence does not leak), forbidden 403,
wrong state 409, bad input 400 (``fields`` names each field's problems), no credentials 401, body too large
413, too many requests 429 (``throttled``; ``locked`` when signing is locked after wrong passwords).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination, parsers, renderers, serializers, status, throttling
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from hkcourt.org.clientip import client_ip
from hkcourt.org.policy import STATE, Refusal

from .models import ApiToken

# ---------------------------------------------------------------- errors


class Conflict(exceptions.APIException):
    """The object's state (or its version) does not allow the action now."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "state"
    default_detail = gettext_lazy("对象当前的状态不允许此操作。")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = gettext_lazy("请求内容过大。")


def _messages(detail):
    """DRF's error detail as {field: [text]} (non-field errors under "non_field_errors")."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, texts in _messages(value).items():
                    out[f"{key}.{sub}"] = texts
            else:
                out[str(key)] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, message, fields=None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def exception_handler(exc, context):
    """The one answer to every refusal and error, as JSON of one shape."""
    headers = {}
    if isinstance(exc, Refusal):
        code = "state" if exc.code == STATE else "forbidden"
        return Response(error_body(code, exc.message), status=409 if exc.code == STATE else 403)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return Response(error_body("not_found", _("未找到，或您无权查看。")), status=404)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            message = next(iter(fields.values()))[0] if fields else _("输入有误。")
            fields = {("non_field_errors" if k == "__all__" else k): v for k, v in fields.items()}
        else:
            fields, message = {}, exc.messages[0] if exc.messages else _("输入有误。")
        # A service may mark its refusal: wrong state (409), or locked for a while (429, with Retry-After when
        # the service knows how long: the signing lockout after too many wrong passwords).
        status_code = getattr(exc, "api_status", None)
        if status_code == 429:
            retry_after = getattr(exc, "retry_after", None)
            if retry_after is not None:
                headers["Retry-After"] = str(int(retry_after))
            return Response(error_body("locked", message, fields), status=429, headers=headers)
        status_code = 409 if status_code == 409 else 400
        return Response(error_body("state" if status_code == 409 else "invalid", message, fields), status=status_code)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(error_body("forbidden", str(exc) or _("您无权进行此操作。")), status=403)
    if isinstance(exc, exceptions.ValidationError):
        fields = _messages(exc.detail)
        return Response(error_body("invalid", _("输入有误，请检查各字段。"), fields), status=400)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
        message = exc.detail if isinstance(exc, exceptions.AuthenticationFailed) else _("需要登录或有效的接口令牌。")
        return Response(error_body("not_authenticated", message), status=401, headers=headers)
    if isinstance(exc, exceptions.Throttled):
        if exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
        return Response(error_body("throttled", _("请求过于频繁，请稍后再试。")), status=429, headers=headers)
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        if isinstance(exc, exceptions.PermissionDenied):
            code = "forbidden"
        return Response(error_body(code, exc.detail), status=exc.status_code, headers=headers)
    return None  # a real server error: Django's 500


# ---------------------------------------------------------------- parsing


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but JSON nested deeper than Python's recursion limit (``[[[[…]]]]`` within the body
    limit) is malformed input (400), not a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 嵌套层数过多。")) from None


# ---------------------------------------------------------------- access


def max_body_bytes() -> int:
    return getattr(settings, "API_MAX_BODY_BYTES", 64 * 1024)


class ApiAccess(BasePermission):
    """Every endpoint: a body no larger than API_MAX_BODY_BYTES, a signed-in active person, and a read-only
    token only on safe methods. What the person may do with an object is the policy's, asked by the services."""

    def has_permission(self, request, view):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_body_bytes():
            raise PayloadTooLarge()
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            view.check_throttles(request)  # anonymous requests count against the address's budget first
            raise exceptions.NotAuthenticated()
        token = request.auth
        if isinstance(token, ApiToken) and token.is_read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("只读令牌不能修改数据。"))
        return True


# ---------------------------------------------------------------- throttles


class _SettingsRate:
    """Rates read from ``settings.API_THROTTLE_RATES`` on each request (tests may change them)."""

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATES", {}).get(self.scope)


class PersonThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Per token (a token is a client of its own), else per signed-in person."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Per address for requests without a person (refused, but counted: guessing tokens costs)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class FailedTokenThrottle(AnonymousThrottle):
    """Failed token attempts count against the address's anonymous budget: guessing tokens costs."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def count_failed_token(request):
    throttle = FailedTokenThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(throttle.wait())


# ---------------------------------------------------------------- pagination


class CursorPagination(pagination.CursorPagination):
    """Stable order (the last field is the primary key), fast at any depth."""

    ordering = ("-id",)
    page_size = 50
    page_size_query_param = "size"
    max_page_size = 200
    invalid_cursor_message = gettext_lazy("分页游标无效。")

    def get_page_size(self, request):
        """An unusable ``size`` is refused (400), not silently replaced by the default."""
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw[-1])
        except ValueError:
            size = 0
        if len(raw) > 1 or not 1 <= size <= self.max_page_size:
            message = _("每页条数须为1—%(n)d的整数。") % {"n": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]}) from None


# ---------------------------------------------------------------- serializers


def _json_type_fits(field, value) -> bool:
    """The value has the JSON type the schema documents (DRF would coerce 0 into "0" and "3" into 3)."""
    if value is None:
        return True  # the field itself decides whether null is allowed
    if isinstance(field, serializers.ManyRelatedField):
        return isinstance(value, list) and all(_json_type_fits(field.child_relation, v) for v in value)
    if isinstance(field, serializers.ListField):
        return isinstance(value, list) and all(_json_type_fits(field.child, v) for v in value)
    if isinstance(field, (serializers.DecimalField, serializers.FloatField)):
        if getattr(field, "coerce_to_string", False):
            return isinstance(value, str)  # the schema documents a decimal as a string
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(field, (serializers.IntegerField, serializers.PrimaryKeyRelatedField)):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, (serializers.CharField, serializers.ChoiceField, serializers.DateField)):
        return isinstance(value, str)
    return True


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (a typo must not be silently ignored) and values of another JSON type
    than the schema says (a number where a text is expected), instead of coercing them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name: f for name, f in self.fields.items() if not f.read_only}
            errors = {name: [_("未知字段。")] for name in sorted(set(data) - set(writable))}
            for name, field in writable.items():
                if name in data and not _json_type_fits(field, data[name]):
                    errors[name] = [_("类型不对：请按接口说明给出。")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id the body names, looked up only among the rows the writer may see: ``model.objects.visible_to(user)``
    (or ``scope(user, context)`` where the write allows fewer, e.g. the courts a questionnaire may be sent to).
    Another court's row answers 400 exactly like an id that does not exist: nothing is linked to a row the
    writer cannot see, and its name is not echoed in a message."""

    def __init__(self, model, *, scope=None, **kwargs):
        self.model, self.scope = model, scope
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if self.scope is not None:
            return self.scope(user, self.context)
        return self.model.objects.visible_to(user)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="forbidden / state / not_found / invalid / not_authenticated / throttled / locked / too_large / …"
    )
    message = serializers.CharField(help_text="按 Accept-Language 给出的中文或英文说明")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# ---------------------------------------------------------------- actions


def forbid_before_reading(user, rule: str, obj=None):
    """Forbidden answers 403 before the body is read, as the pages do (hkcourt/org/actions.py); a refusal by
    state is left to the service, which answers it (409) after checking the input."""
    from hkcourt.org.policy import decide

    decision = decide(user, rule, obj)
    if not decision.allowed and decision.code != STATE:
        raise Refusal(decision.message, decision.code, rule)


def validated(serializer_class, request, **context) -> dict:
    """The body checked by ``serializer_class`` (400 names each field); ``context`` reaches its scoped fields."""
    context = {"request": request, **context}
    data = serializer_class(data=request.data if request.data is not None else {}, context=context)
    data.is_valid(raise_exception=True)
    return data.validated_data


class EmptySerializer(StrictSerializer):
    """No fields: an action that takes no input (an empty JSON object, or no body)."""


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client that asks for ``Accept: application/pdf`` reach a PDF download (the view answers bytes)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data, "application/json", renderer_context)
