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
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hkcourt.org import policy
from hkcourt.org.actions import flash_failure
from hkcourt.org.clientip import client_ip
from hkcourt.org.publicurl import public_url
from hkcourt.org.ratelimit import limit_requests
from hkcourt.org.views_generic import ObjectActionView, ObjectFormView, ObjectListView, copy_errors
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


# Pages stand on the generic views (hkcourt/org/views_generic.py): a list = selector (+ FilterSet) + template;
# an action = selector + policy + form + service + message; refusals answered by hkcourt/org/actions.py.


# ---------------------------------------------------------------- lists and building


class SurveyList(ObjectListView):
    template_name = "assessment/list.html"
    paginate_by = 30

    def get_queryset(self, request):
        return selectors.questionnaires(request.user)

    def get_extra_context(self, request, filterset):
        user = request.user
        return {
            "invitations": selectors.my_invitations(user),
            "may_create": policy.can(user, "assessment.create", None),
            "may_interviews": policy.can(user, "assessment.interviews", None),
        }


survey_list = SurveyList.as_view()


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


_SETTINGS = (
    "kind",
    "title",
    "intro",
    "opens_on",
    "closes_on",
    "rating_threshold",
    "satisfaction_threshold",
    "campaign",
)


class SurveyNew(ObjectFormView):
    template_name = "assessment/form.html"
    action = "assessment.create"
    success_message = gettext_lazy("问卷已创建，请添加题目。")

    def get_form(self, request, obj, data, files):
        return _questionnaire_form(request, data)

    def perform(self, request, obj, data):
        return services.create_questionnaire(actor=request.user, court=data["court"], **{k: data[k] for k in _SETTINGS})

    def get_success_url(self, obj, result):
        return reverse("workflow:survey", args=[result.pk])

    def get_context(self, request, obj, form):
        return {"form": form, "q": None}


class SurveyEdit(SurveyNew):
    action = None  # asked by get_for_action_or_404
    success_message = gettext_lazy("问卷设置已保存。")

    def get_object(self, request, pk):
        return policy.get_for_action_or_404(
            Questionnaire.objects.select_related("court"), request.user, "assessment.edit", pk=pk
        )

    def get_form(self, request, obj, data, files):
        return _questionnaire_form(request, data, q=obj)

    def perform(self, request, obj, data):
        return services.update_questionnaire(actor=request.user, questionnaire=obj, **{k: data[k] for k in _SETTINGS})

    def get_success_url(self, obj, result):
        return reverse("workflow:survey", args=[obj.pk])

    def get_context(self, request, obj, form):
        return {"form": form, "q": obj}


survey_new = SurveyNew.as_view()
survey_edit = SurveyEdit.as_view()


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


class _SurveyAction(ObjectActionView):
    """A POST on a questionnaire from its page: back to the page."""

    def get_object(self, request, pk):
        return selectors.get_questionnaire(request.user, pk)

    def get_return_url(self, obj):
        return reverse("workflow:survey", args=[obj.pk])


class SurveyItemAdd(_SurveyAction):
    action = "assessment.edit"
    form_class = ItemForm
    success_message = gettext_lazy("已添加第%(n)s题。")

    def perform(self, request, obj, data):
        return services.add_item(
            actor=request.user,
            questionnaire=obj,
            kind=data["kind"],
            text=data["text"],
            required=data["required"],
            choices=data["choices"],
            satisfied=data["satisfied"],
        )

    def get_message_values(self, obj, result):
        return {"n": result.number}

    def get_success_url(self, obj, result):
        return self.get_return_url(obj) + "#items"

    def refused(self, request, exc, form, obj):
        flash_failure(request, exc)
        return redirect(self.get_return_url(obj) + "#items")


