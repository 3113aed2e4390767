"""Explicit audit entries, written by service functions (never by signals).

Action codes are registered here, Wagtail-style, so the log can show a label for each: ``register``
adds an app's codes at import time; ``record`` writes one entry inside the caller's transaction.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "org.role_assign": _("分配角色"),
    "org.role_revoke": _("撤销角色"),
    "org.person_create": _("新建人员"),
    "org.person_update": _("修改人员"),
    "org.roster_import": _("导入花名册"),
    "org.grant_object": _("授予对象权限"),
    "org.revoke_object": _("撤销对象权限"),
}


def register(actions: dict) -> None:
    """Register an app's action codes and their labels."""
    clash = set(actions) & set(ACTIONS)
    if clash:
        raise ValueError(f"audit action codes registered twice: {sorted(clash)}")
    ACTIONS.update(actions)


def label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def _court_of(obj):
    for attr in ("court", "division", "post"):
        value = getattr(obj, attr, None)
        if value is None:
            continue
        if attr == "court":
            return value
        return _court_of(value)
    return None


def record(*, actor, action: str, obj=None, reason: str = "", data: dict | None = None, court=None):
    """Write one audit entry. ``action`` must be a registered code."""
    from .models import AuditEntry, Court

    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: register it in its app's audit codes")
    if court is None and obj is not None:
        court = obj if isinstance(obj, Court) else _court_of(obj)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        court=court,
        reason=reason,
        data=data or {},
    )
