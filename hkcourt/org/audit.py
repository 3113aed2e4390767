"""Explicit audit entries, written by service functions (never by signals) and by the Django admin's saves
and deletes of organisation models (:class:`hkcourt.org.admin.AuditedAdmin`).

Action codes are registered here, Wagtail-style, so the log can show a label for each: ``register``
adds an app's codes at import time; ``record`` writes one entry inside the caller's transaction. A bulk
action (the roster import) wraps its work in :func:`batch`, so its hundreds of entries go in one INSERT.

Sensitive reads are logged too (:func:`read`): opening a signal, a handling or a dossier, downloading a
signed letter or a signal's attachment, exporting the log. Every entry carries the address the request came
from (``RequestAddressMiddleware`` in :mod:`.security` sets it for the request; tasks have none).

The log is append-only: nothing in the application edits or deletes an entry, the admin shows it read-only,
and PostgreSQL refuses UPDATE and DELETE on the table (a trigger, migration ``org.0002``).
"""

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "org.role_assign": _("分配角色"),
    "org.role_rank": _("设置领导小组职务"),
    "org.role_revoke": _("撤销角色"),
    "org.person_create": _("新建人员"),
    "org.person_update": _("修改人员"),
    "org.roster_import": _("导入花名册"),
    "org.grant_object": _("授予对象权限"),
    "org.revoke_object": _("撤销对象权限"),
    "org.person_deactivate": _("停用账号"),
    "org.person_reactivate": _("恢复账号"),
    "org.court_create": _("新建单位"),
    "org.division_create": _("新建庭室"),
    "org.post_create": _("新建岗位"),
    "org.admin_add": _("系统管理：新增"),
    "org.admin_change": _("系统管理：修改"),
    "org.admin_delete": _("系统管理：删除"),
    "org.audit_export": _("导出操作日志"),
}

# Entries collected by an open batch(), written together by flush().
_pending: ContextVar[list | None] = ContextVar("hkcourt_audit_pending", default=None)
# The address of the request being served (set by the middleware), written on every entry.
_address: ContextVar[str | None] = ContextVar("hkcourt_audit_address", default=None)


def _valid_address(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None  # an empty or malformed REMOTE_ADDR / forwarded hop: no address rather than an error


@contextmanager
def request_address(ip: str | None):
    token = _address.set(_valid_address(ip))
    try:
        yield
    finally:
        _address.reset(token)


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
    entry = AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        court=court,
        ip=_address.get(),
        reason=reason,
        data=data or {},
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
    else:
        entry.save()
    return entry


def read(*, actor, action: str, obj, data: dict | None = None):
    """Log that ``actor`` read ``obj`` (a sensitive page or a download). Called by the view after the object
    passed its scope and policy checks, so a refused request leaves no entry."""
    return record(actor=actor, action=action, obj=obj, data=data)


@contextmanager
def batch():
    """Inside the block ``record`` collects its entries instead of writing each; :func:`flush` writes them in
    one INSERT, and so does leaving the block without an error (an error discards them). Flush inside the
    transaction that wrote the objects, so that a rolled-back change leaves no entry behind."""
    token = _pending.set([])
    try:
        yield
        flush()
    finally:
        _pending.reset(token)


def flush() -> int:
    """Write the entries the open :func:`batch` collected so far; returns how many."""
    from .models import AuditEntry

    pending = _pending.get()
    if not pending:
        return 0
    AuditEntry.objects.bulk_create(pending)
    count = len(pending)
    pending.clear()
    return count
