"""Input forms of the questionnaire pages: shape only; the services decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemKind, QuestionnaireKind

DATE = {"type": "date"}
# A list of checkboxes: the class on each box (the project's renderer leaves lists to their templates).
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class QuestionnaireForm(forms.Form):
    court = forms.ModelChoiceField(label=_("法院"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("类别"), choices=QuestionnaireKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    intro = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    rating_threshold = forms.DecimalField(
        label=_("评分整改线（分）"),
        max_digits=3,
        decimal_places=2,
        initial="3.50",
        help_text=_("评分题平均分低于此值，可一键下达限期整改。"),
    )
    satisfaction_threshold = forms.IntegerField(
        label=_("满意率整改线（%）"),
        initial=80,
        help_text=_("选择题中计为满意的选项所占比例低于此值，可一键下达整改。"),
    )
    campaign = forms.ModelChoiceField(label=_("所属工作方案"), queryset=None, required=False)

    def __init__(self, *args, courts, campaigns, fixed_court=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts
        self.fields["campaign"].queryset = campaigns
        if fixed_court is not None:
            del self.fields["court"]


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=ItemKind.choices)
    text = forms.CharField(label=_("题目"), max_length=300)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    choices = forms.CharField(
        label=_("选项（选择题，每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )
    satisfied = forms.CharField(
        label=_("计为满意的选项序号"),
        required=False,
        max_length=40,
        help_text=_("如“1,2”：用于计算满意率（可不填）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_choices(self):
        return _lines(self.cleaned_data.get("choices"))

    def clean_satisfied(self):
        raw = self.cleaned_data.get("satisfied") or ""
        parts = [p for p in re.split(r"[,，、\s]+", raw) if p]
        if any(not p.isdigit() for p in parts):
            raise forms.ValidationError(_("请填写选项序号，如“1,2”。"))
        return [int(p) for p in parts]


class SendForm(forms.Form):
    courts = forms.ModelMultipleChoiceField(
        label=_("发放到法院（全体人员）"),
        queryset=None,
        required=False,
        widget=CHECKBOXES,
    )
    divisions = forms.ModelMultipleChoiceField(label=_("或发放到庭室"), queryset=None, required=False)

    def __init__(self, *args, courts, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courts"].queryset = courts
        self.fields["courts"].label_from_instance = lambda c: c.short_name or c.name
        self.fields["divisions"].queryset = divisions
        self.fields["divisions"].widget.attrs["size"] = 8


def _person_label(user):
    p = getattr(user, "person", None)
    if p is None:
        return user.get_username()
    return f"{p.full_name}（{p.division.name if p.division else p.title or ''}）"


class RectifyForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("整改责任人"), queryset=None)
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    plan = forms.CharField(
        label=_("整改要求"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = _person_label


class InterviewForm(forms.Form):
    court = forms.ModelChoiceField(label=_("法院"), queryset=None, empty_label=None)
    held_on = forms.DateField(label=_("访谈日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    interviewee = forms.ModelChoiceField(label=_("受访人员（本系统人员）"), queryset=None, required=False)
    interviewee_desc = forms.CharField(
        label=_("受访人"),
        max_length=80,
        required=False,
        help_text=_("姓名及身份；院外人员如“律师 张某”、“当事人 李某”。"),
    )
    interviewers = forms.CharField(label=_("访谈人"), max_length=120)
    summary = forms.CharField(label=_("访谈摘要"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, courts, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts
        self.fields["interviewee"].queryset = people
        self.fields["interviewee"].label_from_instance = _person_label


def answers_from_post(items, data) -> dict:
    """The raw answers of an answer sheet, by item pk: a list for multiple choice, one value otherwise.
    The service checks them (item by item, with the messages the sheet shows)."""
    answers = {}
    for item in items:
        name = f"item_{item.pk}"
        if item.kind == ItemKind.MULTIPLE:
            answers[item.pk] = data.getlist(name)
        else:
            values = data.getlist(name)
            answers[item.pk] = values if len(values) > 1 else (values[0] if values else "")
    return answers


def sheet(items, answers=None, errors=None):
    """What the answer sheet template needs per item: the item, its field name, what was entered, its error."""
    answers, errors = answers or {}, errors or {}
    rows = []
    for item in items:
        value = answers.get(item.pk, [] if item.kind == ItemKind.MULTIPLE else "")
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        rows.append(
            {
                "item": item,
                "name": f"item_{item.pk}",
                "value": value if isinstance(value, str) else "",
                "chosen": chosen,
                "error": errors.get(f"item_{item.pk}", ""),
            }
        )
    return rows


class WeightsForm(forms.Form):
    """One weight and one target per indicator, and why they change."""

    note = forms.CharField(label=_("调整说明"), max_length=200)

    def __init__(self, *args, definitions, weights, **kwargs):
        super().__init__(*args, **kwargs)
        self.definitions = definitions
        for d in definitions:
            weight, target = weights.items[d.key]
            self.fields[f"weight_{d.key}"] = forms.IntegerField(
                label=_("权重"), initial=weight, min_value=0, max_value=100
            )
            self.fields[f"target_{d.key}"] = forms.DecimalField(
                label=_("目标值"), initial=target, max_digits=6, decimal_places=2
            )

    def rows(self):
        return [(d, self[f"weight_{d.key}"], self[f"target_{d.key}"]) for d in self.definitions]

    def weights(self):
        return {
            d.key: (self.cleaned_data[f"weight_{d.key}"], self.cleaned_data[f"target_{d.key}"])
            for d in self.definitions
        }


# ---------------------------------------------------------------- 考核验收

from .models import AcceptanceKind, Grade  # noqa: E402


class AcceptanceForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("工作方案"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("类别"), choices=AcceptanceKind.choices)
    phase = forms.ModelChoiceField(label=_("阶段（阶段性验收）"), queryset=None, required=False)
    title = forms.CharField(label=_("名称"), max_length=120)
    self_due = forms.DateField(label=_("自查报告截止日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    sample_size = forms.IntegerField(
        label=_("每单位抽查数量"), initial=3, help_text=_("系统从每个单位随机抽取的风险点和防控措施各多少条。")
    )
    questionnaire = forms.ModelChoiceField(label=_("社会评议问卷"), queryset=None, required=False)
    courts = forms.ModelMultipleChoiceField(
        label=_("被验收的法院（整体）"),
        queryset=None,
        required=False,
        widget=CHECKBOXES,
    )
    divisions = forms.ModelMultipleChoiceField(label=_("被验收的庭室"), queryset=None, required=False)

    def __init__(self, *args, campaigns, phases, questionnaires, courts, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["phase"].queryset = phases
        self.fields["questionnaire"].queryset = questionnaires
        self.fields["courts"].queryset = courts
        self.fields["courts"].label_from_instance = lambda c: c.short_name or c.name
        self.fields["divisions"].queryset = divisions
        self.fields["divisions"].label_from_instance = lambda d: f"{d.court.short_name or d.court.name}·{d.name}"
        self.fields["divisions"].widget.attrs["size"] = 10


class SelfReportForm(forms.Form):
    report = forms.CharField(label=_("自查报告"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    grade = forms.ChoiceField(label=_("自评结果"), choices=Grade.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class FindingForm(forms.Form):
    satisfactory = forms.TypedChoiceField(
        label=_("是否符合要求"),
        choices=[("1", _("符合要求")), ("0", _("存在问题"))],
        coerce=lambda v: v == "1",
    )
    finding = forms.CharField(label=_("抽查发现"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class SpotForm(forms.Form):
    grade = forms.ChoiceField(label=_("抽查结果"), choices=Grade.choices)
    note = forms.CharField(label=_("抽查意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class DecideForm(forms.Form):
    grade = forms.ChoiceField(label=_("验收结果"), choices=Grade.choices)
    formalism = forms.BooleanField(label=_("存在形式主义、做表面文章、敷衍塞责"), required=False)
    conclusion = forms.CharField(label=_("验收结论"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label=_("整改期限（不合格或形式主义时必填）"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    plan = forms.CharField(
        label=_("整改要求"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class ManualScoreForm(forms.Form):
    unit = forms.ChoiceField(label=_("单位"))
    key = forms.ChoiceField(label=_("指标"))
    score = forms.DecimalField(
        label=_("评分（0–100）"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("留空表示撤销人工评分、恢复按公式计分。"),
    )
    reason = forms.CharField(label=_("评分理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("证明材料"), required=False)

    def __init__(self, *args, units, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units
        self.fields["key"].choices = [(d.key, d.label) for d in definitions]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class SummaryForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("正文"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("“# ”开头为一级标题，“## ”开头为二级标题，“- ”开头为列表项，**文字**为加粗；空行分段。"),
    )
    files = MultipleFileField(label=_("附件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
