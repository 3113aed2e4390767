"""Rows written before the texts became codes: the data migrations read the stored sentences (Chinese, or English
when the person who caused them worked in English) back into codes and parameters; what a person typed, and
anything no known wording matches, stays as it is."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from hkcourt.notifications.models import Notification
from hkcourt.org.models import Court

pytestmark = pytest.mark.django_db

DUE = dt.date(2013, 2, 15)
notifications_0002 = importlib.import_module("hkcourt.notifications.migrations.0002_texts_as_codes")
oversight_0004 = importlib.import_module("workflow.oversight.migrations.0004_texts_as_codes")


def _legacy(user, kind, title, body="", n=0):
    return Notification.objects.create(
        recipient=user, kind=kind, object_ref=f"x:{n}", due=DUE, title=title, body=body, message="", params={}
    )


def test_stored_sentences_become_codes_in_either_language(demo_user):
    staff = demo_user("staff_demo")
    zh = _legacy(staff, "risks.returned", "风险点FX-001被退回，请修改后重新提交", "退回理由：请补充", 1)
    en = _legacy(staff, "risks.graded", 'Risk point FX-002 was graded "High"', n=2)
    names = "、".join(f"干警{i}" for i in range(30)) + "等"
    overdue = _legacy(
        staff,
        "task_overdue",
        "Overdue: “查找风险点” was due 2013-02-10, 31 not done",
        f"2013年活动 的任务“查找风险点”逾期未完成：{names}。请督促落实。",
        3,
    )
    reminder = _legacy(
        staff,
        "task_reminder_7",
        "提醒：“查找风险点”还有 7 天截止（2013-02-22）",
        "2013年活动 第1阶段“查找廉政风险”的任务“查找风险点”尚未完成。每人至少一个",
        4,
    )
    odd_body = _legacy(staff, "task_reminder_1", "提醒：“查找风险点”还有 1 天截止（2013-02-22）", "改过的正文", 6)
    typed = _legacy(staff, "test", "一条自己写的通知", "内容", 5)

    notifications_0002.to_codes(apps, None)

    for n in (zh, en, overdue, reminder, typed, odd_body):
        n.refresh_from_db()
    assert (zh.message, zh.params, zh.title, zh.body) == (
        "risks.returned",
        {"code": "FX-001", "reason": "请补充"},
        "",
        "",
    )
    assert (en.message, en.params) == ("risks.graded", {"code": "FX-002", "grade": "high"})
    assert overdue.message == "workflow.task_overdue" and len(overdue.params["names"]) == 31
    assert reminder.message == "workflow.task_reminder" and reminder.params["days"] == "7"
    assert reminder.params["desc"] == "每人至少一个" and reminder.body == ""
    # a body that matches no wording would be lost behind the code's own: the row stays a sentence
    assert (odd_body.message, odd_body.body) == ("", "改过的正文")
    assert (typed.message, typed.title) == ("", "一条自己写的通知")
    with translation.override("en"):
        assert en.display_title == 'Risk point FX-002 was graded "High"'
        assert overdue.display_body.endswith("干警29 and others. Please follow up.")
    with translation.override("zh-hans"):
        assert en.display_title == "风险点FX-002已评定为“高”"
        assert zh.display_body == "退回理由：请补充"

    notifications_0002.to_sentences(apps, None)  # and back
    en.refresh_from_db()
    assert (en.message, en.title) == ("", "风险点FX-002已评定为“高”")


def test_warning_summaries_and_trail_become_codes(demo_user, demo_org):
    from workflow.oversight.models import Warning, WarningEvent, WarningRule
    from workflow.oversight.rules import ensure_default_rules

    ensure_default_rules(WarningRule)
    court = Court.objects.get(code="hgzy")
    rule = WarningRule.objects.get(kind="rectification_overdue")
    w = Warning.objects.create(
        rule=rule,
        level=rule.level,
        key="legacy:1",
        court=court,
        summary="Rectification ZG00007 is 3 days overdue and not accepted",
    )
    raised = WarningEvent.objects.create(
        warning=w, action="发出预警", note="规则“整改逾期”；此前已有处置，建议升级为“诫勉谈话”"
    )
    handled = WarningEvent.objects.create(warning=w, action="Handling", note="Admonishment talk：张三")
    closed = WarningEvent.objects.create(warning=w, action="办结", note="已核实，谈话完毕")

    oversight_0004.to_codes(apps, None)

    for row in (w, raised, handled, closed):
        row.refresh_from_db()
    assert (w.message, w.params, w.summary) == (
        "oversight.rule.rectification_overdue",
        {"code": "ZG00007", "days": "3"},
        "",
    )
    assert (raised.action, raised.message, raised.params) == (
        "raise",
        "oversight.event.raise_rung",
        {"rule": "整改逾期", "rung": "talk"},
    )
    assert (handled.action, handled.params) == ("handle", {"kind": "talk", "person": "张三"})
    assert (closed.action, closed.message, closed.note) == ("close", "", "已核实，谈话完毕")  # a person's words
    with translation.override("zh-hans"):
        assert w.display_summary == "整改ZG00007已逾期3天未验收"
        assert raised.get_action_display() == "发出预警"
        assert handled.display_note == "诫勉谈话：张三"
    with translation.override("en"):
        # a default rule's name is shown in the reader's language too
        assert (
            raised.display_note
            == "Rule “Rectification overdue”; handled before, escalation to “Admonishment talk” proposed"
        )


def test_an_acceptances_order_to_redo_becomes_a_code(demo_user):
    """oversight 0005: the problem of a rectification ordered by an acceptance (Chinese or English) becomes
    ``assessment.redo`` with the reasons as codes; a person's problem stays as typed."""
    from workflow.oversight.models import Rectification

    oversight_0005 = importlib.import_module("workflow.oversight.migrations.0005_rectification_problem_code")
    office, head = demo_user("office_demo"), demo_user("head_demo")
    court = Court.objects.get(code="hgzy")

    def rect(problem):
        return Rectification.objects.create(court=court, owner=head, problem=problem, deadline=DUE, created_by=office)

    zh = rect(
        "2013年验收：工农区法院·民事审判庭验收不合格、存在形式主义、做表面文章、敷衍塞责的问题，责令整改、重新补课。验收结论：流于形式"
    )
    en = rect(
        "2013 acceptance: 向阳区法院 formalism, window-dressing or perfunctory work; ordered to rectify and redo the"
        " work. Conclusion: 走过场"
    )
    typed = rect("案卷归档不及时")
    oversight_0005.to_codes(apps, None)
    for r in (zh, en, typed):
        r.refresh_from_db()
    assert (zh.problem_code, zh.problem, zh.problem_params) == (
        "assessment.redo",
        "",
        {
            "title": "2013年验收",
            "unit": "工农区法院·民事审判庭",
            "reasons": ["fail", "formalism"],
            "conclusion": "流于形式",
        },
    )
    assert en.problem_params == {
        "title": "2013 acceptance",
        "unit": "向阳区法院",
        "reasons": ["formalism"],
        "conclusion": "走过场",
    }
    assert (typed.problem_code, typed.problem) == ("", "案卷归档不及时")
    assert zh.problem_text.startswith("2013年验收：工农区法院·民事审判庭验收不合格")
    with translation.override("en"):
        assert en.problem_text == (
            "2013 acceptance: 向阳区法院 formalism, window-dressing or perfunctory work; ordered to rectify and redo"
            " the work. Conclusion: 走过场"
        )
    oversight_0005.to_sentences(apps, None)
    en.refresh_from_db()
    assert (en.problem_code, en.problem) == (
        "",
        "2013 acceptance：向阳区法院存在形式主义、做表面文章、敷衍塞责的问题，责令整改、重新补课。验收结论：走过场",
    )
