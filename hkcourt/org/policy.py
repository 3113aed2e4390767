"""What a person may *do*: the one permission policy every app registers its rules with.

``visible_to(user)`` (``scoping.py``) answers "may this person see this row". The policy answers "may this
person take this action on this row, now". Each app declares its actions once, as rules::

    policy = Policy("risks")

    @policy.rule("submit", model=RiskPoint)
    def _submit(user, rp):
        if rp.owner_id != user.pk:
            return deny(_("只有提出人可以提交风险点。"))
        if rp.state not in (State.DRAFT, State.RETURNED):
            return not_now(_("风险点当前为“%(state)s”，不能提交。") % {"state": rp.get_state_display()})
        return ALLOW

and every caller asks the same rule by its dotted name:

- services enforce it: ``check(actor, "risks.submit", rp)`` raises :class:`Refusal` with the Chinese message;
- views, templates and the API only ask it: ``can(user, "risks.submit", rp)``, ``allowed_actions(user, rp)``
  (``{% allowed_actions rp as may %}`` … ``{% if may.submit %}``), so a button shows exactly when the service
  would accept.

Out of scope is decided by ``visible_to`` and answers 404 (existence does not leak); inside the scope a
refused action answers 403 (``code == FORBIDDEN``) or, in the API, 409 when only the state stands in the way
(``code == STATE``). :func:`get_visible_or_404` and Django's handling of ``PermissionDenied`` are the one place
that turns these into statuses.

The predicates below (``is_office_of``, ``heads``, …) are the only answers to "who is this person relative
to this court or division"; rules are built from them, never from bare role strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .roles import OVERSIGHT_ROLES, SUBTREE_ROLES, Role
from .scoping import UserRoles

FORBIDDEN = "forbidden"  # this person may not take this action on this object (HTTP 403)
STATE = "state"  # the object's state does not allow it now (HTTP 409 in the API; 403 on pages)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str = ""
    code: str = FORBIDDEN

    def __bool__(self):
        return self.allowed


ALLOW = Decision(True)


def deny(message, code: str = FORBIDDEN) -> Decision:
    """This person may not do this (to this object)."""
    return Decision(False, str(message), code)


def not_now(message) -> Decision:
    """The action is the person's to take, but not from the object's current state."""
    return Decision(False, str(message), STATE)


class Refusal(PermissionDenied):
    """A refused action, raised by services. ``message`` is for the person; ``code`` is FORBIDDEN or STATE."""

    def __init__(self, message, code: str = FORBIDDEN, action: str = ""):
        self.message = str(message)
        self.code = code
        self.action = action
        super().__init__(self.message)

    def __str__(self):
        return self.message


# ---------------------------------------------------------------- who a person is, relative to the org


def is_active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def roles_of(user) -> UserRoles:
    return UserRoles.of(user)


def holds(user, *roles) -> bool:
    """The person holds one of ``roles`` at some court (superusers hold every role)."""
    if not is_active(user):
        return False
    return user.is_superuser or roles_of(user).has(*roles)


def _reaches(user, court, roles) -> bool:
    if not is_active(user) or court is None:
        return False
    if user.is_superuser:
        return True
    return any(court.path.startswith(p) for p in roles_of(user).subtree_paths(*roles))


def is_office_of(user, court) -> bool:
    """The leading group's office (领导小组办公室) of ``court`` or of a court above it."""
    return _reaches(user, court, (Role.OFFICE,))


def is_oversight_of(user, court) -> bool:
    """The office or the leading group of ``court`` or of a court above it."""
    return _reaches(user, court, tuple(OVERSIGHT_ROLES))


def is_admin_of(user, court) -> bool:
    """The system administrator of ``court`` or of a court above it (superusers too)."""
    return _reaches(user, court, (Role.ADMIN,))


def is_campaign_admin_of(user, court) -> bool:
    """The office or the administrator of ``court`` or above: templates, letters, recomputations."""
    return _reaches(user, court, (Role.OFFICE, Role.ADMIN))


def reaches_subtree(user, court) -> bool:
    """Office, leading group or administrator over ``court``."""
    return _reaches(user, court, tuple(SUBTREE_ROLES))


def heads(user, division_id) -> bool:
    return is_active(user) and bool(division_id) and division_id in roles_of(user).division_ids(Role.DIVISION_HEAD)


