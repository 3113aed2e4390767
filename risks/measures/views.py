"""Measures pages: thin — selectors read (scoped), services act, forms validate input; what a person may do
is only asked of the policy (:mod:`risks.measures.policy`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hkcourt.org import policy
from hkcourt.org import selectors as org_selectors
from hkcourt.org.actions import flash_failure
from hkcourt.org.models import Court
from hkcourt.org.views_generic import copy_errors, query_without_page

from ..models import Power, RiskPoint
from . import selectors, services
from .filters import MeasureFilter
from .forms import EvidenceForm, MeasureForm, NoteForm, ProposalForm, RuleForm


def _office_courts(user):
    return [c for c in Court.objects.visible_to(user) if policy.can(user, "measures.create_rule", c)]


@login_required
def measure_list(request):
    tab = request.GET.get("tab", "measures")
    ctx = {"tab": tab}
    if tab == "rules":
        ctx["rules"] = selectors.rules(request.user)
    elif tab == "mine":
        ctx["points"] = selectors.my_responsibilities(request.user)
    else:
        filterset = MeasureFilter(request.GET, queryset=selectors.measure_list(request.user), request=request)
        ctx["filter"] = filterset.form
        ctx["page"] = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        ctx["counts"] = selectors.status_counts(request.user)
        ctx["query"] = query_without_page(request)
    ctx["unacknowledged"] = selectors.unacknowledged_count(request.user)
    return render(request, "risks/measures/list.html", ctx)


@login_required
def measure_create(request, risk_pk):
    rp = selectors.measurable_point(request.user, risk_pk)
    if not policy.can(request.user, "measures.create", rp) and policy.can(request.user, "measures.propose", rp):
        return _propose(request, rp)
    policy.check(request.user, "measures.create", rp)
    kwargs = {"owners": selectors.owners_for(rp.court), "rules": selectors.rules_for(rp.court)}
    form = MeasureForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            m = services.create_measure(
                actor=request.user,
                risk_point=rp,
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                owner=data["owner"].user,
                deadline=data["deadline"],
                rule=data["rule"],
            )
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(request, _("已制定防控措施%(code)s。") % {"code": m.code})
            return redirect("risks:measure_detail", m.pk)
    return render(request, "risks/measures/form.html", {"form": form, "rp": rp})


def _propose(request, rp):
    """岗位定措施: the staff member's own proposal, approved by the head before it is planned."""
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            m = services.propose_measure(
                actor=request.user,
                risk_point=rp,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                deadline=data["deadline"],
            )
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(request, _("已提出防控措施%(code)s，待庭室负责人审批。") % {"code": m.code})
            return redirect("risks:measure_detail", m.pk)
    return render(request, "risks/measures/form.html", {"form": form, "rp": rp, "proposal": True})


@login_required
def measure_detail(request, pk):
    m = selectors.measure_detail(request.user, pk)
    return render(
        request,
        "risks/measures/detail.html",
        {
            "m": m,
            "note_form": NoteForm(),
            "evidence_form": EvidenceForm(),
            "history": org_selectors.state_history(m),
        },
    )


ACTIONS = {
    "in_place": lambda user, m, post, files: services.mark_in_place(actor=user, measure=m, note=post.get("note", "")),
    "check": lambda user, m, post, files: services.check_measure(actor=user, measure=m, note=post.get("note", "")),
    "acknowledge": lambda user, m, post, files: services.acknowledge(actor=user, measure=m),
    "evidence": lambda user, m, post, files: services.add_evidence(actor=user, measure=m, upload=files.get("file")),
    "approve": lambda user, m, post, files: services.approve_measure(actor=user, measure=m, note=post.get("note", "")),
    "reject": lambda user, m, post, files: services.reject_measure(actor=user, measure=m, reason=post.get("note", "")),
}
DONE = {
    "in_place": _("已报告落实。"),
    "check": _("已记录检查意见。"),
    "acknowledge": _("已确认。"),
    "evidence": _("已上传佐证材料。"),
    "approve": _("已同意，该措施列入计划。"),
    "reject": _("已不予采纳，提出人将看到理由。"),
}


@login_required
@require_POST
def measure_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    m = selectors.measure_detail(request.user, pk)
    try:
        ACTIONS[action](request.user, m, request.POST, request.FILES)
    except (ValidationError, PermissionDenied) as exc:
        flash_failure(request, exc)  # a forbidden action answers 403
    else:
        messages.success(request, str(DONE[action]))
    return redirect("risks:measure_detail", m.pk)


@login_required
def attachment_download(request, pk):
    att = selectors.attachment(request.user, pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
def rule_create(request):
    policy.check(request.user, "measures.create_rule")
    courts = _office_courts(request.user)
    if not courts:
        raise Http404
    court = courts[0]
    kwargs = {
        "risk_points": RiskPoint.objects.visible_to(request.user).filter(court=court).exclude(state="retired"),
        "powers": Power.objects.visible_to(request.user).filter(court=court),
    }
    form = RuleForm(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rule = services.create_rule(
                actor=request.user,
                court=court,
                title=d["title"],
                number=d["number"],
                issued_on=d["issued_on"],
                text=d["text"],
                upload=d["file"],
                risk_points=list(d["risk_points"]),
                powers=list(d["powers"]),
            )
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(request, _("已登记制度“%(title)s”。") % {"title": rule.title})
            return redirect("risks:rule_detail", rule.pk)
    return render(request, "risks/measures/rule_form.html", {"form": form, "court": court})


@login_required
def rule_detail(request, pk):
    rule = selectors.rule_detail(request.user, pk)
    points = RiskPoint.objects.visible_to(request.user).filter(court_rules=rule)
    return render(request, "risks/measures/rule_detail.html", {"rule": rule, "points": points})


@login_required
def rule_file(request, pk):
    rule = selectors.rule_detail(request.user, pk)
    if not rule.file:
        raise Http404(_("没有制度文件。"))
    return FileResponse(rule.file.open("rb"), as_attachment=True, filename=rule.file_name or "rule")
