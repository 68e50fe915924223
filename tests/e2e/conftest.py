"""End-to-end harness: the real app served by `streamlit run` on a free loopback port,
driven by Playwright in Debian's Chromium (/usr/bin/chromium; browsers are never downloaded).
The harness itself is `devtools.browser`, shared with the screenshots script.

Skips with a clear reason when Chromium or Playwright is absent, except in CI (CI=true),
where that is a failure.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, serve_app
from tests.conftest import skip_or_fail


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    """Assertions wait up to 20 s (Playwright's default is 5): on two busy cores in CI a rerun of a
    page can take longer than that, and a slow page is not a wrong one."""
    try:
        from playwright.sync_api import expect
    except ImportError:  # the skip below says why
        return
    expect.set_options(timeout=20_000)


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
    env = {
        "BRIDGEBOARD_DATA_DIR": str(ROOT / "sample_data"),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path_factory.mktemp("e2e") / "bridgeboard.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with open(tmp_path_factory.mktemp("e2e-log") / "streamlit.log", "w") as log, serve_app(env, log) as url:
        yield url
