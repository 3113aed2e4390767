"""Hostile workbooks (issue 11, finding 4): a 5 KB .xlsx whose <dimension> claims A1:XFD1048576, or that carries
a hundred thousand empty rows, must not make the import materialise them. Rows are streamed with a column cap,
reading stops at the row cap and at a run of blank rows, and the declared dimension is ignored. The memory
figures are taken in this process (``_read_file``); the import itself reads in a capped child process
(``read_file``, hkcourt/org/sandbox.py: tests/security/test_review.py)."""

import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from risks import resources

HEADERS = ["风险点描述", "主要表现形式"]


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
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
            target.writestr(item, data)
    return out.getvalue()


def _peak_mib(function):
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_a_declared_dimension_of_the_whole_sheet_is_ignored():
    bomb = _rewrite_sheet(
        _workbook([["以案谋私", "收受财物"]]),
        lambda xml: re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml),
    )
    assert (
        len(bomb) < 10_000
        and "XFD1048576" in zipfile.ZipFile(io.BytesIO(bomb)).read("xl/worksheets/sheet1.xml").decode()
    )
    dataset, peak = _peak_mib(lambda: resources._read_file("bomb.xlsx", bomb))
    assert dataset.headers == HEADERS and len(dataset) == 1
    assert peak < 32, f"reading a 10 KB workbook took {peak:.0f} MiB"


def test_a_far_cell_does_not_widen_every_row():
    """One cell in column XFD (16,384) must not turn each row into 16,384 cells."""
    rows = [[f"风险{i}", "表现"] for i in range(500)]
    content = _rewrite_sheet(
        _workbook(rows),
        lambda xml: xml.replace(
            "</sheetData>", '<row r="600"><c r="XFD600" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )
    dataset, peak = _peak_mib(lambda: resources._read_file("wide.xlsx", content))
    assert len(dataset) == 500 and dataset.headers == HEADERS
    assert peak < 32, f"{peak:.0f} MiB"


def test_a_hundred_thousand_empty_rows_stop_at_a_blank_run():
    empty = "".join(f'<row r="{n}"/>' for n in range(3, 100_003))
    content = _rewrite_sheet(
        _workbook([["以案谋私", "收受财物"]]),
        lambda xml: xml.replace(
            "</sheetData>",
            empty + '<row r="100003"><c r="A100003" t="inlineStr"><is><t>尾</t></is></c></row></sheetData>',
        ),
    )
    dataset = resources.read_file("blank.xlsx", content)
    assert len(dataset) == 1  # the row after the long blank run is not read


def test_more_rows_than_the_cap_are_refused_without_reading_the_rest():
    content = _workbook([[f"风险{i}", "表现"] for i in range(resources.MAX_ROWS + 50)])
    with pytest.raises(resources.ImportFileError, match=str(resources.MAX_ROWS)):
        resources.read_file("many.xlsx", content)
