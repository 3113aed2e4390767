"""Every shipped catalogue is complete and compiled: no untranslated or fuzzy entry, and each .mo
holds every message of its .po (so no gettext tools are needed at set-up)."""

import ast
import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.rglob("locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def _unquote(lines):
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path):
    """(msgid, msgstr, flags) for each entry; only the forms our catalogues use (no plurals/contexts)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        flags = {f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")}
        key, current = None, {}
        for line in lines:
            match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                key = match.group(1)
                current[key] = [match.group(2)]
            elif line.startswith('"') and key:
                current[key].append(line)
        if "msgid" in current:
            msgstr = current.get("msgstr") or current.get("msgstr[0]") or ['""']
            context = _unquote(current["msgctxt"]) + "\x04" if "msgctxt" in current else ""
            entries.append((context + _unquote(current["msgid"]), _unquote(msgstr), flags))
    return entries


def test_there_are_catalogues():
    assert any(p.parts[-4] == "locale" and p.parent.parent.name == "en" for p in CATALOGUES)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po):
    entries = [e for e in parse_po(po) if e[0]]
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"untranslated in {po}: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy in {po}: {fuzzy[:5]}"
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    stale = [msgid for msgid, _, _ in entries if msgid not in compiled and (msgid, 0) not in compiled]
    assert not stale, f"{po.with_suffix('.mo')} is older than its .po (run compilemessages): {stale[:5]}"


def test_one_msgid_has_one_translation_across_catalogues():
    """Django merges every app's catalogue into one: a msgid translated differently in two catalogues shows
    one of them everywhere (等级 would read "Grade" on the warnings page). Where one Chinese word needs two
    English ones, the code says which with a context (``pgettext``, ``{% trans … context … %}``)."""
    seen = {}
    for po in CATALOGUES:
        for msgid, msgstr, _ in parse_po(po):
            if msgid and msgstr:
                seen.setdefault((po.parts[-3], msgid), {}).setdefault(msgstr, []).append(str(po.relative_to(ROOT)))
    conflicts = {f"{key[1]!r} ({key[0]})": translations for key, translations in seen.items() if len(translations) > 1}
    assert not conflicts, "translated differently in different catalogues:\n" + "\n".join(
        f"{msgid}: {translations}" for msgid, translations in sorted(conflicts.items())
    )


def test_the_contexts_keep_the_two_meanings_apart():
    """The ambiguous words render as meant, in one merged English catalogue."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("en"):
        assert gettext("等级") == "Grade" and pgettext("预警", "等级") == "Level"
        assert gettext("类别") == "Kind" and pgettext("防控措施", "类别") == "Category"
        assert gettext("期限") == "Deadline" and pgettext("职权", "期限") == "Time limit"
        assert gettext("撤销理由") == "Reason for retiring" and pgettext("撤销完成", "撤销理由") == "Reason for undoing"
        assert gettext("对象") == "Object" and pgettext("完成对象", "对象") == "Unit"


SOURCE_SKIP = {".venv", "node_modules", ".git", "static", "docs", "bench", "tests", "var", "screenshots", "__pycache__"}


def _copy_source(target: Path):
    """The project's code and templates without any catalogue: ``makemessages`` then writes fresh ones, each
    into the ``locale`` directory of its app (as it would in the checkout), and nothing in the checkout changes."""
    import shutil

    def ignore(directory, names):
        return [n for n in names if n in SOURCE_SKIP or n.endswith((".po", ".mo", ".pyc"))]

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=False)


def test_every_message_in_the_code_has_english(tmp_path):
    """``makemessages`` over a copy of the code and templates finds every ``gettext``/``pgettext``/``{% trans %}``
    text; each must have a non-empty, non-fuzzy English entry in the shipped catalogues (merged at run time,
    so any app's catalogue may hold it). A new Chinese text without English fails here, not on an English page."""
    import os
    import subprocess
    import sys

    copy = tmp_path / "src"
    _copy_source(copy)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # no LOCALE_PATHS of the checkout
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "--no-location", "--no-wrap"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {}
    for po in copy.rglob("locale/en/LC_MESSAGES/django.po"):
        for msgid, _msgstr, _flags in parse_po(po):
            if msgid:
                extracted.setdefault(msgid, str(po.parent.parent.parent.parent.relative_to(copy)))
    assert len(extracted) > 1000, "makemessages found too few messages: is the copy complete?"
    translated = {
        msgid for po in CATALOGUES for msgid, msgstr, flags in parse_po(po) if msgid and msgstr and "fuzzy" not in flags
    }
    missing = sorted((app, msgid) for msgid, app in extracted.items() if msgid not in translated)
    assert not missing, f"{len(missing)} messages have no English (add them to the app's django.po):\n" + "\n".join(
        f"{app}: {msgid!r}" for app, msgid in missing[:40]
    )
