"""The office's early-warning pages: thin — selectors read (scoped), services act, forms validate, and the
oversight policy (:mod:`.policy`) answers who may do what. A row outside the reader's scope is 404; a refused
action is 403, except a refusal only because of the row's state (closed meanwhile), which is flashed like bad
input."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hkcourt.org import audit, policy
from hkcourt.org import selectors as org_selectors
from hkcourt.org.actions import forbid_unless_may
from hkcourt.org.models import Court, Division
from hkcourt.org.policy import STATE, Refusal
from hkcourt.org.views_generic import ObjectListView, copy_errors
from risks.models import PublicFeedback, RiskPoint

from . import rules as rule_defs
from . import selectors, services
from .filters import HandlingFilter, PersonFilter, RectificationFilter, SignalFilter, WarningFilter
from .forms import ConvertForm, HandlingForm, ReportBackForm, RuleForm, SignalForm, TextForm
from .models import (
    Channel,
    Handling,
    HandlingKind,
    HandlingState,
    Rectification,
    RectificationState,
    Severity,
    Signal,
    Warning,
    WarningLevel,
    WarningRule,
    WarningState,
)
from .policy import RUNG_ACTIONS


def _flash(request, exc):
    for msg in exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("没有权限。")]:
        messages.error(request, msg)


def _page(request, qs, n=50):
    return Paginator(qs, n).get_page(request.GET.get("page"))


def _require_oversight(user):
    """Pages only the office and the leading group have: everyone else gets 403 (the page is no secret; the
    rows on it are, and those answer 404 when out of scope)."""
    policy.check(user, "oversight.oversee")


_may = forbid_unless_may  # 403 when forbidden, flashed when only the state stands in the way


def _run(request, action):
    """Run a service: bad input, or a refusal because the state changed meanwhile, is flashed (None returned);
    a forbidden action answers 403."""
    try:
        return action()
    except Refusal as exc:
        if exc.code != STATE:
            raise
        messages.error(request, exc.message)
    except ValidationError as exc:
        _flash(request, exc)
    return None


def _signal_form(request, data=None, files=None):
    courts = selectors.office_courts(request.user)
    ids = [c.pk for c in courts]
    return SignalForm(
        data,
        files,
        courts=Court.objects.visible_to(request.user).filter(pk__in=ids),
        divisions=Division.objects.visible_to(request.user).filter(court_id__in=ids).select_related("court"),
        people=selectors.people_for(request.user).filter(court_id__in=ids),
        initial={"received_on": timezone.localdate(), "court": ids[0] if ids else None},
    )


@login_required
def signal_list(request):
    _require_oversight(request.user)
    filterset = SignalFilter(request.GET, queryset=selectors.signals(request.user), request=request)
    can_record = bool(selectors.office_courts(request.user))
    form = None
    if can_record:
        form = _signal_form(request, request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            rp = None
            if d["risk_point"]:
                rp = RiskPoint.objects.visible_to(request.user).filter(pk=d["risk_point"]).first()
                if rp is None:
                    form.add_error("risk_point", _("找不到该风险点。"))
            if not form.errors:
                try:
                    s = services.record_signal(
                        actor=request.user,
                        court=d["court"],
                        channel=d["channel"],
                        severity=d["severity"],
                        title=d["title"],
                        content=d["content"],
                        received_on=d["received_on"],
                        division=d["division"],
                        person=d["person"].user if d["person"] else None,
                        risk_point=rp,
                        upload=d["file"],
                    )
                except ValidationError as exc:
                    copy_errors(form, exc)
                else:
                    messages.success(request, _("已登记风险信息%(code)s。") % {"code": s.code})
                    return redirect("workflow:signals")
    elif request.method == "POST":
        policy.check(request.user, "oversight.record_signal")
    return render(
        request,
        "workflow/oversight/signals.html",
        {
            "page": _page(request, filterset.qs),
            "channels": Channel.choices,
            "severities": Severity.choices,
            "channel": filterset.value("channel"),
            "severity": filterset.value("severity"),
            "q": filterset.value("q"),
            "form": form,
            "feedback": selectors.pending_feedback(request.user)[:20] if can_record else [],
            "convert_form": ConvertForm(),
            "show_form": request.method == "POST",
        },
        status=400 if form is not None and form.errors else 200,
    )


def _handling_form(request, source, data=None, initial=None):
    """The handling form on a warning or a signal: only the rungs the policy allows on that source."""
    form = HandlingForm(data, people=selectors.people_for(request.user), initial=initial or {"report_days": 5})
    form.fields["kind"].choices = [
        (kind, label) for kind, label in HandlingKind.choices if policy.can(request.user, RUNG_ACTIONS[kind], source)
    ]
    return form


def _person_pk(user):
    return getattr(getattr(user, "person", None), "pk", None) if user else None


@login_required
def signal_detail(request, pk):
    s = policy.get_visible_or_404(selectors.signal_rows(request.user), request.user, pk=pk)
    audit.read(actor=request.user, action="oversight.signal_view", obj=s)
    may_handle = policy.can(request.user, "oversight.handle_signal", s)
    return render(
        request,
        "workflow/oversight/signal_detail.html",
        {
            "s": s,
            "handlings": selectors.handlings_of_signal(request.user, s),
            "handling_form": _handling_form(request, s, initial={"person": _person_pk(s.person), "report_days": 5})
            if may_handle
            else None,
        },
    )


@login_required
def signal_attachment(request, pk):
    att = selectors.signal_attachment(request.user, pk)
    audit.read(actor=request.user, action="oversight.signal_attachment", obj=att.signal, data={"attachment": att.pk})
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
@require_POST
def feedback_convert(request, pk):
    fb = policy.get_visible_or_404(PublicFeedback.objects.select_related("court"), request.user, pk=pk)
    if not _may(request, "oversight.convert_feedback", fb):
        return redirect("workflow:signals")
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写标题并选择严重程度。"))
        return redirect("workflow:signals")
    s = _run(
        request,
        lambda: services.convert_feedback(
            actor=request.user, feedback=fb, title=form.cleaned_data["title"], severity=form.cleaned_data["severity"]
        ),
    )
    if s is None:
        return redirect("workflow:signals")
    messages.success(request, _("已转为风险信息%(code)s。") % {"code": s.code})
    return redirect("workflow:signal", s.pk)


@login_required
def warning_list(request):
    _require_oversight(request.user)
    filterset = WarningFilter(request.GET, queryset=selectors.warnings(request.user), request=request)
    rules = list(selectors.rules())
    for r in rules:
        r.form = RuleForm(
            initial={"level": r.level, "threshold": r.threshold, "window_days": r.window_days, "enabled": r.enabled},
            prefix=f"r{r.pk}",
        )
        for field in r.form.fields.values():
            field.widget.attrs["form"] = f"rule-{r.pk}"
    return render(
        request,
        "workflow/oversight/warnings.html",
        {
            "page": _page(request, filterset.qs),
            "counts": selectors.warning_counts(request.user),
            "levels": WarningLevel.choices,
            "states": WarningState.choices,
            "level": filterset.value("level"),
            "state": filterset.value("state"),
            "rule": filterset.value("rule"),
            "rules": rules,
            "level_meanings": [
                (level, text, [r.display_name for r in rules if r.level == level])
                for level, text in rule_defs.level_meanings()
            ],
        },
    )


@login_required
@require_POST
def levels_update(request):
    """The office words what each colour means (one form for the three)."""
    _require_oversight(request.user)
    policy.check(request.user, "oversight.edit_levels")
    meanings = {level: request.POST.get(f"meaning-{level}", "") for level in WarningLevel.values}
    if _run(request, lambda: services.update_level_meanings(actor=request.user, meanings=meanings)) is not None:
        messages.success(request, _("已修改预警等级的含义。"))
    return redirect("workflow:warnings")


@login_required
@require_POST
def warning_evaluate(request):
    _require_oversight(request.user)
    policy.check(request.user, "oversight.run_rules")
    result = services.evaluate_warnings(actor=request.user)
    messages.success(
        request,
        _("预警规则已运行：新增预警%(n)s条（红%(red)s、橙%(orange)s、黄%(yellow)s），建议升级处置%(p)s件。")
        % {
            "n": result["raised"],
            "red": result["red"],
            "orange": result["orange"],
            "yellow": result["yellow"],
            "p": result["proposals"],
        },
    )
    return redirect("workflow:warnings")


@login_required
@require_POST
def rule_update(request, pk):
    _require_oversight(request.user)
    rule = get_object_or_404(WarningRule, pk=pk)
    policy.check(request.user, "oversight.edit_rule", rule)
    form = RuleForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("workflow:warnings")
    d = form.cleaned_data
    done = _run(
        request,
        lambda: services.update_rule(
            actor=request.user,
            rule=rule,
            level=d["level"],
            threshold=d["threshold"],
            window_days=d["window_days"],
            enabled=d["enabled"],
        ),
    )
    if done is not None:
        messages.success(request, _("已修改预警规则“%(name)s”。") % {"name": rule.display_name})
    return redirect("workflow:warnings")


@login_required
def warning_detail(request, pk):
    w = policy.get_visible_or_404(selectors.warning_rows(request.user), request.user, pk=pk)
    may_handle = policy.can(request.user, "oversight.handle_warning", w)
    return render(
        request,
        "workflow/oversight/warning_detail.html",
        {
            "w": w,
            "handlings": selectors.handlings_of_warning(request.user, w),
            "handling_form": _handling_form(
                request, w, initial={"person": _person_pk(w.person), "kind": w.proposed_rung, "report_days": 5}
            )
            if may_handle
            else None,
            "close_form": TextForm(label=_("办结说明")),
        },
    )


@login_required
@require_POST
def warning_close(request, pk):
    w = policy.get_visible_or_404(Warning, request.user, pk=pk)
    if _may(request, "oversight.close_warning", w) and _run(
        request, lambda: services.close_warning(actor=request.user, warning=w, note=request.POST.get("text", ""))
    ):
        messages.success(request, _("预警已办结。"))
    return redirect("workflow:warning", w.pk)


@login_required
@require_POST
def handling_create(request, source, pk):
    if source == "warning":
        obj = policy.get_visible_or_404(Warning.objects.select_related("court"), request.user, pk=pk)
        target, action, back = {"warning": obj}, "oversight.handle_warning", ("workflow:warning", pk)
    elif source == "signal":
        obj = policy.get_visible_or_404(Signal.objects.select_related("court"), request.user, pk=pk)
        target, action, back = {"signal": obj}, "oversight.handle_signal", ("workflow:signal", pk)
    else:
        raise Http404
    if not _may(request, action, obj):
        return redirect(*back)
    form = _handling_form(request, obj, request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {e}".strip())
        return redirect(*back)
    d = form.cleaned_data
    h = _run(
        request,
        lambda: services.create_handling(
            actor=request.user,
            kind=d["kind"],
            person=d["person"].user,
            content=d["content"],
            report_days=d["report_days"] or services.REPORT_DAYS,
            talk_date=d["talk_date"],
            talker_level=d["talker_level"],
            talkers=d["talkers"],
            talk_record=d["talk_record"],
            rect_deadline=d["rect_deadline"],
            rect_plan=d["rect_plan"],
            **target,
        ),
    )
    if h is None:
        return redirect(*back)
    messages.success(request, _("已登记%(kind)s%(code)s。") % {"kind": h.get_kind_display(), "code": h.code})
    return redirect("workflow:handling_detail", h.pk)


class HandlingList(ObjectListView):
    template_name = "workflow/oversight/handling_list.html"
    filterset_class = HandlingFilter
    paginate_by = 50

    def get_queryset(self, request):
        return selectors.handlings(request.user)

    def get_extra_context(self, request, filterset):
        return {
            "kinds": HandlingKind.choices,
            "states": HandlingState.choices,
            "kind": filterset.value("kind"),
            "state": filterset.value("state"),
        }


handling_list = HandlingList.as_view()


@login_required
def handling_detail(request, pk):
    h = policy.get_visible_or_404(selectors.handling_rows(request.user), request.user, pk=pk)
    audit.read(actor=request.user, action="oversight.handling_view", obj=h)
    return render(
        request,
        "workflow/oversight/handling_detail.html",
        {
            "h": h,
            "report_back": getattr(h, "report_back", None),
            "rect": getattr(h, "rectification", None),
            "report_form": ReportBackForm(),
            "close_form": TextForm(label=_("处置结果")),
            "history": org_selectors.state_history(h),
        },
    )


@login_required
@require_POST
def handling_report(request, pk):
    h = policy.get_visible_or_404(Handling, request.user, pk=pk)
    if _may(request, "oversight.report_back", h) and _run(
        request,
        lambda: services.submit_report_back(
            actor=request.user,
            handling=h,
            analysis=request.POST.get("analysis", ""),
            commitment=request.POST.get("commitment", ""),
        ),
    ):
        messages.success(request, _("已回告。"))
    return redirect("workflow:handling_detail", h.pk)


@login_required
@require_POST
def handling_close(request, pk):
    h = policy.get_visible_or_404(Handling, request.user, pk=pk)
    if _may(request, "oversight.close_handling", h) and _run(
        request, lambda: services.close_handling(actor=request.user, handling=h, outcome=request.POST.get("text", ""))
    ):
        messages.success(request, _("处置已办结。"))
    return redirect("workflow:handling_detail", h.pk)


class RectificationList(ObjectListView):
    template_name = "workflow/oversight/rectification_list.html"
    filterset_class = RectificationFilter
    paginate_by = 50

    def get_queryset(self, request):
        return selectors.rectifications(request.user)

    def get_extra_context(self, request, filterset):
        return {"states": RectificationState.choices, "state": filterset.value("state")}


rectification_list = RectificationList.as_view()


@login_required
def rectification_detail(request, pk):
    r = policy.get_visible_or_404(selectors.rectification_rows(request.user), request.user, pk=pk)
    return render(
        request,
        "workflow/oversight/rectification_detail.html",
        {
            "r": r,
            "progress_form": TextForm(label=_("进展情况")),
            "close_form": TextForm(label=_("验收意见")),
            "history": org_selectors.state_history(r),
        },
    )


@login_required
@require_POST
def rectification_progress(request, pk):
    r = policy.get_visible_or_404(Rectification, request.user, pk=pk)
    if _may(request, "oversight.report_progress", r) and _run(
        request,
        lambda: services.report_progress(actor=request.user, rectification=r, text=request.POST.get("text", "")),
    ):
        messages.success(request, _("已报告整改进展。"))
    return redirect("workflow:rectification_detail", r.pk)


@login_required
@require_POST
def rectification_close(request, pk):
    r = policy.get_visible_or_404(Rectification, request.user, pk=pk)
    if _may(request, "oversight.close_rectification", r) and _run(
        request,
        lambda: services.close_rectification(actor=request.user, rectification=r, check=request.POST.get("text", "")),
    ):
        messages.success(request, _("整改已验收。"))
    return redirect("workflow:rectification_detail", r.pk)


def _require_dossier(user):
    """The dossier is the office's page: everyone else gets 403 before any person is looked up."""
    policy.check(user, "oversight.view_dossier")


class DossierIndex(ObjectListView):
    """The dossier is the office's page: everyone else gets 403 before any person is looked up."""

    template_name = "workflow/oversight/dossier_index.html"
    action = "oversight.view_dossier"
    filterset_class = PersonFilter
    paginate_by = 50

    def get_queryset(self, request):
        return selectors.dossier_people(request.user).exclude(user=request.user)

    def get_extra_context(self, request, filterset):
        return {"q": filterset.value("q")}


dossier_index = DossierIndex.as_view()


@login_required
def dossier(request, pk):
    _require_dossier(request.user)
    ctx = selectors.dossier(request.user, pk)
    audit.read(actor=request.user, action="oversight.dossier_view", obj=ctx["person"])
    ctx["today"] = timezone.localdate()
    return render(request, "workflow/oversight/dossier.html", ctx)
