"""Take screenshots of pages as a signed-in demo user, with the distribution's Chromium.

    .venv/bin/python scripts/screenshot.py --base http://127.0.0.1:8000 --user staff_demo \
        --out var/shots / /risks/ ...

Each path becomes var/shots/<user>_<path>.png. Use ``--user -`` for a page without login.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="staff_demo")
    parser.add_argument("--password", default="hegang2012")
    parser.add_argument("--out", default="var/shots")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--lang", default="")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        if args.user != "-":
            page.goto(f"{args.base}/accounts/login/")
            page.fill("#id_username", args.user)
            page.fill("#id_password", args.password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        if args.lang:
            page.context.add_cookies([{"name": "django_language", "value": args.lang, "url": args.base}])
        for path in args.paths:
            page.goto(f"{args.base}{path}")
            page.wait_for_load_state("networkidle")
            slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            target = out / f"{args.user if args.user != '-' else 'public'}_{slug}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
