"""The board pack as PowerPoint, with native charts (python-pptx chart data, editable in
PowerPoint: no pictures), in the app's department and status colours.

Slides: title; the quarter in five numbers with its story; then one slide per key chart, each
titled with its computed sentence: spend split and marketing share, budget vs actual, overlap and
shadow IT, KPI scorecard, turnaround vs SLA. Every slide but the title has a footer naming the
period, the data's as-of date and its source.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from boardpack.content import OVERDUE_MARK, OVERLAP_VENDORS, PackContent, Slide, review_groups, slides
from charts.theme import (
    ACCENT,
    DEPARTMENT_COLOURS,
    FAVOURABLE,
    NEUTRAL,
    STATUS_COLOURS,
    STATUS_SYMBOLS,
    UNFAVOURABLE,
    hex_rgb,
)
from charts.turnaround import PRIORITY_STYLES
from metrics import kpis
from metrics.exports import SENTENCE_LIMIT, inert
from metrics.formatting import money, share
from metrics.headline import BAD, GOOD, WARNING, Delta, Tile
from metrics.spend import DEPARTMENT_ORDER, variance_words

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_TOP, CONTENT_BOTTOM = Inches(1.85), Inches(6.75)
INK, MUTED, RULE = "1F2933", "52606D", "D5DAE0"
BUDGET_GREY = "AEB6BF"
SHADOW_COLOUR = "CC79A7"  # shadow IT bars, as on the Tech spend page
# Text on white needs more contrast than the fills: the amber of "at risk" is darkened for words.
TONE_TEXT = {GOOD: FAVOURABLE, BAD: UNFAVOURABLE, WARNING: "#9A6700"}
CHART_FONT = Pt(12)


TITLE_ONLY = 5  # the default template's "Title Only" layout: a title placeholder and nothing else


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor(*hex_rgb(hex_colour))


def _money_format(values: Sequence[float], currency: str) -> str:
    """An Excel number format that reads like `metrics.formatting.money` at the chart's scale."""
    top = max((abs(v) for v in values if v is not None and not math.isnan(v)), default=0)
    if top >= 7e5:  # an axis that reaches $1M reads in millions, not "$1,000K"
        return f'"{currency}"#,##0.0,,"M"'
    if top >= 1e3:
        return f'"{currency}"#,##0,"K"'
    return f'"{currency}"#,##0'


def _values(series: pd.Series) -> list[float | None]:
    return [None if v is None or pd.isna(v) else float(v) for v in series]


# --- Text ----------------------------------------------------------------------------------


