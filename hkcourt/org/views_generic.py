"""The generic view layer every app's pages stand on (the pattern of NetBox's generic views, not its code).

- ``ObjectListView``: a list = a selector's rows (``get_queryset``, starting from ``visible_to``), a
  django-filter ``FilterSet`` that parses and validates ``request.GET`` (a value it does not accept is
  ignored, never a 500), a template and a page of ``paginate_by`` rows.
- ``ObjectActionView``: a POST on one object = the object (``get_object``: a selector or
  ``policy.get_visible_or_404`` / ``get_for_action_or_404`` — out of scope 404), the policy asked before the
  form is read (``action``: forbidden 403, "not now" flashed), a form, the service called with the cleaned
  data, the message flashed, a redirect. A refusal is answered by ``hkcourt/org/actions.py``.
- ``ObjectFormView``: a page with a form (GET shows it, POST acts): the service's ``ValidationError`` is
  copied onto the form and the page answers 400.

Small helpers shared by every app's views: ``copy_errors`` (a service's ValidationError onto a form),
``flash_form_errors`` and ``query_without_page`` (the list's filters for its pagination links).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views import View

from . import policy
from .actions import flash_failure, forbid_unless_may


def copy_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: a field's message at its field (when the form has it), the
    rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_form_errors(request, form) -> None:
    """A form posted from another page (a card on a detail page): each of its errors as a flashed message."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def query_without_page(request):
    """``request.GET`` without ``page``, url-encoded: the list's filters carried by its pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class ObjectListView(LoginRequiredMixin, View):
    """A list page. Subclasses set ``template_name`` and implement ``get_queryset``; optional:
    ``filterset_class`` (its ``.qs`` filters the rows), ``paginate_by``, ``action`` (asked of the policy
    without an object before anything is read: 403) and ``get_extra_context``."""

    http_method_names = ["get", "head", "options"]
    template_name = ""
    filterset_class = None
    paginate_by = None
    action = None

    def get_queryset(self, request):
        raise NotImplementedError

    def get_filterset(self, request, queryset):
        return self.filterset_class(request.GET, queryset=queryset, request=request)

    def get_extra_context(self, request, filterset) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        if self.action:
            policy.check(request.user, self.action, None)
        self.kwargs = kwargs
        rows = self.get_queryset(request)
        filterset = None
        if self.filterset_class is not None:
            filterset = self.get_filterset(request, rows)
            rows = filterset.qs
        context = {"filter": filterset}
        if self.paginate_by:
            context["page"] = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
            context["query"] = query_without_page(request)
        else:
            context["rows"] = rows
        context.update(self.get_extra_context(request, filterset))
        return render(request, self.template_name, context)


class ObjectActionView(LoginRequiredMixin, View):
    """A POST on one object; see the module's doc. Subclasses implement ``get_object`` and ``perform`` (the
    service call; its result is passed on), and set ``success_message`` (``%(name)s`` filled from
    ``get_message_values``) and ``get_return_url`` (where a refusal or a bad form goes back to, and by
    default where success goes)."""

    http_method_names = ["post"]
    action = None  # the policy's action asked before the form is read; None: the service alone decides
    form_class = None
    success_message = ""

    def get_object(self, request, **kwargs):
        raise NotImplementedError

    def policy_object(self, obj):
        return obj

    def get_form(self, request, obj):
        return self.form_class(request.POST, **self.get_form_kwargs(obj))

    def get_form_kwargs(self, obj) -> dict:
        return {}

    def perform(self, request, obj, data):
        raise NotImplementedError

    def get_return_url(self, obj):
        raise NotImplementedError

    def get_success_url(self, obj, result):
        return self.get_return_url(obj)

    def get_message_values(self, obj, result) -> dict:
        return {}

    def flash_success(self, request, obj, result) -> None:
        values = self.get_message_values(obj, result)
        messages.success(request, self.success_message % values if values else self.success_message)

    def form_invalid(self, request, form, obj):
        flash_form_errors(request, form)
        return redirect(self.get_return_url(obj))

    def refused(self, request, exc, form, obj):
        flash_failure(request, exc)
        return redirect(self.get_return_url(obj))

    def post(self, request, **kwargs):
        self.kwargs = kwargs
        obj = self.get_object(request, **kwargs)
        if self.action and not forbid_unless_may(request, self.action, self.policy_object(obj)):
            return redirect(self.get_return_url(obj))
        form = self.get_form(request, obj) if self.form_class is not None else None
        if form is not None and not form.is_valid():
            return self.form_invalid(request, form, obj)
        try:
            result = self.perform(request, obj, form.cleaned_data if form is not None else {})
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, exc, form, obj)
        self.flash_success(request, obj, result)
        return redirect(self.get_success_url(obj, result))


class ObjectFormView(LoginRequiredMixin, View):
    """A page with a form: GET shows it, POST validates, calls the service (``perform``), flashes
    ``success_message`` and redirects to ``get_success_url``; a bad form or the service's ValidationError
    is shown on the form with status 400. ``get_object`` returns None on a "new" page; ``action`` is asked of
    the policy (403) unless ``get_object`` already did (``get_for_action_or_404``)."""

    http_method_names = ["get", "post"]
    template_name = ""
    action = None
    success_message = ""
    bad_post_status = None  # the status of a POST that did not act even when its form shows no error (an empty body)

    def get_object(self, request, **kwargs):
        return None

    def policy_object(self, obj):
        return obj

    def get_form(self, request, obj, data, files):
        raise NotImplementedError

    def perform(self, request, obj, data):
        raise NotImplementedError

    def get_success_url(self, obj, result):
        raise NotImplementedError

    def get_message_values(self, obj, result) -> dict:
        return {}

    def flash_success(self, request, obj, result) -> None:
        values = self.get_message_values(obj, result)
        messages.success(request, self.success_message % values if values else self.success_message)

    def get_context(self, request, obj, form) -> dict:
        return {"form": form}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.kwargs = kwargs
        obj = self.get_object(request, **kwargs)
        if self.action:
            policy.check(request.user, self.action, self.policy_object(obj))
        self.form = form = self.get_form(request, obj, request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = self.perform(request, obj, form.cleaned_data)
            except ValidationError as exc:
                copy_errors(form, exc)
            else:
                self.flash_success(request, obj, result)
                return redirect(self.get_success_url(obj, result))
        status = 400 if form.errors else 200
        if request.method == "POST" and self.bad_post_status:
            status = self.bad_post_status
        return render(request, self.template_name, self.get_context(request, obj, form), status=status)
