"""我的待办 for letters: my letter to sign, letters to countersign, letters to archive."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org.todos import Todo

from .models import LetterState


def letters_todos(user):
    from .selectors import letters_for, to_archive, to_countersign

    items = []
    section = _("承诺书")
    mine = letters_for(user).current().filter(signer=user, state=LetterState.DRAFTED).select_related("template")
    for letter in mine:
        items.append(
            Todo(
                section=section,
                title=_("签订%(title)s") % {"title": letter.title},
                url=reverse("commitments:detail", args=[letter.pk]),
                due=letter.template.sign_deadline,
            )
        )
    waiting = to_countersign(user).count()
    if waiting:
        items.append(
            Todo(
                section=section,
                title=_("监督人签字（审核确认）"),
                url=reverse("commitments:list") + "?tab=countersign",
                count=waiting,
            )
        )
    archivable = to_archive(user).count()
    if archivable:
        items.append(
            Todo(
                section=section,
                title=_("归档监督人已签字的承诺书"),
                url=reverse("commitments:list") + f"?state={LetterState.COUNTERSIGNED}",
                count=archivable,
            )
        )
    return items
