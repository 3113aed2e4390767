"""The audit log (操作日志): the office and the administrator search it and export it. Thin: the rows come
from :func:`hkcourt.org.selectors.audit_entries` (scoped), the page and the export ask ``org.view_audit_log``.
The export streams (CSV row by row, .xlsx through a write-only workbook on disk) and is itself logged."""

import csv
import json
import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from . import audit, policy, selectors
from .forms import AuditFilterForm
from .spreadsheets import escape_formula

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 1_000_000  # one worksheet holds 1,048,576 rows
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request):
    return AuditFilterForm(request.GET or None, actions=audit.ACTIONS, object_types=selectors.audit_object_types())


def _entries(request, form):
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    return selectors.audit_entries(request.user, **filters)


@login_required
@require_GET
def audit_log(request):
    policy.check(request.user, "org.view_audit_log")  # a Refusal is a PermissionDenied: 403
    form = _form(request)
    invalid = form.is_bound and not form.is_valid()
    entries = selectors.audit_entries(request.user).none() if invalid else _entries(request, form)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "org/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(e, audit.label(e.action)) for e in page.object_list],
            "query": query.urlencode(),
        },
        status=400 if invalid else 200,
    )


HEADERS = [
    _lazy("时间"),
    _lazy("操作人账号"),
    _lazy("操作人"),
    _lazy("操作代码"),
    _lazy("操作"),
    _lazy("对象类型"),
    _lazy("对象编号"),
    _lazy("对象"),
    _lazy("法院"),
    _lazy("IP地址"),
    _lazy("理由"),
    _lazy("详情"),
]


def _row(entry):
    actor = entry.actor
    person = getattr(actor, "person", None) if actor is not None else None
    model = entry.content_type.model_class() if entry.content_type_id else None
    values = [
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        actor.username if actor is not None else "",
        person.full_name if person is not None else "",
        entry.action,
        audit.label(entry.action),
        str(model._meta.verbose_name) if model is not None else "",
        entry.object_id,
        entry.object_repr,
        entry.court.name if entry.court_id else "",
        entry.ip or "",
        entry.reason,
        json.dumps(entry.data, ensure_ascii=False) if entry.data else "",
    ]
    return [escape_formula(v) for v in values]


class _Echo:
    def write(self, value):
        return value


def _csv_stream(entries):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(h) for h in HEADERS])
    for entry in entries:
        yield writer.writerow(_row(entry))


@login_required
@require_GET
def audit_export(request, fmt):
    policy.check(request.user, "org.view_audit_log")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return audit_log(request)
    entries = _entries(request, form)[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    audit.record(actor=request.user, action="org.audit_export", data={"format": fmt, "query": request.GET.urlencode()})
    stem = f"{_('操作日志')}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}.csv")
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("操作日志"))
    sheet.append([str(h) for h in HEADERS])
    for entry in entries:
        sheet.append(_row(entry))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it when sent
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX_TYPE)
