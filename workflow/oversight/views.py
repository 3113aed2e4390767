"""The office's early-warning pages: thin — selectors read (scoped), services act, forms validate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hkcourt.org.models import Court, Division, Role
from hkcourt.org.scoping import UserRoles
from risks.models import RiskPoint

from . import selectors, services
from .forms import ConvertForm, HandlingForm, ReportBackForm, RuleForm, SignalForm, TextForm
from .models import Channel, HandlingKind, HandlingState, RectificationState, Severity, WarningLevel, WarningState


def _flash(request, exc):
    for msg in exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("没有权限。")]:
        messages.error(request, msg)


def _form_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _page(request, qs, n=50):
    return Paginator(qs, n).get_page(request.GET.get("page"))


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
    selectors.require_oversight(request.user)
    channel, severity, q = request.GET.get("channel", ""), request.GET.get("severity", ""), request.GET.get("q", "")
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
                    _form_errors(form, exc)
                else:
                    messages.success(request, _("已登记风险信息%(code)s。") % {"code": s.code})
                    return redirect("workflow:signals")
    elif request.method == "POST":
        raise PermissionDenied(_("只有领导小组办公室可以登记风险信息。"))
    return render(
        request,
        "workflow/oversight/signals.html",
        {
            "page": _page(request, selectors.signals(request.user, channel=channel, severity=severity, q=q)),
            "channels": Channel.choices,
            "severities": Severity.choices,
            "channel": channel,
            "severity": severity,
            "q": q,
            "form": form,
            "feedback": selectors.pending_feedback(request.user)[:20] if can_record else [],
            "convert_form": ConvertForm(),
            "show_form": request.method == "POST",
        },
    )


@login_required
def signal_detail(request, pk):
    s = selectors.signal_detail(request.user, pk)
    can_handle = services.is_office_for(request.user, s.court)
    return render(
        request,
        "workflow/oversight/signal_detail.html",
        {
            "s": s,
            "can_handle": can_handle,
            "handlings": selectors.handlings_of_signal(request.user, s),
            "handling_form": _handling_form(request, initial={"person": _person_pk(s.person)}) if can_handle else None,
        },
    )


def _person_pk(user):
    return getattr(getattr(user, "person", None), "pk", None) if user else None


@login_required
def signal_attachment(request, pk):
    att = selectors.signal_attachment(request.user, pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
@require_POST
def feedback_convert(request, pk):
    fb = selectors.feedback(request.user, pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写标题并选择严重程度。"))
        return redirect("workflow:signals")
    try:
        s = services.convert_feedback(
            actor=request.user, feedback=fb, title=form.cleaned_data["title"], severity=form.cleaned_data["severity"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
        return redirect("workflow:signals")
    messages.success(request, _("已转为风险信息%(code)s。") % {"code": s.code})
    return redirect("workflow:signal", s.pk)


@login_required
def warning_list(request):
    selectors.require_oversight(request.user)
    level, state, rule = request.GET.get("level", ""), request.GET.get("state", ""), request.GET.get("rule", "")
    is_office = services.is_office(request.user)
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
            "page": _page(request, selectors.warnings(request.user, level=level, state=state, rule=rule)),
            "counts": selectors.warning_counts(request.user),
            "levels": WarningLevel.choices,
            "states": WarningState.choices,
            "level": level,
            "state": state,
            "rule": rule,
            "rules": rules,
            "is_office": is_office,
        },
    )


@login_required
@require_POST
def warning_evaluate(request):
    selectors.require_oversight(request.user)
    try:
        result = services.evaluate_warnings(actor=request.user)
    except PermissionDenied as exc:
        _flash(request, exc)
    else:
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
    selectors.require_oversight(request.user)
    rule = next((r for r in selectors.rules() if r.pk == pk), None)
    if rule is None:
        raise Http404
    form = RuleForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("workflow:warnings")
    d = form.cleaned_data
    try:
        services.update_rule(
            actor=request.user,
            rule=rule,
            level=d["level"],
            threshold=d["threshold"],
            window_days=d["window_days"],
            enabled=d["enabled"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已修改预警规则“%(name)s”。") % {"name": rule.name})
    return redirect("workflow:warnings")


def _handling_form(request, data=None, initial=None):
    return HandlingForm(data, people=selectors.people_for(request.user), initial=initial or {"report_days": 5})


@login_required
def warning_detail(request, pk):
    w = selectors.warning_detail(request.user, pk)
    can_handle = services.is_office_for(request.user, w.court) and w.state != WarningState.CLOSED
    return render(
        request,
        "workflow/oversight/warning_detail.html",
        {
            "w": w,
            "handlings": selectors.handlings_of_warning(request.user, w),
            "can_handle": can_handle,
            "handling_form": _handling_form(
                request, initial={"person": _person_pk(w.person), "kind": w.proposed_rung, "report_days": 5}
            )
            if can_handle
            else None,
            "close_form": TextForm(label=_("办结说明")),
        },
    )


@login_required
@require_POST
def warning_close(request, pk):
    w = selectors.warning_detail(request.user, pk)
    try:
        services.close_warning(actor=request.user, warning=w, note=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("预警已办结。"))
    return redirect("workflow:warning", w.pk)


@login_required
@require_POST
def handling_create(request, source, pk):
    if source == "warning":
        target = {"warning": selectors.warning_detail(request.user, pk)}
        back = ("workflow:warning", pk)
    elif source == "signal":
        target = {"signal": selectors.signal_detail(request.user, pk)}
        back = ("workflow:signal", pk)
    else:
        raise Http404
    form = _handling_form(request, request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {e}".strip())
        return redirect(*back)
    d = form.cleaned_data
    try:
        h = services.create_handling(
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
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
        return redirect(*back)
    messages.success(request, _("已登记%(kind)s%(code)s。") % {"kind": h.get_kind_display(), "code": h.code})
    return redirect("workflow:handling_detail", h.pk)


@login_required
def handling_list(request):
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "")
    return render(
        request,
        "workflow/oversight/handling_list.html",
        {
            "page": _page(request, selectors.handlings(request.user, kind=kind, state=state)),
            "kinds": HandlingKind.choices,
            "states": HandlingState.choices,
            "kind": kind,
            "state": state,
            "oversight": selectors.has_oversight(request.user),
        },
    )


@login_required
def handling_detail(request, pk):
    h = selectors.handling_detail(request.user, pk)
    is_office = services.is_office_for(request.user, h.court)
    report_back = getattr(h, "report_back", None) if hasattr(h, "report_back") else None
    return render(
        request,
        "workflow/oversight/handling_detail.html",
        {
            "h": h,
            "report_back": report_back,
            "rect": getattr(h, "rectification", None) if hasattr(h, "rectification") else None,
            "can_report": h.person_id == request.user.pk and h.needs_report and h.state == HandlingState.OPEN,
            "can_close": is_office and h.state != HandlingState.CLOSED,
            "report_form": ReportBackForm(),
            "close_form": TextForm(label=_("处置结果")),
            "is_office": is_office,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def handling_report(request, pk):
    h = selectors.handling_detail(request.user, pk)
    try:
        services.submit_report_back(
            actor=request.user,
            handling=h,
            analysis=request.POST.get("analysis", ""),
            commitment=request.POST.get("commitment", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已回告。"))
    return redirect("workflow:handling_detail", h.pk)


@login_required
@require_POST
def handling_close(request, pk):
    h = selectors.handling_detail(request.user, pk)
    try:
        services.close_handling(actor=request.user, handling=h, outcome=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("处置已办结。"))
    return redirect("workflow:handling_detail", h.pk)


@login_required
def rectification_list(request):
    state = request.GET.get("state", "")
    return render(
        request,
        "workflow/oversight/rectification_list.html",
        {
            "page": _page(request, selectors.rectifications(request.user, state=state)),
            "states": RectificationState.choices,
            "state": state,
            "today": timezone.localdate(),
        },
    )


@login_required
def rectification_detail(request, pk):
    r = selectors.rectification_detail(request.user, pk)
    is_office = services.is_office_for(request.user, r.court)
    is_open = r.state == RectificationState.OPEN
    return render(
        request,
        "workflow/oversight/rectification_detail.html",
        {
            "r": r,
            "today": timezone.localdate(),
            "can_progress": is_open and (r.owner_id == request.user.pk or is_office),
            "can_close": is_open and is_office and r.owner_id != request.user.pk,
            "progress_form": TextForm(label=_("进展情况")),
            "close_form": TextForm(label=_("验收意见")),
        },
    )


@login_required
@require_POST
def rectification_progress(request, pk):
    r = selectors.rectification_detail(request.user, pk)
    try:
        services.report_progress(actor=request.user, rectification=r, text=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已报告整改进展。"))
    return redirect("workflow:rectification_detail", r.pk)


@login_required
@require_POST
def rectification_close(request, pk):
    r = selectors.rectification_detail(request.user, pk)
    try:
        services.close_rectification(actor=request.user, rectification=r, check=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("整改已验收。"))
    return redirect("workflow:rectification_detail", r.pk)


def _require_office(user):
    if not (user.is_superuser or Role.OFFICE in UserRoles.of(user).codes()):
        raise Http404


@login_required
def dossier_index(request):
    _require_office(request.user)
    q = request.GET.get("q", "")
    return render(
        request,
        "workflow/oversight/dossier_index.html",
        {"page": _page(request, selectors.dossier_people(request.user, q).exclude(user=request.user)), "q": q},
    )


@login_required
def dossier(request, pk):
    _require_office(request.user)
    ctx = selectors.dossier(request.user, pk)
    ctx["today"] = timezone.localdate()
    return render(request, "workflow/oversight/dossier.html", ctx)
