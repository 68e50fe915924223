"""The page registry (`app.navigation`) is the one list of pages: every script in `pages/` is in
it, with the URL Streamlit serves it at, and nothing else names page files."""

import re
from pathlib import Path

from app.navigation import OVERVIEW, PAGES, PRESENTATION_ORDER

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_file_is_registered_once():
    files = sorted(["dashboard.py"] + [f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")])
    assert sorted(p.path for p in PAGES) == files
    assert len({p.label for p in PAGES}) == len(PAGES)


def test_url_paths_are_what_streamlit_serves():
    # Legacy pages/: the file name without its number prefix and extension; the entrypoint is "/".
    for page in PAGES:
        if page is OVERVIEW:
            assert page.url_path == ""
        else:
            assert page.url_path == re.sub(r"^\d+_", "", Path(page.path).stem)


def test_presentation_walks_the_registered_pages_in_menu_order():
    assert PRESENTATION_ORDER[0] is OVERVIEW
    assert [p for p in PAGES if p in PRESENTATION_ORDER] == list(PRESENTATION_ORDER)
    assert "Data" not in [p.label for p in PRESENTATION_ORDER]


def test_no_other_module_names_a_page_file():
    offenders = []
    for folder in ("app", "pages", "charts", "boardpack", "cli", "metrics", "scripts", "devtools"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "navigation.py":
                continue
            if re.search(r"pages/\d+_\w+\.py", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert re.search(r"pages/\d+_\w+\.py", (ROOT / "dashboard.py").read_text(encoding="utf-8")) is None
    assert offenders == []
