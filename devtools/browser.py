"""The real app served by `streamlit run` on a free loopback port, and Debian's Chromium to drive
it (``/usr/bin/chromium``; browsers are never downloaded). Used by `tests/e2e` and
`scripts/screenshots.py`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("BRIDGEBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
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


@contextmanager
def serve_app(
    env: Mapping[str, str | None],
    log: IO | int = subprocess.DEVNULL,
    *,
    port: int | None = None,
    secrets_file: Path | None = None,
) -> Iterator[str]:
    """`streamlit run dashboard.py` with `env` over this process's environment (None removes a
    variable); yields the base URL once the server answers its health check. `port`: a port
    chosen beforehand (a sign-in test writes it into `redirect_uri` first); `secrets_file`: the
    secrets the app reads instead of `.streamlit/secrets.toml` (so a test never writes one into
    the repository)."""
    with serve_app_process(env, log, port=port, secrets_file=secrets_file) as (url, _server):
        yield url


@contextmanager
def serve_app_process(
    env: Mapping[str, str | None],
    log: IO | int = subprocess.DEVNULL,
    *,
    port: int | None = None,
    secrets_file: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`serve_app`, also yielding the server process (the load test samples its memory)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = dict(os.environ)
    for key, value in env.items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *(["--secrets.files", str(secrets_file)] if secrets_file else []),
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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


def upload(page, label: str, files) -> None:
    """Give `files` (a path or a list of paths) to the file uploader labelled `label` (the Data page
    has several), then wait for the app to settle."""
    box = page.locator("[data-testid='stFileUploader']").filter(has_text=label)
    box.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    wait_for_app(page)


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
