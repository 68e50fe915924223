"""The board pack on the committed sample data: the PowerPoint's slides, native charts whose series
are the metrics' figures, titles and footers; the PDF's text holding every headline figure, its
tables never cut mid-row, and its note when Chromium cannot draw the charts; masked packs naming
no vendor."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from boardpack import build_pack
from boardpack.content import BudgetSection, gather
from boardpack.images import ChartRenderer, ChartsUnavailable
from boardpack.pdf import build_pdf
from charts.theme import DEPARTMENT_COLOURS, STATUS_COLOURS
from metrics import db, kpis, sources, spend
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.masking import load_vendor_mask
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import data_as_of
from tests.conftest import skip_or_fail

CAL = FiscalCalendar(1)
Q = FiscalQuarter(2026, 3)
TODAY = date(2026, 11, 23)
SOURCE = f"CSV folder {SAMPLE_DIR}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    engine = db.make_engine(f"duckdb:///{tmp_path_factory.mktemp('pack') / 'sample.duckdb'}")
    outcome = sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source=str(SAMPLE_DIR))
    assert outcome.report.ok
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def deck(sample):
    return build_pack(sample, CAL, Q, "pptx", source=SOURCE, company="Northwind Outfitters", today=TODAY)


@pytest.fixture(scope="module")
def slides(deck):
    return list(Presentation(io.BytesIO(deck.data)).slides)


@pytest.fixture(scope="module")
def renderer():
    if not Path("/usr/bin/chromium").exists():
        skip_or_fail("Chromium not found at /usr/bin/chromium: the PDF's charts need it")
    r = ChartRenderer()
    yield r
    r.close()


class NoChromium:
    """A renderer that fails as kaleido does when no browser can be started."""

    def png(self, fig, width, height=None, scale=2.0):
        raise ChartsUnavailable("ChromeNotFoundError: no browser")


def _texts(slide) -> list[str]:
    """Every text a reader sees on a slide: text boxes, table cells, chart categories and series."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
        if shape.has_chart:
            for plot in shape.chart.plots:
                out += [str(c) for c in plot.categories]
                out += [s.name for s in plot.series]
                for series in plot.series:
                    out += [p.data_label.text_frame.text for p in series.points if p.data_label.has_text_frame]
    return out


def _charts(slide) -> list:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def _series(chart) -> dict[str, list]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def _categories(chart) -> list[str]:
    return [str(c) for c in chart.plots[0].categories]


def _fill(series_or_point) -> str:
    return str(series_or_point.format.fill.fore_color.rgb)


# --- PowerPoint ------------------------------------------------------------------------------


def test_deck_has_title_headline_and_one_slide_per_key_chart(slides):
    assert len(slides) == 7
    title = " ".join(_texts(slides[0]))
    assert "Northwind Outfitters" in title and "FY2026 Q3 (01 Jul 2026 – 30 Sep 2026)" in title
    assert "Data as of" in title and "Source: CSV folder sample_data" in title
    # The title placeholder comes first (screen readers and the slide navigator read it), then the kicker.
    assert all(_texts(s)[0] == s.shapes.title.text for s in slides)
    kickers = [_texts(s)[1] for s in slides[1:]]
    assert kickers == [
        "THE QUARTER IN FIVE NUMBERS",
        "SPEND SPLIT AND MARKETING SHARE",
        "BUDGET VS ACTUAL",
        "OVERLAP AND SHADOW IT",
        "KPI SCORECARD",
        "REQUEST TURNAROUND VS SLA",
    ]


