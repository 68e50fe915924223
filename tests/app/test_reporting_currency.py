"""A company that reports in euros sees euros: every amount on the money pages and in both board
packs carries the reporting currency's sign, never a dollar sign, and the pages say which currency
the amounts are in."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from boardpack import build_pack
from metrics import db, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import SAMPLE_DIR, Settings
from tests.app.conftest import open_page


def euro_folder(root: Path) -> Path:
    """The sample as a euro company would export it: the same amounts, with no currency column
    values (so they are in the reporting currency, whatever it is)."""
    folder = root / "euro"
    shutil.copytree(SAMPLE_DIR, folder)
    spend = folder / "spend.csv"
    spend.write_text(spend.read_text().replace(",USD,", ",,"))
    return folder


@pytest.fixture
def euro_app(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(euro_folder(tmp_path)))
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(tmp_path / "euro.duckdb"))
    monkeypatch.delenv("BRIDGEBOARD_DATABASE_URL", raising=False)
    monkeypatch.setenv("BRIDGEBOARD_REPORTING_CURRENCY", "EUR")
    return open_page


def shown_text(at) -> str:
    """Everything a viewer reads on the page: text elements, metrics and the charts' own text."""
    parts = [e.value for kind in ("markdown", "caption", "subheader", "info", "warning") for e in at.get(kind)]
    for m in at.metric:
        parts += [m.label, m.value, str(m.proto.delta or "")]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            parts += [str(trace.get(k, "")) for k in ("text", "customdata", "hovertemplate")]
        layout = spec["layout"]
        parts += [str(layout.get(axis, {}).get("tickprefix", "")) for axis in ("xaxis", "yaxis")]
    return "\n".join(parts)


@pytest.mark.parametrize("page", [None, "pages/1_Tech_spend.py"])
def test_every_amount_on_the_money_pages_is_in_euros(euro_app, page):
    at = euro_app(page)
    assert not at.exception
    text = shown_text(at)
    assert "$" not in text, [line for line in text.splitlines() if "$" in line][:5]
    assert text.count("€") >= 10
    assert any("amounts in EUR" in c.value for c in at.caption)


def test_the_board_packs_are_in_euros(tmp_path):
    engine = db.make_engine(f"duckdb:///{tmp_path / 'pack.duckdb'}")
    settings = Settings(reporting_currency="EUR")
    outcome = sources.load_folder(euro_folder(tmp_path), engine, sources.read_options(settings))
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    args = dict(source="CSV folder euro", today=date(2026, 11, 30), reporting_currency="EUR")
    quarter = FiscalQuarter(2026, 3)
    pdf = build_pack(engine, FiscalCalendar(1), quarter, "pdf", **args)
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "amounts in EUR" in pdf_text and pdf_text.count("€") >= 10
    assert "$" not in pdf_text
    pptx = build_pack(engine, FiscalCalendar(1), quarter, "pptx", **args)
    deck = Presentation(io.BytesIO(pptx.data))
    slide_text = "\n".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    assert "amounts in EUR" in slide_text and "€" in slide_text and "$" not in slide_text
    formats = [
        chart.plots[0].data_labels.number_format if chart.plots[0].has_data_labels else ""
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart
        for chart in [shape.chart]
    ]
    axis_formats = [
        shape.chart.value_axis.tick_labels.number_format
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart and shape.chart.chart_type is not None and "PIE" not in str(shape.chart.chart_type)
    ]
    assert any("€" in f for f in axis_formats + formats) and not any("$" in f for f in axis_formats + formats)
    engine.dispose()


def test_the_drill_down_to_invoice_lines_is_in_euros(euro_app):
    at = euro_app("pages/1_Tech_spend.py")
    at.selectbox(key="spend_drill_department").set_value("Marketing").run()
    at.selectbox(key="spend_drill_category").set_value("CRM").run()
    at.selectbox(key="spend_drill_vendor").set_value("Salesforce").run()
    assert not at.exception
    caption = next(c.value for c in at.caption if "invoice line" in c.value)
    assert "€" in caption and "$" not in caption
