"""Forms of the letters pages: input only; every rule lives in :mod:`commitments.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hkcourt.org.forms_renderer import SmallFormRenderer

from .models import LAYER_CHOICES, PLAIN_DEFAULT_LAYERS, LetterTemplate, SigningLayers
from .placeholders import PLACEHOLDERS


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("请再次输入您的登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=128,
    )
    confirm = forms.BooleanField(label=_("我已阅读承诺书全文，确认签署"), required=True)


class SupplementForm(forms.Form):
    supplement = forms.CharField(
        label=_("个人补充承诺（可选）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class SupersedeForm(forms.Form):
    reason = forms.CharField(label=_("更正理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"), max_length=40, widget=forms.TextInput(attrs={"placeholder": "XXXX-XXXX-XXXX-XXXX"})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("承诺书PDF文件"))


class TemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["year", "year_label", "title", "sign_deadline", "personal_text", "division_text", "court_text"]
        widgets = {
            "sign_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "personal_text": forms.Textarea(attrs={"rows": 10}),
            "division_text": forms.Textarea(attrs={"rows": 10}),
            "court_text": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "personal_text": _("可用占位符：%(names)s；空行分段。")
            % {"names": "、".join(f"{{{n}}}" for n in PLACEHOLDERS)},
        }

    def __init__(self, *args, courts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if courts is not None:  # a new template: for which court (the office may serve the courts below it)
            self.fields = {
                "court": forms.ModelChoiceField(queryset=courts, label=_("法院"), empty_label=None),
                **self.fields,
            }


class SigningLayersForm(forms.ModelForm):
    default_renderer = SmallFormRenderer  # the office's card: small controls

    class Meta:
        model = SigningLayers
        fields = ["staff", "head", "leader", "court_letter", "external_body", "external_name", "external_title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LAYER_CHOICES:
            field = self.fields[name]
            default = self.instance.supervisor_of(name) if self.instance.court_id else ""
            label = dict(field.choices).get(default, "")
            field.choices = [("", _("默认（%(label)s）") % {"label": label}), *[c for c in field.choices if c[0]]]
            if name in PLAIN_DEFAULT_LAYERS:
                field.help_text = ""  # the empty choice already names the default
