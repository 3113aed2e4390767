"""The organisation's actions, each declared once as a rule on ``Policy("org")``.

``policy.py`` beside this module is the base every app registers with; these are the org app's own rules,
imported by :class:`hkcourt.org.apps.OrgConfig.ready`. Services enforce them (``policy.check(actor,
"org.create_person", court)`` first), views, the navigation and templates only ask them.

Changing the organisation (people, roles, courts, divisions, posts) belongs to the system administrator of
the court or of a court above it (``is_admin_of``); superusers may do everything, and only they touch a
superuser's account, create a court without a parent or attach an existing account that has no person yet.
"""

from django.utils.translation import gettext as _

from .models import Court, Person, RoleAssignment
from .policy import ALLOW, Policy, deny, holds, is_admin_of, is_campaign_admin_of, not_now
from .roles import CAMPAIGN_ADMIN_ROLES, Role

policy = Policy("org")


def _org_admin_only():
    return deny(_("只有系统管理员可以调整组织机构和角色。"))


# ---------------------------------------------------------------- courts, divisions, posts


@policy.rule("create_court", model=Court)
def _create_court(user, parent):
    """A new court under ``parent`` (``None``: a court at the top of the tree, superusers only)."""
    if parent is None:
        if user.is_superuser:
            return ALLOW
        return deny(_("只有超级管理员可以新建没有上级单位的单位。"))
    if not is_admin_of(user, parent):
        return deny(_("您无权在单位“%(name)s”下新建单位。") % {"name": parent.name})
    return ALLOW


@policy.rule("manage_court", model=Court)
def _manage_court(user, court):
    """Edit the court and its structure: its divisions and their posts."""
    if court is None or not is_admin_of(user, court):
        return _org_admin_only()
    return ALLOW


# ---------------------------------------------------------------- people


@policy.rule("create_person", model=Court)
def _create_person(user, court):
    """A new person in ``court`` (or a person moved into it)."""
    if court is None:
        return _org_admin_only()
    if not is_admin_of(user, court):
        return deny(_("您无权管理单位“%(name)s”的人员。") % {"name": court.name})
    return ALLOW


@policy.rule("attach_account")
def _attach_account(user, account):
    """Give an existing account that has no person yet its place in the organisation."""
    if user.is_superuser:
        return ALLOW
    name = getattr(account, "username", "")
    return deny(_("账号“%(v)s”已存在但没有人员信息，只有超级管理员可以导入。") % {"v": name})


@policy.rule("edit_person", model=Person)
def _edit_person(user, person):
    account = person.user
    if account.is_superuser and not user.is_superuser:
        return deny(_("“%(v)s”是超级管理员账号，只有超级管理员可以修改。") % {"v": account.username})
    if not is_admin_of(user, person.court):
        return deny(_("“%(v)s”是%(court)s的人员，您无权修改。") % {"v": account.username, "court": person.court.name})
    return ALLOW


@policy.rule("deactivate", model=Person)
def _deactivate(user, person):
    decision = _edit_person(user, person)
    if not decision:
        return decision
    if person.user_id == user.pk:
        return deny(_("不能停用自己的账号。"))
    if not person.user.is_active:
        return not_now(_("该账号已停用。"))
    return ALLOW


@policy.rule("reactivate", model=Person)
def _reactivate(user, person):
    decision = _edit_person(user, person)
    if not decision:
        return decision
    if person.user.is_active:
        return not_now(_("该账号未停用。"))
    return ALLOW


# ---------------------------------------------------------------- roles


@policy.rule("assign_role", model=Court)
def _assign_role(user, court):
    """A role held at ``court``."""
    if court is None or not is_admin_of(user, court):
        return _org_admin_only()
    return ALLOW


@policy.rule("revoke_role", model=RoleAssignment)
def _revoke_role(user, assignment):
    if not is_admin_of(user, assignment.court):
        return _org_admin_only()
    if assignment.role == Role.ADMIN and assignment.user_id == user.pk:
        # Nobody locks themselves out of the administration: another administrator does it.
        return deny(_("不能撤销自己的“系统管理员”角色。"))
    return ALLOW


@policy.rule("grant_object_view")
def _grant_object_view(user, obj):
    """A per-object grant (互相查, a person lent to another division). The app whose object it is asks its own
    rule for the action that grants it (``risks.assign_peer_review`` …) before; the org only records it."""
    return ALLOW


@policy.rule("revoke_object_view")
def _revoke_object_view(user, obj):
    return ALLOW


# ---------------------------------------------------------------- the roster, the audit log, the admin site


@policy.rule("import_roster", model=Court)
def _import_roster(user, court):
    """The roster import page (``court`` ``None``: for some court); each row is then checked on its own court."""
    allowed = holds(user, Role.ADMIN) if court is None else is_admin_of(user, court)
    if not allowed:
        return deny(_("只有系统管理员可以导入花名册。"))
    return ALLOW


@policy.rule("view_audit_log", model=Court)
def _view_audit_log(user, court):
    """The audit log of ``court`` and the courts under it (``None``: of some court)."""
    allowed = holds(user, *CAMPAIGN_ADMIN_ROLES) if court is None else is_campaign_admin_of(user, court)
    if not allowed:
        return deny(_("只有领导小组办公室和系统管理员可以查看操作日志。"))
    return ALLOW


@policy.rule("use_admin_site")
def _use_admin_site(user, _obj):
    """Django's admin (系统管理): a staff account of a system administrator."""
    if user.is_staff and holds(user, Role.ADMIN):
        return ALLOW
    return deny(_("只有系统管理员可以进入系统管理。"))
