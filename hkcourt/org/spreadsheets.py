"""What every import and export of a spreadsheet shares: reading a CSV as Chinese offices save it, and
neutralising cells that a spreadsheet would run as a formula (CSV injection)."""

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
