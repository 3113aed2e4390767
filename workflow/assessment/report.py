"""The campaign report (工作总结报告): what it says, gathered in the requester's scope, and its two files — a
PDF through the letters' guarded renderer (official layout, charts as inline SVG drawn here from numbers) and
an .xlsx workbook. The Celery task (:mod:`.tasks`) calls :func:`.services.build_report`, which calls these."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from workflow.models import local_today

TOP_RISKS = 15
LIST_ROWS = 20


def gather(report, progress=lambda pct, step: None) -> dict:
    """Everything the report shows, read as the requester may read it."""
    from risks.models import Grade, RiskPoint
    from workflow.oversight.models import Handling, Rectification, Warning

    from . import indicators
    from .markup import render
    from .models import AcceptanceUnit, PhaseSummary, Questionnaire, QuestionnaireState
    from .services import unit_figures
    from .stats import questionnaire_stats

    user, campaign = report.requested_by, report.campaign
    courts = campaign.courts()
    phases = list(campaign.phases.order_by("number"))
    start, end = (phases[0].start, phases[-1].end) if phases else (None, None)
    today = local_today()
    tasks = [t for p in phases if p.start <= today for t in p.tasks.all()]  # the phases begun so far

    progress(10, _("阶段总结"))
    summaries = [
        {"s": s, "html": render(s.body)}
        for s in PhaseSummary.objects.visible_to(user)
        .filter(phase__campaign=campaign, court=campaign.court, division__isnull=True)
        .select_related("phase", "written_by__person")
        .order_by("phase__number")
    ]
    division_summaries = (
        PhaseSummary.objects.visible_to(user).filter(phase__campaign=campaign, division__isnull=False).count()
    )

    progress(20, _("关键数据"))
    figures = unit_figures(campaign, campaign.court, None, start=start, end=end, tasks=tasks) if phases else {}

    progress(30, _("考核评估排名"))
    weights = indicators.weights_for(campaign)
    ranking = indicators.ranking(campaign, weights)

    progress(40, _("风险点"))
    points = RiskPoint.objects.visible_to(user).filter(
        campaign_year=campaign.year, court__in=courts, state__in=["confirmed", "published", "controlled"]
    )
    by_grade = dict(points.order_by().values_list("grade").annotate(n=Count("id")))
    grades = [{"label": str(g.label), "n": by_grade.get(g.value, 0)} for g in Grade]
    top = list(
        points.filter(grade__in=[Grade.HIGH, Grade.MEDIUM])
        .select_related("court", "division", "owner__person")
        .order_by("grade", "court__path", "pk")[: TOP_RISKS * 4]
    )
    top.sort(key=lambda p: (0 if p.grade == Grade.HIGH else 1, p.court.path, p.pk))
    top = top[:TOP_RISKS]

    progress(50, _("预警处置与整改"))
    window = Q()
    if start:
        window = Q(raised_at__date__gte=start, raised_at__date__lte=end)
    warnings = Warning.objects.visible_to(user).filter(window, court__in=courts)
    warning_cells = Counter()
    for level, state, n in warnings.order_by().values_list("level", "state").annotate(n=Count("id")):
        warning_cells[(level, state)] += n
    levels = Warning._meta.get_field("level").choices
    states = Warning._meta.get_field("state").choices
    warning_table = [
        {"label": str(label), "cells": [warning_cells[(lv, st)] for st, _l in states]} for lv, label in levels
    ]
    handling = Counter(
        dict(
            Handling.objects.visible_to(user)
            .filter(court__in=courts, **({"created_at__date__gte": start} if start else {}))
            .order_by()
            .values_list("kind")
            .annotate(n=Count("id"))
        )
    )
    handling_rows = [
        {"label": str(label), "n": handling.get(k, 0)} for k, label in Handling._meta.get_field("kind").choices
    ]
    rects = Rectification.objects.visible_to(user).filter(
        court__in=courts, **({"created_at__date__gte": start} if start else {})
    )
    rect_list = list(
        rects.select_related("court", "division", "owner__person").order_by("state", "deadline")[:LIST_ROWS]
    )
    rect_counts = {
        "total": rects.count(),
        "open": rects.filter(state="open").count(),
        "closed": rects.filter(state="closed").count(),
        "overdue": rects.overdue().count(),
    }

    progress(60, _("问卷测评"))
    questionnaires = []
    qs = Questionnaire.objects.visible_to(user).filter(
        Q(campaign=campaign) | Q(campaign__isnull=True, court__in=courts)
    )
    if start:
        qs = qs.filter(closes_on__gte=start, opens_on__lte=end)
    for q in qs.order_by("opens_on", "pk"):
        if not q.finished and q.state != QuestionnaireState.CLOSED:
            continue
        total, stats = questionnaire_stats(q)
        questionnaires.append({"q": q, "total": total, "items": [s for s in stats if s.measured]})

    acceptance_units = list(
        AcceptanceUnit.objects.visible_to(user)
        .filter(acceptance__campaign=campaign)
        .select_related("acceptance__phase", "court", "division", "rectification")
        .order_by("acceptance__created_at", "court__path", "division__sort_order")
    )
    return {
        "campaign": campaign,
        "report": report,
        "phases": phases,
        "summaries": summaries,
        "division_summaries": division_summaries,
        "f": figures,
        "weights": weights,
        "definitions": indicators.DEFINITIONS,
        "courts": ranking["courts"],
        "divisions": ranking["divisions"][:LIST_ROWS],
        "all_divisions": len(ranking["divisions"]),
        "grades": grades,
        "grade_chart": bar_chart([(g["label"], g["n"]) for g in grades]),
        "top": top,
        "warning_states": [str(label) for _s, label in states],
        "warning_table": warning_table,
        "warning_total": sum(warning_cells.values()),
        "handling": handling_rows,
        "rect_counts": rect_counts,
        "rectifications": rect_list,
        "questionnaires": questionnaires,
        "acceptance_units": acceptance_units,
        "ranking_chart": bar_chart(
            [(r.unit.short_name or r.unit.name, float(r.total or 0)) for r in ranking["courts"]], maximum=100
        ),
    }


def bar_chart(rows, *, maximum=None, width=440, bar=16, gap=6, label_width=110) -> str:
    """A horizontal bar chart as inline SVG: labels are escaped text, values numbers. Nothing is fetched."""
    rows = list(rows)
    if not rows:
        return ""
    top = maximum or max((v for _l, v in rows), default=0) or 1
    height = len(rows) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' font-size="10" font-family="Noto Sans CJK SC, sans-serif">'
    ]
    span = width - label_width - 50
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar + gap)
        w = max(0.0, float(value)) / float(top) * span
        shown = f"{value:.1f}" if isinstance(value, float) and not float(value).is_integer() else f"{value:g}"
        parts.append(
            f'<text x="{label_width - 4}" y="{y + bar - 4}" text-anchor="end">{escape(str(label)[:12])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar}" fill="#8b1a1a"/>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + bar - 4}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only


def workbook(data) -> bytes:
    """The report's figures as an .xlsx workbook, one sheet per part; user text is escaped against formulas."""
    import openpyxl
    from openpyxl.styles import Font

    from hkcourt.org.spreadsheets import escape_formula as esc

    book = openpyxl.Workbook()
    book.remove(book.active)

    def sheet(title, header, rows):
        ws = book.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append([float(v) if isinstance(v, Decimal) else (esc(v) if isinstance(v, str) else v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 28
        return ws

    f = data["f"] or {}
    rp, ms = f.get("risk_points", {}), f.get("measures", {})
    sheet(
        _("关键数据"),
        [_("项目"), _("数值")],
        [
            (_("工作方案"), data["campaign"].name),
            (_("人员"), f.get("people")),
            (_("风险点（报送以上）"), rp.get("total")),
            (_("已确定风险点"), rp.get("confirmed")),
            (_("已公示风险点"), rp.get("published")),
            (_("高风险"), rp.get("high")),
            (_("中风险"), rp.get("medium")),
            (_("低风险"), rp.get("low")),
            (_("防控措施"), ms.get("total")),
            (_("已落实措施"), ms.get("in_place")),
            (_("逾期未落实措施"), ms.get("overdue")),
            (_("风险信息"), f.get("signals")),
            (_("预警"), f.get("warnings")),
            (_("整改"), data["rect_counts"]["total"]),
            (_("逾期整改"), data["rect_counts"]["overdue"]),
        ],
    )
    header = [_("名次"), _("单位"), _("总分")] + [str(d.short) for d in data["definitions"]]
    for title, rows in ((_("法院排名"), data["courts"]), (_("庭室排名"), data["divisions"])):
        sheet(
            title,
            header,
            [
                [r.rank, str(r.unit) if r.kind == "division" else r.unit.name, r.total] + [c.score for c in r.cells]
                for r in rows
            ],
        )
    sheet(
        _("重点风险点"),
        [_("编号"), _("等级"), _("法院"), _("庭室"), _("风险点")],
        [
            (
                p.code,
                p.get_grade_display(),
                p.court.short_name or p.court.name,
                p.division.name if p.division else "",
                p.description,
            )
            for p in data["top"]
        ],
    )
    sheet(
        _("预警处置"),
        [_("预警等级")] + data["warning_states"],
        [[w["label"]] + w["cells"] for w in data["warning_table"]]
        + [[]]
        + [[h["label"], h["n"]] for h in data["handling"]],
    )
    sheet(
        _("整改"),
        [_("编号"), _("单位"), _("责任人"), _("期限"), _("状态"), _("问题")],
        [
            (
                r.code,
                (r.court.short_name or r.court.name) + (f"·{r.division.name}" if r.division else ""),
                r.owner.person.full_name if hasattr(r.owner, "person") else r.owner.get_username(),
                r.deadline,
                r.get_state_display(),
                r.problem_text,
            )
            for r in data["rectifications"]
        ],
    )
    sheet(
        _("问卷测评"),
        [_("问卷"), _("答卷"), _("题目"), _("结果"), _("低于整改线")],
        [
            (x["q"].title, x["total"], s.item.text, s.figure, _("是") if s.below else "")
            for x in data["questionnaires"]
            for s in x["items"]
        ],
    )
    sheet(
        _("考核验收"),
        [_("验收"), _("单位"), _("自我检查"), _("上级抽查"), _("社会评议"), _("结果"), _("责令整改")],
        [
            (
                u.acceptance.title,
                u.label,
                u.get_self_grade_display(),
                u.get_spot_grade_display(),
                u.get_social_grade_display(),
                u.get_grade_display() + (_("（形式主义）") if u.formalism else ""),
                u.rectification.code if u.rectification else "",
            )
            for u in data["acceptance_units"]
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