class SurveyItemDelete(_SurveyAction):
    action = "assessment.edit"
    success_message = gettext_lazy("已删除该题。")

    def get_object(self, request, pk):
        return selectors.get_item(request.user, pk)

    def policy_object(self, obj):
        return obj.questionnaire

    def get_return_url(self, obj):
        return reverse("workflow:survey", args=[obj.questionnaire_id])

    def perform(self, request, obj, data):
        return services.remove_item(actor=request.user, item=obj)

    def get_success_url(self, obj, result):
        return self.get_return_url(obj) + "#items"

    def refused(self, request, exc, form, obj):
        flash_failure(request, exc)
        return redirect(self.get_return_url(obj) + "#items")


class SurveySend(_SurveyAction):
    action = "assessment.send"
    form_class = SendForm

    def get_form(self, request, obj):
        courts, divisions = selectors.send_targets(obj)
        return SendForm(request.POST, courts=courts, divisions=divisions)

    def form_invalid(self, request, form, obj):
        messages.error(request, _("请选择发放的法院或庭室。"))
        return redirect(self.get_return_url(obj))

    def perform(self, request, obj, data):
        return services.send_to_staff(
            actor=request.user, questionnaire=obj, courts=data["courts"], divisions=data["divisions"]
        )

    def flash_success(self, request, obj, n):
        if n:
            messages.success(request, _("已向%(n)s人发送答卷链接（站内通知）。") % {"n": n})
        else:
            messages.info(request, _("所选人员都已收到过答卷链接，没有新发送。"))


class SurveyPublish(_SurveyAction):
    success_message = gettext_lazy("问卷已向社会公开，可复制链接或打印二维码。")

    def perform(self, request, obj, data):
        return services.publish(actor=request.user, questionnaire=obj)


class SurveyClose(_SurveyAction):
    success_message = gettext_lazy("问卷已结束，不再接受答卷。")

    def perform(self, request, obj, data):
        return services.close(actor=request.user, questionnaire=obj)


survey_item_add = SurveyItemAdd.as_view()
survey_item_delete = SurveyItemDelete.as_view()
survey_send = SurveySend.as_view()
survey_publish = SurveyPublish.as_view()
survey_close = SurveyClose.as_view()


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


class SurveyRectify(ObjectActionView):
    action = "assessment.rectify"
    form_class = RectifyForm
    success_message = gettext_lazy("已下达限期整改%(code)s。")

    def get_object(self, request, pk):
        return selectors.get_item(request.user, pk)

    def get_form_kwargs(self, obj):
        return {"owners": selectors.owner_choices(obj.questionnaire)}

    def get_return_url(self, obj):
        return reverse("workflow:survey_results", args=[obj.questionnaire_id])

    def perform(self, request, obj, data):
        return services.open_rectification(
            actor=request.user, item=obj, owner=data["owner"], deadline=data["deadline"], plan=data["plan"]
        )

    def get_message_values(self, obj, result):
        return {"code": result.code}

    def get_success_url(self, obj, result):
        return reverse("workflow:rectification_detail", args=[result.pk])


survey_rectify = SurveyRectify.as_view()


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


class InterviewList(ObjectFormView):
    """The interviews recorded so far, with the form to record one."""

    template_name = "assessment/interviews.html"
    action = "assessment.interviews"
    success_message = gettext_lazy("已登记个别访谈。")

    def get_form(self, request, obj, data, files):
        courts = selectors.office_courts(request.user)
        return InterviewForm(
            data, courts=courts, people=selectors.people_of(courts), initial={"held_on": local_today()}
        )

    def perform(self, request, obj, data):
        return services.record_interview(
            actor=request.user,
            court=data["court"],
            held_on=data["held_on"],
            interviewee=data["interviewee"],
            interviewee_desc=data["interviewee_desc"],
            interviewers=data["interviewers"],
            summary=data["summary"],
        )

    def get_success_url(self, obj, result):
        return reverse("workflow:interviews")

    def get_context(self, request, obj, form):
        page = Paginator(selectors.interviews(request.user), 30).get_page(request.GET.get("page"))
        return {"page": page, "form": form, "show_form": request.method == "POST"}


interview_list = InterviewList.as_view()


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


