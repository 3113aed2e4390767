"""Notifications keep the system's words as a text code and parameters (rendered in the reader's language).

Rows written before keep their sentence in ``title``/``body``, in whatever language the person who caused them
was using. This migration reads each such sentence back against the known Chinese and English wordings (frozen
here, as they were when the rows were written) and, where one matches, stores the code and the parameters and
empties the sentence. A sentence that matches nothing (a test's, an unknown kind's) is left as it is and is shown
as it is. Going back renders the codes in Chinese into ``title``/``body`` again."""

import re

from django.db import migrations, models

GRADE = {"高": "high", "中": "medium", "低": "low", "High": "high", "Medium": "medium", "Low": "low"}
RUNG = {
    "风险提示": "reminder",
    "诫勉谈话": "talk",
    "责令纠错": "order",
    "Risk reminder": "reminder",
    "Admonishment talk": "talk",
    "Order to correct": "order",
}
LETTER = {
    "个人廉政风险防范承诺书": "personal",
    "庭室廉政风险防范承诺书": "division",
    "单位廉政风险防范承诺书": "court",
    "Personal integrity risk commitment letter": "personal",
    "Division integrity risk commitment letter": "division",
    "Court integrity risk commitment letter": "court",
}
TASK_BODY = (
    "%(campaign)s 第%(n)s阶段“%(phase)s”的任务“%(task)s”尚未完成。%(desc)s",
    "Task “%(task)s” of phase %(n)s “%(phase)s” in %(campaign)s is not done yet. %(desc)s",
)

# code: (title wordings, body wordings or None when the body is literal, parameter → label map)
TEXTS = {
    "risks.returned": (
        (
            "风险点%(code)s被退回，请修改后重新提交",
            "Risk point %(code)s was returned; please revise and submit it again",
        ),
        ("退回理由：%(reason)s", "Reason: %(reason)s"),
        {},
    ),
    "risks.graded": (
        ("风险点%(code)s已评定为“%(grade)s”", 'Risk point %(code)s was graded "%(grade)s"'),
        None,
        {"grade": GRADE},
    ),
    "risks.responsible": (
        ("您是%(grade)s风险点%(code)s的责任领导", "You are the responsible leader of %(grade)s risk point %(code)s"),
        None,
        {"grade": GRADE},
    ),
    "risks.peer_check": (
        ("请您互查风险点%(code)s并提出意见", "Please check risk point %(code)s and comment"),
        None,
        {},
    ),
    "commitments.countersign": (
        ("%(name)s的%(letter)s待您作为监督人签字", "%(name)s's %(letter)s awaits your signature as supervisor"),
        None,
        {"letter": LETTER},
    ),
    "commitments.remind_both": (
        (
            "请在%(date)s前签订%(title)s，并在待您审核确认的承诺书上签字",
            "Please sign the %(title)s by %(date)s, and sign as supervisor the letters awaiting your review",
        ),
        None,
        {},
    ),
    "commitments.remind_sign": (("请在%(date)s前签订%(title)s", "Please sign the %(title)s by %(date)s"), None, {}),
    "commitments.remind_countersign": (
        (
            "有承诺书待您作为监督人签字（截止%(date)s）",
            "Letters await your signature as supervisor (deadline %(date)s)",
        ),
        None,
        {},
    ),
    "workflow.task_urge": (
        ("【催办】%(task)s（截止 %(deadline)s）", "[Urgent] %(task)s (due %(deadline)s)"),
        (
            "领导小组办公室提醒您尽快完成“%(task)s”。%(desc)s",
            "The leading group's office asks you to complete “%(task)s” soon. %(desc)s",
        ),
        {},
    ),
    "workflow.phase_open": (
        (
            "%(campaign)s：第%(n)s阶段“%(name)s”开始（%(start)s 至 %(end)s）",
            "%(campaign)s: phase %(n)s “%(name)s” begins (%(start)s to %(end)s)",
        ),
        None,
        {},
    ),
    "workflow.phase_close": (
        (
            "%(campaign)s：第%(n)s阶段“%(name)s”已于 %(end)s 结束",
            "%(campaign)s: phase %(n)s “%(name)s” ended on %(end)s",
        ),
        (
            "请查看本阶段各项任务的完成情况，对未完成的事项督促整改。",
            "Please review the phase's tasks and follow up on what is not done.",
        ),
        {},
    ),
    "workflow.task_reminder": (
        (
            "提醒：“%(task)s”还有 %(days)s 天截止（%(deadline)s）",
            "Reminder: “%(task)s” is due in %(days)s days (%(deadline)s)",
        ),
        TASK_BODY,
        {},
    ),
    "workflow.task_reminder_today": (
        ("提醒：“%(task)s”今天（%(deadline)s）截止", "Reminder: “%(task)s” is due today (%(deadline)s)"),
        TASK_BODY,
        {},
    ),
    "workflow.task_overdue": (
        (
            "逾期：“%(task)s”已于 %(deadline)s 截止，%(count)s 个对象未完成",
            "Overdue: “%(task)s” was due %(deadline)s, %(count)s not done",
        ),
        (
            "%(campaign)s 的任务“%(task)s”逾期未完成：%(names)s。请督促落实。",
            "Task “%(task)s” of %(campaign)s is overdue for: %(names)s. Please follow up.",
        ),
        {},
    ),
    "assessment.invite": (
        ("请填写问卷：%(title)s（%(day)s前）", "Please answer the questionnaire: %(title)s (by %(day)s)"),
        (
            "本问卷匿名填写，答卷不与您的身份关联。此链接仅供您本人使用一次。",
            "This questionnaire is anonymous: your answers are not linked to you. The link is for you alone and works"
            " once.",
        ),
        {},
    ),
    "oversight.warnings": (
        ("新增预警%(n)s条，请及时处置", "%(n)s new warnings; please handle them promptly"),
        None,
        {},
    ),
    "oversight.next_rung": (
        (
            "处置%(code)s逾期未回告，建议升级为“%(rung)s”",
            "Handling %(code)s: report-back overdue, escalation to “%(rung)s” proposed",
        ),
        None,
        {"rung": RUNG},
    ),
    "oversight.rect_overdue": (
        (
            "整改%(code)s已超过期限（%(day)s），请尽快完成并报告",
            "Rectification %(code)s is past its deadline (%(day)s); please complete it and report soon",
        ),
        None,
        {},
    ),
    "oversight.rect_due": (
        (
            "整改%(code)s将于%(day)s到期，请按期完成并报告进展",
            "Rectification %(code)s is due on %(day)s; please complete it on time and report progress",
        ),
        None,
        {},
    ),
    "oversight.handling": (
        ("%(kind)s：请于%(day)s前回告", "%(kind)s: please report back by %(day)s"),
        None,
        {"kind": RUNG},
    ),
    "oversight.report_back": (("处置%(code)s已回告", "Handling %(code)s reported back"), None, {}),
    "oversight.rect_order": (
        (
            "责令整改：请于%(day)s前完成整改并报告进展",
            "Order to rectify: complete the rectification and report progress by %(day)s",
        ),
        None,
        {},
    ),
}

