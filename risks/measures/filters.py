"""The measures list's filters: parse and validate ``request.GET`` (a value not accepted filters nothing) and
filter the reader's measures (``selectors.measure_list``)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import FilterForm
from .models import MeasureCategory, MeasureKind, MeasureStatus


class MeasureFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=MeasureStatus.choices, empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=MeasureKind.choices, empty_label=_("全部"))
    category = django_filters.ChoiceFilter(
        label=pgettext_lazy("防控措施", "类别"), choices=MeasureCategory.choices, empty_label=_("全部")
    )
    overdue = django_filters.BooleanFilter(label=_("只看逾期"), method="only_overdue", widget=forms.CheckboxInput)
    mine = django_filters.BooleanFilter(label=_("只看我负责落实的"), method="only_mine", widget=forms.CheckboxInput)
    q = django_filters.CharFilter(label=_("搜索"), method="search", max_length=60)
    # The dashboard's campaign filter (the campaign year of the measure's risk point); not a control on the page.
    campaign = django_filters.NumberFilter(field_name="risk_point__campaign_year", min_value=1)

    class Meta:
        form = FilterForm  # the page's small Bootstrap controls

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=MeasureStatus.PLANNED, deadline__lt=timezone.localdate())

    def only_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)) if value else queryset
