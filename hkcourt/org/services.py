"""Business actions on the organisation. One function per action: keyword-only, in a transaction,
validated with ``full_clean()``, permission checked, and recorded in the audit log."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from . import audit
from .models import Court, Person, Role, RoleAssignment
from .scoping import UserRoles

User = get_user_model()


def _require_org_admin(actor, court: Court) -> None:
    """Only a superuser, or an admin of this court or a court above it, may change the organisation."""
    if actor is None:
        raise PermissionDenied(_("需要登录。"))
    if actor.is_superuser:
        return
    if any(court.path.startswith(p) for p in UserRoles.of(actor).subtree_paths(Role.ADMIN)):
        return
    raise PermissionDenied(_("只有系统管理员可以调整组织机构和角色。"))


@transaction.atomic
def create_person(
    *,
    actor,
    username: str,
    full_name: str,
    court: Court,
    division=None,
    post=None,
    title: str = "",
    email: str = "",
    password: str | None = None,
) -> Person:
    _require_org_admin(actor, court)
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    if not username:
        raise ValidationError({"username": _("登录名不能为空。")})
    if not full_name:
        raise ValidationError({"full_name": _("姓名不能为空。")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("登录名“%(name)s”已被使用。") % {"name": username}})
    user = User(username=username, email=(email or "").strip())
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    person = Person(user=user, full_name=full_name, court=court, division=division, post=post, title=title.strip())
    person.full_clean()
    person.save()
    audit.record(actor=actor, action="org.person_create", obj=person)
    return person


@transaction.atomic
def assign_role(*, actor, user, role: str, court: Court, division=None) -> RoleAssignment:
    _require_org_admin(actor, court)
    assignment = RoleAssignment(user=user, role=role, court=court, division=division)
    assignment.full_clean(validate_constraints=False)
    existing = RoleAssignment.objects.filter(user=user, role=role, court=court, division=division).first()
    if existing:
        return existing
    assignment.save()
    UserRoles.forget(user)
    audit.record(
        actor=actor,
        action="org.role_assign",
        obj=assignment,
        court=court,
        data={"user": user.username, "role": role, "division": division.pk if division else None},
    )
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    _require_org_admin(actor, assignment.court)
    audit.record(
        actor=actor,
        action="org.role_revoke",
        obj=assignment,
        court=assignment.court,
        reason=reason,
        data={"user": assignment.user.username, "role": assignment.role},
    )
    assignment.delete()
    UserRoles.forget(assignment.user)


@transaction.atomic
def grant_object_view(*, actor, user, obj, reason: str = "") -> None:
    """An explicit per-object grant (互相查, a person lent to another division), held by django-guardian."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("需要登录。"))
    codename = f"view_{obj._meta.model_name}"
    assign_perm(f"{obj._meta.app_label}.{codename}", user, obj)
    audit.record(actor=actor, action="org.grant_object", obj=obj, reason=reason, data={"user": user.username})


@transaction.atomic
def revoke_object_view(*, actor, user, obj, reason: str = "") -> None:
    codename = f"view_{obj._meta.model_name}"
    remove_perm(f"{obj._meta.app_label}.{codename}", user, obj)
    audit.record(actor=actor, action="org.revoke_object", obj=obj, reason=reason, data={"user": user.username})


# --- roster import (花名册导入) -----------------------------------------------------------------------


def may_import_roster(user) -> bool:
    """Superusers and system administrators (of any court) may use the roster import."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or UserRoles.of(user).has(Role.ADMIN)


@transaction.atomic
def import_roster(*, actor, filename: str, content: bytes, commit: bool = False):
    """Check a roster file row by row and, with ``commit``, write it: all rows or nothing.

    Without ``commit`` the import runs as a dry run (everything is rolled back) and the result is the
    preview. With ``commit`` the file is validated again in the same transaction that writes it; a single
    bad row rolls back every row, including the courts, divisions and posts earlier rows created.
    Returns a :class:`RosterOutcome`."""
    from .resources import RosterFileError, RosterResource, load_roster_file

    if not may_import_roster(actor):
        raise PermissionDenied(_("只有系统管理员可以导入花名册。"))
    outcome = RosterOutcome(filename=filename)
    try:
        dataset = load_roster_file(filename, content)
    except RosterFileError as exc:
        outcome.file_errors.append(exc.message)
        return outcome

    resource = RosterResource(actor=actor)
    result = resource.import_data(
        dataset,
        dry_run=not commit,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    outcome.rows = resource.reports
    outcome.counts = resource.counts.as_dict()
    outcome.file_errors.extend(_("文件处理出错：%(error)s") % {"error": e.error} for e in result.base_errors)
    if outcome.has_errors:
        # import_data rolled its own savepoint back already; nothing of this file may survive.
        transaction.set_rollback(True)
        return outcome
    if commit:
        audit.record(
            actor=actor,
            action="org.roster_import",
            reason=_("导入花名册文件“%(name)s”") % {"name": filename},
            data={"file": filename, "rows": len(outcome.rows), **outcome.counts},
        )
        outcome.committed = True
    return outcome


class RosterOutcome:
    """What a roster check or import found: per-row reports, file-level errors, counts."""

    def __init__(self, *, filename: str):
        self.filename = filename
        self.rows = []
        self.file_errors: list[str] = []
        self.counts: dict = {}
        self.committed = False

    @property
    def error_rows(self):
        return [r for r in self.rows if r.errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.error_rows)
