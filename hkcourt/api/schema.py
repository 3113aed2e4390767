"""The schema's shared parts: the error responses every operation documents, the token scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from .rest import ErrorSerializer


class Schema(AutoSchema):
    """Every operation documents the error shape for the statuses it can answer."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "429"]
        if self.method.upper() not in SAFE_METHODS:
            codes += ["409", "413", "415"]
        if "{" in self.path or self.method.upper() not in SAFE_METHODS:
            codes += ["404"]  # the object, or an object the body names, outside the reader's scope
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "hkcourt.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "个人接口令牌（在“接口令牌”页面创建）"}
