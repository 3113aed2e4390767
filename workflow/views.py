"""Campaign pages: thin — selectors read (scoped: 404 outside), services act, forms validate input. Who may
act is the policy's (``workflow/policy.py``): the services enforce it, the pages and templates only ask it.
A GET writes nothing (the built-in template is installed by a data migration, not by the page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hkcourt.org import policy
from hkcourt.org.actions import failure_messages
from hkcourt.org.policy import Refusal

from . import selectors, services
from .forms import CompletionForm, CopyCampaignForm, ScheduleForm, UndoForm
from .models import local_today


def _errors(exc: ValidationError | Refusal) -> list[str]:
    """The messages to show; a forbidden action answers 403 (hkcourt/org/actions.py)."""
    return failure_messages(exc)


@login_required
def campaign_list(request):
    campaigns = list(selectors.campaigns_for(request.user))
    today = local_today()
    for c in campaigns:
        phases = list(c.phases.all())
        c.current_phase = next((p for p in phases if p.contains(today)), None)
        c.first_day = min((p.start for p in phases), default=None)
        c.last_day = max((p.end for p in phases), default=None)
        c.has_ended = c.last_day is not None and c.last_day < today
    return render(request, "workflow/campaign_list.html", {"campaigns": campaigns, "today": today})


@login_required
def campaign_new(request):
    policy.check(request.user, "workflow.create_campaign")
    initial = {"source": request.GET.get("source"), "start": local_today()}
    form = CopyCampaignForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.copy_campaign(
                actor=request.user,
                source=form.cleaned_data["source"],
                court=form.cleaned_data["court"],
                name=form.cleaned_data["name"],
                start=form.cleaned_data["start"],
                covers_subordinates=form.cleaned_data["covers_subordinates"],
            )
        except (ValidationError, Refusal) as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("已创建工作方案“%(name)s”，请核对各阶段日期。") % {"name": campaign.name})
            return redirect("workflow:campaign_schedule", pk=campaign.pk)
    return render(request, "workflow/campaign_new.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    campaign = selectors.get_campaign(request.user, pk)
    overview = selectors.campaign_overview(
        request.user, campaign, phase_number=request.GET.get("phase"), court_id=request.GET.get("court")
    )
    return render(request, "workflow/campaign_detail.html", {"campaign": campaign, **overview})


@login_required
def campaign_schedule(request, pk):
    campaign = selectors.get_campaign(request.user, pk)
    policy.check(request.user, "workflow.edit_schedule", campaign)
    form = ScheduleForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_schedule(
                actor=request.user,
                campaign=campaign,
                phase_dates=form.phase_dates(),
                deadlines=form.deadlines(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("日期已保存。"))
            return redirect("workflow:campaign", pk=campaign.pk)
    return render(request, "workflow/campaign_schedule.html", {"campaign": campaign, "form": form})


def _completion_form(request, task, rows):
    choices = [
        (r["id"], f"{r['court']} · {r['division']} · {r['label']}".replace(" ·  · ", " · "))
        for r in rows
        if not r["done"]
    ]
    return CompletionForm(request.POST or None, request.FILES or None, choices=choices)


@login_required
def task_detail(request, pk):
    task = selectors.get_task(request.user, pk)
    campaign = task.phase.campaign
    progress, rows = selectors.task_units(request.user, task)
    form = _completion_form(request, task, rows) if policy.can(request.user, "workflow.complete", task) else None
    return render(
        request,
        "workflow/task_detail.html",
        {
            "task": task,
            "campaign": campaign,
            "progress": progress,
            "rows": rows,
            "form": form,
            "undo_form": UndoForm(),
        },
    )


@login_required
@require_POST
def task_complete(request, pk):
    task = selectors.get_task(request.user, pk)
    _progress, rows = selectors.task_units(request.user, task)
    form = _completion_form(request, task, rows)
    if form.is_valid():
        try:
            services.record_completion(
                actor=request.user,
                task=task,
                unit_id=form.cleaned_data["unit"],
                note=form.cleaned_data["note"],
                attachment=form.cleaned_data["attachment"],
            )
        except (ValidationError, Refusal) as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("已登记完成。"))
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect("workflow:task", pk=task.pk)


@login_required
@require_POST
def task_urge(request, pk):
    task = selectors.get_task(request.user, pk)
    try:
        count = services.urge(actor=request.user, task=task)
    except (ValidationError, Refusal) as exc:
        for message in _errors(exc):
            messages.warning(request, message)
    else:
        if count:
            messages.success(request, _("已向 %(count)s 人发出催办通知。") % {"count": count})
        else:
            messages.info(request, _("今天已经催办过，未重复发送。"))
    if request.POST.get("back") == "campaign":
        return redirect("workflow:campaign", pk=task.phase.campaign_id)
    return redirect("workflow:task", pk=task.pk)


@login_required
@require_POST
def completion_undo(request, pk):
    completion = selectors.get_completion(request.user, pk)
    form = UndoForm(request.POST)
    task_id = completion.task_id
    if not form.is_valid():
        messages.error(request, _("撤销登记须说明理由。"))
    else:
        try:
            services.undo_completion(actor=request.user, completion=completion, reason=form.cleaned_data["reason"])
        except (ValidationError, Refusal) as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("已撤销登记。"))
    return redirect("workflow:task", pk=task_id)


@login_required
def completion_attachment(request, pk):
    completion = selectors.get_completion(request.user, pk)
    if not completion.attachment:
        raise Http404(_("没有附件。"))
    return FileResponse(
        completion.attachment.open("rb"), as_attachment=True, filename=completion.attachment.name.rsplit("/", 1)[-1]
    )
