"""Thin views: read through :mod:`risks.selectors`, change through :mod:`risks.services`; what a person may do
is only asked of the policy (:mod:`risks.policy`), never decided here."""

import base64
import binascii
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hkcourt.org import policy
from hkcourt.org.actions import flash_failure, forbid_unless_may
from hkcourt.org.models import Division
from hkcourt.org.policy import STATE, Refusal
from hkcourt.org.ratelimit import limit_requests
from hkcourt.org.views_generic import copy_errors

from . import flowchart, resources, selectors, services
from . import policy as risks_policy
from .filters import PAGE_SIZES, SORTS, RiskListPage
from .forms import (
    PICKER_LIMIT,
    BulkForm,
    FeedbackForm,
    GradeForm,
    PeerCommentForm,
    PeerRequestForm,
    PowerForm,
    ReasonForm,
    RiskPointForm,
    StepFormSet,
    non_field,
    person_label,
    power_label,
)
from .measures import selectors as measure_selectors
from .models import Level, Power, RiskPoint, Source, State


def _bulk_actions(user):
    """The batch actions the list offers; each point is checked again by the service."""
    actions = []
    if policy.can(user, "risks.bulk_review"):
        actions += ["return", "grade"]
    if policy.can(user, "risks.bulk_campaign"):
        actions += ["confirm", "publish"]
    elif policy.can(user, "risks.bulk_confirm"):
        actions += ["confirm"]  # the leading group: court-level points (集体定)
    return actions


# ---------------------------------------------------------------- risk points


@login_required
@require_GET
def risk_list(request):
    filterset, counts, rows = selectors.risk_point_list(request.user, request.GET, request)
    shown = RiskListPage(request.GET, queryset=RiskPoint.objects.none())
    page = Paginator(rows, shown.page_size()).get_page(request.GET.get("page"))  # rows carry their count
    params = request.GET.copy()
    for key in ("page", "after", "before"):
        params.pop(key, None)
    # Keyset links (risks.selectors.KEYSET_SORTS): the next page is read past this page's last row, the
    # previous one before its first, whatever the page number.
    seek = {}
    if rows.sort in selectors.KEYSET_SORTS and len(page.object_list):
        seek = {"after": selectors.row_key(page.object_list[-1]), "before": selectors.row_key(page.object_list[0])}
    tab_params = params.copy()
    tab_params.pop("state", None)
    actions = _bulk_actions(request.user)
    tabs = [("", _("全部"), sum(counts.values()))] + [(s.value, s.label, counts.get(s.value, 0)) for s in State]
    # Evaluate each choice list once (iter() avoids the extra COUNT a ModelChoiceIterator's len() runs).
    filter_fields = [
        (field, list(iter(field.field.choices)))
        for field in filterset.form
        if field.name not in ("q", "mine", "review")
    ]
    return render(
        request,
        "risks/list.html",
        {
            "filter": filterset,
            "filter_fields": filter_fields,
            "page": page,
            "tabs": tabs,
            "state": shown.value("state"),
            "query": params.urlencode(),
            "seek": seek,
            "tab_query": tab_params.urlencode(),
            "sort": shown.value("sort") or "-updated_at",
            "sorts": SORTS,
            "size": shown.page_size(),
            "sizes": PAGE_SIZES,
            "bulk_form": BulkForm(actions=actions) if actions else None,
        },
    )


def _levels(user):
    return [level for level in Level.values if policy.can(user, "risks.create", level)]


def _risk_form(request, *, data=None, initial=None):
    person = selectors.person_of(request.user)
    court = person.court if person else None
    powers = selectors.powers_for_picker(request.user, court) if court else Power.objects.none()
    sources = [s for s in Source.values if policy.can(request.user, "risks.use_source", s)]
    form = RiskPointForm(data, initial=initial, levels=_levels(request.user), sources=sources, powers=powers)
    form.fields["power"].widget.attrs["hx-get"] = reverse("risks:step_options")
    return form


