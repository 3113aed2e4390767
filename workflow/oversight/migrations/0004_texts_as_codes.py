"""Warnings and their trail keep the system's words as codes and parameters (rendered in the reader's language).

A warning's summary, a trail entry's action and the system's note on it were sentences in the language of the
process that wrote them. This migration reads them back against the Chinese and English wordings they were
written with (frozen here) and stores codes and parameters instead; what a person wrote (a closing note, a
handling's outcome) stays as it is, and so does anything that matches no wording. Going back writes Chinese."""

import re

from django.db import migrations, models

RUNG = {
    "风险提示": "reminder",
    "诫勉谈话": "talk",
    "责令纠错": "order",
    "Risk reminder": "reminder",
    "Admonishment talk": "talk",
    "Order to correct": "order",
}
ACTIONS = {
    "发出预警": "raise",
    "Warning raised": "raise",
    "处置": "handle",
    "Handling": "handle",
    "办结": "close",
    "Closed": "close",
    "处置办结": "handling_close",
    "Handling closed": "handling_close",
}
SUMMARIES = {
    "division_signals": (
        "%(division)s近%(days)s天内收到风险信息%(n)s条",
        "%(division)s received %(n)s signals in the last %(days)s days",
    ),
    "high_risk_signal": (
        "高等级风险点%(code)s出现风险信息%(n)s条：%(title)s",
        "High-grade risk point %(code)s has %(n)s signals: %(title)s",
    ),
    "measure_overdue": (
        "防控措施%(code)s“%(title)s”已逾期%(days)s天未落实",
        "Prevention measure %(code)s “%(title)s” is %(days)s days overdue and not in place",
    ),
    "rectification_overdue": (
        "整改%(code)s已逾期%(days)s天未验收",
        "Rectification %(code)s is %(days)s days overdue and not accepted",
    ),
    "no_confirmed_points": (
        "%(division)s在排查阶段结束（%(end)s）时已确定的风险点不足%(n)s个",
        "%(division)s had fewer than %(n)s confirmed risk points when the identification phase ended (%(end)s)",
    ),
}
NOTES = {
    "oversight.event.raise_rung": (
        "规则“%(rule)s”；此前已有处置，建议升级为“%(rung)s”",
        "Rule “%(rule)s”; handled before, escalation to “%(rung)s” proposed",
    ),
    "oversight.event.raise": ("规则“%(rule)s”", "Rule “%(rule)s”"),
    "oversight.event.handle": ("%(kind)s：%(person)s",),
}


def _pattern(template):
    parts, pos = [], 0
    for m in re.finditer(r"%\((\w+)\)s", template):
        parts += [re.escape(template[pos : m.start()]), f"(?P<{m.group(1)}>.*?)"]
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(parts) + "$", re.S)


def _read(wordings, text):
    for template in wordings:
        m = _pattern(template).match(text or "")
        if m:
            return m.groupdict()
    return None


def to_codes(apps, schema_editor):
    Warning = apps.get_model("oversight", "Warning")
    WarningEvent = apps.get_model("oversight", "WarningEvent")
    for w in Warning.objects.filter(message="").select_related("rule").iterator():
        kind = w.rule.kind
        params = _read(SUMMARIES.get(kind, ()), w.summary)
        if params is not None:
            w.message, w.params, w.summary = f"oversight.rule.{kind}", params, ""
            w.save(update_fields=["message", "params", "summary"])
    for e in WarningEvent.objects.filter(message="").iterator():
        e.action = ACTIONS.get(e.action, e.action)
        if e.action in ("raise", "handle"):
            for code, wordings in NOTES.items():
                params = _read(wordings, e.note)
                if params is None or (code == "oversight.event.handle") != (e.action == "handle"):
                    continue
                for name in ("rung", "kind"):
                    if name in params:
                        params[name] = RUNG.get(params[name], params[name])
                e.message, e.params, e.note = code, params, ""
                break
        e.save(update_fields=["action", "message", "params", "note"])


class _Params(dict):
    def __missing__(self, key):
        return ""


def to_sentences(apps, schema_editor):
    Warning = apps.get_model("oversight", "Warning")
    WarningEvent = apps.get_model("oversight", "WarningEvent")
    labels = {v: k for k, v in list(RUNG.items())[::-1]}
    actions = {v: k for k, v in list(ACTIONS.items())[::-1]}
    for w in Warning.objects.exclude(message="").iterator():
        wording = SUMMARIES.get(w.message.removeprefix("oversight.rule."))
        w.summary = (wording[0] % _Params(w.params))[:300] if wording else w.summary
        w.message, w.params = "", {}
        w.save(update_fields=["message", "params", "summary"])
    for e in WarningEvent.objects.all().iterator():
        if e.message in NOTES:
            params = _Params(e.params)
            for name in ("rung", "kind"):
                if name in params:
                    params[name] = labels.get(params[name], params[name])
            e.note = NOTES[e.message][0] % params
        e.action = actions.get(e.action, e.action)
        e.message, e.params = "", {}
        e.save(update_fields=["action", "message", "params", "note"])


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0003_handling_report_deadline_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="warning",
            name="message",
            field=models.CharField(blank=True, max_length=60, verbose_name="消息代码"),
        ),
        migrations.AddField(
            model_name="warning",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="消息参数"),
        ),
        migrations.AddField(
            model_name="warningevent",
            name="message",
            field=models.CharField(blank=True, max_length=60, verbose_name="消息代码"),
        ),
        migrations.AddField(
            model_name="warningevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="消息参数"),
        ),
        migrations.AlterField(
            model_name="warning",
            name="summary",
            field=models.CharField(blank=True, max_length=300, verbose_name="预警内容"),
        ),
        migrations.AlterField(
            model_name="warningevent",
            name="action",
            field=models.CharField(
                choices=[("raise", "发出预警"), ("handle", "处置"), ("close", "办结"), ("handling_close", "处置办结")],
                max_length=40,
                verbose_name="操作",
            ),
        ),
        migrations.RunPython(to_codes, to_sentences),
    ]
