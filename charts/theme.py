"""The one chart template: department colours, status colours, money axes, fonts.

Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms of
colour blindness; status is always shown with a word or symbol as well as a colour.
"""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go
import plotly.io as pio

# Kaleido would otherwise fetch MathJax from the web when exporting.
pio.defaults.mathjax = None

# Okabe-Ito's orange, sky blue and yellow are lighter than 3:1 against a white page, so charts use
# them darkened (same hue): a line, a bar or a marker must stand out from the background on a
# projector (tests/charts/test_contrast.py checks every colour the charts draw with).
AMBER = "#B07800"  # Okabe-Ito orange #E69F00, darkened
SKY = "#3A8FC7"  # Okabe-Ito sky blue #56B4E9, darkened
OLIVE = "#8A7F00"  # Okabe-Ito yellow #F0E442, darkened
PAGE_BACKGROUND = "#FFFFFF"  # .streamlit/config.toml's [theme.light] backgroundColor
DARK_BACKGROUND = "#0E1117"  # .streamlit/config.toml's [theme.dark] backgroundColor

DEPARTMENT_COLOURS = {
    "Marketing": "#D55E00",  # vermillion
    "IT": "#0072B2",  # blue
    "Joint": "#009E73",  # bluish green
}
# Good / warning / bad, with the symbol and word that carry the meaning without colour.
STATUS_COLOURS = {
    "on target": "#009E73",
    "at risk": AMBER,
    "off target": "#D55E00",
    "no target": "#8C8C8C",
    "no data": "#8C8C8C",
}
STATUS_SYMBOLS = {"on target": "●", "at risk": "▲", "off target": "■", "no target": "○", "no data": "○"}
FAVOURABLE = "#009E73"
UNFAVOURABLE = "#D55E00"
NEUTRAL = "#8C8C8C"
ACCENT = "#1F4E79"
# The one categorical palette: the departments first, in their order, then the rest of Okabe-Ito.
# `.streamlit/config.toml` repeats it as theme.chartCategoricalColors (TOML cannot import it); a
# test keeps the two identical.
SEQUENCE = [*DEPARTMENT_COLOURS.values(), "#CC79A7", AMBER, SKY, OLIVE, NEUTRAL]

FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
SCREEN_TEXT_PX = 14  # the smallest chart text on screen (tests/charts/test_contrast.py)
PROJECTOR_TEXT_PX = 18  # the smallest in presentation mode: read from the back of a board room

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=14, color="#1F2933"),
        colorway=SEQUENCE,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
        xaxis=dict(showgrid=False, linecolor="#C7CDD4", ticks="outside", tickcolor="#C7CDD4"),
        yaxis=dict(gridcolor="#E4E7EB", zeroline=True, zerolinecolor="#C7CDD4"),
        hoverlabel=dict(font_family=FONT),
        separators=".,",
    )
)
pio.templates["bridgeboard"] = TEMPLATE


