"""Phase four's section of the leading group's dashboard (registered in ``AppConfig.ready()``): the
acceptance results of the chosen campaign, in the reader's scope, in one query; links to the ranking,
the questionnaires, the summaries and the report."""

from collections import Counter

from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org import policy

from .models import GRADE_ORDER, AcceptanceUnit, Grade


def section(user, campaign):
    if campaign is None:
        return None
    rows = list(
        AcceptanceUnit.objects.visible_to(user)
        .filter(acceptance__campaign=campaign)
        .order_by("acceptance__created_at", "court__path", "division__sort_order", "pk")
        .values(
            "pk",
            "grade",
            "formalism",
            "acceptance_id",
            "acceptance__title",
            "court__short_name",
            "court__name",
            "division__name",
            "rectification_id",
            "rectification__deadline",
            "rectification__state",
        )
    )
    grades = Counter(r["grade"] for r in rows)
    # Rectifications are early-warning work: their links and deadlines only for those who see that section.
    oversight = policy.can(user, "dashboard.view_oversight")
    redo = [
        {
            "unit": (r["court__short_name"] or r["court__name"])
            + (f"·{r['division__name']}" if r["division__name"] else ""),
            "acceptance": r["acceptance__title"],
            "grade": str(Grade(r["grade"]).label) if r["grade"] else "",
            "formalism": r["formalism"],
            "url": reverse("workflow:acceptance_unit", args=[r["pk"]]),
            "rectification": reverse("workflow:rectification_detail", args=[r["rectification_id"]])
            if r["rectification_id"] and oversight
            else None,
            "deadline": r["rectification__deadline"].isoformat() if r["rectification__deadline"] and oversight else "",
            "closed": r["rectification__state"] == "closed",
        }
        for r in rows
        if r["grade"] == Grade.FAIL or r["formalism"]
    ]
    links = {
        "acceptances": reverse("workflow:acceptances"),
        "summaries": reverse("workflow:summaries") + f"?campaign={campaign.pk}",
    }
    if policy.can(user, "assessment.scores", campaign):
        links["ranking"] = reverse("workflow:assessment") + f"?campaign={campaign.pk}"
    if policy.can(user, "assessment.report", campaign):
        links["report"] = reverse("workflow:assessment_report", args=[campaign.pk])
    return {
        "units": len(rows),
        "decided": sum(1 for r in rows if r["grade"]),
        "grades": [{"key": g.value, "label": str(g.label), "n": grades.get(g.value, 0)} for g in GRADE_ORDER],
        "redo": redo,
        "links": links,
        "title": _("考核验收"),
    }
