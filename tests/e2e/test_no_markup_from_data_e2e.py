"""No markup from data, in a real browser: a data folder whose every text field (vendor, category,
KPI name, unit, definition, formula and source, target notes, request titles, types and teams,
invoice descriptions) carries Markdown, KaTeX, colour, HTML and bare-URL payloads. On every page:
no image, link, bold, coloured text or formula comes from the data, and no request leaves the
machine (every request is routed: only the app's own address is reached; anything else is recorded
and answered locally with a blank image).

The static test `tests/app/test_no_markup_from_data.py` covers every call site (tooltips
included, which only render on hover); this one proves the rendered result.
"""

from __future__ import annotations

import base64
import csv
import io
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.navigation import PAGES
from devtools.browser import ROOT, serve_app, wait_for_app

pytestmark = pytest.mark.e2e

PAYLOADS = (
    "![i](http://evil.invalid/unit.png)",
    "[web](http://evil.invalid)",
    "**bold**",
    ":red[red]",
    "$x$ and $y$",
    "<b>html</b>",
    "http://evil.invalid/x",
)
PAYLOAD = " ".join(PAYLOADS)

# The text columns of each table that carry the payload (ids, enums, dates and numbers do not:
# they are validated and would refuse the file).
TEXT_FIELDS = {
    "spend.csv": ("vendor", "category", "description"),
    "budget.csv": ("category",),
    "vendors.csv": ("vendor", "aliases", "category", "owner"),
    "kpis.csv": ("name", "unit", "definition", "formula", "source"),
    "kpi_targets.csv": ("note",),
    "requests.csv": ("title", "type", "requested_by"),
}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# What a request to anywhere else gets instead of the network: a 1x1 transparent PNG, so that an
# image from data stays in the page to be found (an aborted one may be dropped by the front end).
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _poison(column: str, value: str) -> str:
    if not value:
        return value
    if column == "aliases":  # each spelling, so that spend's spellings still match the catalogue
        return "|".join(_poison("vendor", a) for a in value.split("|"))
    return f"{value} {PAYLOAD}"


def payload_folder(target: Path) -> Path:
    """The sample data with the payloads appended to every text field."""
    target.mkdir(parents=True, exist_ok=True)
    for source in (ROOT / "sample_data").glob("*.csv"):
        fields = TEXT_FIELDS.get(source.name)
        if fields is None:
            shutil.copy(source, target / source.name)
            continue
        with source.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _poison(k, v) if k in fields else v for k, v in row.items()})
        (target / source.name).write_text(out.getvalue(), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory):
    folder = payload_folder(tmp_path_factory.mktemp("payload") / "data")
    env = {
        "BRIDGEBOARD_DATA_DIR": str(folder),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path_factory.mktemp("payload-db") / "bridgeboard.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with open(tmp_path_factory.mktemp("payload-log") / "streamlit.log", "w") as log, serve_app(env, log) as url:
        yield url


def _markup_from_data(page) -> dict[str, list[str]]:
    """Every element the payloads would create, found anywhere in the document."""
    return page.evaluate(
        """() => {
        const html = e => e.outerHTML.slice(0, 160);
        const all = sel => Array.from(document.querySelectorAll(sel));
        const local = src => { try { const u = new URL(src, location.href);
            return u.origin === location.origin || u.protocol === 'data:' || u.protocol === 'blob:'; }
            catch (e) { return false; } };
        return {
            images: all('img').filter(i => !local(i.getAttribute('src') || '') || i.alt === 'i').map(html),
            links: all('a').filter(a => /evil\\.invalid/.test(a.getAttribute('href') || a.getAttribute('xlink:href') || '')).map(html),
            bold: all('strong, b').filter(b => /^(bold|html)$/.test(b.textContent.trim())).map(html),
            svg_bold: all('svg tspan, svg text').filter(t => /font-weight:\\s*(bold|700)/.test(t.getAttribute('style') || '')
                && /^(bold|html)$/.test(t.textContent.trim())).map(html),
            coloured: all('.stMarkdownColoredText, span[style*="color"]').filter(s => s.textContent.trim() === 'red').map(html),
            katex: all('.katex, .katex-display, math').map(html),
        };
    }"""
    )


def test_payloads_render_as_text_on_every_page(page, payload_server):
    outside: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.fulfill(status=200, content_type="image/png", body=BLANK_PNG)

    page.route("**/*", route)
    seen_payload_on = []
    for p in PAGES:
        page.goto(f"{payload_server}/{p.url_path}")
        wait_for_app(page)
        page.get_by_role("heading", name=p.label, exact=True).first.wait_for()
        assert page.locator("[data-testid='stException']").count() == 0, p.label
        for _ in range(2):  # once settled, and again a moment later (late elements, lazy images)
            page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
            found = {kind: hits for kind, hits in _markup_from_data(page).items() if hits}
            assert not found, f"{p.label}: markup from data: {found}"
            page.wait_for_timeout(1_000)
        # The payloads are there, shown as the characters typed: the test looked at pages that show them.
        if page.get_by_text("**bold** :red[red] $x$ and $y$ <b>html</b>", exact=False).count():
            seen_payload_on.append(p.label)
    assert not outside, f"requests left the machine: {sorted(set(outside))}"
    assert {"Overview", "Tech spend", "Customer experience", "Request turnaround"} <= set(seen_payload_on)


def test_payload_folder_is_valid(tmp_path):
    """The poisoned folder still imports (warnings only), so the pages really show the payloads."""
    from metrics.validation import validate_folder

    report = validate_folder(payload_folder(tmp_path / "data"))
    assert not [f for f in report.findings if f.severity == "error"]
