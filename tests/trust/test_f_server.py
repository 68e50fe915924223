"""Trust matrix F: the server's configuration, as Streamlit reads it from `.streamlit/config.toml`
(the file itself is checked key by key in tests/test_server_config.py), and a real server on a
loopback port for the XSRF check."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def effective(*keys: str) -> dict:
    code = (
        "import json, sys\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(json.dumps({k: config.get_option(k) for k in sys.argv[1:]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *keys], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_F63_effective_options_are_the_hardened_ones():
    options = effective(
        "client.showErrorDetails",
        "client.toolbarMode",
        "server.enableXsrfProtection",
        "server.enableCORS",
        "server.fileWatcherType",
        "server.maxUploadSize",
        "server.enableStaticServing",
    )
    assert options == {
        "client.showErrorDetails": "none",
        "client.toolbarMode": "viewer",  # the matrix's choice: the menu holds only Light / Dark, Print, Record
        "server.enableXsrfProtection": True,
        "server.enableCORS": True,  # CORS protection on
        "server.fileWatcherType": "none",
        "server.maxUploadSize": 200,  # MB: the policy's limit
        "server.enableStaticServing": False,
    }


PAGE_THAT_FAILS = "raise ValueError('password=hunter2 in a failing page')\n"


def test_F64_an_uncaught_exception_shows_a_generic_message_and_logs_the_traceback():
    code = (
        "import json\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_string({PAGE_THAT_FAILS!r}).run()\n"
        "e = at.exception[0]\n"
        "print(json.dumps([e.message, list(e.stack_trace)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    message, stack = json.loads(out.stdout.strip().splitlines()[-1])
    assert "hunter2" not in message and "The original error message is redacted" in message
    assert stack == []  # nothing of the traceback reaches the browser
    assert "ValueError: password=hunter2" in out.stderr  # it is in the server's log


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_F65_upload_without_the_xsrf_token_is_refused(tmp_path):
    script = tmp_path / "tiny.py"
    script.write_text("import streamlit as st\nst.file_uploader('CSV')\n")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)],
        cwd=ROOT,  # the project's config.toml, as deployed
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):  # the server starts in a few seconds; bounded
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:  # not listening yet
                time.sleep(0.25)
        upload = urllib.request.Request(
            f"http://127.0.0.1:{port}/_stcore/upload_file/some-session/some-file",
            data=b"--x\r\nContent-Disposition: form-data; name=file; filename=a.csv\r\n\r\na\r\n--x--\r\n",
            method="PUT",
            headers={"Origin": "http://evil.invalid", "Content-Type": "multipart/form-data; boundary=x"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(upload, timeout=60)
        assert refused.value.code == 403
        assert b"XSRF" in refused.value.read()
    finally:
        server.terminate()
        server.wait(20)


def test_F66_dependencies_are_at_least_the_advised_versions():
    assert Version(version("streamlit")) >= Version("1.54.0")  # advisories up to 1.54 (README "Hardening")
    assert Version(version("SQLAlchemy")) >= Version("2.0.41")  # no URL in unparseable-URL errors
    requirements = (ROOT / "requirements.txt").read_text()
    assert "streamlit[auth]>=1.67" in requirements and "SQLAlchemy>=2.0.41" in requirements
