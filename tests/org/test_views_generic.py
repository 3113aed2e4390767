"""The ground floor's form rendering and FilterSet base (hkcourt/org/forms_renderer.py, hkcourt/org/filters.py)."""

import django_filters
from django import forms

from hkcourt.org.filters import FilterSet
from hkcourt.org.forms_renderer import SmallFormRenderer
from hkcourt.org.models import Court


class _Form(forms.Form):
    name = forms.CharField()
    note = forms.CharField(widget=forms.Textarea)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=[("a", "A")])
    agree = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    picks = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False)
    own = forms.CharField(widget=forms.TextInput(attrs={"class": "font-monospace"}))


class _Small(_Form):
    default_renderer = SmallFormRenderer


def _tag(form, name):
    return str(form[name])


def test_the_project_renderer_puts_bootstraps_class_on_every_plain_widget():
    form = _Form()
    assert 'class="form-control"' in _tag(form, "name")
    assert 'class="form-control"' in _tag(form, "note")
    assert 'class="form-control"' in _tag(form, "day")
    assert 'class="form-select"' in _tag(form, "kind")
    assert 'class="form-check-input"' in _tag(form, "agree")
    # hidden inputs and checkbox lists are left to their templates; a class set on the widget is kept
    assert "class=" not in _tag(form, "secret")
    assert "class=" not in _tag(form, "picks")
    assert 'class="font-monospace"' in _tag(form, "own") and "form-control" not in _tag(form, "own")


def test_a_form_may_ask_for_small_controls():
    form = _Small()
    assert 'class="form-control form-control-sm"' in _tag(form, "name")
    assert 'class="form-select form-select-sm"' in _tag(form, "kind")
    assert 'class="form-check-input"' in _tag(form, "agree")


class _Filter(FilterSet):
    state = django_filters.ChoiceFilter(choices=[("open", "open"), ("closed", "closed")], method="keep")
    q = django_filters.CharFilter(method="keep")
    court = django_filters.ModelChoiceFilter(queryset=Court.objects.none(), method="keep")


def test_a_filtersets_value_is_the_accepted_one_or_nothing():
    accepted = _Filter({"state": "open", "q": "  保全 "}, queryset=Court.objects.none())
    assert accepted.value("state") == "open" and accepted.value("q") == "保全"
    refused = _Filter({"state": "'; drop table", "court": "x"}, queryset=Court.objects.none())
    assert refused.value("state") == "" and refused.value("court") is None and refused.value("q") == ""
