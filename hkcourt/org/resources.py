"""Roster import and export (花名册) through django-import-export.

One roster row is one person, with the court, division and post they sit in and the roles they hold.
:func:`load_roster_file` turns an uploaded ``.xlsx`` or ``.csv`` (UTF-8 with or without BOM, GBK/GB18030)
into a ``tablib.Dataset`` that remembers each row's number as the user sees it in the spreadsheet;
:class:`RosterResource` validates each row with Chinese messages naming the column and the value, and
creates the missing courts, divisions and posts on the way. Every write goes through the org services
(``create_court``, ``create_division``, ``create_post``, ``create_person``, ``update_person``, ``change_roles``),
which check the permission policy and record each change in the audit log; the row checks ask the same rules
first, so that a refusal is reported on its row and column. The all-or-nothing transaction, the page-level
permission and the file's audit entry belong to :func:`hkcourt.org.services.import_roster`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.results import RowResult

from . import audit, policy, services, texts
from .models import Court, Division, DivisionKind, Person, Post, Role, RoleAssignment
from .policy import Refusal
from .sandbox import LimitExceeded, run_capped
from .spreadsheets import FORMULA_STARTS, decode_text

User = get_user_model()

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # ~35 ms a new person on this machine: a full file stays well inside a request
MAX_COLUMNS = 60
MAX_BLANK_RUN = 1000
EXTENSIONS = (".xlsx", ".csv")

# The roster's columns, in the template's order.
COURT_CODE = "单位代码"
COURT_NAME = "单位名称"
PARENT_CODE = "上级单位代码"
DIVISION = "庭室"
DIVISION_KIND = "庭室类别"
POST = "岗位"
FULL_NAME = "姓名"
USERNAME = "登录名"
TITLE = "职务"
ROLES = "角色"
OVERSEEN = "分管庭室"
EMAIL = "邮箱"
COLUMNS = [COURT_CODE, COURT_NAME, PARENT_CODE, DIVISION, DIVISION_KIND, POST, FULL_NAME, USERNAME, TITLE]
COLUMNS += [ROLES, OVERSEEN, EMAIL]
REQUIRED_COLUMNS = [COURT_CODE, FULL_NAME, USERNAME]
IGNORED_COLUMNS = {"序号", "备注"}
ROW_KEY = "__row__"  # the spreadsheet row number, added by load_roster_file

EXAMPLE_ROW = {
    COURT_CODE: "hgzy",
    COURT_NAME: "鹤岗市中级人民法院",
    PARENT_CODE: "",
    DIVISION: "民事审判庭",
    DIVISION_KIND: "审判",
    POST: "审判员",
    FULL_NAME: "张三",
    USERNAME: "zhangsan",
    TITLE: "审判员",
    ROLES: "干警",
    OVERSEEN: "",
    EMAIL: "zhangsan@court.local",
}

# Model field names that full_clean() may report, and the column the user knows them by.
FIELD_COLUMNS = {
    "full_name": FULL_NAME,
    "title": TITLE,
    "court": COURT_CODE,
    "division": DIVISION,
    "post": POST,
    "user": USERNAME,
    "username": USERNAME,
    "email": EMAIL,
    "code": COURT_CODE,
    "name": COURT_NAME,
    "parent": PARENT_CODE,
    "kind": DIVISION_KIND,
    "role": ROLES,
}

LIST_SEPARATORS = re.compile(r"[、,，;；/／\s]+")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]+$")


class RosterFileError(Exception):
    """The file as a whole cannot be read: wrong type, too big, too many rows, missing headers."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- reading the file ------------------------------------------------------------------------------


def _cell(value) -> str:
    """A cell as the text the user typed: integral numbers without ``.0``, dates as ISO, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    text = str(value).replace("\u3000", " ").replace("\ufeff", "").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]  # written by escape_formula on export
    return text


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312)."""
    try:
        return decode_text(content)
    except UnicodeDecodeError as exc:
        raise RosterFileError(_("无法识别文件编码：请将 CSV 保存为 UTF-8 或 GBK 编码。")) from exc


