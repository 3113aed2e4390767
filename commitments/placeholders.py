"""The letter template language: plain text with placeholders, nothing else.

``{姓名}`` is replaced by the signer's name, and so on for the names in :data:`PLACEHOLDERS`;
``{风险点清单}`` marks where the signer's risk points and measures are listed (once at most; without it they
follow the text); ``{{`` and ``}}`` are literal braces. There are no expressions, filters, tags, loops,
includes, file or URL access — a template is split by a regular expression and the values are inserted as
text (escaped later, like any user text, by the document template). Blank lines separate paragraphs.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RISK_LIST = "风险点清单"
PLACEHOLDERS = {
    "单位": gettext_lazy("法院名称"),
    "庭室": gettext_lazy("庭室名称（单位承诺书为空）"),
    "岗位": gettext_lazy("岗位名称"),
    "姓名": gettext_lazy("承诺人姓名"),
    "职务": gettext_lazy("承诺人职务"),
    "年度": gettext_lazy("工作年度，如“2012—2013”（写作“{年度}年度”）"),
    RISK_LIST: gettext_lazy("此处列出承诺人的风险点、等级和防控措施"),
}
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,20})\}|[{}]")


def errors(text: str) -> list[str]:
    """Everything wrong with a template text, in Chinese; empty when it is fine."""
    problems = []
    markers = 0
    for match in TOKEN.finditer(text or ""):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            problems.append(
                _("第%(pos)d个字符处有单独的花括号“%(brace)s”；如需花括号本身，请写成“{{”或“}}”。")
                % {"pos": match.start() + 1, "brace": token}
            )
        elif name.strip() not in PLACEHOLDERS:
            problems.append(
                _("未知的占位符“{%(name)s}”。可用的占位符：%(names)s。")
                % {"name": name, "names": "、".join(f"{{{n}}}" for n in PLACEHOLDERS)}
            )
        elif name.strip() == RISK_LIST:
            markers += 1
    if markers > 1:
        problems.append(_("“{风险点清单}”只能出现一次。"))
    if not (text or "").strip():
        problems.append(_("正文不能为空。"))
    return problems


def validate(text: str, field: str = "text") -> None:
    found = errors(text)
    if found:
        raise ValidationError({field: found})


def _paragraphs(text: str) -> list[str]:
    return [
        " ".join(line.strip() for line in block.splitlines() if line.strip())
        for block in re.split(r"\n\s*\n", text)
        if block.strip()
    ]


def expand(text: str, values: dict) -> tuple[list[str], list[str]]:
    """The paragraphs before and after the risk list, placeholders replaced by ``values`` (plain text)."""

    def substitute(match):
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = (match.group(1) or "").strip()
        if name == RISK_LIST:
            return "\x00"
        if match.group(1) is None or name not in PLACEHOLDERS:
            return token  # not a placeholder (validation refuses it): kept as the literal text it is
        return str(values.get(name, ""))

    expanded = TOKEN.sub(substitute, (text or "").replace("\x00", ""))
    before, _sep, after = expanded.partition("\x00")
    return _paragraphs(before), _paragraphs(after)
