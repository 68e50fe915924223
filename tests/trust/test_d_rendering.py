"""Trust matrix D: UI rendering and XSS. The Markdown helper and the static review of every
Streamlit call are those of `tests/app/test_no_markup_from_data.py`; the rendered check of every
page with payloads in Chromium is `tests/e2e/test_no_markup_from_data_e2e.py`."""

from __future__ import annotations

import ast

import pytest

from app.text import plain
from tests.app import test_no_markup_from_data as markup
from tests.app.conftest import open_page


def test_D54_no_data_reaches_markdown_html_or_unsafe_html_unescaped():
    files = markup.source_files()
    assert len(files) >= 15  # the entry point, every page and every helper module
    findings = [f for p in files for f in markup.check(str(p.relative_to(markup.ROOT)), p.read_text(encoding="utf-8"))]
    assert findings == []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literals = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            assert not any(k.arg == "unsafe_allow_html" for k in call.keywords), path
            if ast.unparse(call.func) == "st.html":  # only the app's own CSS, a module-level literal
                (arg,) = call.args
                assert isinstance(arg, ast.Name) and arg.id in literals, (path, ast.unparse(call))


def test_D55_currency_amounts_in_markdown_are_literal():
    # Two amounts in one sentence would open and close KaTeX ("$1.2M vs $" as maths).
    assert plain("$1.2M vs $1.5M") == r"\$1\.2M vs \$1\.5M"
    assert plain("Spend of €1.2M (budget $1.5M)") == r"Spend of €1\.2M \(budget \$1\.5M\)"


@pytest.mark.apptest
def test_D56_hostile_query_params_are_never_rendered(sample_env):
    hostile = "<script>alert(1)</script>"
    at = open_page(None, query={"quarter": hostile, "department": hostile, "present": hostile, "mask": hostile})
    assert not at.exception
    shown = [
        str(e.value) for kind in ("markdown", "caption", "error", "warning", "info", "title") for e in getattr(at, kind)
    ]
    assert not [s for s in shown if "script" in s.lower()]
    assert at.sidebar.multiselect(key="bb_departments").value == []  # ignored, not applied
    assert at.query_params["quarter"] != [hostile]  # the link is corrected to a real quarter
