"""The power flowchart (权力运行流程图), drawn server-side as SVG with a simple layered layout.

Steps with the same ``order`` sit side by side in one row (branches); rows run top to bottom. A step
leads to its explicit ``next_steps`` or, without them, to every step of the next row. Steps that carry
risk points (weak links, 薄弱环节) are coloured by their highest grade.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

BOX_W, BOX_H = 210, 70
GAP_X, GAP_Y = 40, 46
MARGIN = 20
COLOURS = {
    "high": ("#fdecea", "#c62828"),
    "medium": ("#fff4e0", "#ef8f00"),
    "low": ("#e8f5e9", "#2e7d32"),
    None: ("#ffffff", "#6c757d"),
}


@dataclass
class Node:
    id: int
    order: int
    name: str
    actor: str
    days: int | None
    grade: str | None
    risk_count: int
    x: int = 0
    y: int = 0


def edges_of(steps, next_ids: dict) -> list[tuple[int, int]]:
    """(from, to) pairs: explicit next steps, else every step of the next order."""
    orders = sorted({s.order for s in steps})
    by_order = {o: [s for s in steps if s.order == o] for o in orders}
    edges = []
    for s in steps:
        if getattr(s, "is_end", False):
            continue
        explicit = next_ids.get(s.id) or []
        if explicit:
            edges += [(s.id, t) for t in explicit]
            continue
        later = [o for o in orders if o > s.order]
        if later:
            edges += [(s.id, t.id) for t in by_order[later[0]]]
    return edges


def longest_days(steps, edges) -> int:
    """The longest sum of step time limits along any path through the chart (steps without a limit count 0)."""
    days = {s.id: s.time_limit_days or 0 for s in steps}
    best = {}
    outgoing = {}
    for a, b in edges:
        outgoing.setdefault(a, []).append(b)
    order = {s.id: s.order for s in steps}
    for sid in sorted(days, key=lambda i: -order[i]):
        best[sid] = days[sid] + max(
            (best.get(t, 0) for t in outgoing.get(sid, []) if order.get(t, 0) > order[sid]), default=0
        )
    return max(best.values(), default=0)


def _text(x, y, text, *, size=13, weight="normal", fill="#222"):
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def _short(text, n):
    return text if len(text) <= n else text[: n - 1] + "…"


def render(steps, next_ids: dict, grades: dict) -> str:
    """SVG markup for ``steps`` (PowerStep-like objects). ``grades``: {step_id: (grade, count)}."""
    if not steps:
        return ""
    nodes = {
        s.id: Node(s.id, s.order, s.name, s.actor, s.time_limit_days, *(grades.get(s.id) or (None, 0))) for s in steps
    }
    rows = {}
    for node in nodes.values():
        rows.setdefault(node.order, []).append(node)
    widest = max(len(r) for r in rows.values())
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + GAP_X  # a lane each side for routed edges
    for row_index, order in enumerate(sorted(rows)):
        row = rows[order]
        row_w = len(row) * BOX_W + (len(row) - 1) * GAP_X
        x0 = (width - row_w) // 2
        for i, node in enumerate(row):
            node.x = x0 + i * (BOX_W + GAP_X)
            node.y = MARGIN + row_index * (BOX_H + GAP_Y)
    height = MARGIN * 2 + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hk-flowchart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(_("权力运行流程图"))}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for a, b in edges_of(steps, next_ids):
        if a not in nodes or b not in nodes:
            continue
        src, dst = nodes[a], nodes[b]
        x1, y1 = src.x + BOX_W // 2, src.y + BOX_H
        x2, y2 = dst.x + BOX_W // 2, dst.y
        if dst.y <= src.y:  # a loop back (e.g. 补正后重新审查): route it along the right side
            xr = max(src.x, dst.x) + BOX_W + GAP_X // 2
            parts.append(
                f'<path d="M {src.x + BOX_W} {src.y + BOX_H // 2} H {xr} V {dst.y + BOX_H // 2} H {dst.x + BOX_W}" '
                'fill="none" stroke="#888" stroke-dasharray="4 3" marker-end="url(#arrow)"/>'
            )
            continue
        if dst.y - src.y > BOX_H + GAP_Y:  # skips a row: go round the outside so no box is crossed
            between = [n for n in nodes.values() if src.y <= n.y <= dst.y]
            if src.x == min(n.x for n in nodes.values() if n.y == src.y):
                lane = min(n.x for n in between) - GAP_X // 2
                sx, ex = src.x, dst.x - 2
            else:
                lane = max(n.x for n in between) + BOX_W + GAP_X // 2
                sx, ex = src.x + BOX_W, dst.x + BOX_W + 2
            parts.append(
                f'<path d="M {sx} {src.y + BOX_H // 2} H {lane} V {dst.y + BOX_H // 2} H {ex}" '
                'fill="none" stroke="#555" marker-end="url(#arrow)"/>'
            )
            continue
        mid = (y1 + y2) // 2
        parts.append(
            f'<path d="M {x1} {y1} V {mid} H {x2} V {y2 - 2}" fill="none" stroke="#555" marker-end="url(#arrow)"/>'
        )
    for node in nodes.values():
        fill, stroke = COLOURS.get(node.grade, COLOURS[None])
        cx = node.x + BOX_W // 2
        weak = node.grade is not None
        title = node.name
        if weak:
            title += " — " + _("薄弱环节：%(n)d个风险点") % {"n": node.risk_count}
        parts.append(
            f'<g class="hk-step{" hk-weak" if weak else ""}" data-step="{node.id}"><title>{escape(title)}</title>'
        )
        parts.append(
            f'<rect x="{node.x}" y="{node.y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{3 if weak else 1.5}"/>'
        )
        parts.append(_text(cx, node.y + 24, _short(node.name, 14), size=14, weight="bold"))
        detail = node.actor or ""
        if node.days:
            detail = (detail + " · " if detail else "") + _("%(d)d日") % {"d": node.days}
        if detail:
            parts.append(_text(cx, node.y + 44, _short(detail, 18), size=12, fill="#555"))
        if weak:
            parts.append(_text(cx, node.y + 62, _("薄弱环节"), size=11, weight="bold", fill=stroke))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above passes through escape()
