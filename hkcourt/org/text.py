"""Every service's text input, cleaned one way: stripped, required unless said otherwise, at most ``limit``
characters; a ValidationError in Chinese on ``field`` otherwise."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(value, label, *, limit: int, field: str | None = None, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field or "text": _("“%(label)s”不能为空或只含空白。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError(
            {
                field or "text": _("“%(label)s”不能超过%(limit)d个字（现为%(n)d个字）。")
                % {"label": label, "limit": limit, "n": len(value)}
            }
        )
    return value
