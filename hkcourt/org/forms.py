"""Forms of the organisation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_renderer import SmallFormRenderer
from .resources import EXTENSIONS, MAX_BYTES


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("支持 .xlsx 和 .csv（UTF-8 或 GBK 编码），不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _("请选择要导入的花名册文件。"), "empty": _("文件是空的。")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(_("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv 后再上传。"))
        if not name.endswith(EXTENSIONS):
            raise forms.ValidationError(_("只能导入 .xlsx 或 .csv 文件。"))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB，请拆分后分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET): every field optional."""

    default_renderer = SmallFormRenderer

    actor = forms.CharField(label=_("操作人"), required=False, max_length=60)
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("对象或理由"), required=False, max_length=100)

    def __init__(self, *args, actions, object_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.object_types = {str(ct.pk): ct for ct in object_types}
        self.fields["action"].choices = [("", _("全部操作"))] + sorted(
            ((code, f"{label}（{code}）") for code, label in actions.items()), key=lambda c: c[0]
        )
        self.fields["object_type"].choices = [("", _("全部类型"))] + [
            (pk, str(ct.model_class()._meta.verbose_name)) for pk, ct in self.object_types.items()
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于结束日期。"))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "actor": (data.get("actor") or "").strip(),
            "action": data.get("action") or "",
            "object_type": self.object_types.get(data.get("object_type") or ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "q": (data.get("q") or "").strip(),
        }
