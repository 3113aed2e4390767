"""Import and export of the power catalogue and export of risk points (django-import-export).

Files: ``.xlsx`` and ``.csv`` in UTF-8 (with or without BOM) or GBK/GB18030. Exports neutralise spreadsheet
formulas (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
apostrophe). The permission check, the transaction and the audit entry of an import belong to
:func:`risks.services.import_powers`.
"""

from __future__ import annotations

import csv
import io
import tempfile

import tablib
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import CharField, Value
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from hkcourt.org import texts
from hkcourt.org.models import Division, Post
from hkcourt.org.sandbox import LimitExceeded, run_capped
from hkcourt.org.spreadsheets import decode_text, escape_formula, xlsx_rows

from .models import TEXT_LIMIT, BusinessArea, Power, RiskPoint
from .services import REFERENCES

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 40  # the import templates have fewer than 20 columns
MAX_BLANK_RUN = 1000  # formatted but empty rows at the end of a sheet: stop reading there
YES, NO = "是", "否"


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


neutralise = escape_formula  # a text cell a spreadsheet would run as a formula becomes plain text


def neutralised(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        safe.append([neutralise(v) for v in row])
    return safe


def render(dataset: tablib.Dataset, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, extension) of a dataset in ``xlsx``, ``csv`` (UTF-8 with BOM) or ``gbk``."""
    dataset = neutralised(dataset)
    if fmt == "xlsx":
        return dataset.export("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(dataset.headers)
    writer.writerows(dataset)
    text = buffer.getvalue()
    if fmt == "gbk":
        return text.encode("gb18030"), "text/csv; charset=gbk", "csv"
    return text.encode("utf-8-sig"), "text/csv; charset=utf-8", "csv"


def read_file(name: str, content: bytes) -> tablib.Dataset:
    """Read an uploaded table into a dataset (first non-empty row = headers), in a child process under the
    import memory and time caps (``hkcourt.org.sandbox``): a hostile workbook cannot exhaust the worker."""
    try:
        return run_capped(_read_file, name, content)
    except LimitExceeded as exc:
        raise ImportFileError(_("文件过大或结构过于复杂，无法在限定的内存和时间内读取，请检查后重新导入。")) from exc


def _read_file(name: str, content: bytes) -> tablib.Dataset:
    lower = (name or "").lower()
    if not lower.endswith((".xlsx", ".csv")):
        raise ImportFileError(_("只能导入 .xlsx 或 .csv 文件。"))
    if not content:
        raise ImportFileError(_("文件是空的。"))
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("文件超过 %(mb)d MB，请拆分后分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)})
    if lower.endswith(".xlsx"):
        try:
            # header + MAX_ROWS data rows + one more, so that "too many rows" is still seen; nothing beyond.
            rows = list(xlsx_rows(content, max_columns=MAX_COLUMNS, max_rows=MAX_ROWS + 2, max_blank_run=MAX_BLANK_RUN))
        except MemoryError:
            raise  # the import's memory cap (hkcourt.org.sandbox): its own message
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
            raise ImportFileError(_("无法读取该 .xlsx 文件，请确认文件未损坏。")) from exc
    else:
        try:
            text = decode_text(content)
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。")) from exc
        try:
            rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:  # e.g. a cell over the csv module's 128 KB field limit
            raise ImportFileError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc
    rows = [r for r in rows if any(r)]
    for number, row in enumerate(rows, start=1):
        if any("\x00" in cell for cell in row):  # PostgreSQL cannot store it; nothing a person typed
            raise ImportFileError(_("第%(n)d行含有空字符（NUL），请检查文件是否损坏。") % {"n": number})
    if not rows:
        raise ImportFileError(_("文件中没有表头和数据。"))
    headers = [h.lstrip("'") for h in rows[0]]
    data = rows[1:]
    if not data:
        raise ImportFileError(_("文件只有表头，没有数据。"))
    if len(data) > MAX_ROWS:
        raise ImportFileError(_("文件超过 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for row in data:
        dataset.append((row + [""] * width)[:width])
    return dataset


# ---------------------------------------------------------------- the power catalogue

COLUMNS = {
    "division": "庭室",
    "name": "职权名称",
    "content": "职权内容",
    "posts": "行使岗位",
    "legal_basis": "法律依据",
    "conditions": "行使条件",
    "procedure": "行使程序",
    "time_limit_days": "法定期限（日）",
    "supervision": "监督方式",
    "business_area": "业务领域",
    "major_matter": "三重一大",
}
REQUIRED = ("name", "content")
EXAMPLE = {
    "division": "民事审判庭",
    "name": "诉讼保全裁定",
    "content": "对诉讼中的财产保全、行为保全申请作出裁定并交付执行。",
    "posts": "审判长、审判员",
    "legal_basis": "《中华人民共和国民事诉讼法》第一百零三条",
    "conditions": "当事人提出申请并提供担保。",
    "procedure": "审查申请与担保—作出裁定—交付执行。",
    "time_limit_days": "5",
    "supervision": "庭长审批；保全情况登记备查",
    "business_area": str(BusinessArea.CIVIL.label),
    "major_matter": NO,
}
LIMITS = {"name": 100, "posts": 500}


class PowerResource(resources.ModelResource):
    """One row = one power of ``court``; a power is found again by its division and name (update)."""

    division = Field(column_name=COLUMNS["division"])
    name = Field(attribute="name", column_name=COLUMNS["name"])
    content = Field(attribute="content", column_name=COLUMNS["content"])
    posts = Field(column_name=COLUMNS["posts"])
    legal_basis = Field(attribute="legal_basis", column_name=COLUMNS["legal_basis"])
    conditions = Field(attribute="conditions", column_name=COLUMNS["conditions"])
    procedure = Field(attribute="procedure", column_name=COLUMNS["procedure"])
    time_limit_days = Field(attribute="time_limit_days", column_name=COLUMNS["time_limit_days"])
    supervision = Field(attribute="supervision", column_name=COLUMNS["supervision"])
    business_area = Field(column_name=COLUMNS["business_area"])
    major_matter = Field(column_name=COLUMNS["major_matter"])

    class Meta:
        model = Power
        fields = list(COLUMNS)
        export_order = list(COLUMNS)
        import_id_fields = []
        skip_diff = True
        use_bulk = False

    def __init__(self, *, court=None, **kwargs):
        super().__init__(**kwargs)
        self.court = court
        self._divisions = {d.name: d for d in Division.objects.filter(court=court)} if court else {}
        self._posts = {}
        self._pending_posts = {}
        self._seen = {}

    # export
    def dehydrate_division(self, power):
        return power.division.name if power.division_id else ""

    def dehydrate_posts(self, power):
        return "、".join(p.name for p in power.posts.all())

    def dehydrate_business_area(self, power):
        return str(power.get_business_area_display())

    def dehydrate_major_matter(self, power):
        return YES if power.major_matter else NO

    # import
    def _value(self, row, key):
        return str(row.get(COLUMNS[key]) or "").strip()

    def get_or_init_instance(self, instance_loader, row):
        division = self._divisions.get(self._value(row, "division"))
        name = self._value(row, "name")
        existing = Power.objects.filter(court=self.court, division=division, name=name).first() if name else None
        return (existing, False) if existing else (Power(court=self.court), True)

    def import_instance(self, instance, row, **kwargs):
        errors = {}

        def fail(key, message):
            errors.setdefault(key, []).append(f"“{COLUMNS[key]}”：{message}")

        for key in ("name", "content", "legal_basis", "conditions", "procedure", "supervision"):
            value = self._value(row, key)
            if key in REQUIRED and not value:
                fail(key, _("不能为空。"))
            elif len(value) > LIMITS.get(key, TEXT_LIMIT):
                fail(key, _("不能超过%(n)d个字。") % {"n": LIMITS.get(key, TEXT_LIMIT)})
            setattr(instance, key, value)

        division_name = self._value(row, "division")
        division = None
        if division_name:
            division = self._divisions.get(division_name)
            if division is None:
                fail("division", _("本院没有“%(name)s”。") % {"name": division_name})
        instance.division = division

        posts = []
        for post_name in filter(None, (p.strip() for p in self._value(row, "posts").replace(",", "、").split("、"))):
            if division is None:
                fail("posts", _("未指定庭室时不能填写岗位。"))
                break
            post = Post.objects.filter(division=division, name=post_name).first()
            if post is None:
                fail("posts", _("%(division)s没有“%(post)s”岗位。") % {"division": division.name, "post": post_name})
            else:
                posts.append(post)
        self._pending_posts[id(instance)] = posts

        days = self._value(row, "time_limit_days")
        instance.time_limit_days = None
        if days:
            try:
                value = int(float(days))
                if value < 0 or value > 3650 or float(days) != value:
                    raise ValueError
                instance.time_limit_days = value
            except ValueError:
                fail("time_limit_days", _("须为0—3650之间的整数天数，现为“%(v)s”。") % {"v": days})

        area = self._value(row, "business_area")
        areas = texts.choice_lookup(BusinessArea)  # in either language, or the code
        if not area:
            instance.business_area = BusinessArea.OTHER
        elif area in areas:
            instance.business_area = areas.get(area)
        else:
            fail("business_area", _("须为以下之一：%(list)s。") % {"list": texts.labels(BusinessArea)})

        major = self._value(row, "major_matter")
        if major.casefold() in ("", NO, "0", "n", "no", "false"):
            instance.major_matter = False
        elif major.casefold() in (YES, "1", "y", "yes", "true"):
            instance.major_matter = True
        else:
            fail("major_matter", _("请填写“是”或“否”。"))

        key = (division_name, instance.name)
        number = kwargs.get("row_number")
        number = number + 1 if isinstance(number, int) else number  # the header is the sheet's first row
        if instance.name and key in self._seen:
            fail("name", _("与第%(n)s行重复。") % {"n": self._seen[key]})
        self._seen.setdefault(key, number)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            try:
                instance.full_clean(exclude=["posts"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    label = COLUMNS.get(field, field)
                    errors.setdefault(field, []).extend(f"“{label}”：{m}" for m in messages)
        if errors:
            raise ValidationError(errors)

    def save_m2m(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            instance.posts.set(self._pending_posts.pop(id(instance), []))


def power_template() -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(COLUMNS.values()))
    dataset.append([EXAMPLE[k] for k in COLUMNS])
    return dataset


def export_powers(queryset) -> tablib.Dataset:
    return PowerResource().export(queryset.select_related("division").prefetch_related("posts"))


def import_report(result) -> list[dict]:
    """Per row: number, outcome and Chinese messages, from an import-export Result."""
    rows = []
    labels = {"new": _("新增"), "update": _("更新"), "skip": _("跳过"), "invalid": _("有误"), "error": _("出错")}
    for index, row in enumerate(result.rows, start=2):
        messages = []
        if row.validation_error is not None:
            for field_messages in row.validation_error.message_dict.values():
                messages.extend(field_messages)
        messages.extend(str(e.error) for e in row.errors)
        rows.append(
            {
                "number": index,
                "status": labels.get(row.import_type, row.import_type),
                "ok": not messages,
                "name": getattr(row, "object_repr", "") or "",
                "messages": messages,
            }
        )
    return rows


# ---------------------------------------------------------------- risk points (export)


class RiskPointResource(resources.ModelResource):
    code = Field(column_name="编号")
    court = Field(column_name="法院")
    division = Field(column_name="庭室")
    post = Field(column_name="岗位")
    level = Field(column_name="层面")
    power = Field(column_name="职权")
    step = Field(column_name="环节")
    description = Field(attribute="description", column_name="风险点描述")
    manifestations = Field(attribute="manifestations", column_name="主要表现形式")
    source = Field(column_name="查找方式")
    key_links = Field(column_name="重点环节")
    state = Field(column_name="状态")
    grade = Field(column_name="风险等级")
    owner = Field(column_name="提出人")
    responsible_leader = Field(column_name="责任领导")
    publicity_ends = Field(column_name="公示截止日期")

    class Meta:
        model = RiskPoint
        fields = [
            "code",
            "court",
            "division",
            "post",
            "level",
            "power",
            "step",
            "description",
            "manifestations",
            "source",
            "key_links",
            "state",
            "grade",
            "owner",
            "responsible_leader",
            "publicity_ends",
        ]
        export_order = fields

    def dehydrate_code(self, rp):
        return rp.code

    def dehydrate_court(self, rp):
        return rp.court.name

    def dehydrate_division(self, rp):
        return rp.division.name if rp.division_id else ""

    def dehydrate_post(self, rp):
        return rp.post.name if rp.post_id else ""

    def dehydrate_level(self, rp):
        return str(rp.get_level_display())

    def dehydrate_power(self, rp):
        return rp.power.name if rp.power_id else ""

    def dehydrate_step(self, rp):
        return rp.step.name if rp.step_id else ""

    def dehydrate_source(self, rp):
        return str(rp.get_source_display())

    def dehydrate_key_links(self, rp):
        return "、".join(rp.link_names)

    def dehydrate_state(self, rp):
        return str(rp.get_state_display())

    def dehydrate_grade(self, rp):
        return str(rp.get_grade_display()) if rp.grade else ""

    @staticmethod
    def _name(user):
        if user is None:
            return ""
        person = getattr(user, "person", None)
        return person.full_name if person else user.get_username()

    def dehydrate_owner(self, rp):
        return self._name(rp.owner)

    def dehydrate_responsible_leader(self, rp):
        return self._name(rp.responsible_leader)

    def dehydrate_publicity_ends(self, rp):
        return rp.publicity_ends.isoformat() if rp.publicity_ends else ""


EXPORT_CHUNK = 2000


def risk_point_table(queryset):
    """The export's header (the resource's columns), then one list of cells per risk point as they are read:
    plain values from one server-side cursor (``values_list().iterator()``, the related names joined and the
    key links in the row) — constant queries and memory whatever the number of rows (issue 12). The labels of
    the choices are looked up once, not per cell (``get_FOO_display`` hashes its lazy choices every call)."""
    from .models import Grade, Level, Source, State

    resource = RiskPointResource()
    yield [resource.fields[name].column_name for name in RiskPointResource._meta.fields]
    labels = {
        choices: {value: str(label) for value, label in choices.choices} for choices in (Level, Source, State, Grade)
    }
    columns = (
        "pk",
        "court__name",
        "division__name",
        "post__name",
        "level",
        "power__name",
        "step__name",
        "description",
        "manifestations",
        "source",
        "link_names",
        "state",
        "grade",
        "owner__username",
        "owner__person__full_name",
        "responsible_leader__username",
        "responsible_leader__person__full_name",
        "publicity_ends",
    )
    if connections[queryset.db].vendor == "postgresql":
        rows, links_of = queryset.annotate(link_names=RiskPoint.key_link_names_expression()), None
    else:  # SQLite (make run): the links of every exported row, one query
        rows, links_of = queryset.annotate(link_names=Value(None, output_field=CharField())), {}
        through = RiskPoint.key_links.through.objects.filter(riskpoint__in=queryset.values("pk"))
        through = through.order_by("keylink__sort_order", "keylink_id")
        for rp_id, name in through.values_list("riskpoint_id", "keylink__name"):
            links_of.setdefault(rp_id, []).append(name)
    connection = connections[queryset.db]
    try:
        if connection.vendor == "postgresql":
            # Outside a transaction the cursor is WITH HOLD: PostgreSQL computes every row before the first
            # fetch anyway, so plan for all rows (hash joins), not for the first 10 % (nested loops over an
            # index; 2-3 × slower at 20,000 rows, bench/README.md).
            with connection.cursor() as cursor:
                cursor.execute("SET cursor_tuple_fraction = 1.0")
        yield from _export_cells(rows.values_list(*columns).iterator(chunk_size=EXPORT_CHUNK), labels, links_of)
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET cursor_tuple_fraction")


def _export_cells(rows, labels, links_of):
    from .models import Grade, Level, Source, State

    for row in rows:
        (pk, court, division, post, level, power, step, description, manifestations, source, links, state, grade,
         owner, owner_name, leader, leader_name, publicity_ends) = row  # fmt: skip
        if links_of is not None:
            links = links_of.get(pk)
        yield [
            neutralise(value)
            for value in (
                RiskPoint.code_of(pk),
                court,
                division or "",
                post or "",
                labels[Level].get(level, level),
                power or "",
                step or "",
                description,
                manifestations,
                labels[Source].get(source, source),
                "、".join(links or ()),
                labels[State].get(state, state),
                labels[Grade].get(grade, "") if grade else "",
                owner_name or owner,
                (leader_name or leader) if leader else "",
                publicity_ends.isoformat() if publicity_ends else "",
            )
        ]


def csv_chunks(rows, encoding="utf-8", lines=500):
    """The rows as CSV bytes, a few hundred lines at a time (UTF-8 with a BOM, or ``gb18030`` for GBK)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if encoding == "utf-8":
        yield b"\xef\xbb\xbf"  # Excel reads UTF-8 by its BOM
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending == lines:
            yield buffer.getvalue().encode(encoding)
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending or buffer.tell():
        yield buffer.getvalue().encode(encoding)


