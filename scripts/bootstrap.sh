#!/usr/bin/env bash
# Installs everything the registry needs on a fresh Debian/Ubuntu machine with Python 3.11+:
# system packages (as root; otherwise prints the exact apt-get line and stops), a virtualenv in .venv
# with the pinned Python packages, and the front-end assets from the npm registry (package-lock.json).
# `dev` (the default, used by `make run` and `make test`) adds what the tests run; `runtime` does not.
# Usage: scripts/bootstrap.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-dev}
case "$kind" in runtime | dev) ;; *) echo "usage: $0 [runtime|dev]" >&2; exit 2 ;; esac

# WeasyPrint (letter PDFs): Pango, HarfBuzz (with the subsetter), fontconfig, the Noto CJK fonts and Hanazono
# (HanaMinA/B: all of CJK Extensions B-F, characters beyond the BMP that Noto lacks, as in some people's names).
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig fonts-noto-cjk fonts-hanazono python3-venv"
command -v npm >/dev/null 2>&1 || SYSTEM_PACKAGES="$SYSTEM_PACKAGES nodejs npm"
# What the tests run (tests/requires.py): pdftotext/pdffonts/pdfinfo, the browser test's Chromium and the
# compose file check, the fault scenarios' private PostgreSQL (initdb, pg_ctl) and Redis (tests/faults). Under CI a
# missing one fails the run, so `make test` installs them.
if [ "$kind" = "dev" ]; then
  SYSTEM_PACKAGES="$SYSTEM_PACKAGES poppler-utils chromium docker-compose postgresql-client postgresql redis-server"
fi

missing=""
for pkg in $SYSTEM_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
# python3-venv is only needed when the interpreter cannot make a venv by itself (pyenv/python.org builds can).
if [ -n "$missing" ] && python3 -c "import venv, ensurepip" 2>/dev/null; then
  missing=$(echo "$missing" | sed 's/ python3-venv//')
fi
missing=$(echo "$missing" | xargs || true)
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "==> apt-get install $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Missing system packages. Run this first, then run the command again:" >&2
    echo "  sudo apt-get install -y --no-install-recommends $missing" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
req=requirements-dev.txt; [ "$kind" = "runtime" ] && req=requirements.txt
stamp=.venv/.installed-$(cat requirements.txt "$req" | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> pip install -r $req"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$req"
  rm -f .venv/.installed-*; touch "$stamp"
fi

lockstamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$lockstamp" ]; then
  echo "==> npm ci (front-end assets, served locally)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lockstamp"
fi
mkdir -p var
