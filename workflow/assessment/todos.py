"""我的待办: the questionnaires a person has been invited to answer and has not answered yet."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org.todos import Todo


def assessment_todos(user):
    from .selectors import my_invitations

    return [
        Todo(
            section=_("问卷测评"),
            title=_("答问卷：%(title)s") % {"title": i.questionnaire.title},
            url=reverse("workflow:survey_answer", args=[i.token]),
            due=i.questionnaire.closes_on,
        )
        for i in my_invitations(user)
    ]
