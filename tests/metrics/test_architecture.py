"""Rules of the codebase's shape, checked as code."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_metrics_and_charts_never_import_streamlit():
    offenders = [str(p.relative_to(ROOT)) for folder in ("metrics", "charts") for p in (ROOT / folder).rglob("*.py")
                 if "streamlit" in _imports(p)]
    assert offenders == []


def test_importing_metrics_does_not_load_streamlit():
    modules = sorted(p.stem for p in (ROOT / "metrics").glob("*.py") if p.stem not in ("__main__",))
    code = "import sys\n" + "".join(f"import metrics.{m}\n" for m in modules if m != "__init__") + \
           "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_raw_html_from_code():
    """No page or helper renders raw HTML (data could carry a script). The one exception is the
    constant presentation-mode stylesheet, which Streamlit offers no per-session setting for."""
    offenders = []
    allowed = {("app/shell.py", "st.html(PRESENTATION_CSS)")}
    for folder in ("app", "pages", "metrics", "charts"):
        for p in (ROOT / folder).rglob("*.py"):
            rel = str(p.relative_to(ROOT))
            for line in p.read_text(encoding="utf-8").splitlines():
                if "unsafe_allow_html=True" in line or ("st.html(" in line and (rel, line.strip()) not in allowed):
                    offenders.append(f"{rel}: {line.strip()}")
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert "unsafe_allow_html=True" not in text and "st.html(" not in text
    assert offenders == []


def test_presentation_stylesheet_is_a_constant():
    from app import shell

    assert isinstance(shell.PRESENTATION_CSS, str) and shell.PRESENTATION_CSS.startswith("<style>")
    # A plain literal, not an f-string or a template filled at run time.
    assert 'PRESENTATION_CSS = """<style>' in (ROOT / "app" / "shell.py").read_text()


def test_server_config_is_hardened():
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["enableCORS"] is True
    assert cfg["server"]["fileWatcherType"] == "none"
    assert cfg["server"]["maxUploadSize"] <= 200
    from metrics.validation import UPLOAD_MAX_BYTES

    assert UPLOAD_MAX_BYTES == cfg["server"]["maxUploadSize"] * 1024 * 1024  # one limit, stated twice
