"""End-to-end harness: the real app served by `streamlit run` on a free loopback port,
driven by Playwright in Debian's Chromium (/usr/bin/chromium; browsers are never downloaded).

Skips with a clear reason when Chromium or Playwright is absent, except in CI (CI=true),
where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BRIDGEBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app on the sample data, with its own embedded database file."""
    if shutil.which("streamlit") is None and not (Path(sys.executable).parent / "streamlit").exists():
        skip_or_fail("streamlit is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update({
        "BRIDGEBOARD_DATA_DIR": str(ROOT / "sample_data"),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path_factory.mktemp("e2e") / "bridgeboard.duckdb"),
    })
    env.pop("BRIDGEBOARD_DATABASE_URL", None)
    log = open(tmp_path_factory.mktemp("e2e-log") / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for_app(page, timeout: float = 60_000, settle_ms: int = 800) -> None:
    """Streamlit's own readiness signal: connected, and the script not running for `settle_ms`
    in a row (a rerun can start right after a run ends, e.g. when a widget callback fires)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    waited = quiet = 0
    while quiet < settle_ms:
        if waited > timeout:
            raise TimeoutError("the app kept rerunning")
        if page.locator(idle).count():
            quiet += 100
        else:
            quiet = 0
            page.wait_for_selector(idle, timeout=timeout)
        page.wait_for_timeout(100)
        waited += 100


def pick(page, box, option: str) -> None:
    """Open a Streamlit select or multiselect `box` and click `option`. A menu that a late rerun
    closed again is simply opened once more."""
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(4):
        box.click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
            wait_for_app(page)
    choice.click()
