"""The leading group's dashboard figures as JSON: the same payload the dashboard page draws (scoped, cached)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from hkcourt.org import policy

from . import selectors


class DashboardViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="领导小组驾驶舱数据",
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("court", int),
            OpenApiParameter("division", int),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="驾驶舱各部分的数字（与页面相同）")},
    )
    def list(self, request):
        policy.check(request.user, "dashboard.view")  # 403 with the rule's message
        errors = {}
        for name in ("campaign", "court", "division"):  # the page ignores a bad filter; the API says so
            values = request.query_params.getlist(name)
            if len(values) > 1 or (values and not values[0].isdigit()):
                errors[name] = [_("须为整数编号。")]
        if errors:
            raise serializers.ValidationError(errors)
        return Response(selectors.dashboard(request.user, selectors.Filters.from_params(request.query_params)))


def register(router):
    router.register("dashboard", DashboardViewSet, basename="dashboard")
