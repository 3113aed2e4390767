"""Business actions on the organisation. One function per action: keyword-only, in a transaction, the
permission policy asked first (``policy.check(actor, "org.<action>", …)``, rules in ``policy_rules.py``),
validated with ``full_clean()``, and recorded in the audit log.

These are the only writers of courts, divisions, posts, people and role assignments: the roster import goes
through them row by row (:func:`change_roles` is the bulk-friendly way to apply a row's roles).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from . import audit, policy
from .models import Court, CourtLevel, Division, Person, Post, RoleAssignment
from .roles import RANKED_ROLES, GroupRank
from .scoping import UserRoles

User = get_user_model()

KEEP = object()  # update_person: leave this field as it is


# --- courts, divisions, posts ---------------------------------------------------------------------


def court_level_for(name: str, parent) -> str:
    """A new court's level: one below its parent's; at the top, read from its name."""
    if parent is not None:
        return CourtLevel.INTERMEDIATE if parent.level == CourtLevel.HIGH else CourtLevel.BASIC
    if "高级" in name:
        return CourtLevel.HIGH
    if "中级" in name:
        return CourtLevel.INTERMEDIATE
    return CourtLevel.BASIC


@transaction.atomic
def create_court(*, actor, code: str, name: str, parent=None, level: str = "", short_name: str = "") -> Court:
    policy.check(actor, "org.create_court", parent)
    name = (name or "").strip()
    court = Court(
        code=(code or "").strip(),
        name=name,
        short_name=(short_name or "").strip(),
        parent=parent,
        level=level or court_level_for(name, parent),
    )
    court.path = court.compute_path()
    court.full_clean()
    court.save()
    audit.record(
        actor=actor,
        action="org.court_create",
        obj=court,
        data={"code": court.code, "parent": parent.code if parent else None},
    )
    return court


@transaction.atomic
def create_division(*, actor, court: Court, name: str, kind: str) -> Division:
    policy.check(actor, "org.manage_court", court)
    division = Division(court=court, name=(name or "").strip(), kind=kind)
    division.full_clean()
    division.save()
    audit.record(actor=actor, action="org.division_create", obj=division, data={"kind": kind})
    return division


@transaction.atomic
def create_post(*, actor, division: Division, name: str, is_key_post: bool = False) -> Post:
    policy.check(actor, "org.manage_court", division.court)
    post = Post(division=division, name=(name or "").strip(), is_key_post=is_key_post)
    post.full_clean()
    post.save()
    audit.record(actor=actor, action="org.post_create", obj=post, court=division.court)
    return post


# --- people ---------------------------------------------------------------------------------------


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
    account=None,
) -> Person:
    """A new person with a new account (no usable password unless ``password``), or, with ``account``, for an
    existing account that has no person yet (superusers only)."""
    policy.check(actor, "org.create_person", court)
    if account is not None:
        policy.check(actor, "org.attach_account", account)
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    email = (email or "").strip()
    if account is None and not username:
        raise ValidationError({"username": _("登录名不能为空。")})
    if not full_name:
        raise ValidationError({"full_name": _("姓名不能为空。")})
    if account is None:
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("登录名“%(name)s”已被使用。") % {"name": username}})
        user = User(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_unique=False)  # the name is free: checked just above
        user.save()
    else:
        user = account
        if Person.objects.filter(user=user).exists():
            raise ValidationError({"username": _("账号“%(name)s”已有人员信息。") % {"name": user.username}})
        if email and email != user.email:
            user.email = email
            user.full_clean(exclude=["password"])
            user.save(update_fields=["email"])
    person = Person(user=user, full_name=full_name, court=court, division=division, post=post, title=title.strip())
    person.full_clean()
    person.save()
    audit.record(
        actor=actor,
        action="org.person_create",
        obj=person,
        data={"user": user.username, "account": "existing" if account is not None else "new"},
    )
    return person


def _shown(person) -> dict:
    return {
        "full_name": person.full_name,
        "court": person.court.name if person.court_id else "",
        "division": person.division.name if person.division_id else "",
        "post": person.post.name if person.post_id else "",
        "title": person.title,
    }


@transaction.atomic
def update_person(
    *, actor, person: Person, full_name=KEEP, court=KEEP, division=KEEP, post=KEEP, title=KEEP, email=KEEP
) -> dict:
    """Change a person's name, place (court, division, post), title or e-mail. Moving the person to another
    court needs the right to manage that court's people too. Returns ``{field: (old, new)}``."""
    policy.check(actor, "org.edit_person", person)
    if court is not KEEP and court.pk != person.court_id:
        policy.check(actor, "org.create_person", court)
    before = _shown(person)
    if full_name is not KEEP:
        person.full_name = (full_name or "").strip()
    if court is not KEEP:
        person.court = court
    if division is not KEEP:
        person.division = division
    if post is not KEEP:
        person.post = post
    if title is not KEEP:
        person.title = (title or "").strip()
    after = _shown(person)
    changes = {key: (old, after[key]) for key, old in before.items() if after[key] != old}
    user = person.user
    if email is not KEEP and (email or "").strip() != user.email:
        changes["email"] = (user.email, (email or "").strip())
        user.email = changes["email"][1]
        user.full_clean(exclude=["password"])
        user.save(update_fields=["email"])
    if not changes:
        return changes
    person.full_clean()
    person.save()
    audit.record(
        actor=actor,
        action="org.person_update",
        obj=person,
        data={"user": user.username, "changes": {key: list(pair) for key, pair in changes.items()}},
    )
    return changes


def _lock_account(person: Person) -> Person:
    person.user = User.objects.select_for_update().get(pk=person.user_id)
    return person


