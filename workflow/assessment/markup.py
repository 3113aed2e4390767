"""The light markup of phase summaries: plain text in, safe HTML out.

Nothing the writer types is ever HTML: every line is escaped first, then a few marks become tags —
``# `` and ``## `` headings, ``- `` list items, ``**bold**``, blank lines between paragraphs. Pasted HTML
shows as text. The same HTML goes into the page and the campaign report's PDF."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def clean(text: str) -> str:
    """Normalised line ends, no control characters, no trailing spaces."""
    text = CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _inline(line: str) -> str:
    return BOLD.sub(r"<b>\1</b>", escape(line))


def render(text: str) -> str:
    html, paragraph, items = [], [], []

    def flush():
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(x) for x in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in items) + "</ul>")
            items.clear()

    for raw in clean(text).split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            html.append(f"<h4>{_inline(line[3:].strip())}</h4>")
        elif line.startswith("# "):
            flush()
            html.append(f"<h3>{_inline(line[2:].strip())}</h3>")
        elif line.startswith(("- ", "* ", "· ")):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return mark_safe("".join(html))  # noqa: S308 - built from escaped text only
