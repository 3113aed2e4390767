"""Issue 11, the hostile-input catalogue: forms and imports fed what an attacker or a careless export would send
— script and HTML, NUL bytes, a right-to-left override, 1 MB of text, CJK beyond the BMP, SQL-looking text,
formula cells, a zip bomb, an XML entity bomb, an .exe renamed .xlsx, GBK labelled UTF-8, a 100,000-row file,
duplicate rows, missing columns, impossible dates, other courts' ids. Each gets a clear 4xx or a row-level
error, never a 5xx, and the database is unchanged where the input was rejected; what is accepted is stored as
typed and shown escaped.

(The REST API's hostile cases are tests/api/test_hostile.py.)"""

import base64
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from hkcourt.org import services as org_services
from hkcourt.org.models import Court, Person
from risks import services as risk_services
from risks.models import Power, RiskPoint
from workflow.oversight.models import Signal

RTL = "\u202e"
PAYLOADS = {
    "script": '<script>alert("x")</script>',
    "html": '<img src=x onerror=alert(1)><b>粗</b><a href="javascript:alert(1)">链接</a>',
    "nul": "收受财物\x00截断",
    "rtl": f"正常文字{RTL}exe.pdf",
    "megabyte": "廉" * (1024 * 1024 // 3 + 1),
    "beyond_bmp": "𠀀𪚥𠮷𡃁 生僻字",
    "sql": "'; DROP TABLE org_person; --  OR 1=1",
    "formula": '=HYPERLINK("http://evil.example","点击")',
}
REJECTED = {"nul", "megabyte"}  # refused by the form; the others are stored as typed and shown escaped


# ---------------------------------------------------------------- a form: recording a signal (风险信息)


@pytest.fixture
def office(client, login_as):
    login_as("office_demo")
    return client


def _signal_post(client, **overrides):
    court = Court.objects.get(code="hgzy")
    data = {
        "court": court.pk,
        "channel": "petition",
        "severity": "minor",
        "received_on": "2026-11-30",
        "title": "来信反映问题",
        "content": "内容",
    }
    data.update(overrides)
    return client.post(reverse("workflow:signals"), data)


@pytest.mark.parametrize("field", ["title", "content"])
@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_signal_form_text(office, field, payload):
    text = PAYLOADS[payload]
    if field == "title" and payload not in REJECTED:
        text = text[:120]
    before = Signal.objects.count()
    response = _signal_post(office, **{field: text})
    if payload in REJECTED or (field == "title" and len(text) > 120):
        assert response.status_code == 400
        assert Signal.objects.count() == before
        return
    assert response.status_code == 302, response.content.decode()[:500]
    signal = Signal.objects.latest("id")
    assert getattr(signal, field) == text.strip()  # stored exactly as typed (beyond-BMP characters included)
    page = office.get(reverse("workflow:signal", args=[signal.pk])).content.decode()
    assert '<script>alert("x")' not in page and "<img src=x" not in page  # shown escaped
    assert 'href="javascript:' not in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"received_on": "2026-02-30"},  # impossible date
        {"received_on": "99999-01-01"},
        {"received_on": "<script>"},
        {"court": "999999"},  # a court that does not exist
        {"court": "1 OR 1=1"},
        {"channel": "<b>x</b>"},
        {"title": "   "},  # only blanks
    ],
    ids=["feb-30", "year-99999", "script-date", "unknown-court", "sql-court", "html-choice", "blank-title"],
)
def test_signal_form_refuses_impossible_values(office, overrides):
    before = Signal.objects.count()
    assert _signal_post(office, **overrides).status_code == 400
    assert Signal.objects.count() == before


def test_signal_form_refuses_another_courts_division(client, login_as):
    """A basic court's office naming a division of the city court: refused, nothing written."""
    from hkcourt.org.models import Division, RoleAssignment
    from hkcourt.org.roles import Role

    person = Person.objects.exclude(court__code="hgzy").select_related("user", "court").first()
    RoleAssignment.objects.create(user=person.user, role=Role.OFFICE, court=person.court)
    client.force_login(person.user)
    city_division = Division.objects.filter(court__code="hgzy").first()
    before = Signal.objects.count()
    response = _signal_post(client, court=person.court_id, division=city_division.pk)
    assert response.status_code in (400, 403)
    assert Signal.objects.count() == before


# ---------------------------------------------------------------- the public verification page (GET)


@pytest.mark.parametrize("payload", ["script", "nul", "rtl", "megabyte", "sql"])
def test_verify_code_query(client, db, payload):
    response = client.get(reverse("commitments:verify"), {"code": PAYLOADS[payload][:5000]})
    assert response.status_code in (200, 400)
    assert '<script>alert("x")' not in response.content.decode()


