"""Forms of the organisation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .resources import EXTENSIONS, MAX_BYTES


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("支持 .xlsx 和 .csv（UTF-8 或 GBK 编码），不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
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