def test_charts_are_native_and_nothing_is_a_picture(slides):
    for slide in slides[2:]:
        assert _charts(slide), "each key-chart slide has a native chart"
    pictures = [s for slide in slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures == []


def test_every_slide_after_the_title_has_the_footer(slides, sample):
    as_of = data_as_of(sample).label
    for slide in slides[1:]:
        footer = next(t for t in _texts(slide) if t.startswith("FY2026 Q3 (01 Jul 2026"))
        assert f"data as of {as_of}" in footer and "CSV folder sample_data" in footer


def test_headline_slide_shows_the_five_figures_and_the_story(slides, sample):
    h = load_headline(sample, CAL, Q, today=TODAY)
    text = " ".join(_texts(slides[1]))
    for tile in h.tiles():
        assert tile.label in text and tile.value in text
    for sentence in h.story():
        assert sentence in text


def test_spend_slide_series_are_the_quarterly_split(slides, sample):
    split = spend.quarterly_split(spend.spend_by_quarter(sample, CAL))
    split = split[split["quarter"] <= Q].tail(12)
    bars, share_line = _charts(slides[2])
    series = _series(bars)
    for dept in ("Marketing", "IT", "Joint"):
        assert series[dept] == pytest.approx(list(split[dept]))
    assert _categories(bars) == [label.replace("FY20", "FY") for label in split["label"]]
    assert _series(share_line)["Marketing share of all spend"] == pytest.approx(list(split["marketing_share"]))
    colours = {s.name: _fill(s) for s in bars.plots[0].series}
    assert colours == {d: c.lstrip("#").upper() for d, c in DEPARTMENT_COLOURS.items()}
    ms = spend.marketing_share(split, Q)
    assert slides[2].shapes.title.text == ms.sentence(), "the slide is titled with its computed sentence"


def test_budget_slide_series_are_actual_and_budget_by_department(slides, sample):
    directory = spend.load_vendor_directory(sample)
    variance = spend.budget_variance(
        spend.load_period(sample, CAL, Q, (), directory), spend.budget_by_line(sample, Q.fiscal_year), Q
    )
    chart = _charts(slides[3])[0]
    # Horizontal bars list the first category at the bottom: the chart holds them reversed.
    by_dept = variance.by_department.iloc[::-1]
    assert _categories(chart) == list(by_dept["department"])
    assert _series(chart) == {
        "Actual": pytest.approx(list(by_dept["actual"])),
        "Budget": pytest.approx(list(by_dept["budget"])),
    }
    actual = next(s for s in chart.plots[0].series if s.name == "Actual")
    assert [_fill(p) for p in actual.points] == [
        DEPARTMENT_COLOURS[d].lstrip("#").upper() for d in by_dept["department"]
    ]
    assert slides[3].shapes.title.text == variance.sentence()


def test_vendor_slide_series_are_the_overlap_and_shadow_it(slides, sample):
    directory = spend.load_vendor_directory(sample)
    overlap = spend.vendor_overlap(spend.load_period(sample, CAL, Q, (), directory), Q)
    trend = spend.load_shadow_trend(sample, CAL, directory, ())
    bars, shadow = _charts(slides[4])
    top = overlap.vendors.head(8).iloc[::-1]
    assert _categories(bars) == list(top["vendor"])
    assert _series(bars) == {
        "Paid by IT": pytest.approx(list(top["IT"])),
        "Paid by Marketing": pytest.approx(list(top["Marketing"])),
    }
    trend = trend[trend["quarter"] <= Q].tail(12)
    assert _series(shadow)["Shadow IT spend"] == pytest.approx(list(trend["shadow"]))


def test_kpi_slide_counts_statuses_in_their_colours(slides, sample):
    h = load_headline(sample, CAL, Q, today=TODAY)
    chart = _charts(slides[5])[0]
    counts = dict(zip(_categories(chart), _series(chart)["KPIs"]))
    expected = {s: sum(c.status == s for c in h.data.kpi_cards) for s in kpis.STATUSES}
    assert {k.split(" ", 1)[1]: v for k, v in counts.items()} == expected
    assert counts["● on target"] == h.kpis.on_target
    points = chart.plots[0].series[0].points
    assert [_fill(p) for p in points] == [
        STATUS_COLOURS[c.split(" ", 1)[1]].lstrip("#").upper() for c in _categories(chart)
    ]
    table = next(s.table for s in slides[5].shapes if s.has_table)
    assert [row.cells[0].text for row in list(table.rows)[1:]] == [c.kpi.name for c in h.data.kpi_cards]


def test_turnaround_slide_series_are_the_lead_times(slides, sample):
    by_quarter = ta.lead_time_by_quarter(sample, CAL)
    rows = ta.in_window(by_quarter, *ta.trend_window(Q)).dropna(subset=["p85"])
    lines, breaches = _charts(slides[6])
    series = _series(lines)
    assert series["85% delivered within (p85)"] == pytest.approx(list(rows["p85"]))
    assert series["Median (p50)"] == pytest.approx(list(rows["p50"]))
    assert series["SLA (median of the requests)"] == pytest.approx(list(rows["sla_p50"]))
    by_priority = ta.breach_rate_by_priority(sample, CAL, Q, Q).iloc[::-1]
    assert _series(breaches)["SLA breach rate"] == pytest.approx(list(by_priority["breach_rate"]))


# --- Masked packs ----------------------------------------------------------------------------


def _vendor_names() -> set[str]:
    """Every vendor name of the sample: catalogue names, aliases and every spelling invoiced."""
    catalogue = pd.read_csv(SAMPLE_DIR / "vendors.csv")
    names = set(catalogue["vendor"]) | set(pd.read_csv(SAMPLE_DIR / "spend.csv", usecols=["vendor"])["vendor"])
    names |= {a for cell in catalogue["aliases"].dropna() for a in cell.split("|")}
    return {n.strip() for n in names if n.strip()}


def _named(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if re.search(rf"(?<![0-9A-Za-z]){re.escape(n)}(?![0-9A-Za-z])", text, re.I))


def test_a_masked_deck_names_no_vendor_and_letters_are_consistent(sample, deck):
    masked = build_pack(sample, CAL, Q, "pptx", source=SOURCE, mask_vendors=True, today=TODAY)
    slides = list(Presentation(io.BytesIO(masked.data)).slides)
    text = "\n".join(t for slide in slides for t in _texts(slide))
    names = _vendor_names()
    assert _named("\n".join(t for s in Presentation(io.BytesIO(deck.data)).slides for t in _texts(s)), names), (
        "the unmasked deck does name vendors (the check below can fail)"
    )
    assert _named(text, names) == []
    assert "Vendor names are masked" in text
    mask = load_vendor_mask(sample)
    salesforce = mask.labels["salesforce"]
    assert salesforce in _categories(_charts(slides[4])[0]), "the overlap chart's largest vendor"
    assert f"the most with {salesforce}" in slides[4].shapes.title.text, "the same letter in the slide's title"


@pytest.mark.slow  # renders charts in Chromium
def test_a_masked_pdf_names_no_vendor(sample):
    pack = build_pack(sample, CAL, Q, "pdf", source=SOURCE, mask_vendors=True, today=TODAY, renderer=NoChromium())
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.data)).pages)
    assert "Vendor A" in text
    assert _named(text, _vendor_names()) == []