def _textbox(
    slide,
    left,
    top,
    width,
    height,
    text: str = "",
    *,
    size: int = 14,
    bold: bool = False,
    colour: str = INK,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Emu(0)
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    _run(paragraph, text, size=size, bold=bold, colour=colour)
    return box


def _run(paragraph, text: str, *, size: int, bold: bool = False, colour: str = INK):
    run = paragraph.add_run()
    run.text = inert(text, limit=SENTENCE_LIMIT, formulas=False)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    return run


def _paragraph(frame, first: bool = False):
    return frame.paragraphs[0] if first else frame.add_paragraph()


def _titled_slide(prs, title: str, left, top, width, height, *, size: int):
    """A slide whose title is PowerPoint's title placeholder (what the slide navigator and screen
    readers read), placed and styled as the pack's own title."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    placeholder = slide.shapes.title
    placeholder.left, placeholder.top, placeholder.width, placeholder.height = left, top, width, height
    frame = placeholder.text_frame
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(0)
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    _run(paragraph, title, size=size, bold=True)
    return slide


def _content_slide(prs, content: PackContent, spec: Slide):
    """A slide with its kicker, its finding as the title, and the footer."""
    width = SLIDE_WIDTH - 2 * MARGIN
    # Two lines of a long sentence fit above the content at 18 pt; a short one reads better larger.
    size = 22 if len(spec.title) <= 110 else 18
    slide = _titled_slide(prs, spec.title, MARGIN, Inches(0.65), width, Inches(1.1), size=size)
    _textbox(slide, MARGIN, Inches(0.35), width, Inches(0.3), spec.kicker.upper(), size=12, bold=True, colour=ACCENT)
    rule = slide.shapes.add_connector(1, MARGIN, Inches(6.9), SLIDE_WIDTH - MARGIN, Inches(6.9))
    rule.line.color.rgb = _rgb(RULE)
    rule.line.width = Pt(0.75)
    rule.shadow.inherit = False
    _textbox(slide, MARGIN, Inches(6.95), Inches(10.4), Inches(0.35), content.footer, size=10, colour=MUTED)
    number = len(prs.slides)
    _textbox(
        slide,
        SLIDE_WIDTH - MARGIN - Inches(2.2),
        Inches(6.95),
        Inches(2.2),
        Inches(0.35),
        f"{content.company + ' · ' if content.company else ''}{number}",
        size=10,
        colour=MUTED,
        align=PP_ALIGN.RIGHT,
    )
    return slide


def _caption(slide, left, top, width, text: str):
    _textbox(slide, left, top, width, Inches(0.3), text, size=11, colour=MUTED)


# --- Charts --------------------------------------------------------------------------------


def _chart(slide, kind, left, top, width, height, data: CategoryChartData, *, legend: bool = True):
    # The categories are also written into the chart's embedded workbook ("Edit Data in Excel"),
    # where a name such as =HYPERLINK(...) would turn into a live formula.
    data.categories = [inert(str(category.label)) for category in data.categories]
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.has_title = False  # the slide's sentence and the caption say what the chart shows
    chart.font.size = CHART_FONT
    chart.font.color.rgb = _rgb(INK)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)
    return chart


def _fill(target, hex_colour: str) -> None:
    """Solid fill of a shape or table cell (`.fill`) or of a chart series or point (`.format.fill`)."""
    fill = target.fill if hasattr(target, "fill") else target.format.fill
    fill.solid()
    fill.fore_color.rgb = _rgb(hex_colour)


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 x 10^n) giving about `ticks` ticks up to `top`."""
    raw = top / ticks if top > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _value_axis(
    chart, number_format: str, *, minimum: float | None = 0, maximum: float | None = None, top: float | None = None
) -> None:
    """Value axis format; `top` (the largest value shown) sets round, uncrowded ticks."""
    axis = chart.value_axis
    if top:
        axis.major_unit = _nice_step(maximum or top)
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = _rgb("E4E7EB")
    axis.format.line.fill.background()
    if minimum is not None:
        axis.minimum_scale = minimum
    if maximum is not None:
        axis.maximum_scale = maximum


def _bottom_up(items):
    """Horizontal bar charts draw the first category (and series) at the bottom: give them rows
    reversed so the first reads at the top. (Reversing the axis instead moves the value axis to
    the top in some viewers.)"""
    return items.iloc[::-1] if isinstance(items, pd.DataFrame) else list(items)[::-1]


def _label_points(series, texts: Sequence[str], *, size: int = 11, position=None) -> None:
    """Custom data labels, one per point (PowerPoint keeps them editable)."""
    for point, text in zip(series.points, texts):
        label = point.data_label
        label.has_text_frame = True
        label.text_frame.text = inert(text, formulas=False)
        label.font.size = Pt(size)
        if position is not None:
            label.position = position


def _short(label: str) -> str:
    """'FY2026 Q3' -> 'FY26 Q3': eleven quarters fit under a chart without slanting."""
    return label.replace("FY20", "FY", 1)


# --- Slides --------------------------------------------------------------------------------


def _title_slide(prs, content: PackContent, spec: Slide) -> None:
    left, width = Inches(1.1), Inches(11)
    slide = _titled_slide(prs, spec.title, left, Inches(2.3), width, Inches(1.1), size=28)
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.35), SLIDE_HEIGHT)
    _fill(band, ACCENT)
    band.line.fill.background()
    if content.company:
        _textbox(slide, left, Inches(1.4), width, Inches(0.8), content.company, size=40, bold=True, colour=ACCENT)
    _textbox(slide, left, Inches(3.6), width, Inches(0.6), spec.kicker, size=22)
    lines = content.details
    box = _textbox(slide, left, Inches(4.6), width, Inches(1.6), lines[0], size=16, colour=MUTED)
    for line in lines[1:]:
        _run(box.text_frame.add_paragraph(), line, size=16, colour=MUTED)
    _textbox(slide, left, Inches(6.7), width, Inches(0.4), "Prepared with Bridgeboard", size=11, colour=MUTED)


