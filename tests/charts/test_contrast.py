"""Legible on a projector: every colour the charts draw lines, bars and markers with stands out from
the page at 3:1 or more (WCAG's contrast for graphics), and a line drawn over bars carries a halo of
the page's colour, so it keeps that contrast where it crosses a bar of a similar colour."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from charts import spend as spend_charts
from charts import theme
from charts import turnaround as turnaround_charts
from metrics import spend
from metrics.fiscal import FiscalQuarter

ROOT = Path(__file__).resolve().parents[2]
MINIMUM = 3.0


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = theme.hex_rgb(hex_colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast("#0072B2", "#FFFFFF") == pytest.approx(5.19, abs=0.01)  # WebAIM's figure


def test_the_page_backgrounds_are_the_themes():
    """Both themes are defined, so the viewer can choose; the charts know their backgrounds."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert "base" not in config["theme"], "a base would pin one theme"
    assert config["theme"]["light"]["backgroundColor"].upper() == theme.PAGE_BACKGROUND
    assert config["theme"]["dark"]["backgroundColor"].upper() == theme.DARK_BACKGROUND


PALETTES = {
    "departments": theme.DEPARTMENT_COLOURS,
    "statuses": theme.STATUS_COLOURS,
    "sequence": dict(enumerate(theme.SEQUENCE)),
    "favourable, unfavourable, neutral, accent": dict(
        enumerate((theme.FAVOURABLE, theme.UNFAVOURABLE, theme.NEUTRAL, theme.ACCENT))
    ),
    "priorities": {p: style[0] for p, style in turnaround_charts.PRIORITY_STYLES.items()},
    "stages": turnaround_charts.STAGE_COLOURS,
    "ages": dict(enumerate(turnaround_charts.AGE_COLOURS)),
    "percentile lines": {"median": turnaround_charts.MEDIAN_COLOUR, "p85": turnaround_charts.P85_COLOUR},
    "investment types": spend_charts.INVESTMENT_COLOURS,
    "shadow IT reasons": spend_charts.SHADOW_COLOURS,
}


@pytest.mark.parametrize("palette", list(PALETTES))
def test_every_colour_stands_out_from_the_page(palette):
    weak = {
        name: round(contrast(colour, theme.PAGE_BACKGROUND), 2)
        for name, colour in PALETTES[palette].items()
        if contrast(colour, theme.PAGE_BACKGROUND) < MINIMUM
    }
    assert not weak, f"{palette}: below {MINIMUM}:1 against the page: {weak}"


@pytest.mark.parametrize("palette", list(PALETTES))
def test_every_colour_stands_out_from_the_dark_page_too(palette):
    """On the dark theme each colour is drawn as `theme.ON_DARK` turns it (most stay as they are)."""
    weak = {}
    for name, colour in PALETTES[palette].items():
        shown = theme.ON_DARK.get(colour, colour)
        if contrast(shown, theme.DARK_BACKGROUND) < MINIMUM:
            weak[name] = (shown, round(contrast(shown, theme.DARK_BACKGROUND), 2))
    assert not weak, f"{palette}: below {MINIMUM}:1 against the dark page: {weak}"


def test_the_dark_copy_swaps_colours_not_data():
    fig = spend_charts.spend_by_quarter_chart(_split(), _split(), spend.DEPARTMENT_ORDER, [], FiscalQuarter(2026, 2))
    dark = theme.on_dark(fig)
    halo, line = dark.data[-2], dark.data[-1]
    assert halo.line.color == theme.DARK_BACKGROUND, "the halo is the dark page's colour"
    assert line.line.color == theme.ON_DARK[theme.ACCENT]
    assert contrast(line.line.color, theme.DARK_BACKGROUND) >= MINIMUM
    assert [t["y"] for t in json.loads(dark.to_json())["data"]] == [t["y"] for t in json.loads(fig.to_json())["data"]]
    assert [t.marker.color for t in dark.data if t.type == "bar"] == [
        t.marker.color for t in fig.data if t.type == "bar"
    ], "departments keep their colours"
    assert fig.data[-1].line.color == theme.ACCENT, "the light figure is untouched"


def test_a_page_figure_is_sized_and_coloured_for_its_mode_and_theme():
    fig = spend_charts.spend_by_quarter_chart(_split(), _split(), spend.DEPARTMENT_ORDER, [], FiscalQuarter(2026, 2))
    light = theme.for_page(fig, presenting=False, dark=False)
    dark_projected = theme.for_page(fig, presenting=True, dark=True)
    assert min(_font_sizes(light.to_plotly_json())) >= theme.SCREEN_TEXT_PX
    assert min(_font_sizes(dark_projected.to_plotly_json())) >= theme.PROJECTOR_TEXT_PX
    assert light.data[-1].line.color == theme.ACCENT
    assert dark_projected.data[-1].line.color == theme.ON_DARK[theme.ACCENT]


