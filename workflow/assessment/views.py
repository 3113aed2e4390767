"""The questionnaire pages: thin — selectors read (scoped), services act, the policy answers who may.

The two answer pages (``/surveys/t/<token>/`` and ``/surveys/p/<code>/``) need no login and remember
nothing about who opened them."""

from datetime import timedelta
from decimal import Decimal

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hkcourt.org import policy
from hkcourt.org.actions import flash_failure, forbid_unless_may
from hkcourt.org.clientip import client_ip
from hkcourt.org.publicurl import public_url
from hkcourt.org.ratelimit import limit_requests
from workflow.models import Campaign, local_today

from . import selectors, services
from .forms import (
    InterviewForm,
    ItemForm,
    QuestionnaireForm,
    RectifyForm,
    SendForm,
    WeightsForm,
    answers_from_post,
    sheet,
)
from .models import MIN_GROUP, TEXT_ANSWER_LIMIT, Invitation, Questionnaire

RECTIFY_DAYS = 30


# The project's one answer to a refusal (hkcourt/org/actions.py): forbidden → 403, state or bad input → flashed.
_refused = flash_failure
_ask = forbid_unless_may


def _form_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# ---------------------------------------------------------------- lists and building


@login_required
def survey_list(request):
    user = request.user
    page = Paginator(selectors.questionnaires(user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/list.html",
        {
            "invitations": selectors.my_invitations(user),
            "page": page,
            "may_create": policy.can(user, "assessment.create", None),
            "may_interviews": policy.can(user, "assessment.interviews", None),
        },
    )


def _questionnaire_form(request, data=None, *, q=None):
    initial = None
    if q is not None:
        initial = {
            "kind": q.kind,
            "title": q.title,
            "intro": q.intro,
            "opens_on": q.opens_on,
            "closes_on": q.closes_on,
            "rating_threshold": q.rating_threshold,
            "satisfaction_threshold": q.satisfaction_threshold,
            "campaign": q.campaign_id,
        }
    else:
        today = local_today()
        initial = {"opens_on": today, "closes_on": today + timedelta(days=14)}
    return QuestionnaireForm(
        data,
        courts=selectors.office_courts(request.user),
        campaigns=selectors.campaigns_for(request.user),
        fixed_court=q.court if q is not None else None,
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request):
    policy.check(request.user, "assessment.create", None)
    form = _questionnaire_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            q = services.create_questionnaire(
                actor=request.user,
                court=d["court"],
                kind=d["kind"],
                title=d["title"],
                intro=d["intro"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
                rating_threshold=d["rating_threshold"],
                satisfaction_threshold=d["satisfaction_threshold"],
                campaign=d["campaign"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("问卷已创建，请添加题目。"))
            return redirect("workflow:survey", q.pk)
    return render(request, "assessment/form.html", {"form": form, "q": None}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request, pk):
    q = policy.get_for_action_or_404(
        Questionnaire.objects.select_related("court"), request.user, "assessment.edit", pk=pk
    )
    form = _questionnaire_form(request, request.POST or None, q=q)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_questionnaire(
                actor=request.user,
                questionnaire=q,
                kind=d["kind"],
                title=d["title"],
                intro=d["intro"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
                rating_threshold=d["rating_threshold"],
                satisfaction_threshold=d["satisfaction_threshold"],
                campaign=d["campaign"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("问卷设置已保存。"))
            return redirect("workflow:survey", q.pk)
    return render(request, "assessment/form.html", {"form": form, "q": q}, status=400 if form.errors else 200)


def _public_url(request, q):
    return public_url(request, reverse("workflow:survey_public", args=[q.public_code]))


@login_required
def survey_detail(request, pk):
    q = selectors.get_questionnaire(request.user, pk)
    courts, divisions = selectors.send_targets(q)
    public_url = _public_url(request, q) if q.is_public else ""
    return render(
        request,
        "assessment/detail.html",
        {
            "q": q,
            "items": selectors.items_of(q),
            "item_form": ItemForm(),
            "send_form": SendForm(courts=courts, divisions=divisions),
            "public_url": public_url,
            "qr": segno.make(public_url, error="m").svg_data_uri(scale=5, border=2) if public_url else "",
            "n_invited": q.invitations.count(),
            "n_responses": q.responses.count(),
        },
    )


@login_required
@require_POST
def survey_item_add(request, pk):
    q = selectors.get_questionnaire(request.user, pk)
    if not _ask(request, "assessment.edit", q):
        return redirect("workflow:survey", q.pk)
    form = ItemForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("workflow:survey", q.pk)
    d = form.cleaned_data
    try:
        item = services.add_item(
            actor=request.user,
            questionnaire=q,
            kind=d["kind"],
            text=d["text"],
            required=d["required"],
            choices=d["choices"],
            satisfied=d["satisfied"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已添加第%(n)s题。") % {"n": item.number})
    return redirect(reverse("workflow:survey", args=[q.pk]) + "#items")


@login_required
@require_POST
def survey_item_delete(request, pk):
    item = selectors.get_item(request.user, pk)
    if not _ask(request, "assessment.edit", item.questionnaire):
        return redirect("workflow:survey", item.questionnaire_id)
    try:
        services.remove_item(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已删除该题。"))
    return redirect(reverse("workflow:survey", args=[item.questionnaire_id]) + "#items")


@login_required
@require_POST
def survey_send(request, pk):
    q = selectors.get_questionnaire(request.user, pk)
    if not _ask(request, "assessment.send", q):
        return redirect("workflow:survey", q.pk)
    courts, divisions = selectors.send_targets(q)
    form = SendForm(request.POST, courts=courts, divisions=divisions)
    if not form.is_valid():
        messages.error(request, _("请选择发放的法院或庭室。"))
        return redirect("workflow:survey", q.pk)
    try:
        n = services.send_to_staff(
            actor=request.user,
            questionnaire=q,
            courts=form.cleaned_data["courts"],
            divisions=form.cleaned_data["divisions"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        if n:
            messages.success(request, _("已向%(n)s人发送答卷链接（站内通知）。") % {"n": n})
        else:
            messages.info(request, _("所选人员都已收到过答卷链接，没有新发送。"))
    return redirect("workflow:survey", q.pk)


@login_required
@require_POST
def survey_publish(request, pk):
    q = selectors.get_questionnaire(request.user, pk)
    try:
        services.publish(actor=request.user, questionnaire=q)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("问卷已向社会公开，可复制链接或打印二维码。"))
    return redirect("workflow:survey", q.pk)


@login_required
@require_POST
def survey_close(request, pk):
    q = selectors.get_questionnaire(request.user, pk)
    try:
        services.close(actor=request.user, questionnaire=q)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("问卷已结束，不再接受答卷。"))
    return redirect("workflow:survey", q.pk)


# ---------------------------------------------------------------- results


@login_required
def survey_results(request, pk):
    q = selectors.get_questionnaire(request.user, pk)
    policy.check(request.user, "assessment.results", q)
    data = selectors.results(q)
    rectify_form = RectifyForm(
        owners=selectors.owner_choices(q),
        initial={"deadline": local_today() + timedelta(days=RECTIFY_DAYS), "owner": selectors.default_owner(q)},
    )
    charts = [{"id": s.item.pk, **s.chart()} for s in data["stats"] if s.chart()]
    return render(
        request,
        "assessment/results.html",
        {"q": q, **data, "charts": charts, "rectify_form": rectify_form, "min_group": MIN_GROUP},
    )


@login_required
@require_POST
def survey_rectify(request, pk):
    item = selectors.get_item(request.user, pk)
    back = reverse("workflow:survey_results", args=[item.questionnaire_id])
    if not _ask(request, "assessment.rectify", item):
        return redirect(back)
    form = RectifyForm(request.POST, owners=selectors.owner_choices(item.questionnaire))
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect(back)
    d = form.cleaned_data
    try:
        r = services.open_rectification(
            actor=request.user, item=item, owner=d["owner"], deadline=d["deadline"], plan=d["plan"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(request, _("已下达限期整改%(code)s。") % {"code": r.code})
    return redirect("workflow:rectification_detail", r.pk)


# ---------------------------------------------------------------- answering (no login, anonymous)


def _answer_page(request, q, *, post_url, submit, done_message, status_when_closed=200):
    items = selectors.items_of(q)
    refusal = q.refusal()
    answers, errors, status = None, None, 200
    if request.method == "POST":
        answers = answers_from_post(items, request.POST)
        try:
            submit(answers)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            return None
    return render(
        request,
        "assessment/answer.html",
        {
            "q": q,
            "rows": sheet(items, answers, errors),
            "refusal": refusal,
            "post_url": post_url,
            "done_message": done_message,
            "text_limit": TEXT_ANSWER_LIMIT,
            "has_errors": bool(errors),
        },
        status=status if not refusal or request.method == "POST" else status_when_closed,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request, token):
    invitation = Invitation.objects.select_related("questionnaire__court").filter(token=token[:64]).first()
    if invitation is None:
        raise Http404(_("答卷链接无效。"))
    q = invitation.questionnaire
    url = reverse("workflow:survey_answer", args=[token])
    if invitation.used:
        done = _("此链接已提交过答卷，感谢您的参与。")
        return render(request, "assessment/answer.html", {"q": q, "done_message": done, "done": True})
    response = _answer_page(
        request,
        q,
        post_url=url,
        submit=lambda answers: services.answer_with_token(token=token, answers=answers),
        done_message="",
    )
    if response is None:
        messages.success(request, _("答卷已提交。感谢您的参与！"))
        return redirect(url)
    return response


# A questionnaire's answers: a bigger body is refused before it is read.
SURVEY_MAX_BODY = 512 * 1024


@never_cache
@require_http_methods(["GET", "POST"])
@limit_requests("public", max_body=SURVEY_MAX_BODY)
def survey_public(request, code):
    q = Questionnaire.objects.select_related("court").filter(public_code=code).first()
    if q is None:
        raise Http404(_("问卷链接无效。"))
    url = reverse("workflow:survey_public", args=[code])
    if request.method == "GET" and request.GET.get("done"):
        return render(
            request, "assessment/answer.html", {"q": q, "done": True, "done_message": _("答卷已提交。感谢您的参与！")}
        )
    if request.method == "POST" and request.POST.get("website"):
        return redirect(url + "?done=1")  # a robot filled the honeypot: answer as if accepted, store nothing
    response = _answer_page(
        request,
        q,
        post_url=url,
        submit=lambda answers: services.answer_public(code=code, answers=answers, ip=client_ip(request)),
        done_message="",
    )
    if response is None:
        return redirect(url + "?done=1")
    return response


# ---------------------------------------------------------------- interviews


@login_required
@require_http_methods(["GET", "POST"])
def interview_list(request):
    policy.check(request.user, "assessment.interviews", None)
    courts = selectors.office_courts(request.user)
    form = InterviewForm(
        request.POST or None,
        courts=courts,
        people=selectors.people_of(courts),
        initial={"held_on": local_today()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_interview(
                actor=request.user,
                court=d["court"],
                held_on=d["held_on"],
                interviewee=d["interviewee"],
                interviewee_desc=d["interviewee_desc"],
                interviewers=d["interviewers"],
                summary=d["summary"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已登记个别访谈。"))
            return redirect("workflow:interviews")
    page = Paginator(selectors.interviews(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/interviews.html",
        {"page": page, "form": form, "show_form": request.method == "POST"},
        status=400 if form.errors else 200,
    )


@login_required
def interview_detail(request, pk):
    return render(request, "assessment/interview.html", {"i": selectors.get_interview(request.user, pk)})


# ---------------------------------------------------------------- the indicator system


def _int_or_none(value):
    return int(value) if str(value or "").isdigit() else None


@login_required
def assessment(request):
    """The ranked table of a campaign's courts and divisions, with the raw figures behind every score."""
    policy.check(request.user, "assessment.scores", None)
    campaigns = selectors.assessment_campaigns(request.user)
    campaign = selectors.choose_campaign(campaigns, request.GET.get("campaign"))
    context = {"campaigns": campaigns, "campaign": campaign}
    if campaign is not None:
        context.update(
            selectors.scores(
                request.user,
                campaign,
                version=_int_or_none(request.GET.get("version")),
                court_id=_int_or_none(request.GET.get("court")),
            )
        )
        context["court_id"] = _int_or_none(request.GET.get("court"))
    return render(request, "assessment/indicators.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_weights(request, pk):
    campaign = selectors.get_campaign(request.user, pk)
    policy.check(request.user, "assessment.weights", campaign)
    from .indicators import DEFINITIONS, weights_for

    form = WeightsForm(request.POST or None, definitions=DEFINITIONS, weights=weights_for(campaign))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                scheme = services.save_weights(
                    actor=request.user, campaign=campaign, weights=form.weights(), note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("已保存第%(v)s版指标权重。") % {"v": scheme.version})
                return redirect(reverse("workflow:assessment") + f"?campaign={campaign.pk}")
        status = 400
    return render(
        request,
        "assessment/weights.html",
        {"campaign": campaign, "form": form, "versions": selectors.versions(campaign)},
        status=status,
    )


@login_required
def assessment_figure(request, pk, figure, unit):
    policy.check(request.user, "assessment.scores", None)
    campaign = selectors.get_campaign(request.user, pk)
    data = selectors.figure_records(request.user, campaign, figure, unit)
    return render(request, "assessment/figure.html", {"campaign": campaign, **data})


@login_required
def assessment_export(request):
    """The ranking as it is shown to the reader (only their rows), as a workbook: one sheet per level."""
    import io

    import openpyxl
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header
    from openpyxl.styles import Font

    from hkcourt.org.spreadsheets import escape_formula

    policy.check(request.user, "assessment.scores", None)
    campaign = selectors.choose_campaign(selectors.assessment_campaigns(request.user), request.GET.get("campaign"))
    if campaign is None:
        raise Http404
    data = selectors.scores(request.user, campaign, version=_int_or_none(request.GET.get("version")))
    book = openpyxl.Workbook()
    book.remove(book.active)
    header = [_("名次"), _("单位"), _("总分")]
    for d in data["definitions"]:
        header += [
            f"{d.short}{_('得分')}",
            f"{d.short}·{d.numerator_label}",
            f"{d.short}·{d.denominator_label}",
        ]
    for title, rows in ((_("法院排名"), data["courts"]), (_("庭室排名"), data["divisions"])):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            name = str(row.unit) if row.kind == "division" else row.unit.name
            values = [row.rank, escape_formula(name), row.total]
            for cell in row.cells:
                values += [cell.score, cell.numerator, cell.denominator]
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["B"].width = 24
    notes = book.create_sheet(_("说明"))
    version = data["weights"].version
    notes.append([campaign.name])
    notes.append([_("指标权重第%(v)s版") % {"v": version} if version else _("默认指标权重")])
    for item in data["legend"]:
        notes.append(
            [str(item["definition"].label), item["weight"], float(item["target"]), str(item["definition"].formula)]
        )
    manual = [
        (row, cell) for row in data["courts"] + data["divisions"] for cell in row.cells if cell.manual is not None
    ]
    if manual:
        notes.append([])
        notes.append([_("人工评分（代替公式得分）")])
        for row, cell in manual:
            name = str(row.unit) if row.kind == "division" else row.unit.name
            notes.append(
                [
                    escape_formula(name),
                    str(cell.definition.label),
                    float(cell.manual.score),
                    escape_formula(cell.manual.reason),
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"考核评估排名-{campaign.year}.xlsx")
    return response


# ---------------------------------------------------------------- 考核验收


@login_required
def acceptance_list(request):
    policy.check(request.user, "assessment.acceptances", None)
    page = Paginator(selectors.acceptances(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/acceptances.html",
        {"page": page, "may_create": policy.can(request.user, "assessment.create_acceptance", None)},
    )


def _acceptance_form(request, data=None):
    from workflow.models import Phase

    from .forms import AcceptanceForm

    campaigns = selectors.office_campaigns(request.user)
    if not campaigns:
        raise PermissionDenied(_("没有可以组织考核验收的工作方案。"))
    chosen = (data or request.GET).get("campaign")
    campaign = next((c for c in campaigns if str(c.pk) == str(chosen)), campaigns[0])
    courts, divisions = selectors.acceptance_targets(campaign)
    form = AcceptanceForm(
        data,
        campaigns=Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).order_by("-year", "-id"),
        phases=Phase.objects.filter(campaign=campaign).order_by("number"),
        questionnaires=selectors.finished_questionnaires(request.user, campaign),
        courts=courts,
        divisions=divisions,
        initial={"campaign": campaign.pk, "self_due": local_today() + timedelta(days=14), "kind": "stage"},
    )
    return form, campaign


@login_required
@require_http_methods(["GET", "POST"])
def acceptance_new(request):
    policy.check(request.user, "assessment.create_acceptance", None)
    form, campaign = _acceptance_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            acceptance = services.create_acceptance(
                actor=request.user,
                campaign=d["campaign"],
                kind=d["kind"],
                phase=d["phase"],
                title=d["title"],
                self_due=d["self_due"],
                sample_size=d["sample_size"],
                questionnaire=d["questionnaire"],
                courts=d["courts"],
                divisions=d["divisions"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已组织考核验收，被验收单位的负责人将在待办中看到自查任务。"))
            return redirect("workflow:acceptance", acceptance.pk)
    return render(
        request,
        "assessment/acceptance_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@login_required
def acceptance_detail(request, pk):
    acceptance = selectors.get_acceptance(request.user, pk)
    units = selectors.acceptance_units(request.user, acceptance)
    return render(request, "assessment/acceptance.html", {"a": acceptance, "units": units})


@login_required
@require_POST
def acceptance_close(request, pk):
    acceptance = selectors.get_acceptance(request.user, pk)
    if _ask(request, "assessment.close_acceptance", acceptance):
        try:
            services.close_acceptance(actor=request.user, acceptance=acceptance)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("考核验收已结束。"))
    return redirect("workflow:acceptance", acceptance.pk)


def _unit_page(request, unit, *, forms_=None, status=200):
    from .forms import DecideForm, FindingForm, SelfReportForm, SpotForm

    forms_ = forms_ or {}
    samples = selectors.samples_of(unit)
    for s in samples:
        s.form = FindingForm(
            prefix=f"s{s.pk}",
            initial={"satisfactory": "1" if s.satisfactory is not False else "0", "finding": s.finding},
        )
    leader = services.unit_leader(unit)
    context = {
        "u": unit,
        "a": unit.acceptance,
        "samples": samples,
        "self_form": forms_.get("self")
        or SelfReportForm(initial={"report": unit.self_report, "grade": unit.self_grade or "pass"}),
        "spot_form": forms_.get("spot")
        or SpotForm(initial={"grade": unit.spot_grade or "pass", "note": unit.spot_note}),
        "decide_form": forms_.get("decide")
        or DecideForm(
            initial={
                "grade": services.suggested_grade(unit) or "pass",
                "deadline": local_today() + timedelta(days=RECTIFY_DAYS),
            }
        ),
        "suggested": services.suggested_grade(unit),
        "leader": leader,
        "pools": [qs.count() for qs in services.sample_pools(unit)] if not unit.drawn_at else None,
    }
    return render(request, "assessment/acceptance_unit.html", context, status=status)


@login_required
def acceptance_unit(request, pk):
    return _unit_page(request, selectors.get_unit(request.user, pk))


def _unit_action(request, pk, action, form_class, call, done, key):
    """The shape of every POST on a unit: 404 out of scope, 403 when the person may not, the reason flashed
    when only the state stands in the way; the form and the service's errors shown on the unit's page."""
    unit = selectors.get_unit(request.user, pk)
    if not _ask(request, action, unit):
        return redirect("workflow:acceptance_unit", unit.pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _unit_page(request, unit, forms_={key: form}, status=400)
    try:
        call(unit, form.cleaned_data if form is not None else {})
    except ValidationError as exc:
        if form is None:
            _refused(request, exc)
            return redirect("workflow:acceptance_unit", unit.pk)
        _form_errors(form, exc)
        return _unit_page(request, unit, forms_={key: form}, status=400)
    except PermissionDenied as exc:
        _refused(request, exc)
        return redirect("workflow:acceptance_unit", unit.pk)
    messages.success(request, done)
    return redirect("workflow:acceptance_unit", unit.pk)


@login_required
@require_POST
def acceptance_self(request, pk):
    from .forms import SelfReportForm

    return _unit_action(
        request,
        pk,
        "assessment.self_report",
        SelfReportForm,
        lambda unit, d: services.submit_self_report(
            actor=request.user, unit=unit, report=d["report"], grade=d["grade"]
        ),
        _("自查报告已提交。"),
        "self",
    )


@login_required
@require_POST
def acceptance_draw(request, pk):
    return _unit_action(
        request,
        pk,
        "assessment.spot_check",
        None,
        lambda unit, d: services.draw_sample(actor=request.user, unit=unit),
        _("系统已随机抽取抽查记录，请逐条登记抽查发现。"),
        "draw",
    )


@login_required
@require_POST
def acceptance_spot(request, pk):
    from .forms import SpotForm

    return _unit_action(
        request,
        pk,
        "assessment.spot_check",
        SpotForm,
        lambda unit, d: services.record_spot_check(actor=request.user, unit=unit, grade=d["grade"], note=d["note"]),
        _("上级抽查结论已登记。"),
        "spot",
    )


@login_required
@require_POST
def acceptance_social(request, pk):
    return _unit_action(
        request,
        pk,
        "assessment.social",
        None,
        lambda unit, d: services.record_social(actor=request.user, unit=unit),
        _("已根据问卷结果计算社会评议结果。"),
        "social",
    )


@login_required
@require_POST
def acceptance_decide(request, pk):
    from .forms import DecideForm

    def call(unit, d):
        return services.decide_unit(
            actor=request.user,
            unit=unit,
            grade=d["grade"],
            formalism=d["formalism"],
            conclusion=d["conclusion"],
            deadline=d["deadline"],
            plan=d["plan"],
        )

    return _unit_action(request, pk, "assessment.decide", DecideForm, call, _("验收结论已登记。"), "decide")


@login_required
@require_POST
def acceptance_finding(request, pk):
    from .forms import FindingForm

    sample = selectors.get_sample(request.user, pk)
    unit = selectors.get_unit(request.user, sample.unit_id)
    back = reverse("workflow:acceptance_unit", args=[unit.pk]) + f"#sample-{sample.pk}"
    if not _ask(request, "assessment.spot_check", unit):
        return redirect(back)
    form = FindingForm(request.POST, prefix=f"s{sample.pk}")
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect(back)
    try:
        services.record_finding(
            actor=request.user,
            sample=sample,
            satisfactory=form.cleaned_data["satisfactory"],
            finding=form.cleaned_data["finding"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已登记抽查发现。"))
    return redirect(back)


# ---------------------------------------------------------------- manual scores


@login_required
@require_http_methods(["GET", "POST"])
def assessment_manual(request, pk):
    """The office's manual scores of a campaign: the current ones with every earlier version, and the form."""
    from .forms import ManualScoreForm
    from .indicators import DEFINITIONS

    campaign = selectors.get_campaign(request.user, pk)
    policy.check(request.user, "assessment.manual_score", campaign)
    form = ManualScoreForm(
        request.POST or None,
        request.FILES or None,
        units=selectors.unit_choices(campaign),
        definitions=DEFINITIONS,
        initial={"unit": request.GET.get("unit"), "key": request.GET.get("key")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            court, division = selectors.resolve_unit(campaign, d["unit"])
            try:
                if court is None:
                    raise ValidationError({"unit": _("所选单位不在本工作方案范围内。")})
                row = services.set_manual_score(
                    actor=request.user,
                    campaign=campaign,
                    key=d["key"],
                    court=court,
                    division=division,
                    score=d["score"],
                    reason=d["reason"],
                    upload=d["evidence"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if row.score is None:
                    messages.success(request, _("已撤销人工评分，恢复按公式计分。"))
                else:
                    messages.success(request, _("已保存人工评分（第%(v)s版）。") % {"v": row.version})
                return redirect("workflow:assessment_manual", campaign.pk)
        status = 400
    return render(
        request,
        "assessment/manual.html",
        {"campaign": campaign, "form": form, "history": selectors.manual_history(campaign)},
        status=status,
    )


@login_required
def assessment_evidence(request, pk):
    from django.http import FileResponse

    m = selectors.get_manual_score(request.user, pk)
    if not m.evidence:
        raise Http404
    return FileResponse(m.evidence.open("rb"), as_attachment=True, filename=m.evidence_name or "evidence")


# ---------------------------------------------------------------- phase summaries


@login_required
def summary_list(request):
    policy.check(request.user, "assessment.summaries", None)
    campaigns = selectors.assessment_campaigns(request.user)
    campaign = selectors.choose_campaign(campaigns, request.GET.get("campaign"))
    context = {"campaigns": campaigns, "campaign": campaign}
    if campaign is not None:
        context.update(selectors.summary_board(request.user, campaign, request.GET.get("phase")))
    return render(request, "assessment/summaries.html", context)


def _summary_target(request):
    """(phase, court, division) named by ?phase=&court=&division= (404 when not the reader's)."""
    from hkcourt.org.models import Court, Division
    from workflow.models import Phase

    params = request.POST if request.method == "POST" else request.GET
    phase = Phase.objects.select_related("campaign__court").filter(pk=_int_or_none(params.get("phase"))).first()
    if phase is None or not Campaign.objects.visible_to(request.user).filter(pk=phase.campaign_id).exists():
        raise Http404
    division = None
    if params.get("division"):
        division = Division.objects.select_related("court").filter(pk=_int_or_none(params.get("division"))).first()
        if division is None:
            raise Http404
        court = division.court
    else:
        court = Court.objects.filter(pk=_int_or_none(params.get("court"))).first()
        if court is None:
            raise Http404
    return phase, court, division


@login_required
@require_http_methods(["GET", "POST"])
def summary_new(request):
    from .forms import SummaryForm

    phase, court, division = _summary_target(request)
    policy.check(request.user, "assessment.write_summary", (phase, court, division))
    name = str(division) if division else (court.short_name or court.name)
    form = SummaryForm(
        request.POST or None,
        request.FILES or None,
        initial={"title": _("%(unit)s%(phase)s工作总结") % {"unit": name, "phase": phase.name}},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            summary = services.write_summary(
                actor=request.user,
                phase=phase,
                court=court,
                division=division,
                title=d["title"],
                body=d["body"],
                uploads=d["files"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("总结已提交，本阶段数据已同时截取并附在总结后。"))
            return redirect("workflow:summary", summary.pk)
    return render(
        request,
        "assessment/summary_form.html",
        {"form": form, "phase": phase, "court": court, "division": division, "unit_name": name, "summary": None},
        status=400 if form.errors else 200,
    )


@login_required
def summary_detail(request, pk):
    from .markup import render as render_markup

    summary = selectors.get_summary(request.user, pk)
    return render(
        request,
        "assessment/summary.html",
        {
            "s": summary,
            "body": render_markup(summary.body),
            "f": summary.figures,
            "attachments": list(summary.attachments.all()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_edit(request, pk):
    from .forms import SummaryForm

    summary = selectors.get_summary(request.user, pk)
    policy.check(request.user, "assessment.edit_summary", summary)
    form = SummaryForm(
        request.POST or None, request.FILES or None, initial={"title": summary.title, "body": summary.body}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.edit_summary(
                actor=request.user, summary=summary, title=d["title"], body=d["body"], uploads=d["files"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("总结已修改（阶段数据保持撰写时的数字）。"))
            return redirect("workflow:summary", summary.pk)
    return render(
        request,
        "assessment/summary_form.html",
        {"form": form, "summary": summary, "phase": summary.phase, "unit_name": summary.figures.get("scope", "")},
        status=400 if form.errors else 200,
    )


@login_required
def summary_attachment(request, pk):
    from django.http import FileResponse

    att = selectors.get_summary_attachment(request.user, pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


# ---------------------------------------------------------------- the campaign report


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request, pk):
    """The campaign report: generate (a Celery task, progress shown) and download the PDF and the workbook."""
    campaign = selectors.get_campaign(request.user, pk)
    policy.check(request.user, "assessment.report", campaign)
    if request.method == "POST":
        try:
            services.request_report(actor=request.user, campaign=campaign)
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("已开始生成总结报告，完成后可在此下载。"))
        return redirect("workflow:assessment_report", campaign.pk)
    return render(request, "assessment/report.html", {"campaign": campaign, "reports": selectors.reports(campaign)})


@login_required
def report_status(request, pk):
    report = selectors.get_report(request.user, pk)
    return render(request, "assessment/_report_status.html", {"r": report})


@login_required
def report_file(request, pk, kind):
    from django.http import FileResponse

    report = selectors.get_report(request.user, pk)
    field = {"pdf": report.pdf, "xlsx": report.xlsx}.get(kind)
    if not field:
        raise Http404
    name = f"{report.campaign.name}-总结报告.{kind}"
    return FileResponse(field.open("rb"), as_attachment=kind == "xlsx", filename=name)
