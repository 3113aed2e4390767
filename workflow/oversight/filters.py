"""The oversight lists' filters: each parses and validates its list's ``request.GET`` (a value it does not
accept filters nothing, never a 500) and filters the selector's rows, which are already the reader's."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hkcourt.org.filters import FilterSet

from .models import Channel, HandlingKind, HandlingState, RectificationState, Severity, WarningLevel, WarningState
from .selectors import in_campaign


def _running_campaigns(request):
    """``?campaign=<id>``: the dashboard's campaign filter, followed by its links (a campaign the person may
    not see, or none, filters nothing)."""
    from workflow.models import Campaign

    if request is None:
        return Campaign.objects.none()
    return Campaign.objects.visible_to(request.user).running()


class _CampaignFilterSet(FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("工作方案"), queryset=_running_campaigns, method="in_campaign")
    day_field = "created_at__date"  # the row's date that falls within the campaign's phases

    def in_campaign(self, queryset, name, value):
        return in_campaign(queryset, value, self.day_field)


class SignalFilter(_CampaignFilterSet):
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=Channel.choices)
    severity = django_filters.ChoiceFilter(label=_("严重程度"), choices=Severity.choices)
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    day_field = "received_on"

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(content__icontains=value)) if value else queryset


class WarningFilter(_CampaignFilterSet):
    level = django_filters.ChoiceFilter(label=_("级别"), choices=WarningLevel.choices)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=WarningState.choices)
    rule = django_filters.CharFilter(label=_("规则"), field_name="rule__kind")
    day_field = "raised_at__date"


class HandlingFilter(_CampaignFilterSet):
    kind = django_filters.ChoiceFilter(label=_("处置方式"), choices=HandlingKind.choices)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=HandlingState.choices)


class RectificationFilter(_CampaignFilterSet):
    state = django_filters.ChoiceFilter(label=_("状态"), choices=RectificationState.choices)


class PersonFilter(FilterSet):
    q = django_filters.CharFilter(label=_("姓名"), field_name="full_name", lookup_expr="icontains")