class AssessmentWeights(ObjectFormView):
    template_name = "assessment/weights.html"
    action = "assessment.weights"
    success_message = gettext_lazy("已保存第%(v)s版指标权重。")
    bad_post_status = 400

    def get_object(self, request, pk):
        return selectors.get_campaign(request.user, pk)

    def get_form(self, request, obj, data, files):
        from .indicators import DEFINITIONS, weights_for

        return WeightsForm(data, definitions=DEFINITIONS, weights=weights_for(obj))

    def perform(self, request, obj, data):
        return services.save_weights(actor=request.user, campaign=obj, weights=self.form.weights(), note=data["note"])

    def get_message_values(self, obj, result):
        return {"v": result.version}

    def get_success_url(self, obj, result):
        return reverse("workflow:assessment") + f"?campaign={obj.pk}"

    def get_context(self, request, obj, form):
        return {"campaign": obj, "form": form, "versions": selectors.versions(obj)}


assessment_weights = AssessmentWeights.as_view()


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


class AcceptanceList(ObjectListView):
    template_name = "assessment/acceptances.html"
    action = "assessment.acceptances"
    paginate_by = 30

    def get_queryset(self, request):
        return selectors.acceptances(request.user)

    def get_extra_context(self, request, filterset):
        return {"may_create": policy.can(request.user, "assessment.create_acceptance", None)}


acceptance_list = AcceptanceList.as_view()


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


class AcceptanceNew(ObjectFormView):
    template_name = "assessment/acceptance_form.html"
    action = "assessment.create_acceptance"
    success_message = gettext_lazy("已组织考核验收，被验收单位的负责人将在待办中看到自查任务。")

    def get_form(self, request, obj, data, files):
        form, self.campaign = _acceptance_form(request, data)
        return form

    def perform(self, request, obj, data):
        keys = ("campaign", "kind", "phase", "title", "self_due", "sample_size", "questionnaire", "courts", "divisions")
        return services.create_acceptance(actor=request.user, **{k: data[k] for k in keys})

    def get_success_url(self, obj, result):
        return reverse("workflow:acceptance", args=[result.pk])

    def get_context(self, request, obj, form):
        return {"form": form, "campaign": self.campaign}


acceptance_new = AcceptanceNew.as_view()


@login_required
def acceptance_detail(request, pk):
    acceptance = selectors.get_acceptance(request.user, pk)
    units = selectors.acceptance_units(request.user, acceptance)
    return render(request, "assessment/acceptance.html", {"a": acceptance, "units": units})


class AcceptanceClose(ObjectActionView):
    action = "assessment.close_acceptance"
    success_message = gettext_lazy("考核验收已结束。")

    def get_object(self, request, pk):
        return selectors.get_acceptance(request.user, pk)

    def get_return_url(self, obj):
        return reverse("workflow:acceptance", args=[obj.pk])

    def perform(self, request, obj, data):
        return services.close_acceptance(actor=request.user, acceptance=obj)


acceptance_close = AcceptanceClose.as_view()


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


class _UnitAction(ObjectActionView):
    """The shape of every POST on a unit: 404 out of scope, 403 when the person may not, the reason flashed
    when only the state stands in the way; the form and the service's errors shown on the unit's page
    (``key`` names the form there)."""

    key = ""

    def get_object(self, request, pk):
        return selectors.get_unit(request.user, pk)

    def get_return_url(self, obj):
        return reverse("workflow:acceptance_unit", args=[obj.pk])

    def form_invalid(self, request, form, obj):
        return _unit_page(request, obj, forms_={self.key: form}, status=400)

    def refused(self, request, exc, form, obj):
        if form is not None and isinstance(exc, ValidationError):
            copy_errors(form, exc)
            return _unit_page(request, obj, forms_={self.key: form}, status=400)
        flash_failure(request, exc)
        return redirect(self.get_return_url(obj))


