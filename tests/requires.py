"""What a test needs from the machine: a command-line tool or a service.

Every test that runs a tool (``pdftotext``, ``pdffonts``, ``chromium``, ``docker-compose``…) or needs a service
named by the environment (``REDIS_URL``) asks through these helpers, never with its own ``skipif``:

- under CI (``CI`` or ``HKCOURT_REQUIRE_SERVICES`` set) a missing one FAILS the test with what to install, so a
  run can never pass by silently skipping;
- elsewhere it skips, and ``make test`` (pytest ``-ra``) lists each skip with this reason at the end.

``scripts/bootstrap.sh dev`` installs every tool named here.
"""

import os
import shutil

import pytest

# The Debian package that provides each tool the tests run (scripts/bootstrap.sh dev installs them).
DEBIAN_PACKAGES = {
    "pdftotext": "poppler-utils",
    "pdffonts": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "chromium": "chromium",
    "docker-compose": "docker-compose",
    "pg_dump": "postgresql-client",
    "pg_restore": "postgresql-client",
    "initdb": "postgresql",  # the fault scenarios' private cluster (tests/faults)
    "pg_ctl": "postgresql",
    "redis-server": "redis-server",
}


def services_required() -> bool:
    """True under CI: ``CI`` or ``HKCOURT_REQUIRE_SERVICES`` set to anything but empty/0/false/no."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in ("CI", "HKCOURT_REQUIRE_SERVICES")
    )


def missing(reason: str):
    """Fail under CI, skip elsewhere; either way with ``reason``."""
    if services_required():
        pytest.fail(f"{reason} (required: CI or HKCOURT_REQUIRE_SERVICES is set, so this does not skip)", pytrace=False)
    skip = pytest.skip.Exception(reason)
    skip._use_item_location = True  # the summary names the test, not this file (as pytest's own skipif does)
    raise skip


def require_tool(name: str) -> str:
    """The path of the command ``name``; fails under CI, skips elsewhere, when it is not installed."""
    path = shutil.which(name)
    if path is None:
        package = DEBIAN_PACKAGES.get(name, name)
        missing(f"`{name}` is not installed: apt-get install {package} (scripts/bootstrap.sh dev does it as root)")
    return path


def require_env(name: str, what: str) -> str:
    """The value of the environment variable ``name`` (a service's URL); fails under CI, skips elsewhere,
    when it is not set. ``what`` says what the variable points at."""
    value = os.environ.get(name, "")
    if not value:
        missing(f"{name} is not set ({what})")
    return value
