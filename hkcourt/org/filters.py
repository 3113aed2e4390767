"""The base of every list's FilterSet (django-filter): it parses and validates a list's ``request.GET``; a value
it does not accept filters nothing (never a 500, never an empty list because of a typo)."""

import django_filters


class FilterSet(django_filters.FilterSet):
    def value(self, name):
        """The accepted value of ``name`` — what the page's own controls show as chosen; "" when the parameter is
        absent or refused (a model choice: the row, or None)."""
        self.errors  # noqa: B018 — validates the form: cleaned_data then holds only the accepted values
        value = self.form.cleaned_data.get(name)
        if value in (None, ""):
            return (
                None
                if name in self.filters and isinstance(self.filters[name], django_filters.ModelChoiceFilter)
                else ""
            )
        return value

    def keep(self, queryset, name, value):
        """A filter's ``method`` when the selector filters by the parsed value itself (a fast path)."""
        return queryset