def _delta_colour(delta: Delta) -> str:
    if delta.higher_is_better is None or delta.sign == 0:
        return MUTED
    good = (delta.sign > 0) == delta.higher_is_better
    return FAVOURABLE if good else UNFAVOURABLE


def _tile(slide, tile: Tile, left, top, width, height) -> None:
    card = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, width, height)
    card.adjustments[0] = 0.06
    _fill(card, "FFFFFF")
    card.line.color.rgb = _rgb(RULE)
    frame = card.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.14))
    _run(_paragraph(frame, first=True), tile.label, size=12, bold=True, colour=MUTED)
    _run(_paragraph(frame), tile.value, size=30, bold=True)
    if tile.delta is not None:
        _run(_paragraph(frame), tile.delta.text, size=11, bold=True, colour=_delta_colour(tile.delta))
    for note in tile.notes:
        paragraph = _paragraph(frame)
        paragraph.space_before = Pt(4)
        symbol, rest = (note.text[0], note.text[1:]) if note.text[:1] in "▲▼●■○" else ("", note.text)
        if symbol:
            _run(paragraph, symbol, size=11, bold=True, colour=TONE_TEXT.get(note.tone, MUTED))
        _run(paragraph, rest, size=11, colour=INK if note.tone in TONE_TEXT else MUTED)
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT


def _headline_slide(prs, content: PackContent, spec: Slide) -> None:
    slide = _content_slide(prs, content, spec)
    gap = Inches(0.15)
    width = int((SLIDE_WIDTH - 2 * MARGIN - 4 * gap) / 5)
    for i, tile in enumerate(content.tiles):
        _tile(slide, tile, MARGIN + i * (width + gap), Inches(1.45), width, Inches(2.95))
    box = _textbox(
        slide,
        MARGIN,
        Inches(4.55),
        SLIDE_WIDTH - 2 * MARGIN,
        Inches(2.3),
        "The quarter's story",
        size=14,
        bold=True,
        colour=ACCENT,
    )
    for sentence in content.story:
        paragraph = box.text_frame.add_paragraph()
        paragraph.space_before = Pt(2)
        _run(paragraph, "•  " + sentence, size=12)


def _spend_slide(prs, content: PackContent, spec: Slide) -> None:
    section = content.spend
    slide = _content_slide(prs, content, spec)
    split = section.split
    if split.empty:
        _caption(slide, MARGIN, CONTENT_TOP, Inches(8), "No spend is dated in any quarter.")
        return
    labels = [_short(label) for label in split["label"]]
    bars = CategoryChartData(number_format=_money_format(split["total"], currency=content.currency))
    bars.categories = labels
    for dept in DEPARTMENT_ORDER:
        bars.add_series(dept, _values(split[dept]))
    height = CONTENT_BOTTOM - CONTENT_TOP
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_STACKED, MARGIN, CONTENT_TOP, Inches(7.9), height, bars)
    for series, dept in zip(chart.plots[0].series, DEPARTMENT_ORDER):
        _fill(series, DEPARTMENT_COLOURS[dept])
    chart.plots[0].gap_width = 55
    _value_axis(chart, _money_format(split["total"], currency=content.currency), top=float(split["total"].max()))
    chart.category_axis.tick_labels.font.size = Pt(10)

    line = CategoryChartData(number_format="0%")
    line.categories = labels
    line.add_series("Marketing share of all spend", _values(split["marketing_share"]))
    share_chart = _chart(
        slide,
        XL_CHART_TYPE.LINE_MARKERS,
        Inches(8.6),
        CONTENT_TOP + Inches(0.35),
        Inches(4.23),
        height - Inches(0.35),
        line,
        legend=False,
    )
    _caption(slide, Inches(8.6), CONTENT_TOP, Inches(4.23), "Marketing's share of all technology spend")
    series = share_chart.plots[0].series[0]
    series.smooth = False
    series.format.line.color.rgb = _rgb(DEPARTMENT_COLOURS["Marketing"])
    series.format.line.width = Pt(2.5)
    series.marker.format.fill.solid()
    series.marker.format.fill.fore_color.rgb = _rgb(DEPARTMENT_COLOURS["Marketing"])
    top = max((v for v in split["marketing_share"] if pd.notna(v)), default=0.5)
    _value_axis(share_chart, "0%", maximum=min(1.0, math.ceil((top + 0.05) * 10) / 10))
    share_chart.category_axis.tick_labels.font.size = Pt(9)
    latest = series.points[len(split) - 1].data_label  # the selected quarter's share, in words
    latest.has_text_frame = True
    latest.text_frame.text = share(split["marketing_share"].iloc[-1])
    latest.font.size, latest.font.bold = Pt(13), True
    latest.position = XL_LABEL_POSITION.ABOVE