def test_an_axis_styled_only_by_the_template_gets_legible_ticks():
    """Streamlit's chart theme puts 12 px ticks on an axis the figure leaves to its template."""
    fig = theme.base_figure()
    fig.add_bar(y=["Marketing", "IT"], x=[0.4, 0.6], orientation="h")
    shown = theme.legible(fig)
    assert shown.layout.yaxis.tickfont.size == theme.SCREEN_TEXT_PX
    assert shown.layout.xaxis.tickfont.size == theme.SCREEN_TEXT_PX


def _split():
    rows = [("FY2026 Q1", 2026, 1, d, v) for d, v in (("Marketing", 2.0), ("IT", 4.0), ("Joint", 1.0))]
    rows += [("FY2026 Q2", 2026, 2, d, v) for d, v in (("Marketing", 5.0), ("IT", 3.0), ("Joint", 1.0))]
    by_q = pd.DataFrame(rows, columns=["quarter", "fiscal_year", "fiscal_quarter", "department", "spend"])
    by_q["lines"] = 1
    return spend.quarterly_split(by_q)


def _shadow_trend():
    return pd.DataFrame(
        {
            "quarter": [FiscalQuarter(2026, 1), FiscalQuarter(2026, 2)],
            "label": ["FY2026 Q1", "FY2026 Q2"],
            "spend": [100.0, 120.0],
            "shadow": [10.0, 18.0],
            "share": [0.1, 0.15],
        }
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda: spend_charts.spend_by_quarter_chart(
            _split(), _split(), spend.DEPARTMENT_ORDER, [], FiscalQuarter(2026, 2)
        ),
        lambda: spend_charts.shadow_trend_chart(_shadow_trend(), FiscalQuarter(2026, 2)),
    ],
    ids=["spend by quarter", "shadow IT trend"],
)
def test_a_line_over_bars_has_a_halo_of_the_page_beneath_it(build):
    fig = build()
    traces = list(fig.data)
    assert any(t.type == "bar" for t in traces)
    lines = [
        i
        for i, t in enumerate(traces)
        if t.type == "scatter" and "lines" in (t.mode or "") and t.showlegend is not False
    ]
    assert lines, "the chart has a line over its bars"
    for i in lines:
        line, halo = traces[i], traces[i - 1]
        assert halo.type == "scatter" and halo.line.color == theme.HALO and halo.hoverinfo == "skip"
        assert halo.line.width > line.line.width
        assert list(halo.y) == list(line.y) and halo.yaxis == line.yaxis
        assert contrast(line.line.color, theme.HALO) >= MINIMUM


def test_no_chart_text_is_smaller_than_14_px():
    """Every font size the chart builders set (titles, ticks, bar and line labels, annotations,
    HTML spans) is at least 14 px; the template's own is 14."""
    import re

    assert theme.TEMPLATE.layout.font.size >= 14
    sizes = re.compile(
        r"(?:font=dict\([^)]*?size=|textfont=dict\([^)]*?size=|\"font\": \{\"size\": |tickfont\": \{\"size\": "
        r"|font-size:|uniformtext_minsize=)(\d+)"
    )
    found_sizes = [int(n) for path in (ROOT / "charts").glob("*.py") for n in sizes.findall(path.read_text())]
    assert len(found_sizes) >= 10, "the pattern finds the sizes the builders set"
    small = [
        (path.name, int(found))
        for path in (ROOT / "charts").glob("*.py")
        for found in sizes.findall(path.read_text(encoding="utf-8"))
        if int(found) < 14
    ]
    assert not small, f"chart text below 14 px: {small}"


def test_the_projector_copy_has_no_text_under_18_px_and_the_same_data():
    from charts.kpis import bullet_chart  # noqa: F401  (the builders share the template)

    fig = spend_charts.spend_by_quarter_chart(_split(), _split(), spend.DEPARTMENT_ORDER, [], FiscalQuarter(2026, 2))
    fig.add_annotation(text="<span style='font-size:14px'>note</span>", font=dict(size=14))
    shown = theme.for_projector(fig)
    assert _font_sizes(shown.to_plotly_json()) and min(_font_sizes(shown.to_plotly_json())) >= theme.PROJECTOR_TEXT_PX
    assert "font-size:18px" in shown.layout.annotations[-1].text
    assert shown.to_json() != fig.to_json()
    import json

    assert [t["y"] for t in json.loads(shown.to_json())["data"]] == [t["y"] for t in json.loads(fig.to_json())["data"]]
    assert min(_font_sizes(fig.to_plotly_json())) < theme.PROJECTOR_TEXT_PX, "the screen's figure is untouched"


def _font_sizes(node) -> list[float]:
    """Every font size in a figure's JSON (the dicts under font, textfont, tickfont...)."""
    if isinstance(node, dict):
        own = [
            v["size"]
            for k, v in node.items()
            if k.endswith("font") and isinstance(v, dict) and isinstance(v.get("size"), (int, float))
        ]
        return own + [s for v in node.values() for s in _font_sizes(v)]
    if isinstance(node, list):
        return [s for v in node for s in _font_sizes(v)]
    return []
