"""Input forms of the measures pages: shape only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hkcourt.org.forms_renderer import SmallFormRenderer

from .models import MeasureCategory, MeasureKind

DATE = forms.DateInput(attrs={"type": "date"})


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=MeasureKind.choices)
    category = forms.ChoiceField(label=pgettext_lazy("防控措施", "类别"), choices=MeasureCategory.choices)
    title = forms.CharField(label=_("措施"), max_length=120)
    description = forms.CharField(label=_("具体内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    owner = forms.ModelChoiceField(label=_("落实责任人"), queryset=None)
    deadline = forms.DateField(label=_("完成期限"), widget=DATE)
    rule = forms.ModelChoiceField(label=_("依据制度"), queryset=None, required=False)

    def __init__(self, *args, owners, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda p: (
            f"{p.full_name}（{p.division.name if p.division else '—'}）"
        )
        self.fields["rule"].queryset = rules


class ProposalForm(forms.Form):
    """A staff member's measure for their own post (岗位定措施): they carry it out; the head approves it."""

    category = forms.ChoiceField(label=_("类别"), choices=MeasureCategory.choices)
    title = forms.CharField(label=_("措施"), max_length=120)
    description = forms.CharField(label=_("具体内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    deadline = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料（PDF、图片、Office 文档，20 MB 以内）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class RuleForm(forms.Form):
    title = forms.CharField(label=_("制度名称"), max_length=120)
    number = forms.CharField(label=_("文号"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("印发日期"), widget=DATE)
    text = forms.CharField(label=_("制度内容"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    file = forms.FileField(label=_("制度文件"), required=False)
    risk_points = forms.ModelMultipleChoiceField(label=_("覆盖风险点"), queryset=None, required=False)
    powers = forms.ModelMultipleChoiceField(label=_("覆盖职权"), queryset=None, required=False)

    def __init__(self, *args, risk_points, powers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_points"].queryset = risk_points
        self.fields["risk_points"].label_from_instance = lambda r: f"{r.code} {r}"
        self.fields["powers"].queryset = powers
        self.fields["risk_points"].widget.attrs["size"] = 8
        self.fields["powers"].widget.attrs["size"] = 8


class FilterForm(forms.Form):
    """The base of the measures list's filter form (its fields: ``filters.MeasureFilter``): small controls."""

    default_renderer = SmallFormRenderer