def _variance_text(variance: float | None, pct: float | None) -> str:
    return variance_words(variance, pct, symbol=True, percent_decimals=0, zero="on budget")


def _variance_short(variance: float | None, pct: float | None) -> str:
    """'▲ 9%' beside a bar (short: long labels wrap); the amounts are in the table and the title."""
    return variance_words(variance, pct, symbol=True, short=True, percent_decimals=0, zero="on budget", missing="")


def _variance_colour(variance: float | None) -> str:
    if variance is None or pd.isna(variance) or round(variance, 2) == 0:
        return MUTED
    return UNFAVOURABLE if variance > 0 else FAVOURABLE


def _table(
    slide,
    frame: pd.DataFrame,
    left,
    top,
    width,
    widths: Sequence[float],
    *,
    size: int = 11,
    row_height=Inches(0.36),
    colours: dict[tuple[int, int], str] | None = None,
    align_right: Sequence[int] = (),
):
    """A native table; `colours` maps (row, column) of the body to a text colour."""
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, row_height * rows)
    table = shape.table
    total = sum(widths)
    for i, w in enumerate(widths):
        table.columns[i].width = int(width * w / total)
    for r in range(rows):
        table.rows[r].height = row_height
        for c in range(cols):
            cell = table.cell(r, c)
            text = inert(str(frame.columns[c]) if r == 0 else str(frame.iat[r - 1, c]), formulas=False)
            cell.text = ""
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.RIGHT if c in align_right else PP_ALIGN.LEFT
            colour = INK if r else "FFFFFF"
            if r and colours and (r - 1, c) in colours:
                colour = colours[(r - 1, c)]
            _run(paragraph, text, size=size, bold=r == 0, colour=colour)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            _fill(cell, ACCENT if r == 0 else ("F4F6F8" if r % 2 == 0 else "FFFFFF"))
    return table