# ---------------------------------------------------------------- imports: risk points and the catalogue


def _xlsx(rows, headers=("层面", "庭室", "岗位", "风险点描述", "主要表现形式")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(item.filename, data)
    return out.getvalue()


GOOD = ("岗位", "民事审判庭", "审判员", "利用保全裁定索取财物", "收受当事人财物后违规解除保全")

ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def _zip_bomb() -> bytes:
    cell = "A" * (60 * 1024 * 1024)
    return _rewrite_sheet(
        _xlsx([GOOD]),
        lambda xml: xml.replace(
            "</sheetData>", f'<row r="9"><c r="D9" t="inlineStr"><is><t>{cell}</t></is></c></row></sheetData>'
        ),
    )


def _csv(rows, headers=("层面", "庭室", "岗位", "风险点描述", "主要表现形式"), encoding="utf-8") -> bytes:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


# (id, filename, content factory, expectation): "file" = a file-level error, "rows" = at least one row-level
# error (and nothing written), "ok" = imported (and how many points).
RISK_FILES = [
    ("exe-renamed", "report.xlsx", lambda: b"MZ\x90\x00\x03" + b"\x00" * 4000 + b"This program cannot be run", "file"),
    ("zip-not-xlsx", "x.xlsx", lambda: _zip_of({"hello.txt": b"hi"}), "file"),
    ("xml-entity-bomb", "bomb.xlsx", lambda: _rewrite_sheet(_xlsx([GOOD]), lambda _x: ENTITY_BOMB), "file"),
    ("zip-bomb-cell", "big.xlsx", _zip_bomb, "file"),
    ("old-xls", "old.xls", lambda: b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "file"),
    ("empty", "e.csv", lambda: b"", "file"),
    ("headers-only", "h.csv", lambda: _csv([]), "file"),
    ("missing-columns", "m.csv", lambda: _csv([("利用职权",)], headers=("风险点描述",)), "file"),
    ("100000-rows", "many.csv", lambda: _csv([GOOD] * 100_000), "file"),
    ("gbk-labelled-utf8", "gbk.csv", lambda: _csv([GOOD], encoding="gbk"), "ok"),
    ("not-any-encoding", "bad.csv", lambda: b"\xff\xfe\xfa\xfb" * 50, "file"),
    ("duplicate-rows", "dup.csv", lambda: _csv([GOOD, GOOD]), "ok"),
    # a formula cell without a cached value reads as empty: the row says so
    ("formula-cells-xlsx", "f.xlsx", lambda: _xlsx([(*GOOD[:3], "=1+1", "@SUM(A1)")]), "rows"),
    ("formula-text-csv", "f.csv", lambda: _csv([(*GOOD[:3], "=1+1", "@SUM(A1)")]), "ok"),
    ("nul-in-cell", "n.csv", lambda: _csv([(*GOOD[:3], "收受\x00财物", GOOD[4])]), "file"),
    ("megabyte-cell", "mb.csv", lambda: _csv([(*GOOD[:3], "廉" * 300_000, GOOD[4])]), "file"),
    ("long-cell", "long.csv", lambda: _csv([(*GOOD[:3], "廉" * 5000, GOOD[4])]), "rows"),
    ("unknown-level", "lv.csv", lambda: _csv([("<script>", *GOOD[1:])]), "rows"),
    ("other-courts-division", "o.csv", lambda: _csv([("岗位", "不存在的庭室", "审判员", *GOOD[3:])]), "rows"),
    ("rtl-and-beyond-bmp", "r.csv", lambda: _csv([(*GOOD[:3], f"{RTL}𠀀𪚥 风险", GOOD[4])]), "ok"),
]


def _zip_of(files: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("case", RISK_FILES, ids=[c[0] for c in RISK_FILES])
def test_risk_import(case, demo_user, settings):
    _id, filename, make, expected = case
    settings.HKCOURT_IMPORT_MEMORY_MB = 48
    court = Court.objects.get(code="hgzy")
    before = RiskPoint.objects.count()
    outcome = risk_services.import_risk_points(
        actor=demo_user("office_demo"), court=court, filename=filename, content=make(), commit=True
    )
    if expected == "file":
        assert outcome.file_error and not outcome.committed
        assert RiskPoint.objects.count() == before
    elif expected == "rows":
        assert not outcome.file_error and not outcome.ok
        assert any(not r["ok"] and r["messages"] for r in outcome.rows)
        assert RiskPoint.objects.count() == before
    else:
        assert outcome.ok and outcome.committed, (outcome.file_error, outcome.rows)
        assert RiskPoint.objects.count() == before + outcome.counts["total"]


def test_formula_cells_are_stored_as_text_and_neutralised_on_export(client, demo_user):
    court = Court.objects.get(code="hgzy")
    risk_services.import_risk_points(
        actor=demo_user("office_demo"),
        court=court,
        filename="f.csv",
        content=_csv([(*GOOD[:3], '=HYPERLINK("http://evil")', GOOD[4])]),
        commit=True,
    )
    point = RiskPoint.objects.get(description__startswith="=HYPERLINK")
    client.force_login(demo_user("office_demo"))
    response = client.get(reverse("risks:export"), {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "'=HYPERLINK" in body.decode("utf-8-sig", errors="replace")
    assert point.description.startswith("=HYPERLINK")


def test_the_catalogue_import_refuses_a_hostile_workbook(demo_user):
    before = Power.objects.count()
    outcome = risk_services.import_powers(
        actor=demo_user("office_demo"),
        court=Court.objects.get(code="hgzy"),
        filename="bomb.xlsx",
        content=_rewrite_sheet(_xlsx([("a", "b")], headers=("职权名称", "职权内容")), lambda _x: ENTITY_BOMB),
        commit=True,
    )
    assert outcome.file_error and Power.objects.count() == before


def test_the_import_page_answers_a_renamed_exe_with_a_message(client, demo_user):
    client.force_login(demo_user("office_demo"))
    court = Court.objects.get(code="hgzy")
    response = client.post(
        reverse("risks:import"),
        {
            "court": court.pk,
            "payload": base64.b64encode(b"MZ\x90\x00" + b"\x00" * 100).decode(),
            "filename": "x.xlsx",
            "commit": "1",
        },
    )
    assert response.status_code < 500
    assert "无法读取" in response.content.decode()


# ---------------------------------------------------------------- imports: the roster (花名册)

ROSTER_HEADERS = ("单位代码", "庭室", "岗位", "姓名", "登录名", "角色")


def _roster(rows, headers=ROSTER_HEADERS, encoding="utf-8") -> bytes:
    return _csv(rows, headers=headers, encoding=encoding)


def _entity_bomb(_xml):
    return ENTITY_BOMB


ROSTER_FILES = [
    ("unknown-court-code", lambda: _roster([("nowhere", "民事审判庭", "审判员", "张三", "zhangsan_x", "")]), "rows"),
    ("script-court-code", lambda: _roster([("<script>", "民事审判庭", "审判员", "张三", "zs_x", "")]), "rows"),
    (
        "duplicate-login",
        lambda: _roster([("hgzy", "民事审判庭", "审判员", "张三", "dup_x", "")] * 2),
        "rows",
    ),
    ("missing-columns", lambda: _roster([("张三",)], headers=("姓名",)), "file"),
    ("exe-renamed", lambda: b"MZ\x90\x00" + b"\x00" * 200, "file-xlsx"),
    (
        "xml-entity-bomb",
        lambda: _rewrite_sheet(_xlsx([("hgzy",)], headers=("单位代码",)), lambda _x: ENTITY_BOMB),
        "file-xlsx",
    ),
    (
        "gbk-labelled-utf8",
        lambda: _roster([("hgzy", "民事审判庭", "审判员", "甄士隐", "zhen_x", "")], encoding="gbk"),
        "ok",
    ),
    ("nul-in-name", lambda: _roster([("hgzy", "民事审判庭", "审判员", "张\x00三", "nul_x", "")]), "rows"),
    ("sql-login", lambda: _roster([("hgzy", "民事审判庭", "审判员", "张三", "x' OR '1'='1", "")]), "rows"),
]


@pytest.mark.parametrize("case", ROSTER_FILES, ids=[c[0] for c in ROSTER_FILES])
def test_roster_import(case, demo_user):
    _id, make, expected = case
    filename = "roster.xlsx" if expected == "file-xlsx" else "roster.csv"
    before = Person.objects.count()
    outcome = org_services.import_roster(actor=demo_user("admin"), filename=filename, content=make(), commit=True)
    if expected.startswith("file"):
        assert outcome.file_errors
        assert Person.objects.count() == before
    elif expected == "rows":
        assert not outcome.file_errors
        assert outcome.error_rows
        assert Person.objects.count() == before
    else:
        assert not outcome.has_errors, (outcome.file_errors, [r.errors for r in outcome.error_rows])
        assert Person.objects.count() == before + 1


# The REST API's catalogue (the payloads above as JSON strings, NUL bytes, 1 MB bodies, wrong JSON types and
# content types, malformed and deeply nested JSON, negative, huge and other courts' ids, the wrong state,
# grading one's own point) is tests/api/test_hostile.py: a 4xx of the stable shape, never 500, nothing written.