# --- PDF -------------------------------------------------------------------------------------


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.slow  # renders charts in Chromium
def test_pdf_holds_every_headline_figure_and_its_charts(sample, renderer):
    pack = build_pack(
        sample, CAL, Q, "pdf", source=SOURCE, company="Northwind Outfitters", today=TODAY, renderer=renderer
    )
    assert pack.data.startswith(b"%PDF") and pack.charts_note is None
    reader = PdfReader(io.BytesIO(pack.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    h = pack.content.headline
    for tile in h.tiles():
        assert tile.value in text, tile.label
        for note in tile.notes:
            assert " ".join(note.text.split()) in " ".join(text.split())
    for sentence in h.story():
        assert " ".join(sentence.split()) in " ".join(text.split())
    assert sum(len(page.images) for page in reader.pages) >= 7, "the pages' charts, as images"
    assert "Chart unavailable" not in text


@pytest.mark.slow  # renders charts in Chromium
def test_pdf_without_chromium_still_builds_with_a_note(sample):
    pack = build_pack(sample, CAL, Q, "pdf", source=SOURCE, today=TODAY, renderer=NoChromium())
    text = "\n".join(_pdf_pages(pack.data))
    assert pack.charts_note == "Charts unavailable (ChromeNotFoundError: no browser)"
    assert "Chart unavailable" in text and "$13.4M" in text


@pytest.mark.slow  # renders charts in Chromium
def test_pdf_tables_are_never_cut_mid_row(sample):
    content = gather(sample, CAL, Q, source=SOURCE, today=TODAY)
    lines = content.budget.lines
    # 120 budget lines: several pages of table, each row a distinct category.
    long = pd.concat([lines] * 6, ignore_index=True)
    long["category"] = [f"Category {i:03d}" for i in range(len(long))]
    content = replace(content, budget=BudgetSection(content.budget.sentence, content.budget.by_department, long))
    data, _ = build_pdf(content, NoChromium())
    pages = _pdf_pages(data)
    for i, row in long.iterrows():
        holding = [n for n, page in enumerate(pages) if f"Category {i:03d}" in page]
        assert len(holding) == 1
        line = next(t for t in pages[holding[0]].splitlines() if f"Category {i:03d}" in t)
        assert row["verdict"] in line and row["department"] in line, "the whole row is on one line of one page"
    table_pages = [p for p in pages if "Category 0" in p or "Category 1" in p]
    assert len(table_pages) >= 3
    assert all("Department" in p and "Variance %" in p for p in table_pages), "the heading repeats on every page"
