"""The dependency direction, enforced: hkcourt.org / hkcourt.notifications ← risks ← commitments ← workflow,
and the sub-apps' places in it (risks.measures above risks; workflow.oversight, workflow.dashboard and
workflow.assessment above workflow; see ``SUB_APPS`` and ``SEALED``).

Every import statement (absolute and relative, at any depth, including ones inside functions), every
literal ``importlib.import_module("…")`` / ``import_string("…")`` and every lazy model reference
(``ForeignKey("workflow.Campaign")``, ``apps.get_model("commitments", …)``) in a layer's modules is
resolved to a name and checked against the packages (app labels) that layer may not use. Exempt: test
files, the root urls and the settings package (the composition root names every app by design).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The sub-apps' labels: a lazy model reference names the label ("oversight.Warning"), not the package.
ABOVE_RISKS = ("oversight", "dashboard", "assessment")  # the labels of workflow's sub-apps
# package -> the top-level packages (and app labels) it must not import
FORBIDDEN = {
    "hkcourt.org": ("risks", "measures", "commitments", "workflow", *ABOVE_RISKS),
    "hkcourt.notifications": ("risks", "measures", "commitments", "workflow", *ABOVE_RISKS),
    # the API's ground floor; the router is in hkcourt/urls.py
    "hkcourt.api": ("risks", "measures", "commitments", "workflow", *ABOVE_RISKS),
    "risks": ("commitments", "workflow", *ABOVE_RISKS),  # risks.measures included: its files are under risks/
    "commitments": ("workflow", *ABOVE_RISKS),
}
EXEMPT = ("hkcourt/urls.py", "hkcourt/settings/")
# Sub-apps used by the apps above them, but not by their own parent: the parent's modules name the sub-app
# only in the files listed here (its migrations: history written before the move). Key: the sub-app's
# package; value: (its app label, the parent package, the parent's files allowed, and why).
SUB_APPS = {
    "risks.measures": (
        "measures",
        "risks",
        ("risks/urls.py", "risks/views.py", "risks/signals.py", "risks/migrations/"),
        "urls include its pages; the risk page lists the point's measures through the measures' selector; a"
        " measure's write moves the list's data version on (risks/signals.py)",
    ),
    "workflow.oversight": (
        "oversight",
        "workflow",
        ("workflow/urls.py", "workflow/scale.py", "workflow/migrations/"),
        "urls include its pages; the scale seeder fills every app's tables for the benchmark",
    ),
}
# Sub-apps at the top of the direction: nothing imports them but the composition root and the files named
# here (which include their urls). Key: the sub-app's package; value: (its app label, the files allowed).
SEALED = {
    "workflow.assessment": ("assessment", ("workflow/urls.py",)),
    # phase four registers its dashboard section in its AppConfig.ready()
    "workflow.dashboard": ("dashboard", ("workflow/urls.py", "workflow/assessment/apps.py")),
}
APP_PACKAGES = ("hkcourt", "risks", "commitments", "workflow")
DYNAMIC_IMPORTERS = {"import_module", "import_string", "__import__"}
# Lazy model references ("app_label.Model") are dependencies too: relation fields and apps.get_model.
MODEL_REFERENCES = {"ForeignKey", "OneToOneField", "ManyToManyField", "get_model"}


def _is_exempt(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return (
        relative.startswith(EXEMPT)
        or "/tests/" in f"/{relative}"
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False):
    """(line, module name) for every import in ``source``, the code of module ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base)
                target = ".".join(part for part in (prefix, node.module) if part)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from . import workflow`-style names may be modules themselves
                yield node.lineno, f"{target}.{alias.name}" if target else alias.name
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0] if node.args else None
            if name in MODEL_REFERENCES and first is None:
                first = next((k.value for k in node.keywords if k.arg in ("to", "app_label")), None)
            is_text = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if is_text and (name in DYNAMIC_IMPORTERS or (name in MODEL_REFERENCES and first.value != "self")):
                yield node.lineno, first.value


def _violations(source: str, module: str, forbidden, is_package=False):
    found = []
    for line, target in imported_modules(source, module, is_package):
        top = target.split(".")[0]
        if top in forbidden:
            found.append((line, target))
    return found


def _layer_files(package: str):
    folder = ROOT.joinpath(*package.split("."))
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if not _is_exempt(relative):
            yield path


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(package):
    files = list(_layer_files(package))
    assert files, f"no modules found for {package}"
    problems = []
    for path in files:
        found = _violations(
            path.read_text(encoding="utf-8"),
            _module_name(path),
            FORBIDDEN[package],
            is_package=path.name == "__init__.py",
        )
        problems += [f"{path.relative_to(ROOT)}:{line} imports {target}" for line, target in found]
    assert not problems, (
        f"{package} must not import {', '.join(FORBIDDEN[package])} (dependency direction: "
        "hkcourt.org/hkcourt.notifications ← risks ← commitments ← workflow):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("sealed", sorted(SEALED))
def test_sealed_sub_apps_are_imported_by_nobody(sealed):
    label, allowed = SEALED[sealed]
    own = sealed.replace(".", "/") + "/"
    problems = []
    for package in APP_PACKAGES:
        for path in _layer_files(package):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(own) or relative in allowed:
                continue
            module = _module_name(path)
            for line, target in imported_modules(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
                if target == sealed or target.startswith(sealed + ".") or target.split(".")[0] == label:
                    problems.append(f"{relative}:{line} imports {target}")
    assert not problems, f"nothing but the settings and urls may import {sealed}:\n" + "\n".join(problems)


def _names_package(target: str, package: str, label: str) -> bool:
    return target == package or target.startswith(package + ".") or target.split(".")[0] == label


@pytest.mark.parametrize("sub_app", sorted(SUB_APPS))
def test_a_parent_names_its_sub_app_only_where_listed(sub_app):
    """The sub-app stands on its parent, not the reverse: the parent's own modules (not its other sub-apps')
    import it only in the listed files."""
    label, parent, allowed, _why = SUB_APPS[sub_app]
    sub_folders = tuple(name.replace(".", "/") + "/" for name in (*SUB_APPS, *SEALED))
    problems = []
    for path in _layer_files(parent):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(sub_folders) or relative.startswith(allowed):
            continue
        module = _module_name(path)
        for line, target in imported_modules(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            if _names_package(target, sub_app, label):
                problems.append(f"{relative}:{line} imports {target}")
    assert not problems, f"{parent} may name {sub_app} only in {', '.join(allowed)}:\n" + "\n".join(problems)


def test_every_sub_app_has_rules_here():
    """A new sub-app (an installed app inside one of the apps' packages) must say where it stands."""
    from django.apps import apps

    installed = {c.name: c.label for c in apps.get_app_configs() if c.name.startswith(APP_PACKAGES) and "." in c.name}
    installed = {name: label for name, label in installed.items() if not name.startswith("hkcourt.")}
    declared = {name: rule[0] for name, rule in (*SUB_APPS.items(), *SEALED.items())}
    assert installed == declared
    every_label = {label for labels in FORBIDDEN.values() for label in labels}
    assert set(declared.values()) <= every_label, "each sub-app's label is forbidden to the layers below it"


def test_the_checker_sees_every_kind_of_import():
    source = """
import workflow.models
from commitments import services
from risks.selectors import visible
def later():
    from workflow.tasks import remind
import_string("workflow.services.escalate")
importlib.import_module("commitments.pdf")
from . import helpers
campaign = models.ForeignKey("workflow.Campaign", on_delete=models.PROTECT)
letters = models.ManyToManyField(to="commitments.CommitmentLetter")
parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
Letter = apps.get_model("commitments", "CommitmentLetter")
"""
    found = [target for _, target in _violations(source, "risks.services", ("commitments", "workflow"))]
    assert found == [
        "workflow.models",
        "commitments",
        "commitments.services",
        "workflow.tasks",
        "workflow.tasks.remind",
        "workflow.services.escalate",
        "commitments.pdf",
        "workflow.Campaign",
        "commitments.CommitmentLetter",
        "commitments",
    ]
    # Relative imports resolve against the module's package.
    relative = "from ..notifications import services\nfrom . import scoping\n"
    assert _violations(relative, "hkcourt.org.views", ("risks",)) == []
    assert [t for _, t in imported_modules(relative, "hkcourt.org.views")] == [
        "hkcourt.notifications",
        "hkcourt.notifications.services",
        "hkcourt.org",
        "hkcourt.org.scoping",
    ]
    assert [t for _, t in imported_modules("from .models import X", "risks", is_package=True)] == [
        "risks.models",
        "risks.models.X",
    ]


def test_exemptions_are_only_the_composition_root_and_tests():
    assert _is_exempt("hkcourt/urls.py")
    assert _is_exempt("hkcourt/settings/base.py")
    assert _is_exempt("risks/tests/test_grading.py")
    assert _is_exempt("risks/test_models.py")
    assert not _is_exempt("risks/services.py")
    assert not _is_exempt("hkcourt/org/views.py")
    assert not _is_exempt("commitments/migrations/0001_initial.py")
