"""The one access mechanism: ``Model.objects.visible_to(user)``.

Every model with rows that not everyone may see declares a :class:`Scope` on its queryset: where its
court, division and owner columns are. ``visible_to`` turns the user's role assignments into one SQL
filter over those columns (joins at most): never a list of permitted object ids computed in Python.

Reach of each role (a role is scoped to a court):

==================  ===========================================================
staff               own rows (the ``owner`` column)
division_head       rows of the division they head
deputy_leader       rows of the divisions they oversee (分管庭室)
president           rows of their court
office              rows of their court and every court under it (全市法院)
leading_group       rows of their court and every court under it
admin               rows of their court and every court under it
==================  ===========================================================

Explicit per-object grants that the org chart cannot express (互相查, a person lent to another
division) come from django-guardian's direct foreign-key tables. They are added so that PostgreSQL can still
use the owner, division and court indexes (issue 12): for a person whose reach is their own rows, a
division or a court, the scope is ``pk IN (rows the org chart reaches UNION ALL granted ids)``; for a
person whose reach is a subtree of courts (most of the table), the grant subquery is ORed in, where it
is a cheap hashed filter on a plan that reads the rows in the list's order. ``tests/org/
test_scope_plans.py`` pins the plan shape on PostgreSQL; ``bench/scope.md`` has the EXPLAIN figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import BooleanField, Expression, F, Q, Subquery

from .roles import RANK_ORDER, SUBTREE_ROLES, Role, rank_title


@dataclass(frozen=True)
class Scope:
    """Where a model keeps the columns that decide who may see a row.

    ``court``/``division``/``owner`` are lookup paths (``None``: the model has no such column; ``""`` for
    ``court`` means the row is itself a court). ``roles`` limits which roles reach beyond their own rows
    (``None``: all). ``owner_sees_own`` lets a person see rows they own. ``hidden_from`` is a lookup path to
    a user the row is *about*, who must never see it (signals about a person). ``organisation`` marks org
    structure, which everyone may see within the courts they belong to. ``grant_model`` names a guardian
    direct foreign-key user-permission model ("app_label.Model") whose ``view_`` grants are added.
    """

    court: str | None = "court"
    division: str | None = "division"
    owner: str | None = "owner"
    roles: frozenset | None = None
    owner_sees_own: bool = True
    hidden_from: str | None = None
    organisation: bool = False
    grant_model: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    role: str
    court_id: int
    court_path: str
    division_id: int | None
    rank: str = ""  # the leading group's and its office's rank (组长/副组长/成员, 主任/副主任/成员)


class UserRoles:
    """The roles and the profile of a user, read once per request (two small queries), cached on the user."""

    def __init__(self, assignments, person=None):
        self.assignments = tuple(assignments)
        self.person = person  # the user's Person profile (court and division loaded), if any
        self.home_court = (person.court_id, person.court.path) if person else None

    @classmethod
    def of(cls, user) -> UserRoles:
        cached = getattr(user, "_hk_roles", None)
        if cached is not None:
            return cached
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            roles = cls(())
        else:
            from .models import Person, RoleAssignment

            rows = RoleAssignment.objects.filter(user=user).values_list(
                "role", "court_id", "court__path", "division_id", "rank"
            )
            person = Person.objects.filter(user=user).select_related("court", "division").first()
            roles = cls((Assignment(*row) for row in rows), person)
        user._hk_roles = roles
        return roles

    @staticmethod
    def forget(user):
        if hasattr(user, "_hk_roles"):
            del user._hk_roles

    def has(self, *roles) -> bool:
        return any(a.role in roles for a in self.assignments)

    def titles(self) -> list[str]:
        """The roles as a page names them, in the order roles are declared, a rank in full ("领导小组组长")."""
        order = {role: i for i, role in enumerate(Role)}
        seen, out = set(), []
        for a in sorted(self.assignments, key=lambda a: (order.get(a.role, 99), RANK_ORDER.get(a.rank, 3))):
            title = rank_title(a.role, a.rank) or str(Role(a.role).label)
            if title not in seen:
                seen.add(title)
                out.append(title)
        return out

    def codes(self) -> set[str]:
        return {a.role for a in self.assignments}

    def court_ids(self, *roles) -> list[int]:
        return sorted({a.court_id for a in self.assignments if not roles or a.role in roles})

    def division_ids(self, *roles) -> list[int]:
        return sorted({a.division_id for a in self.assignments if a.division_id and (not roles or a.role in roles)})

    def subtree_paths(self, *roles) -> list[str]:
        return sorted({a.court_path for a in self.assignments if a.role in roles})

    def member_paths(self) -> list[str]:
        paths = {a.court_path for a in self.assignments}
        if self.home_court:
            paths.add(self.home_court[1])
        return sorted(paths)


def _path_prefix(lookup: str) -> str:
    return f"{lookup}__" if lookup else ""


class PkIn(Expression):
    """``pk IN (subquery)`` that PostgreSQL answers from the subquery first, whatever the outer query joins.

    A plain ``IN (subquery)`` becomes a semi-join, and in a list query that joins ten tables (more than
    ``join_collapse_limit``) the planner keeps it last: it joins every row of the table, then filters.
    ``pk = ANY(ARRAY(subquery))`` is an index condition on the primary key instead, evaluated once
    (an InitPlan) before the table is read. Other databases get the plain ``IN``.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, queryset):
        super().__init__()
        self.pk, self.subquery = F("pk"), Subquery(queryset)

    def get_source_expressions(self):
        return [self.pk, self.subquery]

    def set_source_expressions(self, exprs):
        self.pk, self.subquery = exprs

    def as_sql(self, compiler, connection, template="%s IN %s"):
        pk_sql, pk_params = compiler.compile(self.pk)
        subquery_sql, subquery_params = compiler.compile(self.subquery)
        return template % (pk_sql, subquery_sql), (*pk_params, *subquery_params)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")


