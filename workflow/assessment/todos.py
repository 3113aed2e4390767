"""我的待办: the questionnaires to answer, the phase summaries to write, the acceptance work to do."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org.todos import Todo


def assessment_todos(user):
    from .selectors import acceptance_work, my_invitations, summaries_to_write

    items = [
        Todo(
            section=_("问卷测评"),
            title=_("答问卷：%(title)s") % {"title": i.questionnaire.title},
            url=reverse("workflow:survey_answer", args=[i.token]),
            due=i.questionnaire.closes_on,
        )
        for i in my_invitations(user)
    ]
    for phase, court, division in summaries_to_write(user):
        query = f"?phase={phase.pk}&" + (f"division={division.pk}" if division else f"court={court.pk}")
        items.append(
            Todo(
                section=_("考核评估"),
                title=_("撰写%(unit)s%(phase)s总结")
                % {"unit": division.name if division else (court.short_name or court.name), "phase": phase.name},
                url=reverse("workflow:summary_new") + query,
                due=phase.end,
            )
        )
    own, running = acceptance_work(user)
    for unit in own:
        items.append(
            Todo(
                section=_("考核评估"),
                title=_("提交自查报告：%(title)s（%(unit)s）") % {"title": unit.acceptance.title, "unit": unit.label},
                url=reverse("workflow:acceptance_unit", args=[unit.pk]),
                due=unit.acceptance.self_due,
            )
        )
    for acceptance, units in running:
        items.append(
            Todo(
                section=_("考核评估"),
                title=_("完成考核验收：%(title)s") % {"title": acceptance.title},
                url=reverse("workflow:acceptance", args=[acceptance.pk]),
                due=acceptance.self_due,
                count=len(units),
            )
        )
    return items
