"""Moves the risk list's count version on after every write to a risk point, so that the counts cached for
large scopes (risks.selectors.state_counts) are never older than the data (queryset ``update()`` calls in
the services are followed by ``list_changed()`` explicitly)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import RiskPoint


def list_changed():
    def bump():
        try:
            cache.incr(_key())
        except ValueError:
            cache.set(_key(), 1, None)

    transaction.on_commit(bump)


def _key():
    from .selectors import COUNTS_VERSION_KEY

    return COUNTS_VERSION_KEY


def _changed(sender, **kwargs):
    list_changed()


def connect():
    post_save.connect(_changed, sender=RiskPoint, dispatch_uid="risks-list-version-save")
    post_delete.connect(_changed, sender=RiskPoint, dispatch_uid="risks-list-version-delete")
    m2m_changed.connect(_changed, sender=RiskPoint.key_links.through, dispatch_uid="risks-list-version-links")