def _any_of(conditions: list[Q]) -> Q:
    condition = conditions[0]
    for extra in conditions[1:]:
        condition |= extra
    return condition


def scope_filter(scope: Scope, user) -> Q | None:
    """The SQL condition for the rows ``user`` may see under ``scope``; ``None`` means nothing."""
    roles = UserRoles.of(user)
    allowed = (lambda role: True) if scope.roles is None else (lambda role: role in scope.roles)
    conditions = []

    if scope.organisation:
        paths = roles.member_paths()
        if scope.court is not None and paths:
            path_col = f"{_path_prefix(scope.court)}path"
            conditions += [Q(**{f"{path_col}__startswith": p}) for p in paths]
        elif scope.owner:
            conditions.append(Q(**{scope.owner: user}))
    else:
        if scope.owner and scope.owner_sees_own:
            conditions.append(Q(**{scope.owner: user}))
        if scope.division is not None:
            divisions = [
                a.division_id
                for a in roles.assignments
                if a.role in (Role.DIVISION_HEAD, Role.DEPUTY_LEADER) and allowed(a.role) and a.division_id
            ]
            if divisions:
                conditions.append(Q(**{f"{scope.division}__in": sorted(set(divisions))}))
        if scope.court is not None:
            court_col = scope.court or "pk"
            presidents = [a.court_id for a in roles.assignments if a.role == Role.PRESIDENT and allowed(a.role)]
            if presidents:
                conditions.append(Q(**{f"{court_col}__in": sorted(set(presidents))}))
            path_col = f"{_path_prefix(scope.court)}path"
            for path in sorted(
                {a.court_path for a in roles.assignments if a.role in SUBTREE_ROLES and allowed(a.role)}
            ):
                conditions.append(Q(**{f"{path_col}__startswith": path}))

    if scope.grant_model:
        grant_model = apps.get_model(scope.grant_model)
        model = grant_model._meta.get_field("content_object").related_model
        granted = grant_model.objects.filter(user=user, permission__codename=f"view_{model._meta.model_name}").values(
            "content_object_id"
        )
        reaches_subtree = scope.court is not None and any(
            a.role in SUBTREE_ROLES and allowed(a.role) for a in roles.assignments
        )
        if not conditions:
            conditions = [Q(PkIn(granted))]
        elif not reaches_subtree:
            # A grant ORed into the org-chart condition is a subplan filter no index can serve: PostgreSQL
            # would read every row of the table. As a UNION each branch uses its own index (owner,
            # division, court; the grant table's user) and the rows are then fetched by primary key.
            in_scope = model._base_manager.filter(_any_of(conditions)).order_by().values("pk")
            conditions = [Q(PkIn(in_scope.union(granted, all=True)))]
        else:
            # A subtree reaches most rows anyway: the plan walks an index in the list's order (or scans
            # the table for a count) and the grant subquery is a cheap hashed filter on the way.
            conditions.append(Q(pk__in=granted))

    if not conditions:
        return None
    condition = _any_of(conditions)
    if scope.hidden_from:
        condition &= ~Q(**{scope.hidden_from: user}) | Q(**{f"{scope.hidden_from}__isnull": True})
    return condition


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows its model's :class:`Scope`. ``visible_to(user)`` is the only way in."""

    scope: Scope = Scope()

    def visible_to(self, user):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        condition = scope_filter(self.scope, user)
        if condition is None:
            return self.none()
        qs = self.filter(condition)
        # An OR across a join (court path, a grant subquery) cannot duplicate rows: every branch is a
        # many-to-one lookup or an IN subquery, so no DISTINCT is needed.
        return qs
