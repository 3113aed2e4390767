"""How a page answers an action that the policy or the service refuses — one rule for every app's views.

- **Forbidden** (``Refusal`` with ``code == FORBIDDEN``: this person may not take this action on this object):
  the page answers 403, before reading the form. It never pretends it tried.
- **Not now** (``code == STATE``: the person may, but the object's state does not allow it now — usually
  someone else acted first) and **bad input** (``ValidationError``): the message is shown on the page the
  person came from, and nothing is written.

Out of scope is decided before any of this, by ``policy.get_visible_or_404`` (404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError

from .policy import STATE, Refusal, decide


def forbid_unless_may(request, action: str, obj=None) -> bool:
    """Before reading a POST: raise 403 when the person may not take ``action`` at all; return False (the
    reason flashed) when only the object's state stands in the way now; True when allowed."""
    decision = decide(request.user, action, obj)
    if decision.allowed:
        return True
    if decision.code != STATE:
        raise Refusal(decision.message, decision.code, action)
    messages.error(request, decision.message)
    return False


def failure_messages(exc) -> list[str]:
    """The messages of a refused or invalid action; a forbidden ``Refusal`` is raised again (403)."""
    if isinstance(exc, Refusal):
        if exc.code != STATE:
            raise exc
        return [exc.message]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


def flash_failure(request, exc, level=messages.ERROR) -> None:
    for text in failure_messages(exc):
        messages.add_message(request, level, text)
