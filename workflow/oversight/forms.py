"""Input forms of the oversight pages: shape only; the services decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from hkcourt.org.forms_renderer import SmallFormRenderer

from .models import Channel, HandlingKind, Severity, TalkerLevel, WarningLevel

DATE = {"type": "date"}


def _person_label(p):
    return f"{p.full_name}（{p.court.short_name or p.court.name}{' · ' + p.division.name if p.division else ''}）"


class SignalForm(forms.Form):
    default_renderer = SmallFormRenderer
    court = forms.ModelChoiceField(label=_("法院"), queryset=None)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    received_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs=DATE))
    title = forms.CharField(label=_("标题"), max_length=120)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    division = forms.ModelChoiceField(label=_("涉及庭室"), queryset=None, required=False)
    person = forms.ModelChoiceField(label=_("涉及人员"), queryset=None, required=False)
    risk_point = forms.CharField(label=_("涉及风险点编号"), required=False, max_length=12, help_text=_("如 FX00012"))
    file = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, courts, divisions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts
        self.fields["division"].queryset = divisions
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = _person_label

    def clean_risk_point(self):
        raw = (self.cleaned_data.get("risk_point") or "").strip().upper()
        if not raw:
            return None
        m = re.fullmatch(r"(?:FX)?0*(\d+)", raw)
        if not m:
            raise forms.ValidationError(_("风险点编号格式应为 FX00012。"))
        return int(m.group(1))


class ConvertForm(forms.Form):
    default_renderer = SmallFormRenderer
    title = forms.CharField(label=_("标题"), max_length=120)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class RuleForm(forms.Form):
    default_renderer = SmallFormRenderer
    level = forms.ChoiceField(label=_("预警等级"), choices=WarningLevel.choices)
    threshold = forms.IntegerField(label=_("阈值"))
    window_days = forms.IntegerField(label=_("统计期间（天）"), required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class HandlingForm(forms.Form):
    default_renderer = SmallFormRenderer
    kind = forms.ChoiceField(label=_("处置方式"), choices=HandlingKind.choices)
    person = forms.ModelChoiceField(label=_("处置对象"), queryset=None)
    content = forms.CharField(label=_("提示或纠错内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    report_days = forms.IntegerField(label=_("回告期限（天）"), initial=5, required=False)
    talk_date = forms.DateField(label=_("谈话日期"), required=False, widget=forms.DateInput(attrs=DATE))
    talker_level = forms.ChoiceField(label=_("谈话人层级"), choices=[("", "—")] + TalkerLevel.choices, required=False)
    talkers = forms.CharField(label=_("谈话人"), max_length=120, required=False)
    talk_record = forms.CharField(label=_("谈话记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rect_deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs=DATE))
    rect_plan = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = _person_label


class ReportBackForm(forms.Form):
    default_renderer = SmallFormRenderer
    analysis = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    commitment = forms.CharField(label=_("整改承诺"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class TextForm(forms.Form):
    default_renderer = SmallFormRenderer
    text = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
