from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TokenScope
from .services import MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("例如：案件管理系统对接"))
    scope = forms.ChoiceField(label=_("权限范围"), choices=TokenScope.choices, initial=TokenScope.READ)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=MAX_DAYS, initial=90)
