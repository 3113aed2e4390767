"""Evidence and rule files: allowed types, size limit, sanitised names. Files live under MEDIA_ROOT
(outside the web root) and are served only through permission-checked views."""

import re
import unicodedata
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".wps",
    ".ofd",
    ".txt",
}
MAX_BYTES = 20 * 1024 * 1024


def clean_name(name: str) -> str:
    """Keep letters (Chinese too), digits, dot, dash, underscore; no path parts, no leading dots."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\-]+", "_", base).strip("._") or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    return (stem[:80] + ("." + ext.lower()[:8] if ext else "")) or "file"


def check_upload(upload) -> str:
    """Validate an uploaded file; return its sanitised name. Raises ValidationError in Chinese."""
    if upload is None:
        raise ValidationError({"file": _("请选择要上传的文件。")})
    name = clean_name(getattr(upload, "name", ""))
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": _("不支持的文件类型“%(ext)s”：只接受 PDF、图片、Office 文档和文本文件。")
                % {"ext": suffix or _("无扩展名")}
            }
        )
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationError({"file": _("文件是空的。")})
    if size > MAX_BYTES:
        raise ValidationError(
            {
                "file": _("文件过大（%(mb).1f MB），上限为 %(max)d MB。")
                % {"mb": size / 1048576, "max": MAX_BYTES // 1048576}
            }
        )
    return name


def stored_path(folder: str, filename: str) -> str:
    """A path under MEDIA_ROOT that no one can guess or collide with."""
    return f"{folder}/{uuid.uuid4().hex[:12]}_{clean_name(filename)}"
