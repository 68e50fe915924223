"""Screenshots of every page at 1920x1080 in headless Chromium, for looking at what we ship.

Usage: python scripts/screenshots.py [OUT_DIR] [PAGE ...]   (default docs/screenshots, all pages;
PAGE is a file name such as overview or tech_spend)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from app.navigation import PAGES
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, serve_app

SHOTS = {p.label.lower().replace(" ", "_"): p.url_path for p in PAGES}  # overview, tech_spend, ...


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    wanted = sys.argv[2:] or list(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    with serve_app({"BRIDGEBOARD_EMBEDDED_DB": str(Path(tempfile.mkdtemp()) / "bb.duckdb")}) as url:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            for name in wanted:
                page.goto(f"{url}/{SHOTS[name]}")
                page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
                page.wait_for_timeout(2500)  # let Plotly finish drawing
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(out / f"{name}.png")
            browser.close()


if __name__ == "__main__":
    main()
