"""A version number of the registry's data, moved on by every write to a risk point, its key links or a
prevention measure. Readers that cache figures computed over these tables put it in their cache key: the
risk list's counts for large scopes (risks.selectors.state_counts) and the dashboard's fingerprint
(workflow.dashboard.selectors), which otherwise counted 400,000 rows on every request (issue 12).

The version moves at once (the writer's next read in the same transaction recomputes) and again when the
transaction commits (a reader that computed from the old data in between cached it under the first bump).
No service updates these tables with ``QuerySet.update()`` or bulk writes; one that does must call
:func:`data_changed`.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

DATA_VERSION_KEY = "risks:data-version"


def data_version() -> int:
    return cache.get(DATA_VERSION_KEY, 0)


def _bump():
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:
        cache.set(DATA_VERSION_KEY, 1, None)


def data_changed():
    _bump()
    transaction.on_commit(_bump)


def _changed(sender, **kwargs):
    data_changed()


def connect():
    from .measures.models import Measure
    from .models import RiskPoint

    for model in (RiskPoint, Measure):
        post_save.connect(_changed, sender=model, dispatch_uid=f"risks-data-version-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"risks-data-version-delete-{model.__name__}")
    m2m_changed.connect(_changed, sender=RiskPoint.key_links.through, dispatch_uid="risks-data-version-links")
