"""One transition mechanism for every workflow object (Wagtail-workflow style): a model declares its states'
moves once, as a :class:`Machine` of named :class:`Step` s, and every service moves an object through
:func:`apply`::

    RISK_POINT_MACHINE = Machine(
        field="state",
        steps=[
            Step("submit", {State.DRAFT, State.RETURNED}, State.SUBMITTED, action="risks.submit", audit="risks.submit"),
            …
        ],
    )
    transitions.register(RiskPoint, RISK_POINT_MACHINE)

    # in a service, after policy.check(actor, "risks.submit", rp) and the input's validation:
    transitions.apply(rp, "submit", actor=actor, reason=reason)

:func:`apply` refuses a move the machine does not declare from the object's current state with the policy's
``STATE`` refusal (:class:`~hkcourt.org.policy.Refusal`: flashed on pages, 409 in the API) and writes nothing;
otherwise it sets the state (and the step's time / person columns, e.g. ``closed_at`` / ``closed_by``), saves,
writes one history row and one audit entry. Both store **codes**: the step's audit action code, the states'
values and the person's own reason — never a translated sentence.

``action`` names the policy rule that decides who may take the step; the service checks it first (its refusal
messages and order stay the service's), :func:`apply` checks only the state. A step without an action is taken
by the system (the schedule's phase changes, a warning taken up by a handling).

History: a risk point keeps its own table (``risks.Transition``: hundreds of thousands of rows, read with
each point); every other machine writes :class:`~hkcourt.org.models.StateChange`, one generic table keyed by
content type and object id (see ``docs/architecture.md``). A machine names its writer with ``history=``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .policy import STATE, Refusal


@dataclass(frozen=True)
class Step:
    """One declared move: its ``name``, the states it may start from, the state it ends in, the policy rule
    (dotted) that decides who may take it, the audit action code it is logged under, and the columns it
    stamps: ``stamp`` gets the time, ``stamp_by`` the person."""

    name: str
    sources: frozenset
    target: str
    audit: str
    action: str | None = None
    stamp: str | None = None
    stamp_by: str | None = None

    def __init__(self, name, sources, target, *, audit, action=None, stamp=None, stamp_by=None):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "audit", audit)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "stamp", stamp)
        object.__setattr__(self, "stamp_by", stamp_by)


@dataclass
class Machine:
    """A model's states and the steps between them. ``history(obj, step, from_state, actor, reason)`` writes
    the history row (default: a generic :class:`StateChange`)."""

    steps: Iterable[Step]
    field: str = "state"
    history: Callable | None = None
    model: type | None = None
    by_name: dict = dataclass_field(default_factory=dict)

    def __post_init__(self):
        self.steps = tuple(self.steps)
        for step in self.steps:
            if step.name in self.by_name:
                raise ImproperlyConfigured(f"transition step {step.name!r} is declared twice")
            self.by_name[step.name] = step

    def step(self, name: str) -> Step:
        try:
            return self.by_name[name]
        except KeyError:
            raise ImproperlyConfigured(f"no transition step {name!r} on {self.model}") from None

    def graph(self) -> dict:
        """``{state: {states it may move to}}``, for every state named by a step (the old ``TRANSITIONS``)."""
        states = {s for step in self.steps for s in step.sources} | {step.target for step in self.steps}
        graph = {state: set() for state in states}
        for step in self.steps:
            for source in step.sources:
                graph[source].add(step.target)
        return graph

    def state_of(self, obj) -> str:
        return str(getattr(obj, self.field))

    def allows(self, obj, name: str) -> bool:
        """May ``obj`` take step ``name`` from its current state (the state only: who may is the policy's)."""
        return self.state_of(obj) in self.step(name).sources

    def steps_from(self, state) -> list[Step]:
        return [step for step in self.steps if str(state) in step.sources]


_MACHINES: dict[type, Machine] = {}


def register(model: type, machine: Machine) -> Machine:
    """Declare ``machine`` as ``model``'s workflow (once, next to the model)."""
    if model in _MACHINES and _MACHINES[model] is not machine:
        raise ImproperlyConfigured(f"{model.__name__} has a transition machine already")
    machine.model = model
    _MACHINES[model] = machine
    return machine


def machine_for(obj_or_model) -> Machine:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return _MACHINES[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model.__name__} declares no transition machine") from None


def machines() -> dict[type, Machine]:
    return dict(_MACHINES)


def _state_label(obj, machine, value) -> str:
    choices = dict(obj._meta.get_field(machine.field).choices or ())
    return str(choices.get(value, value))


def refusal(obj, step: Step) -> Refusal:
    machine = machine_for(obj)
    return Refusal(
        _("%(object)s当前为“%(state)s”，不能%(action)s。")
        % {
            "object": obj._meta.verbose_name,
            "state": _state_label(obj, machine, machine.state_of(obj)),
            "action": audit.label(step.audit),
        },
        STATE,
        step.action or step.audit,
    )


def write_state_change(obj, step: Step, from_state: str, *, actor, reason: str = ""):
    """The generic history row (every machine but the risk point's)."""
    from .models import StateChange

    return StateChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_state=from_state,
        to_state=step.target,
        action=step.audit,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason or "",
    )


def apply(
    obj,
    name: str,
    *,
    actor,
    reason: str = "",
    audit_reason: str | None = None,
    data: dict | None = None,
    fields: Iterable[str] = (),
    save: bool | Callable = True,
    court=None,
):
    """Take step ``name`` on ``obj``: refuse (``Refusal``, code ``STATE``, nothing written) unless the machine
    declares it from the current state; else set the state and the step's stamps, save the state with
    ``fields`` (the other columns the service changed; ``save=False``: the caller saves; a callable:
    ``save(obj, fields)`` saves), write one history row and one audit entry (the step's code, ``reason`` — or
    ``audit_reason`` where the log keeps a different one —, ``data``). Returns the history row.

    Call it inside the service's transaction, after its ``policy.check`` and its input's validation."""
    machine = machine_for(obj)
    step = machine.step(name)
    from_state = machine.state_of(obj)
    if from_state not in step.sources:
        raise refusal(obj, step)
    setattr(obj, machine.field, step.target)
    changed = [machine.field, *fields]
    if step.stamp:
        setattr(obj, step.stamp, timezone.now())
        changed.append(step.stamp)
    if step.stamp_by:
        setattr(obj, step.stamp_by, actor)
        changed.append(step.stamp_by)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        changed.append("updated_at")
    changed = list(dict.fromkeys(changed))
    if callable(save):
        save(obj, changed)
    elif save:
        obj.save(update_fields=changed)
    writer = machine.history or write_state_change
    row = writer(obj, step, from_state, actor=actor, reason=reason)
    logged = reason if audit_reason is None else audit_reason
    audit.record(actor=actor, action=step.audit, obj=obj, reason=logged or "", data=data, court=court)
    return row


def history_of(obj):
    """The generic history rows of ``obj``, oldest first, with their actors' names (one query)."""
    from .models import StateChange

    return (
        StateChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("actor__person")
        .order_by("at", "id")
    )
