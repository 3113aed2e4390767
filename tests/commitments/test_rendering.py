"""The real renderer (WeasyPrint, no mocks) against hostile text: nothing fetched, text shown as text, lines
broken, fonts embedded, time capped."""

import os
import re
import subprocess
import time

import pytest

from commitments import rendering, services
from tests.requires import require_tool

pytestmark = pytest.mark.django_db

RARE = "㐃䶮堃赟喆犇淼昇"  # Extension A and rare BMP ideographs, as in people's names
FULL_WIDTH = "，。！？：；“”【】（）《》—…"
LONG_WORD = "A" * 300


def hostile(url):
    return (
        f'<img src="file:///etc/passwd"><link rel="stylesheet" href="{url}/evil.css">'
        f"<script>alert(1)</script><style>@import url({url}/import.css);</style>"
        f'<div style="background:url({url}/bg.png)">x</div><iframe src="{url}/frame"></iframe>'
    )


def pdf_text(data, tmp_path, layout=False):
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    args = [require_tool("pdftotext"), "-enc", "UTF-8", "-layout" if layout else "-raw", str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode()


def pdffonts(data, tmp_path):
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    require_tool("pdffonts")
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode().splitlines()
    return [line.split() for line in lines[2:] if line.strip()]


def test_hostile_letter_renders_as_text_and_fetches_nothing(letter_of, demo_user, trap_server, tmp_path):
    letter = letter_of("staff_demo")
    evil = hostile(trap_server.url)
    letter.body["risks"][0]["description"] = evil + RARE + FULL_WIDTH
    letter.body["risks"][0]["manifestations"] = LONG_WORD
    letter.body["signer_name"] = f'<img src="{trap_server.url}/name.png">王晓东'
    letter.body["before"] = [f"模板正文 {evil}"]  # the office's template text is user text too
    letter.save()
    letter = services.update_supplement(actor=demo_user("staff_demo"), letter=letter, text=evil + "\n" + LONG_WORD)

    result = services.render_letter(letter)

    assert result.pdf.startswith(b"%PDF")
    assert result.refused == []  # escaped: WeasyPrint never even saw a URL from the user's text
    assert result.served == ["hkstatic:/commitments/pdf/document.css"]
    assert trap_server.requests == []
    text = pdf_text(result.pdf, tmp_path)
    flat = "".join(text.splitlines())  # the PDF breaks lines anywhere inside a long run
    assert '<img src="file:///etc/passwd">' in flat  # shown as text
    assert f'<link rel="stylesheet" href="{trap_server.url}/evil.css">' in flat
    assert "root:" not in text
    assert RARE in flat and "【】（）《》" in flat  # every glyph found (a missing glyph would not map back)
    # Very long words break inside the text block: no line holds more than a line's width of them.
    longest = max(len(run) for line in pdf_text(result.pdf, tmp_path, layout=True).splitlines() for run in line.split())
    assert longest < 60
    assert text.count("A") >= 600


def test_fetcher_refuses_everything_outside_the_allow_list(trap_server):
    html = (
        "<html><head>"
        f'<link rel="stylesheet" href="{trap_server.url}/a.css">'
        '<link rel="stylesheet" href="hkstatic:/commitments/pdf/document.css">'
        '<link rel="stylesheet" href="hkstatic:/commitments/pdf/../../../../../../etc/passwd">'
        f"<style>@import url({trap_server.url}/b.css);"
        f" @font-face {{ font-family: x; src: url({trap_server.url}/f.ttf) }}"
        " p { font-family: x }</style></head><body>"
        '<img src="file:///etc/passwd"><img src="data:image/png;base64,iVBORw0KGgo=">'
        f'<img src="https://{trap_server.url[7:]}/c.png"><p>正文</p></body></html>'
    )
    result = rendering.render_pdf(html)
    assert result.pdf.startswith(b"%PDF")
    assert trap_server.requests == []
    assert result.served == ["hkstatic:/commitments/pdf/document.css"]
    refused = " ".join(result.refused)
    for fragment in ("/a.css", "/b.css", "/f.ttf", "file:///etc/passwd", "data:image/png", "/c.png", "etc/passwd"):
        assert fragment in refused, fragment


def test_render_time_is_capped_and_the_child_is_reaped():
    html = "<html><body>" + "<table>" * 4000 + "<p>深</p>" * 20000 + "</body></html>"
    started = time.monotonic()
    with pytest.raises(rendering.RenderError, match="exceeded"):
        rendering.render_pdf(html, timeout=0.5)
    assert time.monotonic() - started < 3
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_memory_is_capped():
    # 64 MB more than the child starts with cannot hold this document's layout.
    html = "<html><body>" + "<p>内存</p>" * 60000 + "</body></html>"
    with pytest.raises(rendering.RenderError):
        rendering.render_pdf(html, memory_mb=64, timeout=60)


def test_signed_pdf_embeds_only_embedded_fonts_and_carries_code_and_qr(letter_of, sign, tmp_path):
    letter = sign(letter_of("staff_demo"))
    data = letter.documents.get().file.read()
    fonts = pdffonts(data, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert any("Noto-Serif-CJK-SC" in row[0] for row in fonts)
    text = pdf_text(data, tmp_path)
    assert letter.verification_code in text and "http://testserver/verify/" in text
    assert "个人廉政风险防范承诺书" in text and "王晓东" in text and "违规采取诉讼保全措施" in text
    info = subprocess.run([require_tool("pdfinfo"), "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89" in info  # A4


def test_a_signer_name_beyond_the_bmp_is_drawn_not_boxed(letter_of, sign, demo_user, tmp_path):
    """Noto CJK has no glyph for most of Extension B (U+20000 𠀀, U+2A6A5 𪚥): the html font stack falls back to
    Hanazono (fonts-hanazono: HanaMinA, HanaMinB), embedded like the others, and the text maps back to the name
    (a .notdef box would not: both boxes come back as the same character)."""
    from hkcourt.org.models import Person

    name = "王𠀀𪚥"
    Person.objects.filter(user=demo_user("staff_demo")).update(full_name=name)
    data = sign(letter_of("staff_demo")).documents.get().file.read()
    fonts = pdffonts(data, tmp_path)
    assert any("HanaMin" in row[0] for row in fonts), fonts  # drawn from the fallback font
    assert all(row[-5] == "yes" for row in fonts), fonts
    assert f"{name}（电子签订）" in "".join(pdf_text(data, tmp_path).split())


def test_draft_preview_is_marked_and_has_no_code(letter_of, tmp_path):
    text = pdf_text(services.render_letter(letter_of("staff_demo")).pdf, tmp_path)
    assert "样稿" in text and "验证码：" not in text
    assert not re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)


def test_every_font_family_of_the_printed_documents_falls_back_to_hanazono():
    """A heading or table cell naming its own family does not inherit html's fallbacks: each declaration in the
    PDF stylesheet (and the stack put on html) ends with the fonts that cover CJK Extension B-F."""
    css = (rendering.PDF_STATIC_DIR / "document.css").read_text()
    families = re.findall(r"font-family:\s*([^;]+);", css)
    assert len(families) >= 4
    for family in [*families, rendering.FONT_STACK]:
        assert '"HanaMinA", "HanaMinB"' in family, family


def test_a_heading_beyond_the_bmp_is_drawn_not_boxed(client, login_as, judge_post, tmp_path):
    """The post statement's power names are h2 (黑体, their own family): 𠀀 and 𪚥 there come from Hanazono."""
    from django.urls import reverse

    from risks.models import Power

    power = Power.objects.create(
        court=judge_post.division.court, division=judge_post.division, name="𠀀𪚥财产保全", content="裁定"
    )
    power.posts.add(judge_post)
    login_as("staff_demo")
    data = client.get(reverse("commitments:post_statement_pdf", args=[judge_post.pk])).content
    fonts = pdffonts(data, tmp_path)
    assert any("HanaMin" in row[0] for row in fonts), fonts
    assert "𠀀𪚥财产保全" in "".join(pdf_text(data, tmp_path).split())
