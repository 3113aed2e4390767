"""The inbox's filter: ``?show=unread`` (anything else shows every notification)."""

import django_filters

from hkcourt.org.filters import FilterSet


class InboxFilter(FilterSet):
    show = django_filters.ChoiceFilter(choices=[("unread", "unread")], method="keep")  # the selector filters
