"""Issue 11, the review's remaining items: the Content-Security-Policy and templates without inline script or
<style>; the API schema, its docs and /healthz's details closed to anonymous visitors; public links from
PUBLIC_BASE_URL, never the Host header; start-up checks for production; /verify/ streams an upload under a
size cap; the public pages' per-address rate limits and request-size caps; imports read under a memory cap."""

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core import checks
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from commitments.models import LetterState
from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import Court
from risks import resources, services
from risks.models import PublicFeedback, RiskPoint
from tests.requires import require_tool

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE_DIRS = [p for p in ROOT.rglob("templates") if p.is_dir() and not {".venv", "node_modules"} & set(p.parts)]

# ---------------------------------------------------------------- Content-Security-Policy


def _csp(response) -> dict:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def test_every_page_carries_a_content_security_policy(client, login_as):
    for response in (client.get(reverse("login")), client.get(reverse("commitments:verify"))):
        policy = _csp(response)
        assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
        assert policy["style-src-elem"] == ["'self'"]  # no <style> element
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["default-src"] == ["'self'"] and policy["form-action"] == ["'self'"]
    login_as("office_demo")
    assert "script-src 'self'" in client.get(reverse("home"))["Content-Security-Policy"]


def _templates():
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if "pdf" in path.relative_to(folder).parts:
                continue  # rendered by WeasyPrint into a PDF, never served to a browser
            yield path


INLINE = [
    ("inline <script>", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)),
    ("<style> element", re.compile(r"<style[\s>]", re.I)),
    ("inline event handler", re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]


def test_no_template_has_what_the_policy_would_block():
    found = []
    paths = list(_templates())
    assert len(paths) > 50
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:40]}")
    assert not found, "\n".join(found)


def test_behaviour_moved_to_the_static_script_still_renders(client, login_as):
    """The language switch and the print buttons ask for their behaviour by data attribute."""
    page = client.get(reverse("login")).content.decode()
    assert "data-autosubmit" in page and "js/hkcourt.js" in page and "includeIndicatorStyles" in page


# ---------------------------------------------------------------- closed to anonymous visitors


def test_the_api_schema_and_docs_need_a_signed_in_person(client, login_as):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    login_as("staff_demo")
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert not INLINE[0][1].search(re.sub(r"<script[^>]*src=[^>]*>", "", docs.content.decode()))


def test_healthz_tells_anonymous_only_ok_or_not(client, login_as, settings):
    response = client.get("/healthz")
    assert response.status_code == 200 and json.loads(response.content) == {"status": "ok"}
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    assert json.loads(client.get("/healthz").content) == {"status": "not ok"}
    login_as("staff_demo")
    assert json.loads(client.get("/healthz").content) == {"status": "not ok"}
    login_as("admin")
    details = json.loads(client.get("/healthz").content)
    assert details["status"] == "degraded" and details["broker"]["ok"] is False and details["database"]["ok"]


# ---------------------------------------------------------------- the public address and start-up checks


def test_the_verify_link_on_a_signed_letter_comes_from_public_base_url(
    client, settings, letter_of, demo_user, committed
):
    settings.PUBLIC_BASE_URL = "https://lianzheng.court.example"
    settings.ALLOWED_HOSTS = ["attacker.example", "testserver"]
    letter = letter_of("staff_demo")
    client.force_login(letter.signer)
    committed(  # the PDF is rendered by the task the signature queues after it commits
        lambda: client.post(
            reverse("commitments:sign", args=[letter.pk]),
            {"password": DEMO_PASSWORD, "confirm": "on"},
            HTTP_HOST="attacker.example",
        )
    )
    letter.refresh_from_db()
    assert letter.state == LetterState.SIGNED
    path = Path(letter.documents.get().file.path)
    text = subprocess.run(
        [require_tool("pdftotext"), "-enc", "UTF-8", "-raw", str(path), "-"], capture_output=True, text=True
    ).stdout
    assert "https://lianzheng.court.example/verify/" in text.replace("\n", "")
    assert "attacker" not in text


def _ids(messages):
    return {m.id for m in messages}


def test_start_up_checks_warn_about_an_empty_proxy_list_and_refuse_no_public_address(settings):
    settings.DEBUG = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.RISKS_TRUSTED_PROXIES = ()
    settings.PUBLIC_BASE_URL = ""
    found = checks.run_checks(tags=[checks.Tags.security])
    assert {"hkcourt.W001", "hkcourt.E001"} <= _ids(found)
    assert next(m for m in found if m.id == "hkcourt.W001").level == checks.WARNING
    settings.RISKS_TRUSTED_PROXIES = ("10.0.0.2",)
    settings.PUBLIC_BASE_URL = "https://lianzheng.court.example"
    assert not {"hkcourt.W001", "hkcourt.E001"} & _ids(checks.run_checks(tags=[checks.Tags.security]))
    settings.SECURE_PROXY_SSL_HEADER = None  # development: no proxy, the request's address is used
    settings.PUBLIC_BASE_URL = ""
    settings.RISKS_TRUSTED_PROXIES = ()
    assert not {"hkcourt.W001", "hkcourt.E001"} & _ids(checks.run_checks(tags=[checks.Tags.security]))


