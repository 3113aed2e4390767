"""PDF rendering with WeasyPrint, for commitment letters and any other printable page (post power statements).

Three guards stand between user text and the machine:

1. **Escaping.** Documents are Django templates with autoescaping on; user text is only ever text.
2. **A fetcher of our own** (:class:`AllowListFetcher`). It serves the files of an allow-list (the PDF
   stylesheets under ``commitments/static/commitments/pdf/``) from disk under the made-up scheme
   ``hkstatic:``, follows no redirect and refuses everything else — ``file:``, ``http(s):``, ``ftp:``,
   ``data:`` — recording each refusal. Fonts are the distribution's, found by fontconfig by family name,
   never fetched.
3. **A time and memory cap.** Each render runs in a forked child process (cheap: the parent has
   WeasyPrint and the fonts warm) with an address-space limit — :func:`hkcourt.org.sandbox.run_capped`,
   the one fork-with-cap the spreadsheet imports use too; the parent kills it when the time is up.
   A hostile document therefore costs at most ``RENDER_TIMEOUT`` seconds and ``RENDER_MEMORY_MB`` of
   memory, and never takes the web or Celery worker down with it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
# WeasyPrint reports every step at INFO ("Step 2 - Fetching and parsing CSS"): not for the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

SCHEME = "hkstatic:"
PDF_STATIC_DIR = Path(__file__).resolve().parent / "static" / "commitments" / "pdf"
FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA", "HanaMinB", serif'


def _allow_list() -> dict[str, Path]:
    """``hkstatic:/commitments/pdf/<name>`` → the file, for every file shipped in the PDF static folder."""
    allowed = {}
    for path in sorted(PDF_STATIC_DIR.iterdir()):
        real = path.resolve()
        if real.is_file() and real.parent == PDF_STATIC_DIR:
            allowed[f"{SCHEME}/commitments/pdf/{path.name}"] = real
    return allowed


ALLOWED = _allow_list()
MEDIA_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class RenderRefused(ValueError):
    """A URL outside the allow-list."""


_fetcher_class = None


def AllowListFetcher(allowed=None):  # noqa: N802 - a class factory: WeasyPrint is imported on first use only
    """A fetcher that serves only :data:`ALLOWED` from disk and refuses (and records) every other URL: no
    network, no ``file:``, no ``data:``, no redirect. WeasyPrint needs a ``URLFetcher`` subclass."""
    global _fetcher_class
    if _fetcher_class is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class _AllowListFetcher(URLFetcher):
            def __init__(self, allowed=None):
                super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
                self.allowed = ALLOWED if allowed is None else allowed
                self.refused: list[str] = []
                self.served: list[str] = []

            def fetch(self, url, headers=None):
                path = self.allowed.get(url)
                if path is None:
                    self.refused.append(url[:300])
                    raise RenderRefused(f"refused: {url[:100]}")
                self.served.append(url)
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": MEDIA_TYPES.get(path.suffix, "text/plain")}
                )

            def open(self, url, data=None, timeout=None):  # never reached through urllib's handlers
                return self.fetch(url if isinstance(url, str) else url.full_url)

        _fetcher_class = _AllowListFetcher
    return _fetcher_class(allowed)


class RenderError(RuntimeError):
    """The document could not be rendered (too slow, too big, or WeasyPrint failed)."""


@dataclass
class RenderResult:
    pdf: bytes
    refused: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _limits():
    timeout = float(getattr(settings, "COMMITMENTS_RENDER_TIMEOUT", 20))
    memory_mb = int(getattr(settings, "COMMITMENTS_RENDER_MEMORY_MB", 1024))
    return timeout, memory_mb


def _write_pdf(html: str) -> tuple[bytes, list[str], list[str]]:
    from weasyprint import HTML

    fetcher = AllowListFetcher()
    pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    return pdf, fetcher.refused, fetcher.served


_warm = False
# Every face the documents use (serif regular and bold, sans), through the real stylesheet.
WARM_UP_HTML = (
    '<html><head><link rel="stylesheet" href="hkstatic:/commitments/pdf/document.css"></head><body>'
    '<h1 class="doc-title">承诺书</h1><h2>一、预热</h2><p>正文，。<b>粗体</b> <span class="label">标签</span>'
    '<span class="code">ABCD-0123</span> 2026</p><table class="doc"><tr><th>表</th><td>格</td></tr></table>'
    "</body></html>"
)


def _warm_up():
    """Render one trusted page in this process so that fontconfig and the CJK fonts are loaded before
    forking: every child then starts warm (about 0.2 s per letter instead of 0.5 s)."""
    global _warm
    if not _warm:
        _warm = True
        try:
            _write_pdf(WARM_UP_HTML)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            log.exception("PDF warm-up failed")


def _write_pdf_reporting(html: str):
    """Runs in the sandbox's child: WeasyPrint's own failures come back as a message (the type and the first
    200 characters), a :class:`MemoryError` is left to the sandbox, which reports it as ``memory``."""
    try:
        return ("ok", *_write_pdf(html))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - everything goes back to the parent as a message
        return ("error", f"{type(exc).__name__}: {str(exc)[:200]}", [], [])


def render_pdf(html: str, *, timeout: float | None = None, memory_mb: int | None = None) -> RenderResult:
    """Render ``html`` (already escaped: build it with a Django template) to PDF bytes in a child process
    limited to ``timeout`` seconds and ``memory_mb`` more megabytes (:func:`hkcourt.org.sandbox.run_capped`,
    the same fork-with-cap the imports use). Raises :class:`RenderError`."""
    from hkcourt.org.sandbox import LimitExceeded, run_capped

    default_timeout, default_memory = _limits()
    timeout = default_timeout if timeout is None else timeout
    memory_mb = default_memory if memory_mb is None else memory_mb
    _warm_up()
    started = time.monotonic()
    try:
        status, first, refused, served = run_capped(_write_pdf_reporting, html, memory_mb=memory_mb, timeout=timeout)
    except LimitExceeded as exc:
        if exc.reason == "time":
            raise RenderError(f"render exceeded {timeout:.0f} s and was stopped") from exc
        if exc.reason == "memory":
            raise RenderError("render failed: memory") from exc
        raise RenderError("renderer process ended without a result") from exc
    except Exception as exc:  # noqa: BLE001 - the result could not come back (unpicklable, broken pipe)
        raise RenderError(f"render failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
    seconds = time.monotonic() - started
    if status != "ok":
        raise RenderError(f"render failed: {first}")
    if refused:
        log.info("PDF render refused %d URL(s): %s", len(refused), refused[:5])
    return RenderResult(pdf=first, refused=refused, served=served, seconds=seconds)


def render_document(template_name: str, context: dict, **limits) -> RenderResult:
    """Render a Django template (autoescaped) to PDF through the guarded renderer."""
    from django.utils import translation

    context = {"font_stack": FONT_STACK, "pdf_css": f"{SCHEME}/commitments/pdf/document.css", **context}
    with translation.override("zh-hans"):  # printed documents are Chinese, whatever the UI language
        html = render_to_string(template_name, context)
    return render_pdf(html, **limits)


# ---------------------------------------------------------------- QR code


def qr_svg(data: str) -> str:
    """An inline SVG QR code (segno, pure Python): no file, no URL, nothing to fetch."""
    import segno

    return segno.make(data, error="m").svg_inline(scale=3, border=2, dark="#000", omitsize=False)
