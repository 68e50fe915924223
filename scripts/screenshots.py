"""Screenshots of every page at 1920x1080 in headless Chromium, for looking at what we ship.

Usage: python scripts/screenshots.py [OUT_DIR] [PAGE ...]   (default docs/screenshots, all pages)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _wait_healthy  # noqa: E402

PAGES = {"overview": "", "tech_spend": "Tech_spend", "customer_experience": "Customer_experience",
         "request_turnaround": "Request_turnaround", "data": "Data"}


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    wanted = sys.argv[2:] or list(PAGES)
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, BRIDGEBOARD_EMBEDDED_DB=str(Path(tempfile.mkdtemp()) / "bb.duckdb"))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(url, proc)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            for name in wanted:
                page.goto(f"{url}/{PAGES[name]}")
                page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
                page.wait_for_timeout(2500)  # let Plotly finish drawing
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(out / f"{name}.png")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
