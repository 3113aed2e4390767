"""Texts the system writes about an event (a notification's title, a warning's summary, a warning's trail) are
stored as a **code and parameters**, never as a sentence, and rendered in the reader's language when shown.

A sentence saved with ``gettext`` is frozen in the language of whoever caused it: a reminder queued while the
office worked in English would read in English to every Chinese reader, for ever. So each app registers its
message templates here at import time, Wagtail-style like the audit codes (:mod:`.audit`)::

    texts.register({"risks.returned": texts.Text(gettext_lazy("风险点%(code)s被退回，请修改后重新提交"))})

and saves ``code`` plus ``params`` (JSON: numbers, ISO dates, names, codes). :func:`render` formats the template
in the active language. A parameter that holds a choice's value (a grade, a handling kind) is turned into the
choice's label at that moment too (``Text(…, choices={"grade": Grade})``); a list is joined with the reader's
separator. A text a person typed (a reason, a problem, an outcome) is a parameter too and is shown as typed:
it is not translated.
"""

from contextlib import suppress
from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext

TEXTS: dict[str, "Text"] = {}

# A list parameter longer than this is cut and ends with "等" ("etc.").
LIST_LIMIT = 30


@dataclass(frozen=True)
class Text:
    template: object  # a lazy translation with %(name)s placeholders
    # parameter name → a TextChoices class (or a dict of value → lazy label): the parameter shows as the label
    choices: dict = field(default_factory=dict)

    def format(self, params: dict) -> str:
        values = _Params()
        for name, value in (params or {}).items():
            choice = self.choices.get(name)
            if isinstance(value, list | tuple):  # each item of a list of choices is shown as its label
                value = join([_label(choice, item) for item in value])
            else:
                value = _label(choice, value)
            values[name] = value
        return str(self.template) % values


def _label(choice, value):
    if isinstance(choice, dict):
        return choice.get(value, value)
    if choice is not None and value not in (None, ""):
        with suppress(ValueError):  # a value the choices no longer hold is shown as stored
            return choice(value).label
    return value


class _Params(dict):
    """A missing parameter (a template changed after the row was written) renders empty, never as an error."""

    def __missing__(self, key):
        return ""


def join(items) -> str:
    items = [str(i) for i in items]
    shown = pgettext("列举", "、").join(items[:LIST_LIMIT])
    return shown + (gettext("等") if len(items) > LIST_LIMIT else "")


def register(texts: dict) -> None:
    """Register an app's message codes (code → :class:`Text` or a lazy template)."""
    clash = set(texts) & set(TEXTS)
    if clash:
        raise ValueError(f"text codes registered twice: {sorted(clash)}")
    TEXTS.update({code: t if isinstance(t, Text) else Text(t) for code, t in texts.items()})


_discovered = False


def _lookup(code: str):
    """The registered text; the apps register theirs in their ``services`` modules, which a process that has not
    imported them yet (a shell, a worker running another task) loads once on the first unknown code."""
    global _discovered
    if code not in TEXTS and not _discovered:
        from django.utils.module_loading import autodiscover_modules

        _discovered = True
        autodiscover_modules("services")
    return TEXTS.get(code)


def is_registered(code: str) -> bool:
    return _lookup(code) is not None


def render(code: str, params: dict | None = None, default: str = "") -> str:
    """The text ``code`` with ``params`` in the active language; ``default`` when the code is unknown."""
    text = _lookup(code)
    if text is None:
        return default
    return text.format(params or {})


def value(v):
    """A parameter as JSON keeps it: dates as ISO text, model choices as their value."""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "value") and hasattr(v, "label"):
        return v.value
    return v


# ---------------------------------------------------------------- imports: values in either language


def _key(text) -> str:
    return " ".join(str(text or "").split()).casefold()


class ChoiceLookup(dict):
    """Text in a spreadsheet cell → a choice's code. Built by :func:`choice_lookup`; a cell matches whatever
    the case and spacing (``"post"``, ``"Post "``, ``"岗位"`` and the code ``post`` all give ``post``)."""

    def get(self, text, default=None):
        return super().get(_key(text), default)

    def __contains__(self, text):
        return super().__contains__(_key(text))


def choice_lookup(choices, extra: dict | None = None) -> ChoiceLookup:
    """Every label of ``choices`` (a TextChoices class, or ``[(code, lazy label), …]``) in every language of the
    site, and each code itself → the code. An import accepts a file written in either language: the template's
    Chinese example row imports while the office works in English, and a file exported in English imports
    while it works in Chinese. ``extra`` adds other accepted words (an abbreviation: ``{"行政": "administration"}``)."""
    from django.conf import settings
    from django.utils import translation

    pairs = list(choices.choices if hasattr(choices, "choices") else choices)
    lookup = ChoiceLookup()
    for code, _label in pairs:
        dict.__setitem__(lookup, _key(code), code)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in pairs:
                dict.__setitem__(lookup, _key(label), code)
    for word, code in (extra or {}).items():
        dict.__setitem__(lookup, _key(word), code)
    return lookup


def labels(choices) -> str:
    """The choices' labels in the active language, for a message that lists what a cell may hold."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return pgettext("列举", "、").join(str(label) for _code, label in pairs)
