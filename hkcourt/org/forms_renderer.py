"""The project's one form rendering (``FORM_RENDERER``): Django's own widget templates, with Bootstrap 5's
class on every widget that has none — ``form-control`` on text, number, date, file inputs and text areas,
``form-select`` on selects, ``form-check-input`` on a single checkbox. Radio and checkbox lists (and their
options drawn one by one), hidden inputs and multi-widgets are left to their templates. A form wanting small
controls (a filter bar, the office's cards) sets ``default_renderer = SmallFormRenderer``. A class set on a
widget is kept as it is."""

from django.forms.renderers import DjangoTemplates

_LEFT_ALONE = ("hidden", "multiple_hidden", "radio", "checkbox_select", "multiwidget", "splitdatetime", "select_date")


def widget_class(template_name: str, size: str = "") -> str | None:
    """The Bootstrap class of the widget drawn by ``template_name`` (None: none)."""
    name = template_name.rsplit("/", 1)[-1].removesuffix(".html")
    if name in _LEFT_ALONE or name.startswith("splithidden") or name.endswith("_option"):
        return None
    if name == "checkbox":
        return "form-check-input"
    base = "form-select" if name == "select" else "form-control"
    return f"{base} {base}-{size}" if size else base


# Attributes the bound field adds when drawing (after the widget's own): the class goes before them, where a
# class set on the widget would stand.
_BOUND = ("required", "disabled", "id", "aria-describedby", "aria-invalid")


def _with_class(attrs: dict, css: str) -> dict:
    own = {k: v for k, v in attrs.items() if k not in _BOUND}
    return {**own, "class": css, **{k: v for k, v in attrs.items() if k in _BOUND}}


class BootstrapFormRenderer(DjangoTemplates):
    size = ""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and "class" not in widget.get("attrs", {"class": None}):
            css = widget_class(widget.get("template_name") or template_name, self.size)
            if css:
                widget["attrs"] = _with_class(widget["attrs"], css)
        return super().render(template_name, context, request)


class SmallFormRenderer(BootstrapFormRenderer):
    size = "sm"