def oversees(user, division_id) -> bool:
    """The deputy leader in charge of (分管) the division."""
    return is_active(user) and bool(division_id) and division_id in roles_of(user).division_ids(Role.DEPUTY_LEADER)


def presides(user, court_id) -> bool:
    return is_active(user) and bool(court_id) and court_id in roles_of(user).court_ids(Role.PRESIDENT)


# ---------------------------------------------------------------- the registry


Rule = Callable[..., "Decision | bool"]


@dataclass(frozen=True)
class _Registered:
    name: str  # dotted: "risks.submit"
    function: Rule
    model: type | None
    message: object  # a lazy translation: rendered in the reader's language when refused


DEFAULT_REFUSAL = _("您无权进行此操作。")
_RULES: dict[str, _Registered] = {}
_BY_MODEL: dict[type, list[_Registered]] = {}


class Policy:
    """An app's rules. ``label`` prefixes every action name (``"risks"`` → ``"risks.submit"``)."""

    def __init__(self, label: str):
        self.label = label

    def rule(self, action: str, *, model: type | None = None, message=None):
        """Register ``function(user, obj)`` as the rule for ``<label>.<action>``.

        ``model``: the rule is an action on objects of that model and is listed by :func:`allowed_actions`.
        Without it the rule is an action on something else (a court, a division, nothing) and is asked by name.
        The rule returns a :class:`Decision` (``ALLOW``, ``deny(…)``, ``not_now(…)``) or a bool (``False``
        is refused with ``message``). It is called only for an active, signed-in user.
        """

        def register(function: Rule) -> Rule:
            name = f"{self.label}.{action}"
            if name in _RULES and _RULES[name].function.__qualname__ != function.__qualname__:
                raise ImproperlyConfigured(f"permission rule {name} is declared twice")
            entry = _Registered(name, function, model, message or DEFAULT_REFUSAL)
            _RULES[name] = entry
            if model is not None:
                entries = _BY_MODEL.setdefault(model, [])
                entries[:] = [e for e in entries if e.name != name] + [entry]
            return function

        return register


def rule_names(model: type | None = None) -> list[str]:
    if model is None:
        return sorted(_RULES)
    return [e.name for e in _BY_MODEL.get(model, [])]


def decide(user, action: str, obj=None) -> Decision:
    """The decision on ``action`` (dotted name) for ``user`` on ``obj``. Unknown names are a programming error."""
    try:
        entry = _RULES[action]
    except KeyError:
        raise ImproperlyConfigured(f"no permission rule named {action!r}") from None
    if not is_active(user):
        return deny(_("需要登录。"))
    if entry.model is not None and obj is not None and not isinstance(obj, entry.model):
        raise ImproperlyConfigured(f"{action} is a rule on {entry.model.__name__}, not {type(obj).__name__}")
    result = entry.function(user, obj)
    if isinstance(result, Decision):
        return result
    return ALLOW if result else deny(entry.message)


def can(user, action: str, obj=None) -> bool:
    return decide(user, action, obj).allowed


def check(user, action: str, obj=None) -> None:
    """Raise :class:`Refusal` (a ``PermissionDenied``) unless ``user`` may take ``action`` on ``obj``."""
    decision = decide(user, action, obj)
    if not decision.allowed:
        raise Refusal(decision.message, decision.code, action)


def allowed_actions(user, obj) -> dict[str, bool]:
    """Every action registered for ``obj``'s model, by its short name → may ``user`` take it now.

    In a template: ``{% allowed_actions obj as may %}`` then ``{% if may.submit %}``.
    """
    result = {}
    for entry in _BY_MODEL.get(type(obj), []):
        result[entry.name.split(".", 1)[1]] = decide(user, entry.name, obj).allowed
    return result


# ---------------------------------------------------------------- 404 before 403


def get_visible_or_404(queryset, user, **lookup):
    """The object matching ``lookup`` among the rows ``user`` may see, or 404: out of scope never says 403.

    ``queryset`` is a model or a queryset whose model has a scoped manager (``visible_to``).
    """
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_for_action_or_404(queryset, user, action: str, **lookup):
    """Visible (else 404) and the action allowed (else 403 with the rule's message)."""
    obj = get_visible_or_404(queryset, user, **lookup)
    check(user, action, obj)
    return obj
