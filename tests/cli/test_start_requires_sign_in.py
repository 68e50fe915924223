"""A shared deployment (BRIDGEBOARD_REQUIRE_SIGN_IN) without sign-in configured does not start at all:
the start command (`scripts/run.sh`, the README's first command) checks the configuration before it
installs or starts anything, prints why in words and exits non-zero. Pages refuse too (see
tests/app/test_sign_in.py), but no server is left running for the next person to "fix" by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AUTH = """[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a long random string"
client_id = "bridgeboard"
client_secret = "secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGEBOARD_")}
    return {**env, "HOME": str(home), **extra}  # HOME: no ~/.streamlit/secrets.toml of the developer's


def test_the_start_command_refuses_without_sign_in(tmp_path):
    started = subprocess.run(
        ["bash", str(ROOT / "scripts" / "run.sh"), "--server.headless", "true"],
        env=_env(tmp_path, BRIDGEBOARD_REQUIRE_SIGN_IN="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 2
    assert started.stderr.strip() == (
        "Bridgeboard will not start. This deployment requires sign-in, and sign-in is not configured. "
        "Bridgeboard does not run without it: add the `[auth]` section to `.streamlit/secrets.toml` (see the "
        'README\'s "Sign-in and roles"), or unset the setting that requires sign-in for a one-user install.'
    )
    assert "Traceback" not in started.stderr and "localhost:8501" not in started.stdout, "nothing was started"


def _preflight(cwd: Path, home: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", "preflight"],
        cwd=cwd,
        env={**_env(home, **env), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )


def test_the_setting_in_secrets_refuses_too_and_auth_lets_it_start(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.write_text("[bridgeboard]\nrequire_sign_in = true\n")
    refused = _preflight(tmp_path, tmp_path)
    assert refused.returncode == 2 and "requires sign-in, and sign-in is not configured" in refused.stderr
    secrets.write_text("[bridgeboard]\nrequire_sign_in = true\n\n" + AUTH)
    allowed = _preflight(tmp_path, tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip() == "Configuration checked: Bridgeboard may start."
    # One user on a laptop: nothing required, it starts.
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    assert _preflight(laptop, laptop).returncode == 0


def test_a_wrong_setting_stops_the_start_in_words(tmp_path):
    bad = _preflight(tmp_path, tmp_path, BRIDGEBOARD_REQUIRE_SIGN_IN="perhaps")
    assert bad.returncode == 2
    assert "BRIDGEBOARD_REQUIRE_SIGN_IN must be 1 or 0, not 'perhaps'" in bad.stderr