def _budget_slide(prs, content: PackContent, spec: Slide) -> None:
    section = content.budget
    slide = _content_slide(prs, content, spec)
    if section.by_department.empty:
        return
    by_dept = _bottom_up(section.by_department)
    depts = list(by_dept["department"])
    amounts = list(by_dept["actual"]) + list(by_dept["budget"].fillna(0))
    fmt = _money_format(amounts, currency=content.currency)
    data = CategoryChartData(number_format=fmt)
    data.categories = depts
    data.add_series("Budget", _values(by_dept["budget"]))
    data.add_series("Actual", _values(by_dept["actual"]))
    height = CONTENT_BOTTOM - CONTENT_TOP - Inches(0.7)
    chart = _chart(
        slide, XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, CONTENT_TOP + Inches(0.35), Inches(6.3), height, data, legend=False
    )
    budget, actual = chart.plots[0].series
    _fill(budget, BUDGET_GREY)
    _fill(actual, ACCENT)
    for point, dept in zip(actual.points, depts):
        _fill(point, DEPARTMENT_COLOURS.get(dept, NEUTRAL))
    chart.plots[0].gap_width = 60
    chart.plots[0].overlap = -5
    _value_axis(chart, fmt, maximum=max(amounts) * 1.55, top=max(amounts))  # room for labels right of the bars
    _label_points(
        actual,
        [
            f"{money(a, currency=content.currency)}  {_variance_short(v, p)}"
            for a, v, p in zip(by_dept["actual"], by_dept["variance"], by_dept["variance_pct"])
        ],
        size=11,
        position=XL_LABEL_POSITION.OUTSIDE_END,
    )
    _label_points(
        budget,
        [f"Budget {money(v, currency=content.currency)}" if pd.notna(v) else "no budget" for v in by_dept["budget"]],
        size=10,
        position=XL_LABEL_POSITION.OUTSIDE_END,
    )
    _caption(slide, MARGIN, CONTENT_TOP, Inches(6.3), "Actual (department colour) against budget (grey), by department")
    _caption(
        slide,
        MARGIN,
        CONTENT_BOTTOM - Inches(0.3),
        Inches(6.3),
        "▲ over budget is unfavourable; ▼ under is favourable.",
    )

    lines = section.lines.dropna(subset=["variance"])
    lines = lines.reindex(lines["variance"].abs().sort_values(ascending=False).index).head(8)
    table = pd.DataFrame(
        {
            "Budget line": [f"{d} · {c}" for d, c in zip(lines["department"], lines["category"])],
            "Actual": [money(v, currency=content.currency) for v in lines["actual"]],
            "Budget": [money(v, currency=content.currency) for v in lines["budget"]],
            "Variance": [_variance_text(v, p) for v, p in zip(lines["variance"], lines["variance_pct"])],
        }
    )
    left = Inches(7.1)
    _caption(slide, left, CONTENT_TOP, Inches(5.7), "The largest variances by budget line")
    _table(
        slide,
        table,
        left,
        CONTENT_TOP + Inches(0.35),
        Inches(5.73),
        [2.3, 0.9, 0.9, 2.0],
        size=10,
        colours={(i, 3): _variance_colour(v) for i, v in enumerate(lines["variance"])},
        align_right=(1, 2),
    )


def _vendors_slide(prs, content: PackContent, spec: Slide) -> None:
    section = content.vendors
    slide = _content_slide(prs, content, spec)
    height = CONTENT_BOTTOM - CONTENT_TOP - Inches(0.35)
    overlap = section.overlap.head(OVERLAP_VENDORS)
    if not overlap.empty:
        fmt = _money_format(list(overlap["Marketing"]) + list(overlap["IT"]), currency=content.currency)
        data = CategoryChartData(number_format=fmt)
        data.categories = _bottom_up(overlap["vendor"])  # largest at stake on top
        for dept in ("IT", "Marketing"):  # Marketing's bar above IT's
            data.add_series(f"Paid by {dept}", _values(_bottom_up(overlap[dept])))
        chart = _chart(
            slide, XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, CONTENT_TOP + Inches(0.35), Inches(6.3), height, data
        )
        for series, dept in zip(chart.plots[0].series, ("IT", "Marketing")):
            _fill(series, DEPARTMENT_COLOURS[dept])
        _value_axis(chart, fmt, top=float(overlap[["Marketing", "IT"]].to_numpy().max()))
        chart.plots[0].gap_width = 50
        _caption(
            slide,
            MARGIN,
            CONTENT_TOP,
            Inches(6.3),
            f"Vendors paid by both Marketing and IT: {money(overlap['at_stake'].sum(), currency=content.currency)} at stake"
            + (f" (top {len(overlap)})" if len(section.overlap) > len(overlap) else ""),
        )
    else:
        _caption(slide, MARGIN, CONTENT_TOP, Inches(6.3), "No vendor was paid by both Marketing and IT.")

    trend = section.shadow_trend
    left = Inches(7.1)
    if trend.empty:
        _caption(slide, left, CONTENT_TOP, Inches(5.7), "No Marketing or Joint spend to measure shadow IT on.")
        return
    fmt = _money_format(trend["shadow"], currency=content.currency)
    data = CategoryChartData(number_format=fmt)
    data.categories = [_short(label) for label in trend["label"]]
    data.add_series("Shadow IT spend", _values(trend["shadow"]))
    chart = _chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        left,
        CONTENT_TOP + Inches(0.35),
        Inches(5.73),
        height,
        data,
        legend=False,
    )
    series = chart.plots[0].series[0]
    _fill(series, SHADOW_COLOUR)
    chart.plots[0].gap_width = 45
    _value_axis(chart, fmt, top=float(trend["shadow"].max()))
    chart.category_axis.tick_labels.font.size = Pt(9)
    _label_points(
        series,
        [share(v) if pd.notna(v) else "" for v in trend["share"]],
        size=9,
        position=XL_LABEL_POSITION.OUTSIDE_END,
    )
    _caption(
        slide, left, CONTENT_TOP, Inches(5.73), "Shadow IT per quarter; labels: its share of Marketing and Joint spend"
    )


