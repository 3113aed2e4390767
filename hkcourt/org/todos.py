"""The home page's "我的待办": every app registers a provider that lists what a user must do now.

The ground floor cannot import the apps above it, so they register themselves (in ``AppConfig.ready``);
a provider takes the user and returns :class:`Todo` items, already scoped through ``visible_to``.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class Todo:
    section: str  # heading the item is listed under, e.g. "风险点"
    title: str
    url: str = ""
    due: object = None  # a date, if the item has a deadline
    count: int | None = None


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todos_for(user) -> list[Todo]:
    items = []
    for provider in _providers:
        items.extend(provider(user))
    return items