def plotly_text(text) -> str:
    """Data text shown as typed: Plotly renders tags such as <b> or <a href> in labels otherwise."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def hex_rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#0072B2' -> (0, 114, 178), for the pack's PowerPoint and PDF colours."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def money_axis(fig: go.Figure, axis: str = "yaxis", currency: str = "$") -> go.Figure:
    """Compact money ticks in the same style as the text ($1.2M, $800K), not d3's "800k".

    Ticks are computed from the figure's data on that axis (stacked bars summed per category),
    at a round step; without numeric data the axis falls back to d3's SI format.
    """
    values = _axis_values(fig, axis)
    if not values:
        fig.update_layout({axis: dict(tickprefix=currency, tickformat="~s")})
        return fig
    ticks = _nice_ticks(min(values + [0.0]), max(values + [0.0]))
    fig.update_layout({axis: dict(tickmode="array", tickvals=ticks, ticktext=_money_labels(ticks, currency))})
    return fig


def _axis_values(fig: go.Figure, axis: str) -> list[float]:
    letter = axis[0]
    ref = letter + axis[5:]  # "yaxis2" -> "y2"
    stacked = fig.layout.barmode in ("stack", "relative")
    totals: dict[tuple[str, object, bool], float] = {}
    values: list[float] = []
    for trace in fig.data:
        if (getattr(trace, f"{letter}axis", None) or letter) != ref:
            continue
        horizontal = getattr(trace, "orientation", None) == "h"
        along = trace.x if (letter == "x") else trace.y
        across = trace.y if (letter == "x") else trace.x
        if along is None:
            continue
        stack = stacked and trace.type == "bar" and (horizontal == (letter == "x"))
        for i, v in enumerate(along):
            if not isinstance(v, (int, float)) or v != v:
                continue
            if stack and across is not None and i < len(across):
                key = (trace.offsetgroup or "", across[i], v >= 0)
                totals[key] = totals.get(key, 0.0) + float(v)
            else:
                values.append(float(v))
    return values + list(totals.values())


def _nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low] if low else [0.0]
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _money_labels(ticks: list[float], currency: str) -> list[str]:
    from metrics.formatting import money

    for decimals in (0, 1, 2):
        labels = [money(t, currency=currency, decimals=decimals) for t in ticks]
        if len(set(labels)) == len(labels):
            return labels
    return labels


_FONT_KEYS = {"font", "textfont", "tickfont", "insidetextfont", "outsidetextfont", "hoverlabel"}
_HTML_SIZE = re.compile(r"font-size:\s*(\d+)px")


def _raise_fonts(node, minimum: int):
    """Every font size in a figure's JSON raised to `minimum`, HTML spans in text included."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _FONT_KEYS and isinstance(value, dict):
                value = dict(value)
                size = value.get("size")
                if isinstance(size, (int, float)) and size < minimum:
                    value["size"] = minimum
            out[key] = _raise_fonts(value, minimum)
        return out
    if isinstance(node, list):
        return [_raise_fonts(v, minimum) for v in node]
    if isinstance(node, str) and "font-size" in node:
        return _HTML_SIZE.sub(lambda m: f"font-size:{max(int(m.group(1)), minimum)}px", node)
    return node


_AXIS = re.compile(r"^[xy]axis\d*$")


def legible(fig: go.Figure, minimum: int = SCREEN_TEXT_PX) -> go.Figure:
    """A copy of `fig` with no text under `minimum` px: every font size raised, and the sizes that
    usually come from a template (the figure's font, each axis's ticks and title, the legend) set
    on the figure itself, because Streamlit's chart theme replaces the template on screen (its tick
    labels are 12 px). The data and the colours are unchanged."""
    spec = _raise_fonts(fig.to_plotly_json(), minimum)
    layout = spec.setdefault("layout", {})

    def at_least(node: dict, key: str) -> None:
        font = node.setdefault(key, {})
        font["size"] = max(font.get("size") or 0, minimum)

    at_least(layout, "font")
    at_least(layout.setdefault("legend", {}), "font")
    # An axis only the template styles has no entry in the figure's layout, yet has ticks.
    for trace in spec.get("data", []):
        for letter in ("x", "y"):
            ref = trace.get(f"{letter}axis") or letter
            layout.setdefault(f"{letter}axis{ref[1:]}", {})
    for name, axis in list(layout.items()):
        if _AXIS.match(name) and isinstance(axis, dict):
            at_least(axis, "tickfont")
            title = axis.setdefault("title", {})
            if isinstance(title, dict):
                at_least(title, "font")
    return go.Figure(spec)


def for_projector(fig: go.Figure) -> go.Figure:
    """The same figure for presentation mode: no text under PROJECTOR_TEXT_PX."""
    return legible(fig, PROJECTOR_TEXT_PX)


HALO = PAGE_BACKGROUND
HALO_EXTRA_WIDTH = 5