def xlsx_file(rows):
    """The rows as an .xlsx in a temporary file, rewound for streaming. XlsxWriter in ``constant_memory`` mode
    writes each row to disk as it is added (inline strings, no shared-string table): memory stays flat, and it
    is ~5 × faster than openpyxl's write-only mode on this data (bench/README.md)."""
    import xlsxwriter

    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse that streams it
    workbook = xlsxwriter.Workbook(
        file, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False}
    )
    sheet = workbook.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    workbook.close()
    file.seek(0)
    return file


# ---------------------------------------------------------------- risk points (import)


RISK_COLUMNS = {
    "level": "层面",
    "division": "庭室",
    "post": "岗位",
    "power": "职权",
    "step": "环节",
    "description": "风险点描述",
    "manifestations": "主要表现形式",
    "source": "查找方式",
    "key_links": "重点环节",
}
RISK_EXAMPLE = {
    "level": "岗位",
    "division": "民事审判庭",
    "post": "审判员",
    "power": "诉讼保全裁定",
    "step": "",
    "description": "对保全担保审查不严，超标的查封被申请人财产",
    "manifestations": "担保不足即准予保全；查封价值明显超过请求数额",
    "source": "组织评",
    "key_links": "财产保全",
}


class RiskPointImportResource(resources.ModelResource):
    """One row = one risk point of ``court``, entered by the office (组织评、集体定、群众提 collected on
    paper). The resource only reads and checks rows: nothing is written here. A real (not dry) run collects
    the checked rows in ``entries`` for :func:`risks.services.enter_risk_points`, which creates each as
    submitted (so the reviewer of its division grades it), with its history and audit entry."""

    level = Field(column_name=RISK_COLUMNS["level"])
    division = Field(column_name=RISK_COLUMNS["division"])
    post = Field(column_name=RISK_COLUMNS["post"])
    power = Field(column_name=RISK_COLUMNS["power"])
    step = Field(column_name=RISK_COLUMNS["step"])
    description = Field(column_name=RISK_COLUMNS["description"])
    manifestations = Field(column_name=RISK_COLUMNS["manifestations"])
    source = Field(column_name=RISK_COLUMNS["source"])
    key_links = Field(column_name=RISK_COLUMNS["key_links"])

    class Meta:
        model = RiskPoint
        fields = list(RISK_COLUMNS)
        import_id_fields = []
        skip_diff = True
        use_bulk = False

    def __init__(self, *, court=None, actor=None, **kwargs):
        super().__init__(**kwargs)
        from .models import KeyLink, Level, PowerStep, Source

        self.court, self.actor = court, actor
        self._divisions = {d.name: d for d in Division.objects.filter(court=court)} if court else {}
        # a cell in either language (the template's Chinese example row imports while the office works in English)
        self._levels = texts.choice_lookup(Level)
        self._sources = texts.choice_lookup(Source)
        self._links = {}
        for link in KeyLink.objects.all():
            self._links.setdefault(link.name, link)
        # The catalogue and the posts of the court, read once (one query per table), not per row (issue 12).
        self._posts = {}
        self._powers = {}
        self._steps = {}
        if court is not None:
            for post in Post.objects.filter(division__court=court).order_by("id"):
                self._posts.setdefault((post.division_id, post.name), post)
            for power in Power.objects.filter(court=court).order_by("sort_order", "id"):
                self._powers.setdefault(power.name, []).append(power)
            for step in PowerStep.objects.filter(power__court=court).order_by("order", "id"):
                self._steps.setdefault((step.power_id, step.name), step)
        self._pending = {}
        self.entries = []  # (unsaved RiskPoint, key links) of a real run, for services.enter_risk_points

    def _value(self, row, key):
        return str(row.get(RISK_COLUMNS[key]) or "").strip()

    def get_or_init_instance(self, instance_loader, row):
        return RiskPoint(court=self.court, owner=self.actor), True

    def import_instance(self, instance, row, **kwargs):
        from .models import Level, Source

        errors = {}

        def fail(key, message):
            errors.setdefault(key, []).append(f"“{RISK_COLUMNS[key]}”：{message}")

        level = self._levels.get(self._value(row, "level"), self._value(row, "level"))
        if level not in Level.values:
            fail("level", _("须为“岗位”“庭室”或“单位”。"))
        instance.level = level
        division_name = self._value(row, "division")
        division = self._divisions.get(division_name) if division_name else None
        if division_name and division is None:
            fail("division", _("本院没有“%(name)s”。") % {"name": division_name})
        if level in (Level.POST, Level.DIVISION) and not division_name:
            fail("division", _("岗位和庭室风险点必须填写庭室。"))
        instance.division = division if level != Level.COURT else None
        post_name = self._value(row, "post")
        instance.post = None
        if level == Level.POST:
            if not post_name:
                fail("post", _("岗位风险点必须填写岗位。"))
            elif division is not None:
                instance.post = self._posts.get((division.pk, post_name))
                if instance.post is None:
                    fail("post", _("%(division)s没有“%(post)s”岗位。") % {"division": division.name, "post": post_name})
        power_name = self._value(row, "power")
        instance.power = instance.step = None
        if power_name:
            powers = self._powers.get(power_name, [])
            if division is not None:
                # the division's own before a court-level one of the same name (the catalogue's order)
                powers = [p for p in powers if p.division_id == division.pk] + [
                    p for p in powers if p.division_id is None
                ]
            instance.power = powers[0] if powers else None
            if instance.power is None:
                fail("power", _("本院职权目录中没有“%(name)s”。") % {"name": power_name})
        step_name = self._value(row, "step")
        if step_name and instance.power is not None:
            instance.step = self._steps.get((instance.power.pk, step_name))
            if instance.step is None:
                fail("step", _("职权“%(power)s”没有“%(step)s”环节。") % {"power": power_name, "step": step_name})
        for key in ("description", "manifestations"):
            value = self._value(row, key)
            if not value:
                fail(key, _("不能为空。"))
            elif len(value) > TEXT_LIMIT:
                fail(key, _("不能超过%(n)d个字。") % {"n": TEXT_LIMIT})
            setattr(instance, key, value)
        source = self._value(row, "source") or Source.ORGANISATION
        instance.source = self._sources.get(source, source)
        if instance.source not in Source.values:
            fail("source", _("须为以下之一：%(list)s。") % {"list": texts.labels(Source)})
        links = []
        for name in filter(None, (n.strip() for n in self._value(row, "key_links").replace(",", "、").split("、"))):
            if name in self._links:
                links.append(self._links[name])
            else:
                fail("key_links", _("没有名为“%(name)s”的重点环节。") % {"name": name})
        self._pending[id(instance)] = links
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            try:
                # The field checks of full_clean without its query per foreign key: the related rows were
                # read with the resource (court, catalogue, posts), the service checks them again in bulk.
                instance.clean_fields(exclude=REFERENCES)
                instance.clean()
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    label = RISK_COLUMNS.get(field, field)
                    errors.setdefault(field, []).extend(f"“{label}”：{m}" for m in messages)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Writes nothing: the one write path is ``services.enter_risk_points``, called with ``entries``."""
        if not self._is_dry_run(kwargs):
            self.entries.append((instance, self._pending.pop(id(instance), [])))

    def save_m2m(self, instance, row, **kwargs):
        pass


def risk_template() -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(RISK_COLUMNS.values()))
    dataset.append([RISK_EXAMPLE[k] for k in RISK_COLUMNS])
    return dataset
