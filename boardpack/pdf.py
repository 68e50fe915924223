"""The board pack as PDF (fpdf2): the same content as the PowerPoint, with the pages' own Plotly
charts (charts/*.py) as static images through kaleido, and the figures behind them as tables.

Tables flow over pages row by row: fpdf2 moves a row that does not fit to the next page whole and
repeats the heading row there, so no row is ever cut. When Chromium or kaleido cannot draw the
charts, the PDF is still built, with a note where each chart would be (the figures are in the
sentences and tables).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.fonts import FontFace

from boardpack.content import OVERDUE_MARK, PackContent, Slide, review_groups, slides
from boardpack.images import ChartRenderer, ChartsUnavailable
from charts import kpis as kpi_charts
from charts import spend as spend_charts
from charts import turnaround as turnaround_charts
from charts.theme import ACCENT, FAVOURABLE, STATUS_COLOURS, STATUS_SYMBOLS, UNFAVOURABLE, hex_rgb
from metrics.exports import SENTENCE_LIMIT, TEXT_LIMIT, inert
from metrics.formatting import money, share
from metrics.headline import BAD, GOOD, WARNING, Tile
from metrics.spend import DEPARTMENT_ORDER, VERDICT_LABELS, variance_percent
from metrics.turnaround import days_label

INK, MUTED, RULE = "#1F2933", "#52606D", "#D5DAE0"
TONE_TEXT = {GOOD: FAVOURABLE, BAD: UNFAVOURABLE, WARNING: "#9A6700"}
CHART_WIDTH_PX = 1400  # CSS pixels of a full-width chart; drawn at twice that for print
MARGIN = 14  # mm
SHRINK_TO_FIT = 0.7  # a chart may be drawn down to 70% of its width to stay on the page
ROW_HEIGHT = 6.8  # mm, a one-line table row at 9 pt with its padding
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
FONT_FILES = {
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
}
# Without a Unicode font (none installed), the core Helvetica only has Latin-1: these stand in.
LATIN1 = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "·": "-",
        "▲": "^",
        "▼": "v",
        "●": "*",
        "■": "#",
        "○": "o",
        "…": "...",
        "’": "'",
        "“": '"',
        "”": '"',
    }
)


class _Document(FPDF):
    def __init__(self, content: PackContent) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.content = content
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.set_title(f"{content.title}: board pack, {content.quarter.label}")
        self.set_author("Bridgeboard")
        self.family, self.unicode = self._fonts()
        self.section: Slide | None = None  # the slide being written; a page it runs onto repeats its kicker
        self.section_page = 0  # the page the slide starts on

    def _fonts(self) -> tuple[str, bool]:
        for family, (regular, bold) in FONT_FILES.items():
            for folder in FONT_DIRS:
                if (folder / regular).exists() and (folder / bold).exists():
                    self.add_font(family, "", str(folder / regular))
                    self.add_font(family, "B", str(folder / bold))
                    return family, True
        return "helvetica", False

    def say(self, text: str, limit: int = SENTENCE_LIMIT) -> str:
        """Text as the PDF shows it: inert (no control or bidi-override characters, a 10,000-character
        name cut with "…" so a table row still fits a page), in the font's character set."""
        text = inert(text, limit=limit, formulas=False)
        return text if self.unicode else text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, colour: str = INK) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*hex_rgb(colour))

    def header(self) -> None:
        """A page that a slide's table runs onto carries the slide's kicker, so that every page of
        the PDF has a heading."""
        if self.section is None or self.page_no() == self.section_page:
            return
        self.font(9, bold=True, colour=ACCENT)
        self.cell(0, 6, self.say(f"{self.section.kicker.upper()} (continued)"), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.font(8, colour=MUTED)
        self.cell(0, 5, self.say(self.content.footer), align="L")
        self.set_x(-MARGIN - 40)
        self.cell(
            40,
            5,
            self.say(f"{self.content.company + ' · ' if self.content.company else ''}page {self.page_no()} of {{nb}}"),
            align="R",
        )

    @property
    def usable_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def space_left(self) -> float:
        return self.page_break_trigger - self.y


class _Charts:
    """Figures to PNG through the renderer; after the first failure, no more tries (each could
    wait for a timeout), and the reason is kept for the notes."""

    def __init__(self, renderer: ChartRenderer) -> None:
        self.renderer = renderer
        self.failure: str | None = None

    def png(self, fig: go.Figure, width_px: int) -> bytes | None:
        if self.failure is not None:
            return None
        try:
            return self.renderer.png(fig, width_px)
        except ChartsUnavailable as exc:
            self.failure = str(exc)
            return None


def _kicker_and_title(pdf: _Document, spec: Slide) -> None:
    """A new page for the slide: its kicker, its title (also the PDF outline's entry, the PDF's
    counterpart of a slide title) and, on pages it runs onto, the kicker again."""
    pdf.section = None
    pdf.add_page()
    pdf.section, pdf.section_page = spec, pdf.page_no()
    pdf.start_section(pdf.say(spec.title, TEXT_LIMIT))
    pdf.font(9, bold=True, colour=ACCENT)
    pdf.cell(0, 6, pdf.say(spec.kicker.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.font(15, bold=True)
    pdf.multi_cell(0, 7, pdf.say(spec.title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _caption(pdf: _Document, text: str, width: float = 0) -> None:
    pdf.font(9, colour=MUTED)
    pdf.multi_cell(width, 5, pdf.say(text), align="L", new_x="LMARGIN", new_y="NEXT")


def _for_print(fig: go.Figure) -> go.Figure:
    """The page's figure made ready for paper. On screen Streamlit's chart theme grows the margins
    to fit tick labels; a static export does not, so axes make their own room here, on a white
    background."""
    out = go.Figure(fig)
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    out.update_layout(paper_bgcolor="white", plot_bgcolor="white")
    return out


def _chart(
    pdf: _Document,
    charts: _Charts,
    fig: go.Figure,
    *,
    x: float | None = None,
    width: float | None = None,
    width_px: int = CHART_WIDTH_PX,
    caption: str | None = None,
) -> float:
    """Draw the figure at (x, current y) `width` mm wide, under its `caption` (kept on the same
    page); returns the height used (mm)."""
    x = pdf.l_margin if x is None else x
    width = width or pdf.usable_width
    height_px = int(fig.layout.height or 450)
    height = width * height_px / width_px
    top_limit = pdf.page_break_trigger - pdf.t_margin - 20
    if height > top_limit:  # taller than a page: shrink to fit
        width, height = width * top_limit / height, top_limit
    if pdf.space_left < height <= pdf.space_left / SHRINK_TO_FIT:  # a little smaller keeps it on this page
        width, height = width * pdf.space_left / height, pdf.space_left
    if height > pdf.space_left:
        pdf.add_page()
    if caption:
        _caption(pdf, caption)
    png = charts.png(_for_print(fig), width_px)
    if png is None:
        pdf.set_xy(x, pdf.y)
        pdf.set_fill_color(*hex_rgb("#F4F6F8"))
        pdf.font(9, colour=MUTED)
        pdf.multi_cell(
            width,
            6,
            pdf.say(
                "Chart unavailable: the charts could not be drawn on this machine "
                f"({charts.failure}). The figures are in the sentence above and the "
                "table below."
            ),
            align="L",
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return 14
    pdf.image(io.BytesIO(png), x=x, y=pdf.y, w=width, h=height)
    return height


def _table(
    pdf: _Document,
    frame: pd.DataFrame,
    widths: Sequence[float],
    *,
    right: Sequence[int] = (),
    colours: dict[tuple[int, int], str] | None = None,
    size: float = 9,
    title: str | None = None,
) -> None:
    """A table that flows over pages row by row, the heading repeated on each page. A table that
    fits on one page but not in what is left of this one starts on the next page instead."""
    if frame.empty:
        return
    height = (len(frame) + 1) * ROW_HEIGHT + (6 if title else 0)
    if pdf.space_left < height <= pdf.page_break_trigger - pdf.t_margin:
        pdf.add_page()
    if title:
        pdf.font(10, bold=True)
        pdf.cell(0, 6, pdf.say(title), new_x="LMARGIN", new_y="NEXT")
    pdf.font(size)
    pdf.set_fill_color(255, 255, 255)  # rows between the shaded ones take the current fill colour
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=hex_rgb(ACCENT))
    aligns = tuple("RIGHT" if i in right else "LEFT" for i in range(len(frame.columns)))
    with pdf.table(
        col_widths=tuple(widths),
        text_align=aligns,
        headings_style=heading,
        line_height=5.2,
        cell_fill_color=hex_rgb("#F4F6F8"),
        cell_fill_mode="ROWS",
        borders_layout="HORIZONTAL_LINES",
        repeat_headings=1,
        padding=0.8,
    ) as table:
        row = table.row()
        for column in frame.columns:
            row.cell(pdf.say(str(column), TEXT_LIMIT))
        for r, values in enumerate(frame.itertuples(index=False)):
            row = table.row()
            for c, value in enumerate(values):
                colour = (colours or {}).get((r, c))
                row.cell(pdf.say(str(value), TEXT_LIMIT), style=FontFace(color=hex_rgb(colour)) if colour else None)
    pdf.ln(3)


# --- Pages ---------------------------------------------------------------------------------


def _title_page(pdf: _Document, content: PackContent, spec: Slide) -> None:
    pdf.add_page()
    pdf.start_section(pdf.say(spec.title, TEXT_LIMIT))
    pdf.set_fill_color(*hex_rgb(ACCENT))
    pdf.rect(0, 0, 8, pdf.h, style="F")
    pdf.set_y(45)
    if content.company:
        pdf.font(28, bold=True, colour=ACCENT)
        pdf.cell(0, 14, pdf.say(content.company), new_x="LMARGIN", new_y="NEXT")
    pdf.font(20, bold=True)
    pdf.multi_cell(0, 10, pdf.say(spec.title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.font(15)
    pdf.cell(0, 9, pdf.say(spec.kicker), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.font(11, colour=MUTED)
    lines = content.details
    for line in lines:
        pdf.cell(0, 6, pdf.say(line), new_x="LMARGIN", new_y="NEXT")


def _delta_colour(tile: Tile) -> str:
    d = tile.delta
    if d is None or d.higher_is_better is None or d.sign == 0:
        return MUTED
    return FAVOURABLE if (d.sign > 0) == d.higher_is_better else UNFAVOURABLE


def _headline_page(pdf: _Document, content: PackContent, spec: Slide) -> None:
    _kicker_and_title(pdf, spec)
    gap, top = 4, pdf.y
    width = (pdf.usable_width - 4 * gap) / 5
    bottom = top
    for i, tile in enumerate(content.tiles):
        x = pdf.l_margin + i * (width + gap)
        pdf.set_xy(x + 3, top + 3)
        inner = width - 6
        pdf.font(9, bold=True, colour=MUTED)
        pdf.multi_cell(inner, 4.5, pdf.say(tile.label), align="L", new_x="LEFT", new_y="NEXT")
        pdf.font(20, bold=True)
        pdf.multi_cell(inner, 10, pdf.say(tile.value), align="L", new_x="LEFT", new_y="NEXT")
        if tile.delta is not None:
            pdf.font(8.5, bold=True, colour=_delta_colour(tile))
            pdf.multi_cell(inner, 4.2, pdf.say(tile.delta.text), align="L", new_x="LEFT", new_y="NEXT")
        for note in tile.notes:
            pdf.set_y(pdf.y + 1.2)
            pdf.set_x(x + 3)
            pdf.font(8, colour=TONE_TEXT.get(note.tone, MUTED) if note.tone in TONE_TEXT else MUTED)
            pdf.multi_cell(inner, 4, pdf.say(note.text), align="L", new_x="LEFT", new_y="NEXT")
        bottom = max(bottom, pdf.y)
    height = bottom - top + 4  # the cards are as tall as the fullest one
    pdf.set_draw_color(*hex_rgb(RULE))
    for i in range(len(content.tiles)):
        pdf.rect(pdf.l_margin + i * (width + gap), top, width, height, style="D", round_corners=True, corner_radius=2)
    pdf.set_xy(pdf.l_margin, top + height + 6)
    pdf.font(11, bold=True, colour=ACCENT)
    pdf.cell(0, 7, pdf.say("The quarter's story"), new_x="LMARGIN", new_y="NEXT")
    pdf.font(10)
    for sentence in content.story:
        pdf.multi_cell(0, 5.5, pdf.say("•  " + sentence), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _spend_page(pdf: _Document, content: PackContent, spec: Slide, charts: _Charts) -> None:
    section = content.spend
    _kicker_and_title(pdf, spec)
    split = section.split
    fig = spend_charts.spend_by_quarter_chart(
        split, split, DEPARTMENT_ORDER, section.overtakes, content.quarter, currency=content.currency
    )
    pdf.set_y(pdf.y + _chart(pdf, charts, fig, width_px=1600) + 3)
    table = pd.DataFrame(
        {
            "Quarter": split["label"],
            **{d: [money(v, currency=content.currency) for v in split[d]] for d in DEPARTMENT_ORDER},
            "Total": [money(v, currency=content.currency) for v in split["total"]],
            "Marketing share": [share(v) for v in split["marketing_share"]],
        }
    )
    _table(pdf, table, (1.2, 1, 1, 1, 1, 1.2), right=(1, 2, 3, 4, 5))


def _budget_page(pdf: _Document, content: PackContent, spec: Slide, charts: _Charts) -> None:
    section = content.budget
    _kicker_and_title(pdf, spec)
    lines = section.lines
    if lines.empty:
        return
    pdf.set_y(pdf.y + _chart(pdf, charts, spend_charts.budget_vs_actual_chart(lines, currency=content.currency)) + 3)
    table = pd.DataFrame(
        {
            "Department": lines["department"],
            "Category": lines["category"],
            "Actual": [money(v, currency=content.currency) for v in lines["actual"]],
            "Budget": [money(v, currency=content.currency) if pd.notna(v) else "no budget" for v in lines["budget"]],
            "Variance": [money(v, currency=content.currency) if pd.notna(v) else "—" for v in lines["variance"]],
            "Variance %": [
                variance_percent(v, signed=True, decimals=1) if pd.notna(v) else "—" for v in lines["variance_pct"]
            ],
            "Verdict": [VERDICT_LABELS[v] for v in lines["verdict"]],
        }
    )
    tone = {"favourable": FAVOURABLE, "unfavourable": UNFAVOURABLE}
    _table(
        pdf,
        table,
        (1, 1.6, 0.9, 0.9, 0.9, 0.8, 1.2),
        right=(2, 3, 4, 5),
        colours={(i, 6): tone[v] for i, v in enumerate(lines["verdict"]) if v in tone},
    )


def _vendors_page(pdf: _Document, content: PackContent, spec: Slide, charts: _Charts) -> None:
    section = content.vendors
    _kicker_and_title(pdf, spec)
    half = (pdf.usable_width - 6) / 2
    top = pdf.y
    used = 0.0
    if not section.shadow_trend.empty:
        _caption(pdf, "Shadow IT per quarter", half)
        used = (
            _chart(
                pdf,
                charts,
                spend_charts.shadow_trend_chart(section.shadow_trend, content.quarter, currency=content.currency),
                width=half,
                width_px=900,
            )
            + 5
        )
    if not section.shadow_vendors.empty:
        pdf.set_xy(pdf.l_margin + half + 6, top)
        _caption(pdf, f"Largest unapproved vendors, {content.quarter.label}", half)
        pdf.set_xy(pdf.l_margin + half + 6, top + 5)
        used = max(
            used,
            _chart(
                pdf,
                charts,
                spend_charts.top_vendors_chart(section.shadow_vendors, currency=content.currency),
                x=pdf.l_margin + half + 6,
                width=half,
                width_px=900,
            )
            + 5,
        )
    pdf.set_xy(pdf.l_margin, top + used + 3)
    overlap = section.overlap
    if overlap.empty:
        _caption(pdf, f"No vendor was paid by both Marketing and IT in {content.quarter.label}.")
    else:
        table = pd.DataFrame(
            {
                "Vendor": overlap["vendor"],
                "Invoiced as": overlap["spellings"],
                **{d: [money(v, currency=content.currency) for v in overlap[d]] for d in DEPARTMENT_ORDER},
                "At stake": [money(v, currency=content.currency) for v in overlap["at_stake"]],
            }
        )
        _table(
            pdf,
            table,
            (1.4, 2.4, 0.9, 0.9, 0.9, 0.9),
            right=(2, 3, 4, 5),
            title="Vendors paid by both Marketing and IT",
        )
    shadow = section.shadow_vendors
    if not shadow.empty:
        table = pd.DataFrame(
            {
                "Vendor": shadow["vendor"],
                "Why": shadow["reason"],
                "Spend": [money(v, currency=content.currency) for v in shadow["spend"]],
                "Lines": shadow["lines"],
            }
        )
        _table(pdf, table, (2, 1.6, 1, 0.7), right=(2, 3), title="Shadow IT: vendors IT has not approved")


def _kpi_page(pdf: _Document, content: PackContent, spec: Slide, charts: _Charts) -> None:
    section = content.kpis
    _kicker_and_title(pdf, spec)
    if not section.cards:
        return
    statuses = list(section.table["Status"])
    table = section.table.assign(Status=[f"{STATUS_SYMBOLS[s]} {s}" for s in statuses]).rename(
        columns={"Change": f"vs {content.quarter.previous().label}"}
    )
    colours = {(i, 4): (TONE_TEXT[WARNING] if s == "at risk" else STATUS_COLOURS[s]) for i, s in enumerate(statuses)}
    _table(pdf, table, (2.4, 0.7, 1.2, 1.2, 1, 1.6), right=(2, 3), colours=colours)
    pdf.ln(2)
    _chart(
        pdf,
        charts,
        kpi_charts.bullet_chart(list(section.cards)),
        width_px=1600,
        caption=f"Against target, {content.quarter.label}. Bar: the quarter's value. Black line: the target. "
        "Bands: on target (green), at risk (orange) and off target (vermillion), by the KPI's direction.",
    )


def _turnaround_page(pdf: _Document, content: PackContent, spec: Slide, charts: _Charts) -> None:
    section = content.turnaround
    _kicker_and_title(pdf, spec)
    half = (pdf.usable_width - 6) / 2
    top = pdf.y
    _caption(pdf, "Lead time by quarter of delivery", half)
    used = (
        _chart(
            pdf,
            charts,
            turnaround_charts.lead_time_trend(section.lead_times, content.quarter),
            width=half,
            width_px=800,
        )
        + 5
    )
    pdf.set_xy(pdf.l_margin + half + 6, top)
    _caption(pdf, f"SLA breaches by priority, {content.quarter.label}", half)
    pdf.set_xy(pdf.l_margin + half + 6, top + 5)
    used = max(
        used,
        _chart(
            pdf,
            charts,
            turnaround_charts.breach_by_priority(section.breaches, content.quarter),
            x=pdf.l_margin + half + 6,
            width=half,
            width_px=800,
        )
        + 5,
    )
    pdf.set_xy(pdf.l_margin, top + used + 3)
    rows = section.lead_times.dropna(subset=["p85"])
    table = pd.DataFrame(
        {
            "Quarter": rows["quarter"],
            "Delivered": rows["delivered"],
            "Median": [days_label(v) for v in rows["p50"]],
            "85% within": [days_label(v) for v in rows["p85"]],
            "SLA (median)": [days_label(v) for v in rows["sla_p50"]],
            "Missed SLA": [share(v) for v in rows["breach_rate"]],
        }
    )
    _table(pdf, table, (1.2, 1, 1, 1, 1, 1), right=(1, 2, 3, 4, 5))


def _review_page(pdf: _Document, content: PackContent, spec: Slide, charts: _Charts) -> None:
    """Commentary, or the decisions and actions: headed lists of plain lines, overdue in red.
    Long minutes flow onto further pages, each headed with the kicker."""
    _kicker_and_title(pdf, spec)
    for heading, lines in review_groups(content, spec.key):
        if heading is not None:
            pdf.font(11, bold=True, colour=ACCENT)
            pdf.cell(0, 7, pdf.say(heading), new_x="LMARGIN", new_y="NEXT")
        for line in lines:
            pdf.font(10, colour=UNFAVOURABLE if OVERDUE_MARK in line else INK)
            pdf.multi_cell(0, 5.5, pdf.say(f"- {line}"), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.ln(2)


PAGES = {
    "spend": _spend_page,
    "budget": _budget_page,
    "vendors": _vendors_page,
    "kpis": _kpi_page,
    "turnaround": _turnaround_page,
    "restated": _review_page,
    "commentary": _review_page,
    "minutes": _review_page,
}


def build_pdf(content: PackContent, renderer: ChartRenderer) -> tuple[bytes, str | None]:
    """The PDF, and why its charts are missing (None when they are all there)."""
    pdf = _Document(content)
    charts = _Charts(renderer)
    for spec in slides(content):
        if spec.key == "title":
            _title_page(pdf, content, spec)
        elif spec.key == "headline":
            _headline_page(pdf, content, spec)
        else:
            PAGES[spec.key](pdf, content, spec, charts)
    note = None if charts.failure is None else f"Charts unavailable ({charts.failure})"
    return bytes(pdf.output()), note