# The notification kinds each code was sent under.
CODES_OF_KIND = {
    "risks.returned": ["risks.returned"],
    "risks.graded": ["risks.graded"],
    "risks.responsible": ["risks.responsible"],
    "risks.peer_check": ["risks.peer_check"],
    "commitments.countersign": ["commitments.countersign"],
    "commitments.reminder": ["commitments.remind_both", "commitments.remind_sign", "commitments.remind_countersign"],
    "task_urge": ["workflow.task_urge"],
    "phase_open": ["workflow.phase_open"],
    "phase_close": ["workflow.phase_close"],
    "task_overdue": ["workflow.task_overdue"],
    "assessment.invite": ["assessment.invite"],
    "oversight.warnings": ["oversight.warnings"],
    "oversight.next_rung": ["oversight.next_rung"],
    "oversight.rect_overdue": ["oversight.rect_overdue"],
    "oversight.rect_due": ["oversight.rect_due"],
    "oversight.reminder": ["oversight.handling"],
    "oversight.talk": ["oversight.handling"],
    "oversight.order": ["oversight.handling"],
    "oversight.report_back": ["oversight.report_back"],
    "oversight.rect_order": ["oversight.rect_order"],
}


def _pattern(template):
    """A wording as a regular expression, each %(name)s a group (a repeated name must repeat its text)."""
    parts, seen, pos = [], set(), 0
    for m in re.finditer(r"%\((\w+)\)s", template):
        parts.append(re.escape(template[pos : m.start()]))
        name = m.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(parts) + "$", re.S)


def _read(wordings, text):
    for template in wordings:
        m = _pattern(template).match(text)
        if m:
            return m.groupdict()
    return None


def _codes(kind):
    if kind.startswith("task_reminder_"):
        return ["workflow.task_reminder", "workflow.task_reminder_today"]
    return CODES_OF_KIND.get(kind, [])


def _names(text):
    for more in ("等", " and others"):
        if text.endswith(more):
            return [n for n in text[: -len(more)].split("、") if n] + ["…"]
    return [n for n in text.split("、") if n]


def to_codes(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for n in Notification.objects.filter(message="").iterator():
        for code in _codes(n.kind):
            titles, bodies, labels = TEXTS[code]
            params = _read(titles, n.title)
            if params is None:
                continue
            if bodies is not None:
                body_params = _read(bodies, n.body)
                if body_params is None:
                    continue
                params.update(body_params)
            for name, mapping in labels.items():
                params[name] = mapping.get(params[name], params[name])
            if "names" in params:
                params["names"] = _names(params["names"])
            n.message, n.params, n.title = code, params, ""
            if bodies is not None:
                n.body = ""
            n.save(update_fields=["message", "params", "title", "body"])
            break


class _Params(dict):
    def __missing__(self, key):
        return ""


def to_sentences(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    values = {v: k for mapping in (GRADE, RUNG, LETTER) for k, v in list(mapping.items())[::-1]}
    for n in Notification.objects.exclude(message="").iterator():
        titles, bodies, labels = TEXTS.get(n.message, ((n.title,), None, {}))
        params = _Params(n.params)
        for name in labels:
            params[name] = values.get(params.get(name), params.get(name))
        if isinstance(params.get("names"), list):
            params["names"] = "、".join(params["names"])
        n.title = (titles[0] % params)[:200]
        if bodies is not None:
            n.body = bodies[0] % params
        n.message, n.params = "", {}
        n.save(update_fields=["message", "params", "title", "body"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(blank=True, max_length=60, verbose_name="消息代码"),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="消息参数"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="标题"),
        ),
        migrations.RunPython(to_codes, to_sentences),
    ]
