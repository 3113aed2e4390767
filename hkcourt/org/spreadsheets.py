"""What every import and export of a spreadsheet shares: reading a CSV as Chinese offices save it, and
neutralising cells that a spreadsheet would run as a formula (CSV injection), and streaming a workbook's
rows within caps (a hostile .xlsx is small on disk and huge when read naively)."""

import io

# OWASP's list: a cell starting with one of these is read as a formula by Excel/WPS/LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe and stays plain text."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312, what Excel on a
    Chinese Windows saves). Raises UnicodeDecodeError when it is neither."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def xlsx_rows(content: bytes, *, max_columns: int, max_rows: int, max_blank_run: int):
    """The first sheet's rows as lists of stripped strings, streamed: never more than ``max_columns`` cells a
    row (a far cell or a ``<dimension>`` claiming the whole sheet does not widen every row), never more than
    ``max_rows`` non-blank rows (the caller sees the cap was reached when it gets ``max_rows`` of them), and
    reading stops at a run of ``max_blank_run`` blank rows (formatted but empty rows at the end of a sheet).
    Raises whatever openpyxl raises for a file that is not a workbook; callers turn that into their message."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # ignore the declared <dimension>: read what the file holds
        taken = blank_run = 0
        for values in sheet.iter_rows(max_col=max_columns, values_only=True):
            row = ["" if v is None else str(v).strip() for v in values[:max_columns]]
            while row and not row[-1]:
                row.pop()  # the cap pads every row to max_columns: trailing blanks are not columns
            if not row:
                blank_run += 1
                if blank_run >= max_blank_run:
                    return
                continue
            blank_run = 0
            yield row
            taken += 1
            if taken >= max_rows:
                return
    finally:
        book.close()