@transaction.atomic
def deactivate_person(*, actor, person: Person, reason: str = "") -> Person:
    """The account can no longer sign in; the person's records stay."""
    _lock_account(person)
    policy.check(actor, "org.deactivate", person)
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])
    UserRoles.forget(person.user)
    audit.record(actor=actor, action="org.person_deactivate", obj=person, reason=reason)
    return person


@transaction.atomic
def reactivate_person(*, actor, person: Person, reason: str = "") -> Person:
    _lock_account(person)
    policy.check(actor, "org.reactivate", person)
    person.user.is_active = True
    person.user.save(update_fields=["is_active"])
    UserRoles.forget(person.user)
    audit.record(actor=actor, action="org.person_reactivate", obj=person, reason=reason)
    return person


# --- roles ----------------------------------------------------------------------------------------


@transaction.atomic
def change_roles(*, actor, user, court: Court, assign=(), revoke=(), reason: str = "") -> list[RoleAssignment]:
    """Revoke the assignments ``revoke`` and assign ``(role, division)`` pairs at ``court``, as one change.

    Every assignment is checked on its own rule (``org.revoke_role``, ``org.assign_role``) and recorded on its
    own audit entry; a pair the person already holds is left as it is. Returns the assignments created."""
    revoke = list(revoke)
    assign = list(assign)
    for assignment in revoke:
        policy.check(actor, "org.revoke_role", assignment)
    if assign:
        policy.check(actor, "org.assign_role", court)
    for assignment in revoke:
        audit.record(
            actor=actor,
            action="org.role_revoke",
            obj=assignment,
            court=assignment.court,
            reason=reason,
            data={"user": user.username, "role": assignment.role},
        )
        assignment.delete()
    created = []
    if assign:
        held = set(RoleAssignment.objects.filter(user=user, court=court).values_list("role", "division_id"))
        for role, division in assign:
            key = (role, division.pk if division is not None else None)
            if key in held:
                continue
            held.add(key)
            assignment = RoleAssignment(user=user, role=role, court=court, division=division)
            assignment.full_clean(validate_constraints=False)  # a pair held already was skipped above
            assignment.save()
            created.append(assignment)
            audit.record(
                actor=actor,
                action="org.role_assign",
                obj=assignment,
                court=court,
                reason=reason,
                data={"user": user.username, "role": role, "division": key[1]},
            )
    UserRoles.forget(user)
    return created


@transaction.atomic
def assign_role(*, actor, user, role: str, court: Court, division=None) -> RoleAssignment:
    created = change_roles(actor=actor, user=user, court=court, assign=[(role, division)])
    if created:
        return created[0]
    return RoleAssignment.objects.get(user=user, role=role, court=court, division=division)


@transaction.atomic
def set_rank(*, actor, assignment: RoleAssignment, rank: str, reason: str = "") -> RoleAssignment:
    """Give a leading-group or office assignment its rank (组长/副组长/成员, 主任/副主任/成员), or clear it."""
    policy.check(actor, "org.assign_role", assignment.court)
    if rank and rank not in GroupRank.values:
        raise ValidationError({"rank": _("请选择职务。")})
    if rank and assignment.role not in RANKED_ROLES:
        raise ValidationError({"rank": _("只有领导小组成员和领导小组办公室的角色有职务（组长、主任等）。")})
    old = assignment.rank
    assignment.rank = rank or ""
    assignment.save(update_fields=["rank"])
    audit.record(
        actor=actor,
        action="org.role_rank",
        obj=assignment,
        court=assignment.court,
        reason=reason,
        data={"user": assignment.user.username, "role": assignment.role, "from": old, "to": assignment.rank},
    )
    UserRoles.forget(assignment.user)
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    change_roles(actor=actor, user=assignment.user, court=assignment.court, revoke=[assignment], reason=reason)


# --- per-object grants ----------------------------------------------------------------------------


@transaction.atomic
def grant_object_view(*, actor, user, obj, reason: str = "") -> None:
    """An explicit per-object grant (互相查, a person lent to another division), held by django-guardian."""
    policy.check(actor, "org.grant_object_view", obj)
    codename = f"view_{obj._meta.model_name}"
    assign_perm(f"{obj._meta.app_label}.{codename}", user, obj)
    audit.record(actor=actor, action="org.grant_object", obj=obj, reason=reason, data={"user": user.username})


@transaction.atomic
def revoke_object_view(*, actor, user, obj, reason: str = "") -> None:
    policy.check(actor, "org.revoke_object_view", obj)
    codename = f"view_{obj._meta.model_name}"
    remove_perm(f"{obj._meta.app_label}.{codename}", user, obj)
    audit.record(actor=actor, action="org.revoke_object", obj=obj, reason=reason, data={"user": user.username})


# --- roster import (花名册导入) -----------------------------------------------------------------------


@transaction.atomic
def import_roster(*, actor, filename: str, content: bytes, commit: bool = False):
    """Check a roster file row by row and, with ``commit``, write it: all rows or nothing.

    Without ``commit`` the import runs as a dry run (everything is rolled back) and the result is the
    preview. With ``commit`` the file is validated again in the same transaction that writes it; a single
    bad row rolls back every row, including the courts, divisions and posts earlier rows created.
    Returns a :class:`RosterOutcome`."""
    from .resources import RosterFileError, RosterResource, load_roster_file

    policy.check(actor, "org.import_roster")
    outcome = RosterOutcome(filename=filename)
    try:
        dataset = load_roster_file(filename, content)
    except RosterFileError as exc:
        outcome.file_errors.append(exc.message)
        return outcome

    resource = RosterResource(actor=actor)
    # Each row writes through the services above; their audit entries go in one INSERT at the end of the
    # file (RosterResource.after_import flushes them inside the import's transaction).
    with audit.batch():
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