def _status_text(status: str) -> str:
    return f"{STATUS_SYMBOLS[status]} {status}"


def _kpi_slide(prs, content: PackContent, spec: Slide) -> None:
    section = content.kpis
    slide = _content_slide(prs, content, spec)
    if not section.cards:
        return
    table = section.table.assign(Status=[_status_text(s) for s in section.table["Status"]])
    table = table.rename(columns={"Change": f"vs {content.quarter.previous().label}"})
    colours = {
        (i, 4): STATUS_COLOURS[s] if s not in (kpis.AT_RISK,) else TONE_TEXT[WARNING]
        for i, s in enumerate(section.table["Status"])
    }
    available = CONTENT_BOTTOM - CONTENT_TOP
    row_height = min(Inches(0.4), int(available / (len(table) + 1)))
    size = 10 if len(table) <= 11 else 8
    _table(
        slide,
        table,
        MARGIN,
        CONTENT_TOP,
        Inches(8.7),
        [2.45, 0.85, 1.35, 1.35, 1.15, 1.6],
        size=size,
        row_height=row_height,
        colours=colours,
        align_right=(2, 3),
    )

    counts = section.status_counts
    statuses = _bottom_up(counts)
    data = CategoryChartData(number_format="0")
    data.categories = [_status_text(s) for s in statuses]
    data.add_series("KPIs", [counts[s] for s in statuses])
    chart = _chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        Inches(9.45),
        CONTENT_TOP + Inches(0.35),
        Inches(3.38),
        Inches(3.2),
        data,
        legend=False,
    )
    series = chart.plots[0].series[0]
    for point, status in zip(series.points, statuses):
        _fill(point, STATUS_COLOURS[status])
    chart.plots[0].gap_width = 40
    chart.plots[0].has_data_labels = True
    chart.plots[0].data_labels.number_format = "0"
    chart.plots[0].data_labels.number_format_is_linked = False
    chart.value_axis.visible = False
    chart.value_axis.has_major_gridlines = False
    _caption(slide, Inches(9.45), CONTENT_TOP, Inches(3.38), "KPIs by status")


