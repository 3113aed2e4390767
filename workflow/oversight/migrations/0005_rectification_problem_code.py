"""A rectification the system orders (an acceptance's order to redo) keeps its problem as a text code and
parameters (rendered in the reader's language); a person's problem stays as typed.

Rows written before keep the sentence, in the language of the office worker who decided. This migration reads
it back against the Chinese and English wordings (frozen here) and stores ``assessment.redo`` with the
parameters (the reasons as codes); anything else stays as it is. The table is small (one row per ordered
rectification): a loop. Going back writes the Chinese sentence."""

import re

from django.db import migrations, models

REASONS = {
    "验收不合格": "fail",
    "存在形式主义、做表面文章、敷衍塞责的问题": "formalism",
    "failed the acceptance": "fail",
    "formalism, window-dressing or perfunctory work": "formalism",
}
CHINESE = {"fail": "验收不合格", "formalism": "存在形式主义、做表面文章、敷衍塞责的问题"}
_ZH_REASONS = "(验收不合格|存在形式主义、做表面文章、敷衍塞责的问题)"
_EN_REASONS = "(failed the acceptance|formalism, window-dressing or perfunctory work)"
WORDINGS = [
    (
        re.compile(
            rf"^(?P<title>.*?)：(?P<unit>.*?)(?P<reasons>{_ZH_REASONS}(、{_ZH_REASONS})?)，责令整改、重新补课。"
            r"验收结论：(?P<conclusion>.*)$",
            re.S,
        ),
        "、",
    ),
    (
        re.compile(
            rf"^(?P<title>.*?): (?P<unit>.*?) (?P<reasons>{_EN_REASONS}((, |、){_EN_REASONS})?); ordered to rectify "
            r"and redo the work\. Conclusion: (?P<conclusion>.*)$",
            re.S,
        ),
        None,
    ),
]


def to_codes(apps, schema_editor):
    Rectification = apps.get_model("oversight", "Rectification")
    for r in Rectification.objects.filter(problem_code="", handling__isnull=True).iterator():
        for pattern, _sep in WORDINGS:
            m = pattern.match(r.problem)
            if m is None:
                continue
            reasons = [code for text, code in REASONS.items() if text in m.group("reasons")]
            r.problem_code, r.problem = "assessment.redo", ""
            r.problem_params = {
                "title": m.group("title"),
                "unit": m.group("unit"),
                "reasons": sorted(set(reasons), key=["fail", "formalism"].index),
                "conclusion": m.group("conclusion"),
            }
            r.save(update_fields=["problem_code", "problem_params", "problem"])
            break


def to_sentences(apps, schema_editor):
    Rectification = apps.get_model("oversight", "Rectification")
    for r in Rectification.objects.filter(problem_code="assessment.redo").iterator():
        p = r.problem_params or {}
        reasons = "、".join(CHINESE.get(code, code) for code in p.get("reasons", []))
        r.problem = (
            f"{p.get('title', '')}：{p.get('unit', '')}{reasons}，责令整改、重新补课。验收结论：{p.get('conclusion', '')}"
        )[:4000]
        r.problem_code, r.problem_params = "", None
        r.save(update_fields=["problem_code", "problem_params", "problem"])


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0004_texts_as_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectification",
            name="problem_code",
            field=models.CharField(blank=True, db_default="", default="", max_length=60, verbose_name="问题代码"),
        ),
        migrations.AddField(
            model_name="rectification",
            name="problem_params",
            field=models.JSONField(blank=True, null=True, verbose_name="问题参数"),
        ),
        migrations.AlterField(
            model_name="rectification",
            name="problem",
            field=models.TextField(blank=True, max_length=4000, verbose_name="问题"),
        ),
        migrations.RunPython(to_codes, to_sentences),
    ]
