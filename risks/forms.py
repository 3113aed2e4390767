"""Forms: input shape only. The rules live in :mod:`risks.services`; their errors come back through
:func:`hkcourt.org.views_generic.copy_errors`."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hkcourt.org.models import Division, Post

from .models import TEXT_LIMIT, BusinessArea, Grade, KeyLink, Level, PowerStep, Source
from .services import FACTOR_LABELS, FACTORS, suggest_grade

FACTOR_CHOICES = [("", "—"), ("1", "1"), ("2", "2"), ("3", "3")]
TEXTAREA = {"rows": 3}


def non_field(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


PICKER_LIMIT = 50


class SearchableSelect(forms.Select):
    """A select that renders only the first few choices and the chosen one; a search box next to it fetches
    more (see views.picker). Validation still uses the field's whole, scoped queryset."""

    def __init__(self, *args, label=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.label = label

    def get_context(self, name, value, attrs):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None:
            chosen = [v for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")]
            chosen = [int(v) for v in chosen if str(v).isdigit()]
            objects = list(queryset[:PICKER_LIMIT])
            objects += [o for o in queryset.filter(pk__in=chosen) if o not in objects]
            empty_label = getattr(getattr(self.choices, "field", None), "empty_label", None)
            empty = [("", empty_label)] if empty_label is not None else []  # not a walk of every choice
            self.choices = empty + [(o.pk, self.label(o)) for o in objects]
        return super().get_context(name, value, attrs)


def power_label(power):
    return f"{power.division.name}·{power.name}" if power.division_id else str(power.name)


def person_label(person):
    return f"{person.full_name}（{person.division.name if person.division_id else ''}）"


class FactorsMixin:
    """The four factors, a grade and a reason; ``prefix_required`` makes the factors mandatory."""

    def _add_factor_fields(self, required):
        for name in FACTORS:
            self.fields[name] = forms.TypedChoiceField(
                label=FACTOR_LABELS[name], choices=FACTOR_CHOICES, coerce=int, required=required, empty_value=None
            )
        self.fields["grade"] = forms.ChoiceField(
            label=_("风险等级"), choices=[("", "—")] + list(Grade.choices), required=required
        )
        self.fields["grade_reason"] = forms.CharField(
            label=_("等级与建议不同的理由"),
            required=False,
            max_length=TEXT_LIMIT,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    @property
    def factor_fields(self):
        return [self[name] for name in FACTORS]

    @property
    def suggestion(self):
        try:
            return suggest_grade({name: self[name].value() for name in FACTORS})
        except ValidationError:
            return None

    def factors(self):
        data = self.cleaned_data
        if all(data.get(name) is None for name in FACTORS) and not data.get("grade"):
            return None
        return {
            **{name: data.get(name) for name in FACTORS},
            "grade": data.get("grade") or None,
            "reason": data.get("grade_reason", ""),
        }


class RiskPointForm(FactorsMixin, forms.Form):
    level = forms.ChoiceField(label=_("层面"), choices=Level.choices)
    power = forms.ModelChoiceField(
        label=_("所涉职权"),
        queryset=None,
        required=False,
        empty_label=_("（请选择职权）"),
        widget=SearchableSelect(label=power_label),
    )
    step = forms.ModelChoiceField(
        label=_("所在环节"), queryset=PowerStep.objects.none(), required=False, empty_label=_("（请先选择职权）")
    )
    description = forms.CharField(
        label=_("风险点描述"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=False,
        error_messages={
            "required": _("“风险点描述”不能为空或只含空白。"),
            "max_length": _("“风险点描述”不能超过%(limit_value)d个字（现为%(show_value)d个字）。"),
        },
    )
    manifestations = forms.CharField(
        label=_("主要表现形式"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        error_messages={
            "required": _("“主要表现形式”不能为空或只含空白。"),
            "max_length": _("“主要表现形式”不能超过%(limit_value)d个字（现为%(show_value)d个字）。"),
        },
    )
    source = forms.ChoiceField(label=_("查找方式"), choices=Source.choices, initial=Source.SELF)
    key_links = forms.ModelMultipleChoiceField(
        label=_("重点环节"), queryset=KeyLink.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, levels, powers, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(v, label) for v, label in Level.choices if v in levels]
        if sources is not None:  # only the ways of finding this person may enter (the policy's answer)
            self.fields["source"].choices = [(v, label) for v, label in Source.choices if v in sources]
        self.fields["power"].queryset = powers
        if self.is_bound:
            power_id = self.data.get("power")
        else:
            power_id = getattr(self.initial.get("power"), "pk", self.initial.get("power"))
        if power_id and str(power_id).isdigit():
            self.fields["step"].queryset = PowerStep.objects.filter(power_id=power_id, power__in=powers)
        self._links = list(KeyLink.objects.all())
        self.fields["key_links"].queryset = KeyLink.objects.all()
        self.fields["key_links"].label_from_instance = lambda link: link.name
        self._add_factor_fields(required=False)
        self.fields["power"].widget.attrs.update({"hx-target": "#id_step", "hx-trigger": "change"})

    @property
    def key_link_groups(self):
        """The key-link checkboxes grouped by business area, as the plan lists them."""
        area_of = {str(link.pk): link.get_area_display() for link in self._links}
        groups = {}
        for widget in self["key_links"]:
            groups.setdefault(area_of.get(str(widget.data["value"]), ""), []).append(widget)
        return list(groups.items())

    def clean(self):
        data = super().clean()
        step, power = data.get("step"), data.get("power")
        if step and (not power or step.power_id != power.pk):
            self.add_error("step", _("所选环节不属于所选职权。"))
        return data


def _name_fields(form):
    """The risk page shows these small forms under a section heading, without a visible label per field:
    each field still gets its accessible name (axe-core: form elements must have labels)."""
    for field in form.fields.values():
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("aria-label", str(field.label))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_fields(self)


class GradeForm(FactorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_factor_fields(required=False)  # the service says, in Chinese, what is missing


class PeerRequestForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("互查人"), queryset=None, empty_label=_("（请选择）"), widget=SearchableSelect(label=person_label)
    )
    reason = forms.CharField(
        label=_("说明"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = candidates
        self.fields["reviewer"].label_from_instance = lambda p: (
            f"{p.full_name}（{p.division.name if p.division else ''}）"
        )
        _name_fields(self)


class PeerCommentForm(forms.Form):
    comment = forms.CharField(label=_("互查意见"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_fields(self)


class BulkForm(FactorsMixin, forms.Form):
    ACTIONS = [
        ("return", _("批量退回")),
        ("grade", _("批量评定等级")),
        ("confirm", _("集体确定")),
        ("publish", _("公示")),
    ]
    action = forms.ChoiceField(label=_("操作"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("退回理由"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    date = forms.DateField(label=_("会议日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(
        label=_("参会人员"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("会议纪要"), max_length=TEXT_LIMIT * 2, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publicity_ends = forms.DateField(
        label=_("公示截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [c for c in self.ACTIONS if c[0] in actions]
        self._add_factor_fields(required=False)


class FeedbackForm(forms.Form):
    risk_point = forms.TypedChoiceField(label=_("针对的风险点（可不选）"), required=False, coerce=int, empty_value=None)
    text = forms.CharField(label=_("意见内容"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label=_("联系方式（自愿填写）"), max_length=60, required=False)
    # Honeypot: hidden from people by CSS, filled in by robots.
    website = forms.CharField(label=_("网址"), required=False)

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_point"].choices = [("", _("（全院风险点）"))] + [
            (p.pk, f"{p.code} {p.description[:30]}") for p in points
        ]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})


class PowerForm(forms.Form):
    division = forms.ModelChoiceField(label=_("行使庭室"), queryset=None, required=False, empty_label=_("（单位层面）"))
    name = forms.CharField(label=_("职权名称"), max_length=100)
    content = forms.CharField(label=_("职权内容"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))
    posts = forms.ModelMultipleChoiceField(
        label=_("行使岗位"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    legal_basis = forms.CharField(
        label=_("法律依据"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conditions = forms.CharField(
        label=_("行使条件"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    procedure = forms.CharField(
        label=_("行使程序"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    time_limit_days = forms.IntegerField(label=_("法定期限（日）"), required=False, min_value=0, max_value=3650)
    supervision = forms.CharField(
        label=_("监督方式"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    business_area = forms.ChoiceField(label=_("业务领域"), choices=BusinessArea.choices, initial=BusinessArea.OTHER)
    major_matter = forms.BooleanField(label=_("属于“三重一大”事项"), required=False)

    def __init__(self, *args, court, divisions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(court=court).order_by("sort_order", "name")
        if divisions is not None:  # a division head: the divisions they head only, no court-level power
            self.fields["division"].queryset = self.fields["division"].queryset.filter(pk__in=divisions)
            self.fields["division"].required = True
            self.fields["division"].empty_label = None
        self.fields["division"].label_from_instance = lambda d: d.name
        self.fields["posts"].queryset = Post.objects.filter(division__court=court).select_related("division")
        self.fields["posts"].label_from_instance = lambda p: f"{p.division.name}·{p.name}"

    def clean(self):
        data = super().clean()
        division = data.get("division")
        for post in data.get("posts") or []:
            if post.division_id != getattr(division, "pk", None):
                self.add_error("posts", _("行使岗位须属于所选庭室（%(post)s）。") % {"post": post})
                break
        return data


class StepForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label=_("顺序"), required=False, min_value=1, max_value=999)
    name = forms.CharField(label=_("环节名称"), required=False, max_length=60)
    actor = forms.CharField(label=_("行使主体"), required=False, max_length=60)
    time_limit_days = forms.IntegerField(label=_("期限（日）"), required=False, min_value=0, max_value=3650)
    next = forms.CharField(
        label=_("下一环节顺序号"),
        required=False,
        max_length=60,
        help_text=_("多个用逗号分隔；不填则进入下一顺序的所有环节"),
    )
    is_end = forms.BooleanField(label=_("终点"), required=False)
    delete = forms.BooleanField(label=_("删除"), required=False)

    def clean_next(self):
        raw = self.cleaned_data.get("next", "").replace("，", ",").replace("、", ",")
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise ValidationError(_("下一环节请填写顺序号，如“3”或“3,4”。")) from None

    def is_blank(self):
        data = self.cleaned_data
        return not data.get("id") and not data.get("name") and not data.get("order")


StepFormSet = forms.formset_factory(StepForm, extra=3, max_num=60)