def _csv_rows(content: bytes):
    text = decode_csv(content)
    # The separator is whichever of comma, tab and semicolon the header line uses most (Excel writes
    # commas, or semicolons under some regional settings; some tools write tabs).
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=header.count) if header else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise RosterFileError(
            _("CSV 文件格式有误（第%(line)d行）：%(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc


def _xlsx_rows(content: bytes):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except MemoryError:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        # SyntaxError: xml.etree's ParseError (bad XML, an entity bomb refused by expat)
        raise RosterFileError(_("无法读取该 Excel 文件：请确认是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）。")) from exc
    try:
        sheet = book.worksheets[0]
        # In read-only mode empty rows in the middle are yielded as empty tuples, so the count stays true.
        yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
    except MemoryError:
        raise  # the import's memory cap (sandbox): its own message
    except Exception as exc:  # noqa: BLE001 - a sheet that breaks while being read (an XML entity bomb, bad XML)
        raise RosterFileError(_("无法读取该 Excel 文件：请确认是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）。")) from exc
    finally:
        book.close()


def _normalise_header(value) -> str:
    return re.sub(r"\s+", "", _cell(value))


def load_roster_file(name: str, content: bytes) -> tablib.Dataset:
    """Read an uploaded roster into a dataset with the known columns plus ``ROW_KEY``, in a child process
    under the import memory and time caps (:mod:`.sandbox`).

    Raises :class:`RosterFileError` with a Chinese message when the file as a whole is unusable."""
    try:
        return run_capped(_load_roster_file, name, content)
    except LimitExceeded as exc:
        raise RosterFileError(_("文件过大或结构过于复杂，无法在限定的内存和时间内读取，请检查后重新导入。")) from exc


def _load_roster_file(name: str, content: bytes) -> tablib.Dataset:
    lower = (name or "").lower()
    if lower.endswith(".xls"):
        raise RosterFileError(_("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv 后再上传。"))
    if not lower.endswith(EXTENSIONS):
        raise RosterFileError(_("只能导入 .xlsx 或 .csv 文件。"))
    if len(content) > MAX_BYTES:
        raise RosterFileError(_("文件超过 %(mb)d MB，请拆分后分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not content:
        raise RosterFileError(_("文件是空的。"))
    rows = _xlsx_rows(content) if lower.endswith(".xlsx") else _csv_rows(content)

    headers = None
    dataset = tablib.Dataset()
    blank_run = 0
    for number, values in rows:
        cells = [_cell(v) for v in values[:MAX_COLUMNS]]
        if not any(cells):
            # Spreadsheets often carry thousands of formatted but empty rows at the end: stop there.
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if headers is None:
            headers = _check_headers([_normalise_header(v) for v in values], number)
            dataset.headers = [ROW_KEY, *COLUMNS]
            continue
        if len(dataset) >= MAX_ROWS:
            raise RosterFileError(_("文件超过 %(max)d 行人员，请拆分后分批导入。") % {"max": MAX_ROWS})
        record = dict.fromkeys(COLUMNS, "")
        for index, column in headers.items():
            if index < len(cells):
                record[column] = cells[index]
        dataset.append([number, *(record[c] for c in COLUMNS)])
    if headers is None:
        raise RosterFileError(_("文件中没有表头和数据。"))
    if not len(dataset):
        raise RosterFileError(_("文件只有表头，没有人员数据。"))
    return dataset


def _check_headers(names: list[str], number: int) -> dict[int, str]:
    positions = {}
    unknown, duplicated = [], []
    for index, name in enumerate(names):
        if not name or name in IGNORED_COLUMNS:
            continue
        if name not in COLUMNS:
            unknown.append(name)
        elif name in positions.values():
            duplicated.append(name)
        else:
            positions[index] = name
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in positions.values()]
    if missing:
        problems.append(_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)})
    if unknown:
        problems.append(_("无法识别的列：%(cols)s") % {"cols": "、".join(unknown)})
    if duplicated:
        problems.append(_("重复的列：%(cols)s") % {"cols": "、".join(duplicated)})
    if problems:
        raise RosterFileError(
            _("第%(row)d行表头有误。%(problems)s。可用的列：%(all)s（请使用导入模板）。")
            % {"row": number, "problems": "；".join(problems), "all": "、".join(COLUMNS)}
        )
    return positions


# --- one row -------------------------------------------------------------------------------------


def role_lookup() -> dict[str, str]:
    """Role labels in either language (and the code names) → role codes."""
    return texts.choice_lookup(Role)


def kind_lookup() -> dict[str, str]:
    """Division kinds in either language (and the codes, and 行政 for 行政综合) → kind codes."""
    return texts.choice_lookup(DivisionKind, extra={"行政": DivisionKind.ADMINISTRATION})


def split_labels(text: str, lookup) -> list[str]:
    """Like :func:`split_list`, but a label of several words ("Division head") stays one label."""
    labels = []
    for part in re.split(r"[、,，;；/／]+", text or ""):
        part = part.strip()
        for label in [part] if part in lookup else part.split():
            if label and label not in labels:
                labels.append(label)
    return labels


def role_label(role: str) -> str:
    return str(Role(role).label)


def split_list(text: str) -> list[str]:
    seen = []
    for part in LIST_SEPARATORS.split(text or ""):
        if part and part not in seen:
            seen.append(part)
    return seen


@dataclass
class RowReport:
    """What the preview shows for one spreadsheet row."""

    number: int
    full_name: str = ""
    username: str = ""
    court: str = ""
    division: str = ""
    post: str = ""
    roles: str = ""
    status: str = ""  # new / update / unchanged / invalid / error
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {
            "new": _("新增"),
            "update": _("更新"),
            "unchanged": _("无变化"),
            "invalid": _("有错误"),
            "error": _("有错误"),
        }.get(self.status, self.status)


@dataclass
class Counts:
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    courts_created: int = 0
    divisions_created: int = 0
    posts_created: int = 0
    roles_added: int = 0
    roles_removed: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _fail(column: str, message: str):
    raise ValidationError({column: [message]})


class RosterResource(resources.ModelResource):
    """The roster, one person a row. ``actor`` decides which courts the rows may touch."""

    court_code = Field(attribute="court__code", column_name=COURT_CODE, readonly=True)
    court_name = Field(attribute="court__name", column_name=COURT_NAME, readonly=True)
    parent_code = Field(attribute="court__parent__code", column_name=PARENT_CODE, readonly=True)
    division_name = Field(attribute="division__name", column_name=DIVISION, readonly=True)
    division_kind = Field(column_name=DIVISION_KIND, readonly=True)
    post_name = Field(attribute="post__name", column_name=POST, readonly=True)
    full_name_col = Field(attribute="full_name", column_name=FULL_NAME, readonly=True)
    username = Field(attribute="user__username", column_name=USERNAME, readonly=True)
    title_col = Field(attribute="title", column_name=TITLE, readonly=True)
    roles = Field(column_name=ROLES, readonly=True)
    overseen = Field(column_name=OVERSEEN, readonly=True)
    email = Field(attribute="user__email", column_name=EMAIL, readonly=True)

    class Meta:
        model = Person
        fields = (
            "court_code",
            "court_name",
            "parent_code",
            "division_name",
            "division_kind",
            "post_name",
            "full_name_col",
            "username",
            "title_col",
            "roles",
            "overseen",
            "email",
        )
        export_order = fields
        import_id_fields = ("username",)
        skip_diff = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.reports: list[RowReport] = []
        self.counts = Counts()
        self._declared_divisions: dict[tuple[str, str], str] = {}
        self._usernames: dict[str, int] = {}
        self._current: RowReport | None = None
        # Lookups cached for the length of one import (objects the import creates are added).
        self._courts: dict = {}
        self._divisions: dict = {}
        self._posts: dict = {}
        self._roles = role_lookup()
        self._kinds = kind_lookup()

    # export ----------------------------------------------------------------------------------------

    def get_export_queryset(self, user):
        return Person.objects.visible_to(user).select_related("user", "court__parent", "division", "post")

    def dehydrate_division_kind(self, person):
        return person.division.get_kind_display() if person.division_id else ""

    def _assignments(self, person):
        cache = getattr(self, "_export_roles", None)
        if cache is None:
            cache = {}
            assignments = RoleAssignment.objects.visible_to(self.actor).select_related("division")
            for ra in assignments.order_by("role", "division__sort_order"):
                cache.setdefault((ra.user_id, ra.court_id), []).append(ra)
            self._export_roles = cache
        return cache.get((person.user_id, person.court_id), [])

    def dehydrate_roles(self, person):
        labels = []
        for ra in self._assignments(person):
            if role_label(ra.role) not in labels:
                labels.append(role_label(ra.role))
        return "、".join(labels)

    def dehydrate_overseen(self, person):
        return "、".join(ra.division.name for ra in self._assignments(person) if ra.role == Role.DEPUTY_LEADER)

    # import: file-level preparation ----------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Note every (court, division) the file names, so a deputy leader's 分管庭室 may name a
        division that a later row creates."""
        for row in dataset.dict:
            code, name = _cell(row.get(COURT_CODE)), _cell(row.get(DIVISION))
            kind = self._kinds.get(_cell(row.get(DIVISION_KIND)))
            if code and name and kind and (code, name) not in self._declared_divisions:
                self._declared_divisions[(code, name)] = kind

    def after_import(self, dataset, result, **kwargs):
        """ModelResource resets the table's id sequence here, for imports that carry their own ids. This
        one never does, and resetting the sequence under concurrent inserts could hand out an id twice.

        Still inside the import's transaction: the services' audit entries, collected by ``audit.batch()``
        in ``import_roster``, are written here, so that a dry run rolls them back with the rows."""
        audit.flush()

    def _row_number(self, row, kwargs) -> int:
        value = row.get(ROW_KEY)
        if value not in (None, ""):
            return int(value)
        return int(kwargs.get("row_number", 0)) + 1  # the header is row 1

    def import_row(self, row, instance_loader, **kwargs):
        number = self._row_number(row, kwargs)
        self._current = RowReport(
            number=number,
            full_name=_cell(row.get(FULL_NAME)),
            username=_cell(row.get(USERNAME)),
            court=_cell(row.get(COURT_NAME)) or _cell(row.get(COURT_CODE)),
            division=_cell(row.get(DIVISION)),
            post=_cell(row.get(POST)),
            roles=_cell(row.get(ROLES)),
        )
        row_result = super().import_row(row, instance_loader, **kwargs)
        report = self._current
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            report.status = "invalid"
            report.errors = self._messages(row_result.validation_error)
        elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            report.status = "unchanged"
            self.counts.people_unchanged += 1
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            # The database refused something; what this import cached may not exist any more.
            self._courts.clear()
            self._divisions.clear()
            self._posts.clear()
            report.status = "error"
            report.errors = [
                _("保存时出错：%(error)s") % {"error": getattr(e.error, "message", None) or e.error}
                for e in row_result.errors
            ]
        self.reports.append(report)
        self._current = None
        return row_result

    @staticmethod
    def _messages(error: ValidationError) -> list[str]:
        messages = []
        if hasattr(error, "error_dict"):
            for key, errors in error.message_dict.items():
                column = FIELD_COLUMNS.get(key, key)
                for message in errors:
                    if key == NON_FIELD_ERRORS or message.startswith("【"):
                        messages.append(message)
                    else:
                        messages.append(f"【{column}】{message}")
        else:
            messages.extend(error.messages)
        return messages

    # import: one row -------------------------------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        username = _cell(row.get(USERNAME))
        people = Person.objects.select_related("user", "court", "division", "post")
        person = people.filter(user__username=username).first()
        if person is not None:
            return person, False
        return Person(), True

    def _court(self, code: str):
        if code not in self._courts:
            self._courts[code] = Court.objects.filter(code=code).select_related("parent").first()
        return self._courts[code]

    def _division(self, court, name: str):
        key = (court.pk, name)
        if key not in self._divisions:
            self._divisions[key] = Division.objects.filter(court=court, name=name).first()
        return self._divisions[key]

    def _post(self, division, name: str):
        key = (division.pk, name)
        if key not in self._posts:
            self._posts[key] = Post.objects.filter(division=division, name=name).first()
        return self._posts[key]

    def import_instance(self, instance, row, **kwargs):
        report = self._current
        values = {column: _cell(row.get(column)) for column in COLUMNS}
        new = instance.pk is None
        errors: dict[str, list[str]] = {}

        def err(column, message):
            errors.setdefault(column, []).append(f"【{column}】{message}")

        # 1. Plain checks of each cell, without touching the database.
        code, court_name, parent_code = values[COURT_CODE], values[COURT_NAME], values[PARENT_CODE]
        division_name, kind_text, post_name = values[DIVISION], values[DIVISION_KIND], values[POST]
        full_name, username, title = values[FULL_NAME], values[USERNAME], values[TITLE]
        roles_text, overseen_text, email = values[ROLES], values[OVERSEEN], values[EMAIL]

        if not code:
            err(COURT_CODE, _("不能为空。"))
        elif not CODE_PATTERN.match(code) or len(code) > 32:
            err(COURT_CODE, _("“%(v)s”不合规：只能包含英文字母、数字和连字符（-），最长32个字符。") % {"v": code})
        if parent_code and not CODE_PATTERN.match(parent_code):
            err(PARENT_CODE, _("“%(v)s”不合规：只能包含英文字母、数字和连字符（-）。") % {"v": parent_code})
        if not full_name:
            err(FULL_NAME, _("不能为空。"))
        elif len(full_name) > 40:
            err(FULL_NAME, _("“%(v)s”超过40个字。") % {"v": full_name})
        if not username:
            err(USERNAME, _("不能为空。"))
        elif not re.fullmatch(r"[\w.@+-]{1,150}", username):
            err(USERNAME, _("“%(v)s”不合规：只能包含字母、数字和 @ . + - _ 。") % {"v": username})
        elif username in self._usernames:
            err(USERNAME, _("“%(v)s”与第%(row)d行重复。") % {"v": username, "row": self._usernames[username]})
        if username and username not in self._usernames:
            self._usernames[username] = report.number
        if len(title) > 40:
            err(TITLE, _("“%(v)s”超过40个字。") % {"v": title})
        if email:
            try:
                validate_email(email)
            except ValidationError:
                err(EMAIL, _("“%(v)s”不是有效的邮箱地址。") % {"v": email})
        if post_name and not division_name:
            err(POST, _("填写了岗位“%(v)s”，但没有填写庭室：岗位必须属于某个庭室。") % {"v": post_name})
        if len(division_name) > 60:
            err(DIVISION, _("“%(v)s”超过60个字。") % {"v": division_name})
        if len(post_name) > 60:
            err(POST, _("“%(v)s”超过60个字。") % {"v": post_name})
        kind = None
        if kind_text:
            kind = self._kinds.get(kind_text)
            if kind is None:
                err(DIVISION_KIND, _("“%(v)s”无法识别，可填：审判、执行、综合行政。") % {"v": kind_text})
            elif not division_name:
                err(DIVISION_KIND, _("填写了庭室类别，但没有填写庭室。"))

        roles = []
        for label in split_labels(roles_text, self._roles):
            code_ = self._roles.get(label)
            if code_ is None:
                err(
                    ROLES,
                    _("“%(v)s”不是可识别的角色，可填：%(all)s（多个角色用“、”分隔）。")
                    % {"v": label, "all": "、".join(str(lbl) for _v, lbl in Role.choices)},
                )
            elif code_ not in roles:
                roles.append(code_)
        overseen_names = split_list(overseen_text)
        if Role.DIVISION_HEAD in roles and not division_name:
            err(ROLES, _("“庭室负责人”必须填写所负责的庭室（庭室列）。"))
        if Role.DEPUTY_LEADER in roles and not overseen_names:
            err(OVERSEEN, _("角色含“分管院领导”，但没有填写分管庭室。"))
        if overseen_names and Role.DEPUTY_LEADER not in roles:
            err(OVERSEEN, _("填写了分管庭室，但角色中没有“分管院领导”。"))
        if errors:
            raise ValidationError(errors)

        # 2. The court, division and post: matched, or created when missing.
        court = self._court(code)
        if court is not None:
            if court_name and court_name not in (court.name, court.short_name):
                err(
                    COURT_NAME,
                    _("单位代码“%(code)s”已登记为“%(name)s”，与本行的“%(v)s”不一致。")
                    % {"code": code, "name": court.name, "v": court_name},
                )
            actual_parent = court.parent.code if court.parent_id else ""
            if parent_code and parent_code != actual_parent:
                err(
                    PARENT_CODE,
                    _("单位“%(name)s”的上级单位代码是“%(actual)s”，与本行的“%(v)s”不一致（导入不调整单位隶属关系）。")
                    % {"name": court.name, "actual": actual_parent or _("无"), "v": parent_code},
                )
            decision = policy.decide(self.actor, "org.create_person", court)
            if not decision:
                err(COURT_CODE, decision.message)
        else:
            parent = None
            if not court_name:
                err(COURT_NAME, _("单位代码“%(code)s”尚未登记，新建单位必须填写单位名称。") % {"code": code})
            elif Court.objects.filter(name=court_name).exists():
                other = Court.objects.get(name=court_name)
                err(
                    COURT_NAME,
                    _("“%(v)s”已登记，其单位代码是“%(code)s”，不是“%(given)s”。")
                    % {"v": court_name, "code": other.code, "given": code},
                )
            elif len(court_name) > 100:
                err(COURT_NAME, _("“%(v)s”超过100个字。") % {"v": court_name})
            if parent_code:
                parent = self._court(parent_code)
                if parent is None:
                    err(
                        PARENT_CODE,
                        _("上级单位“%(v)s”不存在：请先登记上级单位，或把上级单位的人员排在前面的行。")
                        % {"v": parent_code},
                    )
                else:
                    decision = policy.decide(self.actor, "org.create_court", parent)
                    if not decision:
                        err(PARENT_CODE, decision.message)
            elif not policy.can(self.actor, "org.create_court", None):
                err(PARENT_CODE, _("新建单位“%(v)s”须填写上级单位代码。") % {"v": court_name or code})
            if not errors:
                court = self._write(COURT_CODE, services.create_court, code=code, name=court_name, parent=parent)
                self._courts[code] = court
                self.counts.courts_created += 1
                report.notes.append(_("新建单位“%(name)s”") % {"name": court.name})
        if errors:
            raise ValidationError(errors)
        report.court = court.short_name or court.name

        division = None
        if division_name:
            division = self._division(court, division_name)
            if division is None:
                if kind is None:
                    _fail(
                        DIVISION_KIND,
                        _(
                            "【庭室类别】庭室“%(v)s”在%(court)s尚未登记，新建庭室必须填写庭室类别（审判、执行、综合行政）。"
                        )
                        % {"v": division_name, "court": court.name},
                    )
                division = self._write(DIVISION, services.create_division, court=court, name=division_name, kind=kind)
                self._divisions[(court.pk, division_name)] = division
                self.counts.divisions_created += 1
                report.notes.append(_("新建庭室“%(name)s”") % {"name": division_name})
            elif kind and kind != division.kind:
                _fail(
                    DIVISION_KIND,
                    _("【庭室类别】庭室“%(name)s”已登记为“%(kind)s”，与本行的“%(v)s”不一致。")
                    % {"name": division_name, "kind": division.get_kind_display(), "v": kind_text},
                )
        post = None
        if post_name:
            post = self._post(division, post_name)
            if post is None:
                post = self._write(POST, services.create_post, division=division, name=post_name)
                self._posts[(division.pk, post_name)] = post
                self.counts.posts_created += 1
                report.notes.append(_("新建岗位“%(name)s”") % {"name": post_name})

        overseen = []
        for name in overseen_names:
            target = self._division(court, name)
            if target is None and (code, name) in self._declared_divisions:
                kind_ = self._declared_divisions[(code, name)]
                target = self._write(OVERSEEN, services.create_division, court=court, name=name, kind=kind_)
                self._divisions[(court.pk, name)] = target
                self.counts.divisions_created += 1
                report.notes.append(_("新建庭室“%(name)s”") % {"name": name})
            if target is None:
                _fail(
                    OVERSEEN,
                    _("【分管庭室】“%(v)s”在%(court)s不存在，文件中也没有这个庭室。")
                    % {"v": name, "court": court.name},
                )
            overseen.append(target)

        # 3. The account and the person: written by the services in save_instance, once the row is valid.
        account = None
        if new:
            account = User.objects.filter(username=username).first()
            if account is not None:
                decision = policy.decide(self.actor, "org.attach_account", account)
                if not decision:
                    _fail(USERNAME, f"【{USERNAME}】{decision.message}")
                old_email = account.email
            else:
                old_email = ""
                report.notes.append(_("新账号，尚无密码"))
        else:
            decision = policy.decide(self.actor, "org.edit_person", instance)
            if not decision:
                _fail(USERNAME, f"【{USERNAME}】{decision.message}")
            old_email = instance.user.email
        new_email = email or old_email

        def shown(person_name, court_, division_, post_, title_):
            return {
                _("姓名"): person_name,
                _("单位"): court_.name if court_ is not None else "",
                _("庭室"): division_.name if division_ is not None else "",
                _("岗位"): post_.name if post_ is not None else "",
                _("职务"): title_,
            }

        keep_title = not (title or new)
        changes = []
        if not new:
            before = shown(instance.full_name, instance.court, instance.division, instance.post, instance.title)
            after = shown(full_name, court, division, post, instance.title if keep_title else title)
            changes = [(label, old, after[label]) for label, old in before.items() if after[label] != old]
            if new_email != old_email:
                changes.append((_("邮箱"), old_email, new_email))
            empty = _("（空）")
            report.notes.extend(f"{label}：{old or empty} → {now or empty}" for label, old, now in changes)
        instance._roster_new = new
        instance._roster_changed = new or bool(changes)
        instance._roster_values = {
            "username": username,
            "account": account,
            "full_name": full_name,
            "court": court,
            "division": division,
            "post": post,
            "title": services.KEEP if keep_title else title,
            "email": email if email else services.KEEP,
        }

        # 4. The roles this row asks for (in the row's court), applied once the person is saved.
        instance._roster_add, instance._roster_remove = [], []
        user = instance.user if not new else account
        if roles or new:
            wanted = set()
            for role in roles or [Role.STAFF]:
                if role == Role.DIVISION_HEAD:
                    wanted.add((role, division.pk))
                elif role == Role.DEPUTY_LEADER:
                    wanted.update((role, d.pk) for d in overseen)
                else:
                    wanted.add((role, None))
            existing = {}
            if user is not None:
                for ra in RoleAssignment.objects.filter(user=user, court=court).select_related("division"):
                    ra.court = court
                    existing[(ra.role, ra.division_id)] = ra
            divisions = {d.pk: d for d in [division, *overseen] if d is not None}
            names = {pk: d.name for pk, d in divisions.items()}
            names.update({ra.division_id: ra.division.name for ra in existing.values() if ra.division_id})

            def describe(key):
                label = role_label(key[0])
                return f"{label}（{names[key[1]]}）" if key[1] else label

            for key in sorted(set(existing) - wanted, key=str):
                decision = policy.decide(self.actor, "org.revoke_role", existing[key])
                if not decision:
                    _fail(ROLES, f"【{ROLES}】{decision.message}")
                instance._roster_remove.append(existing[key])
                report.notes.append(_("撤销角色：%(role)s") % {"role": describe(key)})
            for key in sorted(wanted - set(existing), key=str):
                instance._roster_add.append((key[0], divisions.get(key[1])))
                if not new:
                    report.notes.append(_("新增角色：%(role)s") % {"role": describe(key)})
        if roles:
            labels = [role_label(r) for r in roles]
            if overseen:
                deputy = role_label(Role.DEPUTY_LEADER)
                names = "、".join(d.name for d in overseen)
                labels = [f"{label}（{names}）" if label == deputy else label for label in labels]
            report.roles = "、".join(labels)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """A row that failed its own checks is reported as such: running the model's ``full_clean()`` on
        the half-filled person would only add noise ("this field cannot be null"). The services validate
        what they write."""
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def _write(self, column: str, service, **kwargs):
        """Call an org service as the importing person; its refusal or validation error becomes the row's."""
        try:
            return service(actor=self.actor, **kwargs)
        except Refusal as exc:
            _fail(column, f"【{column}】{exc.message}")
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(
                {
                    FIELD_COLUMNS.get(k, k): [f"【{FIELD_COLUMNS.get(k, k)}】{m}" for m in v]
                    for k, v in exc.message_dict.items()
                }
            ) from exc

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A person whose row changes nothing is neither validated nor saved again."""
        if import_validation_errors or getattr(instance, "_roster_new", True):
            return False
        return not (instance._roster_changed or instance._roster_add or instance._roster_remove)

    def save_instance(self, instance, is_create, row, **kwargs):
        """The person is created or changed by the org services, never saved here directly."""
        values = instance._roster_values
        place = {key: values[key] for key in ("full_name", "court", "division", "post")}
        if is_create:
            title = "" if values["title"] is services.KEEP else values["title"]
            email = "" if values["email"] is services.KEEP else values["email"]
            person = self._write(
                USERNAME,
                services.create_person,
                username=values["username"],
                account=values["account"],
                title=title,
                email=email,
                **place,
            )
            instance.pk, instance.user = person.pk, person.user
        else:
            self._write(
                USERNAME, services.update_person, person=instance, title=values["title"], email=values["email"], **place
            )
        self.after_save_instance(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        if instance._roster_add or instance._roster_remove:
            court = instance._roster_values["court"]
            created = self._write(
                ROLES,
                services.change_roles,
                user=instance.user,
                court=court,
                assign=instance._roster_add,
                revoke=instance._roster_remove,
            )
            self.counts.roles_removed += len(instance._roster_remove)
            self.counts.roles_added += len(created)
        if instance._roster_new:
            self._current.status = "new"
            self.counts.people_created += 1
        else:
            self._current.status = "update"
            self.counts.people_updated += 1