class AcceptanceSelf(_UnitAction):
    action = "assessment.self_report"
    key = "self"
    success_message = gettext_lazy("自查报告已提交。")

    @property
    def form_class(self):
        from .forms import SelfReportForm

        return SelfReportForm

    def perform(self, request, obj, data):
        return services.submit_self_report(actor=request.user, unit=obj, report=data["report"], grade=data["grade"])


class AcceptanceDraw(_UnitAction):
    action = "assessment.spot_check"
    key = "draw"
    success_message = gettext_lazy("系统已随机抽取抽查记录，请逐条登记抽查发现。")

    def perform(self, request, obj, data):
        return services.draw_sample(actor=request.user, unit=obj)


class AcceptanceSpot(_UnitAction):
    action = "assessment.spot_check"
    key = "spot"
    success_message = gettext_lazy("上级抽查结论已登记。")

    @property
    def form_class(self):
        from .forms import SpotForm

        return SpotForm

    def perform(self, request, obj, data):
        return services.record_spot_check(actor=request.user, unit=obj, grade=data["grade"], note=data["note"])


class AcceptanceSocial(_UnitAction):
    action = "assessment.social"
    key = "social"
    success_message = gettext_lazy("已根据问卷结果计算社会评议结果。")

    def perform(self, request, obj, data):
        return services.record_social(actor=request.user, unit=obj)


class AcceptanceDecide(_UnitAction):
    action = "assessment.decide"
    key = "decide"
    success_message = gettext_lazy("验收结论已登记。")

    @property
    def form_class(self):
        from .forms import DecideForm

        return DecideForm

    def perform(self, request, obj, data):
        keys = ("grade", "formalism", "conclusion", "deadline", "plan")
        return services.decide_unit(actor=request.user, unit=obj, **{k: data[k] for k in keys})


class AcceptanceFinding(ObjectActionView):
    action = "assessment.spot_check"
    success_message = gettext_lazy("已登记抽查发现。")

    def get_object(self, request, pk):
        sample = selectors.get_sample(request.user, pk)
        sample.checked_unit = selectors.get_unit(request.user, sample.unit_id)
        return sample

    def policy_object(self, sample):
        return sample.checked_unit

    @property
    def form_class(self):
        from .forms import FindingForm

        return FindingForm

    def get_form(self, request, sample):
        return self.form_class(request.POST, prefix=f"s{sample.pk}")

    def get_return_url(self, sample):
        return reverse("workflow:acceptance_unit", args=[sample.checked_unit.pk]) + f"#sample-{sample.pk}"

    def perform(self, request, sample, data):
        return services.record_finding(
            actor=request.user, sample=sample, satisfactory=data["satisfactory"], finding=data["finding"]
        )


acceptance_self = AcceptanceSelf.as_view()
acceptance_draw = AcceptanceDraw.as_view()
acceptance_spot = AcceptanceSpot.as_view()
acceptance_social = AcceptanceSocial.as_view()
acceptance_decide = AcceptanceDecide.as_view()
acceptance_finding = AcceptanceFinding.as_view()


# ---------------------------------------------------------------- manual scores


class AssessmentManual(ObjectFormView):
    """The office's manual scores of a campaign: the current ones with every earlier version, and the form."""

    template_name = "assessment/manual.html"
    action = "assessment.manual_score"
    bad_post_status = 400

    def get_object(self, request, pk):
        return selectors.get_campaign(request.user, pk)

    def get_form(self, request, campaign, data, files):
        from .forms import ManualScoreForm
        from .indicators import DEFINITIONS

        return ManualScoreForm(
            data,
            files,
            units=selectors.unit_choices(campaign),
            definitions=DEFINITIONS,
            initial={"unit": request.GET.get("unit"), "key": request.GET.get("key")},
        )

    def perform(self, request, campaign, data):
        court, division = selectors.resolve_unit(campaign, data["unit"])
        if court is None:
            raise ValidationError({"unit": _("所选单位不在本工作方案范围内。")})
        return services.set_manual_score(
            actor=request.user,
            campaign=campaign,
            key=data["key"],
            court=court,
            division=division,
            score=data["score"],
            reason=data["reason"],
            upload=data["evidence"],
        )

    def flash_success(self, request, campaign, row):
        if row.score is None:
            messages.success(request, _("已撤销人工评分，恢复按公式计分。"))
        else:
            messages.success(request, _("已保存人工评分（第%(v)s版）。") % {"v": row.version})

    def get_success_url(self, campaign, row):
        return reverse("workflow:assessment_manual", args=[campaign.pk])

    def get_context(self, request, campaign, form):
        return {"campaign": campaign, "form": form, "history": selectors.manual_history(campaign)}