def _turnaround_slide(prs, content: PackContent, spec: Slide) -> None:
    section = content.turnaround
    slide = _content_slide(prs, content, spec)
    rows = section.lead_times.dropna(subset=["p85"])
    height = CONTENT_BOTTOM - CONTENT_TOP - Inches(0.35)
    if not rows.empty:
        data = CategoryChartData(number_format="0.0")
        data.categories = [_short(label) for label in rows["quarter"]]
        data.add_series("85% delivered within (p85)", _values(rows["p85"]))
        data.add_series("Median (p50)", _values(rows["p50"]))
        data.add_series("SLA (median of the requests)", _values(rows["sla_p50"]))
        chart = _chart(slide, XL_CHART_TYPE.LINE_MARKERS, MARGIN, CONTENT_TOP + Inches(0.35), Inches(7.6), height, data)
        p85, p50, sla = chart.plots[0].series
        for series, colour, width, dash in (
            (p85, ACCENT, 3, None),
            (p50, ACCENT, 2, MSO_LINE_DASH_STYLE.ROUND_DOT),
            (sla, NEUTRAL, 2, MSO_LINE_DASH_STYLE.DASH),
        ):
            series.smooth = False
            series.format.line.color.rgb = _rgb(colour)
            series.format.line.width = Pt(width)
            if dash is not None:
                series.format.line.dash_style = dash
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = _rgb(colour)
        _value_axis(chart, '0" d"')
        chart.category_axis.tick_labels.font.size = Pt(10)
        _caption(slide, MARGIN, CONTENT_TOP, Inches(7.6), "Lead time by quarter of delivery, days")
    breaches = _bottom_up(section.breaches)
    left = Inches(8.4)
    if breaches.empty:
        _caption(slide, left, CONTENT_TOP, Inches(4.4), f"No requests delivered in {content.quarter.label}.")
        return
    data = CategoryChartData(number_format="0%")
    data.categories = list(breaches["priority"])
    data.add_series("SLA breach rate", _values(breaches["breach_rate"]))
    chart = _chart(
        slide, XL_CHART_TYPE.BAR_CLUSTERED, left, CONTENT_TOP + Inches(0.35), Inches(4.43), height, data, legend=False
    )
    series = chart.plots[0].series[0]
    for point, priority in zip(series.points, breaches["priority"]):
        _fill(point, PRIORITY_STYLES.get(priority, (NEUTRAL,))[0])
    chart.plots[0].gap_width = 45
    _value_axis(chart, "0%", maximum=1.0)
    _label_points(
        series,
        [
            f"{r:.0%} ({b} of {d})"
            for r, b, d in zip(breaches["breach_rate"], breaches["breaches"], breaches["delivered"])
        ],
        size=10,
        position=XL_LABEL_POSITION.OUTSIDE_END,
    )
    _caption(
        slide, left, CONTENT_TOP, Inches(4.43), f"Share of requests that missed their SLA, {content.quarter.label}"
    )


REVIEW_LINES = 20  # lines of commentary or minutes on one slide; the rest are counted


def _review_slide(prs, content: PackContent, spec: Slide) -> None:
    """Commentary, or the decisions and actions: headed lists of plain lines, overdue in red."""
    slide = _content_slide(prs, content, spec)
    groups = review_groups(content, spec.key)
    total = sum(len(lines) + (heading is not None) for heading, lines in groups)
    size = 14 if total <= 10 else 12 if total <= 15 else 10
    box = slide.shapes.add_textbox(MARGIN, CONTENT_TOP, SLIDE_WIDTH - 2 * MARGIN, CONTENT_BOTTOM - CONTENT_TOP)
    frame = box.text_frame
    frame.word_wrap = True
    first, shown, left_out = True, 0, 0
    for heading, lines in groups:
        if heading is not None and shown < REVIEW_LINES:
            _run(_paragraph(frame, first), heading, size=size, bold=True, colour=ACCENT)
            first = False
        for line in lines:
            if shown >= REVIEW_LINES:
                left_out += 1
                continue
            colour = UNFAVOURABLE if OVERDUE_MARK in line else INK
            _run(_paragraph(frame, first), f"• {line}", size=size, colour=colour)
            first, shown = False, shown + 1
    if left_out:
        _run(_paragraph(frame), f"… and {left_out} more in the app's quarterly review.", size=size, colour=MUTED)


RENDER = {
    "title": _title_slide,
    "headline": _headline_slide,
    "spend": _spend_slide,
    "budget": _budget_slide,
    "vendors": _vendors_slide,
    "kpis": _kpi_slide,
    "turnaround": _turnaround_slide,
    "restated": _review_slide,
    "commentary": _review_slide,
    "minutes": _review_slide,
}


def build_pptx(content: PackContent) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = f"{content.title}: board pack, {content.quarter.label}"
    prs.core_properties.author = "Bridgeboard"
    for spec in slides(content):
        RENDER[spec.key](prs, content, spec)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