# ---------------------------------------------------------------- /verify/: streamed, capped, rate-limited


class _CountingStream(io.RawIOBase):
    """A request body that counts what the server reads of it."""

    def __init__(self, size):
        self.size, self.read_bytes = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"\0" * n
        self.read_bytes += n
        return n


def test_an_upload_over_the_cap_is_refused_before_its_body_is_read(client, db):
    body = _CountingStream(60 * 1024 * 1024)
    response = client.generic(
        "POST",
        reverse("commitments:verify"),
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": io.BufferedReader(body)},
    )
    assert response.status_code == 413
    assert "过大" in response.content.decode()
    assert body.read_bytes == 0


def test_the_upload_is_hashed_as_it_arrives_and_still_verifies(client, letter_of, sign):
    letter = sign(letter_of("staff_demo"))
    data = letter.documents.get().file.read()
    page = client.post(reverse("commitments:verify"), {"file": SimpleUploadedFile("a.pdf", data, "application/pdf")})
    assert "验证通过" in page.content.decode()
    # bigger than the in-memory upload limit (2.5 MB), smaller than the cap: hashed, not stored, not found
    big = client.post(
        reverse("commitments:verify"),
        {"file": SimpleUploadedFile("b.pdf", data + b"\0" * 3_000_000, "application/pdf")},
    )
    assert big.status_code == 200 and "验证未通过" in big.content.decode()


def test_verify_and_the_public_page_are_rate_limited_per_address(client, settings, db):
    cache.clear()
    settings.HKCOURT_RATE_LIMITS = {"verify": (3, 60), "public": (2, 60)}
    url = reverse("commitments:verify")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "过于频繁" in refused.content.decode()
    assert client.get(url, REMOTE_ADDR="10.9.8.7").status_code == 200  # another visitor has their own count
    public = reverse("risks:public", args=["hgzy"])
    assert [client.get(public).status_code for _ in range(3)] == [200, 200, 429]
    cache.clear()


def test_a_public_post_over_the_size_cap_is_refused_and_stores_nothing(client, db):
    cache.clear()
    before = PublicFeedback.objects.count()
    response = client.post(reverse("risks:public", args=["hgzy"]), {"text": "意见" * 40_000, "contact": ""})
    assert response.status_code == 413
    assert PublicFeedback.objects.count() == before


# ---------------------------------------------------------------- imports under a memory cap


def _workbook(rows, headers=("风险点描述", "主要表现形式", "层级")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_reads_its_file_under_the_memory_cap(demo_user, settings):
    """A 60 MB cell under a 32 MB cap: the import is refused with the cap's message, nothing written."""
    settings.HKCOURT_IMPORT_MEMORY_MB = 32
    before = RiskPoint.objects.count()
    outcome = services.import_risk_points(
        actor=demo_user("office_demo"),
        court=Court.objects.get(code="hgzy"),
        filename="small.xlsx",
        content=_huge_cell_workbook(60),
        commit=True,
    )
    assert "限定的内存" in outcome.file_error
    assert RiskPoint.objects.count() == before


ROSTER_HEADERS = ("单位代码", "姓名", "登录名")


def _huge_cell_workbook(megabytes: int, headers=("风险点描述", "主要表现形式", "层级")) -> bytes:
    """A workbook of a few hundred KB holding one cell of ``megabytes`` MB (deflate squeezes repeats)."""
    plain = _workbook([["x", "y", "岗位"]], headers=headers)
    source, out = zipfile.ZipFile(io.BytesIO(plain)), io.BytesIO()
    cell = "A" * (megabytes * 1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.decode().replace(
                    "</sheetData>", f'<row r="3"><c r="A3" t="inlineStr"><is><t>{cell}</t></is></c></row></sheetData>'
                )
                data = data.encode()
            target.writestr(item.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("reader", ["risks", "roster"])
def test_a_cell_of_hundreds_of_megabytes_stops_at_the_cap(settings, reader):
    from hkcourt.org.resources import RosterFileError, load_roster_file

    settings.HKCOURT_IMPORT_MEMORY_MB = 256
    content = _huge_cell_workbook(300, headers=ROSTER_HEADERS) if reader == "roster" else _huge_cell_workbook(300)
    assert len(content) < resources.MAX_BYTES
    if reader == "risks":
        with pytest.raises(resources.ImportFileError, match="限定的内存"):
            resources.read_file("bomb.xlsx", content)
    else:
        with pytest.raises(RosterFileError, match="限定的内存"):
            load_roster_file("bomb.xlsx", content)
