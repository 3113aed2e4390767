"""The reasons the system gives a risk point's transitions and field-history versions are kept as text codes
(rendered in the reader's language, hkcourt.org.texts), not as sentences frozen in the writer's language.

A Transition gets ``reason_code`` (constant database default) and ``reason_params`` (null): both ADD COLUMN
without a table rewrite of the large table. A version keeps the code in its change reason (``code`` or
``code?name=value``, risks.models.SystemReason).

The rows written before keep a sentence. This migration reads them back against the Chinese and English wordings
they were written with (frozen here) with set-based UPDATEs (one per wording: ``WHERE reason IN (…)`` or a
regular expression, no loop over the rows): a match becomes its code and parameters and the sentence is emptied;
a person's reason and anything matching no wording stays as it is. PostgreSQL only (the SQLite development
database keeps its sentences, which are shown as they are). Going back writes the Chinese sentences again."""

from django.db import migrations, models

DATE = r"(\d{4}-\d{2}-\d{2})"

# code: (the state a transition with it reaches, the wordings as anchored regular expressions, parameter names)
PATTERNS = {
    "risks.reason.decision": ("confirmed", ["^" + DATE + "集体决定$", "^Collective decision of " + DATE + "$"], ["date"]),
    "risks.reason.publicity": ("published", ["^公示至" + DATE + "$", "^In publicity until " + DATE + "$"], ["date"]),
    "risks.reason.measure_in_place": (
        "controlled",
        ["^防控措施(.*?)“(.*)”已落实。$", '^Prevention measure (.*?) "(.*)" is in place\\.$'],
        ["code", "title"],
    ),
}
# code: (the state a transition with it reaches, its wordings) — texts without parameters
CONSTANTS = {
    "risks.reason.in_place_at_publication": (
        "controlled",
        ["公示时已有落实的防控措施", "A prevention measure was already in place at publication"],
    ),
    "risks.reason.import": ("submitted", ["批量导入", "Bulk import"]),
}
# Versions only: change reason → code.
VERSION_CONSTANTS = {
    "risks.version.created": ["新建", "New"],
    "risks.version.changed": ["修改", "Edit"],
    "risks.version.regraded": ["调整等级", "Adjust grade"],
    "risks.version.leader": ["重新确定责任领导", "Responsible leader named again"],
    "risks.version.before": ["此前的版本", "Version before the history began"],
    "risks.reason.import": ["批量导入", "Bulk import"],
    "risks.reason.in_place_at_publication": CONSTANTS["risks.reason.in_place_at_publication"][1],
}
STATES = {
    "draft": ["草稿", "Draft"],
    "submitted": ["待审核", "Submitted"],
    "returned": ["已退回", "Returned"],
    "graded": ["已评级", "Graded"],
    "confirmed": ["已确定", "Confirmed"],
    "published": ["公示中", "In publicity"],
    "controlled": ["已防控", "Controlled"],
    "retired": ["已撤销", "Retired"],
}
CHINESE = {
    "risks.reason.decision": "(p->>'date') || '集体决定'",
    "risks.reason.publicity": "'公示至' || (p->>'date')",
    "risks.reason.measure_in_place": "'防控措施' || (p->>'code') || '“' || (p->>'title') || '”已落实。'",
}


def _tables(apps):
    return (
        apps.get_model("risks", "Transition")._meta.db_table,
        apps.get_model("risks", "HistoricalRiskPoint")._meta.db_table,
    )


def to_codes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    transition, version = _tables(apps)
    run = schema_editor.execute
    for code, (state, wordings) in CONSTANTS.items():
        run(
            f"UPDATE {transition} SET reason_code = %s, reason = '' "
            "WHERE reason_code = '' AND to_state = %s AND reason = ANY(%s)",
            [code, state, wordings],
        )
    for code, (state, wordings, names) in PATTERNS.items():
        for pattern in wordings:
            build = ", ".join(f"'{name}', (regexp_match(reason, %s))[{n}]" for n, name in enumerate(names, 1))
            run(
                f"UPDATE {transition} SET reason_code = %s, reason_params = jsonb_build_object({build}), reason = '' "
                "WHERE reason_code = '' AND to_state = %s AND reason ~ %s",
                [code, *([pattern] * len(names)), state, pattern],
            )
    # the wordings without parameters: one pass over the versions, joined to the (wording, code) pairs
    pairs = [(w, code) for code, wordings in VERSION_CONSTANTS.items() for w in wordings]
    pairs += [(w, f"risks.version.state?state={state}") for state, wordings in STATES.items() for w in wordings]
    run(
        f"UPDATE {version} v SET history_change_reason = m.code FROM (VALUES "
        + ", ".join(["(%s, %s)"] * len(pairs))
        + ") AS m(wording, code) WHERE v.history_change_reason = m.wording",
        [x for pair in pairs for x in pair],
    )
    for code in ("risks.reason.decision", "risks.reason.publicity"):  # a version's code keeps a date as is
        for pattern in PATTERNS[code][1]:
            run(
                f"UPDATE {version} SET history_change_reason = %s || (regexp_match(history_change_reason, %s))[1] "
                "WHERE history_change_reason ~ %s",
                [f"{code}?date=", pattern, pattern],
            )


def to_sentences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    transition, version = _tables(apps)
    run = schema_editor.execute
    for code, (_state, wordings) in CONSTANTS.items():
        run(f"UPDATE {transition} SET reason = %s WHERE reason_code = %s", [wordings[0], code])
    for code, sql in CHINESE.items():
        run(
            f"UPDATE {transition} t SET reason = {sql.replace('p->>', 't.reason_params->>')} WHERE reason_code = %s",
            [code],
        )
    for code, wordings in VERSION_CONSTANTS.items():
        run(f"UPDATE {version} SET history_change_reason = %s WHERE history_change_reason = %s", [wordings[0], code])
    for state, wordings in STATES.items():
        run(
            f"UPDATE {version} SET history_change_reason = %s WHERE history_change_reason = %s",
            [wordings[0], f"risks.version.state?state={state}"],
        )
    for code in ("risks.reason.decision", "risks.reason.publicity"):
        sql = CHINESE[code].replace("(p->>'date')", "split_part(history_change_reason, '=', 2)")
        run(
            f"UPDATE {version} SET history_change_reason = {sql} WHERE history_change_reason LIKE %s",
            [f"{code}?date=%"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0014_transition_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="transition",
            name="reason_code",
            field=models.CharField(blank=True, db_default="", default="", max_length=60, verbose_name="理由代码"),
        ),
        migrations.AddField(
            model_name="transition",
            name="reason_params",
            field=models.JSONField(blank=True, null=True, verbose_name="理由参数"),
        ),
        migrations.RunPython(to_codes, to_sentences),
    ]