assessment_manual = AssessmentManual.as_view()


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


class SummaryNew(ObjectFormView):
    template_name = "assessment/summary_form.html"
    action = "assessment.write_summary"
    success_message = gettext_lazy("总结已提交，本阶段数据已同时截取并附在总结后。")

    def get_object(self, request):
        return _summary_target(request)

    def get_form(self, request, target, data, files):
        from .forms import SummaryForm

        phase, court, division = target
        self.unit_name = str(division) if division else (court.short_name or court.name)
        initial = {"title": _("%(unit)s%(phase)s工作总结") % {"unit": self.unit_name, "phase": phase.name}}
        return SummaryForm(data, files, initial=initial)

    def perform(self, request, target, data):
        phase, court, division = target
        return services.write_summary(
            actor=request.user,
            phase=phase,
            court=court,
            division=division,
            title=data["title"],
            body=data["body"],
            uploads=data["files"],
        )

    def get_success_url(self, target, summary):
        return reverse("workflow:summary", args=[summary.pk])

    def get_context(self, request, target, form):
        phase, court, division = target
        return {
            "form": form,
            "phase": phase,
            "court": court,
            "division": division,
            "unit_name": self.unit_name,
            "summary": None,
        }


summary_new = SummaryNew.as_view()


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


class SummaryEdit(ObjectFormView):
    template_name = "assessment/summary_form.html"
    action = "assessment.edit_summary"
    success_message = gettext_lazy("总结已修改（阶段数据保持撰写时的数字）。")

    def get_object(self, request, pk):
        return selectors.get_summary(request.user, pk)

    def get_form(self, request, summary, data, files):
        from .forms import SummaryForm

        return SummaryForm(data, files, initial={"title": summary.title, "body": summary.body})

    def perform(self, request, summary, data):
        return services.edit_summary(
            actor=request.user, summary=summary, title=data["title"], body=data["body"], uploads=data["files"]
        )

    def get_success_url(self, summary, result):
        return reverse("workflow:summary", args=[summary.pk])

    def get_context(self, request, summary, form):
        return {
            "form": form,
            "summary": summary,
            "phase": summary.phase,
            "unit_name": summary.figures.get("scope", ""),
        }


summary_edit = SummaryEdit.as_view()


@login_required
def summary_attachment(request, pk):
    from django.http import FileResponse

    att = selectors.get_summary_attachment(request.user, pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


# ---------------------------------------------------------------- the campaign report


class ReportPage(ObjectActionView):
    """The campaign report: generate (a Celery task, progress shown) and download the PDF and the workbook."""

    http_method_names = ["get", "post"]
    success_message = gettext_lazy("已开始生成总结报告，完成后可在此下载。")

    def get_object(self, request, pk):
        campaign = selectors.get_campaign(request.user, pk)
        policy.check(request.user, "assessment.report", campaign)
        return campaign

    def get(self, request, pk):
        campaign = self.get_object(request, pk)
        return render(request, "assessment/report.html", {"campaign": campaign, "reports": selectors.reports(campaign)})

    def perform(self, request, campaign, data):
        return services.request_report(actor=request.user, campaign=campaign)

    def get_return_url(self, campaign):
        return reverse("workflow:assessment_report", args=[campaign.pk])


report_page = ReportPage.as_view()


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
