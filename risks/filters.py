"""The risk point list's filters. Every choice list is scoped to the user (never offers what they cannot see)."""

import django_filters
from django import forms
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db import connections
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

from hkcourt.org.filters import FilterSet
from hkcourt.org.models import Court, Division

from .models import BusinessArea, Grade, KeyLink, Level, RiskPoint, Source, State, campaign_label, campaign_year_of

FIRST_CAMPAIGN = 2012  # the source plan's 2012—2013 campaign


def _campaigns():
    from django.utils import timezone

    last = campaign_year_of(timezone.localdate())
    return [(year, campaign_label(year)) for year in range(last, FIRST_CAMPAIGN - 1, -1)]


def _courts(request):
    return Court.objects.visible_to(request.user) if request else Court.objects.none()


def _divisions(request):
    if not request:
        return Division.objects.none()
    return Division.objects.visible_to(request.user).select_related("court")


SORTS = [
    ("-updated_at", _("最近更新")),
    ("updated_at", _("最早更新")),
    ("grade_rank", _("等级从高到低")),
    ("-grade_rank", _("等级从低到高")),
    ("division", _("按庭室")),
    ("id", _("按编号")),
]


class Bigrams(Func):
    """``hk_bigrams(text)``: the two-character substrings of ``UPPER(text)`` (risks migration 0012;
    its GIN indexes are on ``hk_bigrams(description)`` and ``hk_bigrams(manifestations)``). PostgreSQL only."""

    function = "hk_bigrams"
    output_field = ArrayField(TextField())


def text_search(queryset, value):
    """Risk points whose description or manifestations contain ``value`` (case-insensitive): the list's and
    the API's ``q``. ``UPPER(col) LIKE UPPER('%…%')``: Chinese has no word boundaries, a substring match is
    right. On PostgreSQL a two-character term is found through the bigram indexes (risks migration 0012), the
    LIKE rechecking their rows; three characters or more through the trigram indexes (0007); SQLite scans."""
    value = value.strip()
    if not value:
        return queryset
    if len(value) == 2 and connections[queryset.db].vendor == "postgresql":
        # Two conditions, ANDed: the index condition (either text has the term's bigrams), which PostgreSQL
        # answers from the bitmap without calling hk_bigrams() per row, and the exact test (either text
        # contains the term), the same rows since a text containing the term has its bigrams. The exact
        # test is strpos(), not the LIKE: PostgreSQL would AND in the trigram index for a LIKE, which
        # cannot serve two characters and reads every entry (1.6 s at 400,000 points).
        term, upper = Bigrams(Value(value)), Upper(Value(value))
        indexed = Q(DataContains(Bigrams(F("description")), term)) | Q(DataContains(Bigrams(F("manifestations")), term))
        exact = Q(GreaterThan(StrIndex(Upper("description"), upper), 0)) | Q(
            GreaterThan(StrIndex(Upper("manifestations"), upper), 0)
        )
        return queryset.filter(indexed, exact)
    return queryset.filter(Q(description__icontains=value) | Q(manifestations__icontains=value))


class RiskPointFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    court = django_filters.ModelChoiceFilter(label=_("法院"), queryset=_courts, empty_label=_("全部法院"))
    division = django_filters.ModelChoiceFilter(label=_("庭室"), queryset=_divisions, empty_label=_("全部庭室"))
    level = django_filters.ChoiceFilter(label=_("层面"), choices=Level.choices, empty_label=_("全部层面"))
    grade = django_filters.ChoiceFilter(label=_("等级"), choices=Grade.choices, empty_label=_("全部等级"))
    source = django_filters.ChoiceFilter(label=_("查找方式"), choices=Source.choices, empty_label=_("全部方式"))
    key_link = django_filters.ModelChoiceFilter(
        label=_("重点环节"), field_name="key_links", queryset=KeyLink.objects.all(), empty_label=_("全部重点环节")
    )
    campaign = django_filters.ChoiceFilter(
        label=_("工作年度"), field_name="campaign_year", choices=_campaigns, empty_label=_("全部年度")
    )
    # The business area and the 三重一大 flag are the power's (the leaders' dashboard links here by them).
    area = django_filters.ChoiceFilter(
        label=_("业务领域"), field_name="power__business_area", choices=BusinessArea.choices, empty_label=_("全部领域")
    )
    major = django_filters.ChoiceFilter(
        label=_("三重一大"), method="only_major", choices=[("1", _("仅“三重一大”"))], empty_label=_("不限")
    )
    review = django_filters.BooleanFilter(label=_("待我审核"), method="for_my_review", widget=forms.CheckboxInput)
    mine = django_filters.BooleanFilter(label=_("只看我提出的"), method="only_mine", widget=forms.CheckboxInput)

    class Meta:
        model = RiskPoint
        fields = ["q", "court", "division", "level", "grade", "source", "key_link", "campaign", "area", "major"]

    def search(self, queryset, name, value):
        return text_search(queryset, value)

    def for_my_review(self, queryset, name, value):
        from .selectors import reviewable

        return queryset.filter(reviewable(self.request.user), state="submitted") if value else queryset

    def only_major(self, queryset, name, value):
        return queryset.filter(power__major_matter=True) if value == "1" else queryset

    def only_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset


PAGE_SIZES = (10, 20, 50, 100)


class RiskListPage(FilterSet):
    """The list's page parameters besides the filters: the state tab, the order and the page size, parsed and
    validated here (a value not offered is the default); applied by the list's fast path
    (``selectors.risk_point_list``: state counts, keyset pages, ListRows), which this set leaves alone."""

    state = django_filters.ChoiceFilter(choices=State.choices, method="keep")
    sort = django_filters.ChoiceFilter(choices=SORTS, method="keep")
    size = django_filters.TypedChoiceFilter(choices=[(str(n), n) for n in PAGE_SIZES], coerce=int, method="keep")

    def page_size(self) -> int:
        return self.value("size") or 20
