"""The letters list's filters: parse and validate ``request.GET`` (a value not accepted filters nothing, never a
500). The list itself is read by ``selectors.letter_list`` with the accepted values."""

import django_filters

from hkcourt.org.filters import FilterSet

from .models import CommitmentLetter, Kind, LetterState

TABS = [("mine", "mine"), ("countersign", "countersign")]  # the list's tabs (their labels are the template's)


def _templates(request):
    from .selectors import templates_for

    return templates_for(request.user) if request is not None else CommitmentLetter.objects.none()


class LetterFilter(FilterSet):
    tab = django_filters.ChoiceFilter(choices=TABS, method="keep")
    template = django_filters.ModelChoiceFilter(queryset=_templates, method="keep")
    # 已被取代 (a superseded version) is a state the list offers besides the letter's own states
    state = django_filters.ChoiceFilter(choices=[*LetterState.choices, ("superseded", "")], method="keep")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, method="keep")
