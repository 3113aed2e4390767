"""The roster import page (花名册导入): upload → dry-run preview → confirm. Thin: the checks and the
writing happen in :func:`hkcourt.org.services.import_roster`."""

import io
import secrets
import time
from functools import wraps
from pathlib import Path

import tablib
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import policy, services
from .forms import RosterUploadForm
from .resources import COLUMNS, EXAMPLE_ROW, MAX_ROWS, RosterResource
from .spreadsheets import escape_formula

SESSION_KEY = "roster_import"
TMP_SUBDIR = "roster-tmp"
TMP_MAX_AGE = 24 * 3600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def importer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        policy.check(request.user, "org.import_roster")  # a Refusal is a PermissionDenied: 403
        return view(request, *args, **kwargs)

    return wrapper


def _tmp_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / TMP_SUBDIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _tmp_path(token: str, ext: str) -> Path:
    return _tmp_dir() / f"{token}{ext}"


def _forget_pending(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        _tmp_path(pending["token"], pending["ext"]).unlink(missing_ok=True)


def _store_pending(request, filename: str, content: bytes) -> str:
    """Keep the checked file on the server until the user confirms; the session holds its token."""
    _forget_pending(request)
    now = time.time()
    for old in _tmp_dir().iterdir():
        if old.is_file() and now - old.stat().st_mtime > TMP_MAX_AGE:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    ext = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    _tmp_path(token, ext).write_bytes(content)
    request.session[SESSION_KEY] = {"token": token, "ext": ext, "filename": filename}
    return token


def _page(request, **context):
    context.setdefault("form", RosterUploadForm())
    context.update({"columns": COLUMNS, "max_rows": MAX_ROWS})
    return render(request, "org/roster_import.html", context)


@importer_required
@require_http_methods(["GET", "POST"])
def roster_import(request):
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    if request.method == "POST" and "cancel" in request.POST:
        _forget_pending(request)
        messages.info(request, _("已取消，未导入任何数据。"))
        return redirect("org:roster_import")
    if request.method == "GET":
        return _page(request)

    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    outcome = services.import_roster(actor=request.user, filename=upload.name, content=content, commit=False)
    token = None if outcome.has_errors else _store_pending(request, upload.name, content)
    if outcome.has_errors:
        _forget_pending(request)
    return _page(request, outcome=outcome, token=token)


def _confirm(request):
    pending = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not pending or not secrets.compare_digest(token, pending["token"]):
        messages.error(request, _("这次导入已失效（可能已经导入或已取消），请重新上传文件。"))
        return redirect("org:roster_import")
    path = _tmp_path(pending["token"], pending["ext"])
    if not path.is_file():
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("待导入的文件已过期，请重新上传。"))
        return redirect("org:roster_import")
    content = path.read_bytes()
    outcome = services.import_roster(actor=request.user, filename=pending["filename"], content=content, commit=True)
    _forget_pending(request)
    if not outcome.committed:
        return _page(request, outcome=outcome, token=None, failed_on_confirm=True)
    c = outcome.counts
    messages.success(
        request,
        _(
            "花名册“%(file)s”已导入：新增人员 %(new)d 名，更新 %(upd)d 名，无变化 %(same)d 名；"
            "新建单位 %(courts)d 个、庭室 %(divs)d 个、岗位 %(posts)d 个；新增角色 %(radd)d 项，撤销 %(rdel)d 项。"
            "新账号没有可用密码，请在系统管理中为其设置密码或重置密码后告知本人。"
        )
        % {
            "file": pending["filename"],
            "new": c["people_created"],
            "upd": c["people_updated"],
            "same": c["people_unchanged"],
            "courts": c["courts_created"],
            "divs": c["divisions_created"],
            "posts": c["posts_created"],
            "radd": c["roles_added"],
            "rdel": c["roles_removed"],
        },
    )
    return redirect("org:roster_import")


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _xlsx(dataset: tablib.Dataset) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("花名册")
    sheet.append(list(dataset.headers))
    for values in dataset:
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 16
    notes = book.create_sheet(_("填写说明"))
    for line in _instructions():
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _instructions() -> list[str]:
    return [
        _("一行一名人员；第一行是表头，请勿改动列名。只导入第一个工作表。"),
        _("单位代码：英文字母、数字和连字符，如 hgzy；已登记的单位按代码匹配。")
        + _("未登记的单位会新建，须填写单位名称和上级单位代码。"),
        _("庭室、岗位：按名称在本单位 / 本庭室内匹配，没有的会新建；新建庭室须填写庭室类别（审判、执行、综合行政）。"),
        _("登录名：已存在的人员按登录名更新，不会重复创建；新账号没有可用密码，需由管理员设置或重置。"),
        _("角色：干警、庭室负责人、分管院领导、院长、领导小组办公室、领导小组成员、系统管理员，多个用“、”分隔。"),
        _("庭室负责人负责本行的庭室；分管院领导须在“分管庭室”列填写所分管的庭室，多个用“、”分隔。"),
        _("已有人员：职务、邮箱、角色留空表示不修改；填写了角色则以本行为准（本单位内多余的角色会被撤销）。"),
        _("只要有一行有错误，整个文件都不会导入；请按提示改正后重新上传。"),
    ]


@importer_required
@require_GET
def roster_template(request, fmt):
    dataset = tablib.Dataset(headers=COLUMNS)
    dataset.append([EXAMPLE_ROW[c] for c in COLUMNS])
    return _dataset_download(dataset, fmt, _("花名册导入模板"))


@importer_required
@require_GET
def roster_export(request, fmt):
    resource = RosterResource(actor=request.user)
    dataset = resource.export(queryset=resource.get_export_queryset(request.user))
    return _dataset_download(dataset, fmt, _("花名册"))


def _dataset_download(dataset, fmt, stem):
    if fmt == "xlsx":
        return _download(_xlsx(dataset), f"{stem}.xlsx", XLSX_TYPE)
    if fmt == "csv":
        # With a BOM, so that Excel on a court PC opens the UTF-8 file with the right characters; a cell
        # that Excel would run as a formula is written with a leading apostrophe (read back without it).
        safe = tablib.Dataset(headers=dataset.headers)
        for values in dataset:
            safe.append([escape_formula(v) for v in values])
        data = ("\ufeff" + safe.export("csv")).encode("utf-8")
        return _download(data, f"{stem}.csv", "text/csv; charset=utf-8")
    raise Http404