def line_over_bars(fig: go.Figure, line: go.Scatter) -> go.Figure:
    """Add `line` drawn over bars with a halo of the page's colour beneath it: a navy line on a blue
    bar has little contrast (1.7:1), against the halo it has the line's own contrast with the page."""
    width = (line.line.width or 2) + HALO_EXTRA_WIDTH
    fig.add_trace(
        go.Scatter(
            x=line.x,
            y=line.y,
            xaxis=line.xaxis,
            yaxis=line.yaxis,
            mode="lines",
            line=dict(color=HALO, width=width),
            hoverinfo="skip",
            showlegend=False,
            name="",
        )
    )
    fig.add_trace(line)
    return fig


# The dark theme's colours for those drawn for a light page: text, axis lines and grid, the halo and
# the label boxes take the dark page's; the colours under 3:1 against it are lightened (same hue;
# the age ramp turns lighter = older, so the oldest still stands out most). The rest of the palette
# keeps 3:1 on both pages (tests/charts/test_contrast.py), so a department keeps its colour.
ON_DARK = {
    "#1F2933": "#E6E9EE",  # the template's text
    "#C7CDD4": "#5A626E",  # axis lines and ticks
    "#E4E7EB": "#2A2F38",  # grid
    ACCENT: "#6FA8DC",
    "#555555": "#A6A6A6",
    PAGE_BACKGROUND: DARK_BACKGROUND,  # the halo beneath a line over bars
    "rgba(255,255,255,0.85)": "rgba(14,17,23,0.85)",  # the box behind a label on a chart
    "rgba(31, 78, 121, 0.08)": "rgba(111, 168, 220, 0.14)",  # the selected quarter's band
    "#A27BB0": "#8E5AA3",  # backlog ages, youngest to oldest
    "#83479A": "#A77CBA",
    "#66307D": "#C09FCE",
    "#4F1D63": "#DCC6E4",
}
_ON_DARK = {k.upper(): v for k, v in ON_DARK.items()}


def _swap_colours(node, swaps: dict[str, str]):
    if isinstance(node, dict):
        return {key: _swap_colours(value, swaps) for key, value in node.items()}
    if isinstance(node, list):
        return [_swap_colours(v, swaps) for v in node]
    if isinstance(node, str):
        return swaps.get(node.upper(), node)
    return node


def on_dark(fig: go.Figure) -> go.Figure:
    """A copy of `fig` for the dark theme: the colours of `ON_DARK` swapped, the data unchanged."""
    return go.Figure(_swap_colours(fig.to_plotly_json(), _ON_DARK))


def for_page(fig: go.Figure, *, presenting: bool, dark: bool) -> go.Figure:
    """The figure as a page shows it: its text sizes for the screen or the projector, its colours
    for the light or the dark theme."""
    sized = for_projector(fig) if presenting else legible(fig)
    return on_dark(sized) if dark else sized


def quarter_ticks(
    fig: go.Figure, labels: list[str], selected_label: str | None = None, axis: str = "xaxis"
) -> go.Figure:
    """Quarters on a category axis ticked with their short labels ("FY26 Q3"), the selected one in
    bold; the categories (and the hover) keep the full label. A label that is not a quarter is
    ticked as it is."""
    from metrics.fiscal import parse_quarter

    def short(label: str) -> str:
        try:
            text = parse_quarter(label).short_label
        except ValueError:
            text = label
        return f"<b>{text}</b>" if label == selected_label else text

    fig.update_layout({axis: dict(tickmode="array", tickvals=list(labels), ticktext=[short(x) for x in labels])})
    return fig


def base_figure(title: str | None = None, height: int = 360) -> go.Figure:
    fig = go.Figure(layout=dict(template=TEMPLATE, height=height))
    if title:
        fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=16)))
    return fig


def empty_figure(message: str, height: int = 240) -> go.Figure:
    """A figure that says why there is nothing to plot, instead of blank axes."""
    fig = base_figure(height=height)
    fig.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=15, color=NEUTRAL)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