def _form_kwargs(form):
    data = form.cleaned_data
    return {
        "description": data["description"],
        "manifestations": data["manifestations"],
        "power": data.get("power"),
        "step": data.get("step"),
        "source": data["source"],
        "key_links": data.get("key_links") or [],
        "proposal": form.factors(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request):
    policy.check(request.user, "risks.create")
    levels = _levels(request.user)
    form = _risk_form(request, data=request.POST or None, initial={"level": levels[0]})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                rp = services.create_risk_point(
                    actor=request.user, level=form.cleaned_data["level"], **_form_kwargs(form)
                )
                if "submit" in request.POST:
                    services.submit(actor=request.user, risk_point=rp)
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(
                request, _("风险点已提交审核。") if "submit" in request.POST else _("风险点已保存为草稿。")
            )
            return redirect("risks:detail", pk=rp.pk)
    return render(request, "risks/form.html", {"form": form, "title": _("提交风险点")})


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, pk):
    rp = selectors.risk_point_detail(request.user, pk)
    policy.check(request.user, "risks.edit", rp)
    proposal = selectors.proposal_of(rp)
    initial = {
        "level": rp.level,
        "power": rp.power_id,
        "step": rp.step_id,
        "description": rp.description,
        "manifestations": rp.manifestations,
        "source": rp.source,
        "key_links": list(rp.key_links.all()),
        "version": rp.version,
    }
    if proposal:
        initial.update({**proposal.factors, "grade": proposal.grade, "grade_reason": proposal.reason})
    form = _risk_form(request, data=request.POST or None, initial=initial)
    form.fields["level"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_risk_point(
                    actor=request.user,
                    risk_point=rp,
                    expected_version=form.cleaned_data.get("version"),
                    **_form_kwargs(form),
                )
                if "submit" in request.POST:
                    services.submit(actor=request.user, risk_point=rp)
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(request, _("风险点已提交审核。") if "submit" in request.POST else _("修改已保存。"))
            return redirect("risks:detail", pk=rp.pk)
    return render(request, "risks/form.html", {"form": form, "title": _("修改风险点"), "risk_point": rp})


@login_required
@require_GET
def risk_detail(request, pk):
    rp = selectors.risk_point_detail(request.user, pk)
    return render(request, "risks/detail.html", _detail_context(request, rp))


def _control_form(*args, **kwargs):
    form = ReasonForm(*args, **kwargs)
    form.fields["reason"].required = False  # marking a point as controlled needs no reason
    return form


def _detail_context(request, rp, **forms):
    """The page shows each action's form when ``{% allowed_actions rp as may %}`` says so; the view only
    prepares the (lazy) forms."""
    user = request.user
    checks = list(selectors.peer_checks(rp))
    my_check = next((c for c in checks if c.reviewer_id == user.pk), None)
    ctx = {
        "rp": rp,
        "history": selectors.history(rp),
        "versions": selectors.field_history(rp),
        "gradings": selectors.gradings(rp),
        "checks": checks,
        "key_links": rp.link_names,
        "point_measures": measure_selectors.measures_of_point(user, rp).order_by("id"),  # through their own scope
        "my_check": my_check,
        "grade_form": forms.get("grade_form") or GradeForm(initial={"version": rp.version}),
        "return_form": forms.get("return_form") or ReasonForm(initial={"version": rp.version}),
        "retire_form": forms.get("retire_form") or ReasonForm(initial={"version": rp.version}),
        "control_form": forms.get("control_form") or _control_form(initial={"version": rp.version}),
        "peer_form": forms.get("peer_form") or PeerRequestForm(candidates=selectors.peer_candidates(user, rp)),
        "comment_form": forms.get("comment_form")
        or PeerCommentForm(initial={"comment": my_check.comment if my_check else ""}),
        "errors": forms.get("errors", []),
    }
    return ctx


def _fail(request, rp, exc, status=400, **forms):
    ctx = _detail_context(request, rp, **forms)
    ctx["errors"] = non_field(exc)
    return render(request, "risks/detail.html", ctx, status=status)


# The detail page's actions and the rules that decide them.
RULE_OF_ACTION = {
    "submit": "risks.submit",
    "return": "risks.return",
    "retire": "risks.retire",
    "grade": "risks.grade",
    "adjust": "risks.adjust_grade",
    "peer": "risks.request_peer_check",
    "comment": "risks.comment_peer_check",
    "control": "risks.mark_controlled",
}


@login_required
@require_POST
def risk_action(request, pk, action):
    """Every transition from the detail page: one POST per action, the service decides."""
    rp = selectors.risk_point_detail(request.user, pk)
    user = request.user
    post = request.POST
    form_key = None
    if action not in RULE_OF_ACTION:
        raise Http404
    decision = policy.decide(user, RULE_OF_ACTION[action], rp)
    if not decision.allowed and decision.code != STATE:
        raise Refusal(decision.message, decision.code)  # 403 before the form is read (hkcourt/org/actions.py)
    try:
        if action == "submit":
            services.submit(actor=user, risk_point=rp, expected_version=post.get("version") or None)
            message = _("已提交审核。")
        elif action in ("return", "retire"):
            form, form_key = ReasonForm(post), f"{action}_form"
            if not form.is_valid():
                raise ValidationError(_("请填写理由。"))
            service = services.return_risk_point if action == "return" else services.retire
            service(
                actor=user,
                risk_point=rp,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
            message = _("已退回，提出人将看到退回理由。") if action == "return" else _("风险点已撤销。")
        elif action in ("grade", "adjust"):
            form, form_key = GradeForm(post), "grade_form"
            if not form.is_valid():
                raise ValidationError(_("评定内容有误，请检查后重新提交。"))
            service = services.grade if action == "grade" else services.adjust_grade
            data = form.cleaned_data
            service(
                actor=user,
                risk_point=rp,
                factors={k: data.get(k) for k in services.FACTORS},
                grade=data.get("grade"),
                reason=data.get("grade_reason", ""),
                expected_version=data["version"],
            )
            message = _("风险等级已评定。") if action == "grade" else _("风险等级已调整。")
        elif action == "peer":
            form = PeerRequestForm(post, candidates=selectors.peer_candidates(user, rp))
            form_key = "peer_form"
            if not form.is_valid():
                raise ValidationError(_("请选择互查人。"))
            services.request_peer_check(
                actor=user,
                risk_point=rp,
                reviewer=form.cleaned_data["reviewer"].user,
                reason=form.cleaned_data["reason"],
            )
            message = _("已邀请互查。")
        elif action == "comment":
            form, form_key = PeerCommentForm(post), "comment_form"
            if not form.is_valid():
                raise ValidationError(_("请填写互查意见。"))
            services.comment_peer_check(actor=user, risk_point=rp, comment=form.cleaned_data["comment"])
            message = _("互查意见已保存。")
        elif action == "control":
            form, form_key = _control_form(post), "control_form"
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            services.mark_controlled(actor=user, risk_point=rp, reason=form.cleaned_data["reason"])
            message = _("风险点已标记为已防控。")
        else:
            raise Http404
    except services.Conflict as exc:
        rp.refresh_from_db()
        return _fail(request, rp, exc, status=409)
    except Refusal as exc:
        if exc.code != STATE:
            raise
        # The person may take the action, just not from the point's current state: say so on the page.
        rp.refresh_from_db()
        return _fail(request, rp, ValidationError(exc.message), status=409)
    except ValidationError as exc:
        return _fail(request, rp, exc, **({form_key: form} if form_key else {}))
    messages.success(request, message)
    return redirect("risks:detail", pk=rp.pk)


@login_required
@require_POST
def risk_bulk(request):
    actions = _bulk_actions(request.user)
    if not actions:
        raise PermissionDenied(_("您没有批量操作的权限。"))
    form = BulkForm(request.POST, actions=actions)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    back = reverse("risks:list") + ("?" + request.POST.get("back", "") if request.POST.get("back") else "")
    if not form.is_valid():
        messages.error(request, _("批量操作的内容有误：") + "；".join(m for e in form.errors.values() for m in e))
        return redirect(back)
    points = list(selectors.risk_points_by_ids(request.user, ids))
    if not points or len(points) != len(set(ids)):
        messages.error(request, _("请至少选择一个风险点。"))
        return redirect(back)
    data = form.cleaned_data
    action = data["action"]
    try:
        with transaction.atomic():  # all or nothing
            if action == "return":
                for rp in points:
                    services.return_risk_point(actor=request.user, risk_point=rp, reason=data["reason"])
            elif action == "grade":
                factors = form.factors() or {}
                for rp in points:
                    services.grade(
                        actor=request.user,
                        risk_point=rp,
                        factors=factors,
                        grade=factors.get("grade"),
                        reason=factors.get("reason", ""),
                        expected_version=rp.version,
                    )
            elif action == "confirm":
                services.confirm(
                    actor=request.user,
                    risk_points=points,
                    date=data["date"],
                    participants=data["participants"],
                    minutes=data["minutes"],
                )
            elif action == "publish":
                services.publish(actor=request.user, risk_points=points, publicity_ends=data["publicity_ends"])
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行该操作。"))
        return redirect(back)
    except ValidationError as exc:
        messages.error(request, "；".join(non_field(exc)) + _("（本次批量操作未做任何修改）"))
        return redirect(back)
    messages.success(request, _("已处理 %(n)d 个风险点。") % {"n": len(points)})
    return redirect(back)


@login_required
@require_GET
def grade_suggestion(request):
    """htmx: the suggested grade for the factors chosen so far (the rule is services.suggest_grade)."""
    try:
        grade = services.suggest_grade({k: request.GET.get(k) for k in services.FACTORS})
    except ValidationError:
        grade = None
    return render(request, "risks/_suggestion.html", {"suggested": grade})


@login_required
@require_GET
def step_options(request):
    """htmx: the steps of the chosen power, as <option>s (only powers the user can see)."""
    steps = selectors.steps_for_picker(request.user, request.GET.get("power", ""))
    return render(request, "risks/_step_options.html", {"steps": steps})


@login_required
@require_GET
def picker(request, kind):
    """htmx: <option>s matching a search, for the searchable pickers. Only what the user may pick."""
    q = request.GET.get("q", "").strip()[:50]
    if kind == "powers":
        person = selectors.person_of(request.user)
        if person is None:
            raise Http404
        rows = selectors.search_powers(request.user, person.court, q)
        options = [(p.pk, power_label(p)) for p in rows[:PICKER_LIMIT]]
        empty = _("（请选择职权）")
    elif kind == "people":
        rp_id = request.GET.get("risk_point", "")
        if not rp_id.isdigit():
            raise Http404
        rp = selectors.risk_point_detail(request.user, rp_id)
        policy.check(request.user, "risks.request_peer_check", rp)
        rows = selectors.search_peers(request.user, rp, q)
        options = [(p.pk, person_label(p)) for p in rows[:PICKER_LIMIT]]
        empty = _("（请选择）")
    else:
        raise Http404
    return render(
        request, "risks/_options.html", {"options": options, "empty": empty, "more": len(options) == PICKER_LIMIT}
    )


# ---------------------------------------------------------------- catalogue


@login_required
@require_GET
def catalogue(request):
    courts = list(selectors.catalogue_courts(request.user))
    if not courts:
        raise PermissionDenied(_("您不属于任何法院。"))
    person = selectors.person_of(request.user)
    court_id = request.GET.get("court") or (person.court_id if person else courts[0].pk)
    court = next((c for c in courts if str(c.pk) == str(court_id)), None)
    if court is None:
        raise Http404
    divisions = list(selectors.catalogue_divisions(request.user, court))
    division = post = None
    division_id = request.GET.get("division") or (
        person.division_id if person and person.court_id == court.pk and person.division_id else None
    )
    if division_id:
        division = next((d for d in divisions if str(d.pk) == str(division_id)), None)
        if division is None:
            raise Http404
        post_id = request.GET.get("post")
        if post_id:
            post = next((p for p in division.posts.all() if str(p.pk) == str(post_id)), None)
            if post is None:
                raise Http404
    powers = selectors.catalogue_powers(request.user, court, division, post)
    if division is None:
        powers = powers.filter(division__isnull=True)
    return render(
        request,
        "risks/catalogue.html",
        {
            "courts": courts,
            "court": court,
            "divisions": divisions,
            "division": division,
            "post": post,
            "powers": powers,
            "lock": risks_policy.catalogue_lock(court),
        },
    )


@login_required
@require_GET
def power_detail(request, pk):
    power = selectors.power_detail(request.user, pk)
    steps = list(selectors.steps_of(power).prefetch_related("next_steps"))
    next_ids = {s.pk: [n.pk for n in s.next_steps.all()] for s in steps}
    edges = flowchart.edges_of(steps, next_ids)
    total = flowchart.longest_days(steps, edges)
    points = selectors.power_risk_points(request.user, power)
    return render(
        request,
        "risks/power_detail.html",
        {
            "power": power,
            "posts": power.posts.all(),
            "steps": steps,
            "svg": flowchart.render(steps, next_ids, selectors.step_grades(request.user, power)),
            "total_days": total,
            "over_limit": bool(power.time_limit_days and total > power.time_limit_days),
            "points": points,
            "changes": selectors.power_changes(power),
        },
    )


def _catalogue_court(request, court_id):
    court = next((c for c in selectors.catalogue_courts(request.user) if str(c.pk) == str(court_id)), None)
    if court is None:
        raise Http404
    return court


def _headed_divisions(user, court):
    """The divisions of ``court`` whose powers the person keeps as their head (``None``: the office or the
    administrator, who keep every division's)."""
    if policy.can(user, "risks.manage_catalogue", court):
        return None
    return [d.pk for d in selectors.catalogue_divisions(user, court) if policy.heads(user, d.pk)]


def _power_kwargs(form):
    data = form.cleaned_data
    fields = ("name", "content", "division", "legal_basis", "conditions", "procedure", "supervision")
    kwargs = {k: data.get(k) for k in fields}
    kwargs.update(
        posts=data.get("posts") or [],
        time_limit_days=data.get("time_limit_days"),
        business_area=data.get("business_area"),
        major_matter=data.get("major_matter"),
    )
    return kwargs


@login_required
@require_http_methods(["GET", "POST"])
def power_edit(request, pk=None):
    """Create (``/catalogue/powers/new/?court=``) or change a power of the catalogue."""
    power = selectors.power_detail(request.user, pk) if pk else None
    court = _catalogue_court(request, power.court_id if power else request.GET.get("court", ""))
    divisions = _headed_divisions(request.user, court)
    if power is not None:
        may = forbid_unless_may(request, "risks.edit_power", power)
    elif divisions is None:
        may = True
    elif not divisions:
        raise Refusal(_("只有庭室负责人、领导小组办公室或系统管理员可以维护职权目录。"))
    else:
        may = all(forbid_unless_may(request, "risks.add_power", d) for d in _divisions_by_id(court, divisions))
    if not may:  # the catalogue is locked: said on the page the person came from
        return redirect("risks:power_detail", pk=power.pk) if power else _to_catalogue(court)
    initial = (
        {"division": request.GET.get("division")}
        if power is None
        else {
            "division": power.division_id,
            "posts": list(power.posts.all()),
            **{f: getattr(power, f) for f in ("name", "content", "legal_basis", "conditions", "procedure")},
            **{f: getattr(power, f) for f in ("supervision", "time_limit_days", "business_area", "major_matter")},
        }
    )
    form = PowerForm(request.POST or None, initial=initial, court=court, divisions=divisions)
    if request.method == "POST" and form.is_valid():
        try:
            power = services.save_power(actor=request.user, court=court, power=power, **_power_kwargs(form))
        except Refusal as exc:
            flash_failure(request, exc)
            return redirect("risks:power_detail", pk=power.pk) if power else _to_catalogue(court)
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(request, _("职权已保存。"))
            return redirect("risks:power_detail", pk=power.pk)
    return render(request, "risks/power_form.html", {"form": form, "power": power, "court": court})


@login_required
@require_http_methods(["GET", "POST"])
def power_steps(request, pk):
    """Edit the flowchart: the steps of a power, their order, actors, time limits and branches."""
    power = selectors.power_detail(request.user, pk)
    if not forbid_unless_may(request, "risks.edit_power", power):
        return redirect("risks:power_detail", pk=power.pk)
    steps = list(selectors.steps_of(power).prefetch_related("next_steps"))
    initial = [
        {
            "id": s.pk,
            "order": s.order,
            "name": s.name,
            "actor": s.actor,
            "time_limit_days": s.time_limit_days,
            "is_end": s.is_end,
            "next": ",".join(str(n.order) for n in s.next_steps.all()),
        }
        for s in steps
    ]
    formset = StepFormSet(request.POST or None, initial=initial, prefix="steps")
    errors = []
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data and not f.is_blank()]
        try:
            services.save_steps(actor=request.user, power=power, rows=rows)
        except Refusal as exc:
            flash_failure(request, exc)
            return redirect("risks:power_detail", pk=power.pk)
        except ValidationError as exc:
            errors = non_field(exc)
        else:
            messages.success(request, _("权力运行流程已保存。"))
            return redirect("risks:power_detail", pk=power.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "risks/power_steps.html", {"power": power, "formset": formset, "errors": errors}, status=status
    )


def _divisions_by_id(court, ids):
    return list(Division.objects.filter(court=court, pk__in=ids).select_related("court"))


def _to_catalogue(court, division=None):
    url = reverse("risks:catalogue") + f"?court={court.pk}"
    return redirect(url + (f"&division={division.pk}" if division else ""))


@login_required
@require_POST
def catalogue_lock(request, court_id):
    """清权确权 closed: the office locks the catalogue it has reviewed; or opens it again (with a reason)."""
    court = _catalogue_court(request, court_id)
    unlock = request.POST.get("unlock") == "1"
    if not forbid_unless_may(request, "risks.unlock_catalogue" if unlock else "risks.lock_catalogue", court):
        return _to_catalogue(court)
    try:
        if unlock:
            services.unlock_catalogue(actor=request.user, court=court, reason=request.POST.get("reason", ""))
            messages.success(request, _("职权目录已解除锁定，各庭室负责人可以继续维护本庭室的职权。"))
        else:
            services.lock_catalogue(actor=request.user, court=court, note=request.POST.get("note", ""))
            messages.success(request, _("职权目录已审核锁定；此后修改职权和流程图须经领导小组办公室。"))
    except (Refusal, ValidationError) as exc:
        flash_failure(request, exc)
    return _to_catalogue(court)


@login_required
@require_GET
def post_statement(request, pk):
    post = selectors.post_detail(request.user, pk)
    powers = list(selectors.post_powers(post))
    points = list(selectors.post_risk_points(request.user, post))
    by_power = {}
    for rp in points:
        by_power.setdefault(rp.power_id, []).append(rp)
    rows = [(p, by_power.get(p.pk, [])) for p in powers]
    holders = selectors.post_holders(request.user, post)
    return render(request, "risks/post_statement.html", {"post": post, "rows": rows, "holders": holders})


@login_required
@require_GET
def feedback_list(request):
    """群众提: comments from the public pages, for the office and the leading group only."""
    policy.check(request.user, "risks.read_feedback")
    page = Paginator(selectors.feedback_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "risks/feedback.html", {"page": page})


@login_required
@require_POST
def recompute_leaders(request):
    """After an org change: the office names the responsible leaders of its courts' graded points again."""
    policy.check(request.user, "risks.recompute_responsible_leaders")
    courts = _courts_for(request.user, "risks.recompute_responsible_leaders")
    changed = sum(services.recompute_responsible_leaders(actor=request.user, court=court) for court in courts)
    messages.success(request, _("已按当前组织机构重算责任领导，%(n)d 个风险点的责任领导有变化。") % {"n": changed})
    return redirect("risks:list")


# ---------------------------------------------------------------- import and export

EXPORT_FORMATS = ("xlsx", "csv", "gbk")


def _download(dataset, fmt, stem):
    content, content_type, ext = resources.render(dataset, fmt if fmt in EXPORT_FORMATS else "xlsx")
    response = HttpResponse(content, content_type=content_type)
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.{ext}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def risk_export(request):
    """The list as a spreadsheet: the same scope and filters as the page."""
    policy.check(request.user, "risks.export")
    rows = resources.risk_point_table(selectors.risk_points_for_export(request.user, request.GET, request))
    fmt = request.GET.get("format", "xlsx")
    filename = f"风险点-{timezone.localdate():%Y%m%d}"
    if fmt in ("csv", "gbk"):
        # Streamed as the rows are read: the first bytes leave before the last row is fetched.
        response = StreamingHttpResponse(
            resources.csv_chunks(rows, "gb18030" if fmt == "gbk" else "utf-8"),
            content_type="text/csv; charset=gbk" if fmt == "gbk" else "text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename + '.csv')}"
        return response
    return FileResponse(
        resources.xlsx_file(rows),
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_GET
def catalogue_export(request):
    courts = list(selectors.catalogue_courts(request.user))
    court = next((c for c in courts if str(c.pk) == request.GET.get("court", "")), None)
    if court is None:
        raise Http404
    powers = selectors.catalogue_powers(request.user, court).order_by("division__sort_order", "sort_order", "id")
    return _download(resources.export_powers(powers), request.GET.get("format", "xlsx"), f"职权目录-{court.code}")


def _courts_for(user, action):
    """The courts the person sees on which the policy allows ``action``."""
    return [c for c in selectors.catalogue_courts(user) if policy.can(user, action, c)]


def _managed_courts(user):
    return _courts_for(user, "risks.import_powers")


def _office_courts(user):
    return _courts_for(user, "risks.import_risk_points")


IMPORTS = {
    "powers": {
        "courts": _managed_courts,
        "service": services.import_powers,
        "template": resources.power_template,
        "title": _("导入职权目录"),
        "stem": "职权目录导入模板",
        "refused": _("只有领导小组办公室或系统管理员可以导入职权目录。"),
        "help": _("一行一项职权；同一庭室内职权名称相同的行将更新已有职权。"),
        "back": "risks:catalogue",
        "url": "risks:catalogue_import",
        "template_url": "risks:catalogue_template",
    },
    "risks": {
        "courts": _office_courts,
        "service": services.import_risk_points,
        "template": resources.risk_template,
        "title": _("导入风险点"),
        "stem": "风险点导入模板",
        "refused": _("只有领导小组办公室可以导入风险点。"),
        "help": _("一行一个风险点（组织评、集体定或收集到的群众意见），导入后为“待审核”，由所在庭室的审核人评定等级。"),
        "back": "risks:list",
        "url": "risks:import",
        "template_url": "risks:import_template",
    },
}


def _template_download(request, kind):
    spec = IMPORTS[kind]
    if not spec["courts"](request.user):
        raise PermissionDenied(spec["refused"])
    return _download(spec["template"](), request.GET.get("format", "xlsx"), spec["stem"])


def _import_view(request, kind):
    """Upload → dry-run preview with per-row messages → confirm (the same file, checked again, all or nothing)."""
    spec = IMPORTS[kind]
    courts = spec["courts"](request.user)
    if not courts:
        raise PermissionDenied(spec["refused"])
    wanted = request.POST.get("court", request.GET.get("court", ""))
    court = next((c for c in courts if str(c.pk) == wanted), courts[0])
    outcome, filename, payload, error = None, "", "", ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        content = None
        if upload is not None:
            filename = upload.name
            content = upload.read(resources.MAX_BYTES + 1)
        elif request.POST.get("payload"):
            filename = request.POST.get("filename", "")
            try:
                content = base64.b64decode(request.POST["payload"], validate=True)
            except (binascii.Error, ValueError):
                content = b""
        if content is None:
            error = _("请选择要导入的文件。")
        else:
            commit = request.POST.get("commit") == "1"
            outcome = spec["service"](
                actor=request.user, court=court, filename=filename, content=content, commit=commit
            )
            if outcome.committed:
                messages.success(request, _("已导入 %(n)d 行。") % {"n": len(outcome.rows)})
                return redirect(reverse(spec["back"]) + f"?court={court.pk}")
            if outcome.ok:
                payload = base64.b64encode(content).decode()
    return render(
        request,
        "risks/import.html",
        {
            "spec": spec,
            "courts": courts,
            "court": court,
            "outcome": outcome,
            "filename": filename,
            "payload": payload,
            "error": error,
        },
        status=400 if (error or (outcome and not outcome.ok)) else 200,
    )


@login_required
@require_GET
def catalogue_template(request):
    return _template_download(request, "powers")


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request):
    return _import_view(request, "powers")


@login_required
@require_GET
def risk_import_template(request):
    return _template_download(request, "risks")


@login_required
@require_http_methods(["GET", "POST"])
def risk_import(request):
    return _import_view(request, "risks")


# ---------------------------------------------------------------- the public

# A feedback post is a few thousand characters at most: a bigger body is refused before it is read.
PUBLIC_MAX_BODY = 64 * 1024


def _client_ip(request):
    """The visitor's address for the feedback rate limit. Behind the production reverse proxy every request
    comes from the proxy, so when ``RISKS_TRUSTED_PROXIES`` (default: none) names the proxy's addresses, the
    address that proxy appended to X-Forwarded-For is used instead (never one the client could forge)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "RISKS_TRUSTED_PROXIES", ())
    if remote in trusted:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        while hops and hops[-1] in trusted:
            hops.pop()
        if hops:
            return hops[-1]
    return remote


@require_http_methods(["GET", "POST"])
@limit_requests("public", max_body=PUBLIC_MAX_BODY)
def public_page(request, code):
    """No login: a court's published risk points in their publicity period, and the feedback form."""
    court = selectors.public_court(code)
    points = list(selectors.public_points(court))
    form = FeedbackForm(request.POST or None, points=points)
    status = 200
    if request.method == "POST":
        if request.POST.get("website"):
            # A robot filled the honeypot: answer as if accepted, store nothing.
            messages.success(request, _("感谢您的意见，我们会认真研究。"))
            return redirect("risks:public", code=court.code)
        if form.is_valid():
            try:
                services.submit_public_feedback(
                    court=court,
                    text=form.cleaned_data["text"],
                    contact=form.cleaned_data["contact"],
                    risk_point_id=form.cleaned_data["risk_point"],
                    ip=_client_ip(request),
                )
            except ValidationError as exc:
                copy_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("感谢您的意见，我们会认真研究。"))
                return redirect("risks:public", code=court.code)
        else:
            status = 400
    publicity_ends = max((p.publicity_ends for p in points), default=None)
    return render(
        request,
        "risks/public.html",
        {"court": court, "points": points, "form": form, "publicity_ends": publicity_ends},
        status=status,
    )
