"""The hardened server: `.streamlit/config.toml` as written, and as Streamlit 1.67 reads it.

CORS: Streamlit's `server.enableCORS` is CORS *protection*. `true` (with `corsAllowedOrigins`
empty) is "CORS off" in the usual sense: no cross-origin reads and no WebSocket from another
origin. `false` would send `Access-Control-Allow-Origin: *` and accept a WebSocket from any
origin; XSRF protection does not require it (streamlit/config.py, `_check_conflicts`), so the
app keeps both protections on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

HARDENED = {
    "server.enableXsrfProtection": True,  # an upload needs the token of the app's own page
    "server.enableCORS": True,  # CORS protection on: no cross-origin access (see the docstring)
    "server.corsAllowedOrigins": [],  # ... and no origin let in
    "server.runOnSave": False,  # a file changed on the server never reruns a viewer's page
    "server.allowRunOnSave": False,
    "server.fileWatcherType": "none",
    "server.enableStaticServing": False,
    "client.toolbarMode": "viewer",  # no rerun / clear cache / deploy: the menu has Light / Dark, Print, Record
    "client.showErrorDetails": "none",  # no exception text or traceback in the browser
    "client.disableDataExport": True,  # st.dataframe's own CSV download: not the app's formula-safe one
    "browser.gatherUsageStats": False,  # nothing sent to Streamlit's telemetry
    "runner.magicEnabled": False,
}


def test_config_file_is_hardened():
    for key, expected in HARDENED.items():
        section, name = key.split(".")
        if key == "server.corsAllowedOrigins":
            assert CONFIG[section].get(name, []) == expected
            continue
        assert CONFIG[section][name] == expected, key
    from metrics.validation import UPLOAD_MAX_BYTES

    limit = CONFIG["server"]["maxUploadSize"]
    assert 0 < limit <= 200
    assert limit * 1024 * 1024 == UPLOAD_MAX_BYTES  # one limit, stated twice


def test_streamlit_reads_the_hardened_values():
    """The effective options, as `streamlit run` in the project folder gets them (a typo in a key
    or a value Streamlit does not accept would leave its default in place)."""
    keys = [*HARDENED, "server.maxUploadSize"]
    code = (
        "import json, sys\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(json.dumps({k: config.get_option(k) for k in sys.argv[1:]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *keys], cwd=ROOT, capture_output=True, text=True, check=True)
    effective = json.loads(out.stdout.strip().splitlines()[-1])
    for key, expected in HARDENED.items():
        assert effective[key] == expected, (key, effective[key])
    assert effective["server.maxUploadSize"] == CONFIG["server"]["maxUploadSize"]
