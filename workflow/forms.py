from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hkcourt.org import policy
from hkcourt.org.models import Court

from .models import Campaign

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CopyCampaignForm(forms.Form):
    source = forms.ModelChoiceField(label=_("模板或往年工作方案"), queryset=Campaign.objects.none(), empty_label=None)
    name = forms.CharField(label=_("工作方案名称"), max_length=120)
    court = forms.ModelChoiceField(label=_("牵头法院"), queryset=Court.objects.none(), empty_label=None)
    covers_subordinates = forms.BooleanField(label=_("覆盖下级法院（全市法院）"), required=False, initial=True)
    start = forms.DateField(label=_("第一阶段开始日期"), widget=DATE, help_text=_("所有阶段和任务的日期随之平移。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Campaign.objects.visible_to(user).order_by("-is_template", "-year")
        # The courts the policy lets this person lead a campaign for (a city has a handful of courts).
        leads = [c.pk for c in Court.objects.visible_to(user) if policy.can(user, "workflow.create_campaign", c)]
        self.fields["court"].queryset = Court.objects.filter(pk__in=leads).order_by("path")


class ScheduleForm(forms.Form):
    """Dates of every phase and deadlines of every task of one campaign, edited together."""

    reason = forms.CharField(label=_("调整说明"), required=False, max_length=500)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.rows = []
        for phase in campaign.phases.order_by("number").prefetch_related("tasks"):
            self.fields[f"phase_{phase.pk}_start"] = forms.DateField(label=_("开始"), initial=phase.start, widget=DATE)
            self.fields[f"phase_{phase.pk}_end"] = forms.DateField(label=_("结束"), initial=phase.end, widget=DATE)
            task_fields = []
            for task in phase.tasks.all():
                self.fields[f"task_{task.pk}"] = forms.DateField(label=task.title, initial=task.deadline, widget=DATE)
                task_fields.append((task, f"task_{task.pk}"))
            self.rows.append((phase, f"phase_{phase.pk}_start", f"phase_{phase.pk}_end", task_fields))

    def bound_rows(self):
        return [
            (phase, self[start], self[end], [(task, self[name]) for task, name in tasks])
            for phase, start, end, tasks in self.rows
        ]

    def phase_dates(self):
        return {phase.pk: (self.cleaned_data[start], self.cleaned_data[end]) for phase, start, end, _tasks in self.rows}

    def deadlines(self):
        return {task.pk: self.cleaned_data[name] for _phase, _s, _e, tasks in self.rows for task, name in tasks}


class CompletionForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("完成对象"), coerce=int)
    note = forms.CharField(label=_("完成情况说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    attachment = forms.FileField(label=_("附件（会议纪要、学习记录等）"), required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = choices


class UndoForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("撤销完成", "撤销理由"), max_length=500)
