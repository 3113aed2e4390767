"""No code outside roles.py names a role by its bare string: roles are tested through ``Role`` members, the
groups in ``hkcourt/org/roles.py`` and the policy's predicates and rules, never ``roles.has("office")``,
``ra.role == "division_head"`` or ``{% if "office" in role_codes %}``.

The scan reads every ``*.py`` and ``*.html`` of the project except migrations, tests and the demo seeders.
It looks for a role's value as a string literal only where it is used as a role: compared (``==``, ``!=``,
``in``), passed to ``has(``/``holds(``/``Role(``, given to a ``role``-named argument or filter, bound to short
aliases, or handed to a template filter. The same word elsewhere (a dict key ``"staff"`` counting people, a
URL ``"admin/"``, a glossary term) is not a role and is left alone.
"""

import re
from pathlib import Path

from hkcourt.org.roles import Role

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "var", "static", "migrations", "tests", "bench", "locale", "__pycache__"}
SKIPPED_FILES = {"hkcourt/org/roles.py"}  # where the values are defined
DEMO_SEEDERS = re.compile(r"(^|/)(demo|seed_demo|seed_[a-z_]+)\.py$")

VALUES = "|".join(sorted(Role.values, key=len, reverse=True))
LIT = rf"""(?:"(?:{VALUES})"|'(?:{VALUES})')"""
ANY_STRING = r"""(?:"[^"\n]*"|'[^'\n]*')"""

SP = r"[ \t]*"  # blanks within a line
PY_PATTERNS = {
    "compared with == / !=": re.compile(rf"(?:==|!=){SP}{LIT}|{LIT}{SP}(?:==|!=)"),
    "tested for membership": re.compile(rf"{LIT}{SP}(?:not{SP})?\bin\b"),
    "in a literal set of roles": re.compile(rf"\bin{SP}[\[({{](?:{SP}{ANY_STRING}{SP},)*{SP}{LIT}"),
    "has(…)/holds(…) with a string": re.compile(rf"\b(?:has|holds|has_role)\({SP}{ANY_STRING}"),
    "Role(…) from a string": re.compile(rf"\bRole\({SP}{ANY_STRING}"),
    "a role argument or filter": re.compile(
        rf"\b\w*roles?(?:__in|__exact)?{SP}={SP}[\[({{]?{SP}(?:{ANY_STRING}{SP},{SP})*{LIT}"
    ),
    "bound to an alias": re.compile(rf"^{SP}\w+(?:{SP},{SP}\w+)*{SP}={SP}{LIT}(?:{SP},{SP}{LIT})*{SP}(?:#.*)?$", re.M),
}
HTML_PATTERNS = {
    "compared in a template": re.compile(rf"{{%[^%]*(?:(?:==|!=){SP}{LIT}|{LIT}{SP}(?:==|!=|in\b))[^%]*%}}"),
    "a template filter argument": re.compile(rf"\|{SP}\w+{SP}:{SP}{LIT}"),
}


def _sources():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html") or not path.is_file():
            continue
        relative = path.relative_to(ROOT).as_posix()
        parts = set(relative.split("/")[:-1])
        if parts & SKIPPED_DIRS or relative in SKIPPED_FILES or DEMO_SEEDERS.search(relative):
            continue
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        yield relative, path.read_text(encoding="utf-8")


def offenders() -> list[str]:
    found = []
    for relative, text in _sources():
        patterns = PY_PATTERNS if relative.endswith(".py") else HTML_PATTERNS
        for what, pattern in patterns.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append((relative, line, f"{relative}:{line}: {what}: {match.group(0).strip()}"))
    return [text for _file, _line, text in sorted(set(found))]


def test_the_scan_finds_what_it_should_and_spares_glossary_words():
    bad = [
        'if roles.has("office"):',
        "reviewing = roles.has('division_head', 'president')",
        'if ra.role == "deputy_leader":',
        'ok = "leading_group" in codes',
        'if a.role in ("staff", "office"):',
        'RoleAssignment.objects.filter(role="admin")',
        'qs.filter(role__in=["president", "office"])',
        'S, H, OFF = "staff", "division_head", "office"',
        'label = Role("office").label',
    ]
    fine = [
        'row = {"staff": people, "covered": 0}',
        'c["staff"] += people',
        'path("admin/", admin.site.urls)',
        'reverse("admin:index")',
        'STAFF = "staff", _("干警")',
        "if roles.has(Role.OFFICE, Role.LEADING_GROUP):",
        'title = _("领导小组办公室")',
        'kind = "office_supplies"',
    ]
    for line in bad:
        assert any(p.search(line) for p in PY_PATTERNS.values()), line
    for line in fine:
        assert not any(p.search(line) for p in PY_PATTERNS.values()), line
    assert HTML_PATTERNS["compared in a template"].search('{% if "office" in role_codes %}')
    assert HTML_PATTERNS["compared in a template"].search("{% if role == 'admin' %}")
    assert HTML_PATTERNS["a template filter argument"].search('{% if user|has_role:"office" %}')
    assert not any(p.search('<a href="{% url "admin:index" %}">') for p in HTML_PATTERNS.values())


def test_no_template_view_or_form_compares_a_bare_role_string():
    found = offenders()
    assert not found, "bare role strings (use Role members, roles.py groups or policy rules):\n" + "\n".join(found)
