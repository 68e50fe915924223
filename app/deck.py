"""Presentation mode as a deck: each presented page becomes a sequence of slides, one message each
(a title stating the finding, the chart, table or figures that prove it, at most one line of note),
shown one at a time and sized to the screen.

The slide lists are pure: `overview_slides`, `tech_spend_slides`, `customer_experience_slides` and
`turnaround_slides` take what the page (or the board pack) already computed and return `DeckSlide`s
whose titles are the existing wording functions' sentences, so a slide claims what the page and the
pack claim. The Overview's deck is the board pack's story: `boardpack.content.slides`, in its order.
A slide's chart is built only when the slide is shown.

`show_deck` draws the current slide and the previous / next bar, then stops the page. The slide
index lives in the session (`SLIDE`) and in the link (`&slide=N`, 1-based), so a reload or a shared
link lands on the same slide. Keys: PageDown, ArrowRight and Space go forward; PageUp and ArrowLeft
back; past the last slide to the next page's first, before the first to the previous page's last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import access
from app.context import PRESENTING, SLIDE, PageContext
from app.data import engine_for, guarded
from app.figures import show_chart
from app.navigation import PRESENTATION_ORDER, Page
from app.text import plain
from boardpack.content import KpiSection, PackContent, gather, review_groups
from boardpack.content import slides as pack_slides
from charts import kpis as kpi_charts
from charts import spend as spend_charts
from charts import turnaround as turnaround_charts
from metrics import kpis, spend
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import money
from metrics.headline import Tile
from metrics.masking import VendorMask

TABLE_ROWS = 8  # rows a slide's table shows: more would scroll inside the slide
LIST_LINES = 6  # lines of commentary or minutes on one slide
FIRST, LAST = 0, -1  # where a page's deck opens: its first slide, or (going back) its last


@dataclass(frozen=True)
class DeckSlide:
    """One slide: a kicker naming the subject, the finding as title, and one body (a chart built
    when shown, a table, the headline tiles or a short list), with at most one line of note."""

    key: str
    kicker: str
    title: str
    note: str | None = None
    chart: Callable[[], go.Figure] | None = None
    table: pd.DataFrame | None = None
    tiles: tuple[Tile, ...] = ()
    lines: tuple[str, ...] = ()
    columns: dict = field(default_factory=dict)  # table column titles


def _head(table: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str | None]:
    """The first TABLE_ROWS rows (the table comes in order of importance), and a note saying how
    many are left out."""
    if len(table) <= TABLE_ROWS:
        return table, None
    return table.head(TABLE_ROWS), f"The first {TABLE_ROWS} of {len(table)} {what}."


# --- The Overview: the board pack's story ----------------------------------------------------


def _review_lines(content: PackContent, key: str) -> tuple[tuple[str, ...], str | None]:
    lines = tuple(
        f"{heading}: {line}" if heading else line for heading, group in review_groups(content, key) for line in group
    )
    if len(lines) <= LIST_LINES:
        return lines, None
    return lines[:LIST_LINES], f"{len(lines) - LIST_LINES} more in the board pack."


def overview_slides(content: PackContent) -> tuple[DeckSlide, ...]:
    """The board pack's slides, in its order, with its kickers and titles."""
    q, c = content.quarter, content.currency
    kpi_cards = [card for card in content.kpis.cards if card.status in (kpis.AT_RISK, kpis.OFF_TARGET)]
    bodies: dict[str, dict] = {
        "title": {"note": f"{content.period} · data as of {content.as_of}"},
        "headline": {"tiles": content.tiles},
        "spend": {
            "chart": partial(
                spend_charts.spend_by_quarter_chart,
                content.spend.split,
                content.spend.split,
                spend.DEPARTMENT_ORDER,
                content.spend.overtakes,
                q,
                currency=c,
            )
        },
        "budget": {"chart": partial(spend_charts.budget_vs_actual_chart, content.budget.lines, currency=c)}
        if not content.budget.lines.empty
        else {},
        "vendors": {
            "chart": partial(spend_charts.shadow_trend_chart, content.vendors.shadow_trend, q, currency=c),
            "note": "Shadow IT by quarter: Marketing and Joint spend with vendors IT has not approved.",
        },
        "kpis": {
            "chart": partial(kpi_charts.bullet_chart, kpi_cards or list(content.kpis.cards)),
            "note": "The KPIs missing their target, against it." if kpi_cards else None,
        }
        if content.kpis.cards
        else {},
        "turnaround": {"chart": partial(turnaround_charts.lead_time_trend, content.turnaround.lead_times, q)},
    }
    out = []
    for s in pack_slides(content):
        body = bodies.get(s.key)
        if body is None:  # restatements, commentary, minutes: short lists
            lines, note = _review_lines(content, s.key)
            body = {"lines": lines, "note": note}
        out.append(DeckSlide(s.key, s.kicker, s.title, **body))
    return tuple(out)


# --- Tech spend ----------------------------------------------------------------------------------


def tech_spend_slides(
    q: FiscalQuarter,
    mask: VendorMask,
    *,
    currency: str,
    in_scope: Sequence[str],
    split_scoped: pd.DataFrame,
    split_all: pd.DataFrame,
    mshare: spend.MarketingShare | None,
    variance: spend.BudgetVariance | None,
    landing: spend.FiscalYearLanding | None,
    overlap: spend.VendorOverlap,
    shadow_trend: pd.DataFrame,
    shadow: spend.ShadowIT | None,
    mix: spend.InvestmentMix | None,
) -> tuple[DeckSlide, ...]:
    """The page's sections, one slide each, titled with the sentences the page writes."""
    t = mask.text
    out = [
        DeckSlide(
            "spend",
            "Spend by quarter and department",
            t(mshare.sentence(currency=currency)) if mshare else f"No technology spend is dated in {q.label}.",
            chart=partial(
                spend_charts.spend_by_quarter_chart,
                split_scoped,
                split_all,
                tuple(in_scope),
                spend.overtake_quarters(split_all),
                q,
                currency=currency,
            ),
        )
    ]
    if variance is not None:
        out.append(
            DeckSlide(
                "budget",
                f"Budget vs actual, {q.label}",
                t(variance.sentence(currency=currency)),
                chart=partial(
                    spend_charts.budget_vs_actual_chart, mask.frame(variance.lines, "category"), currency=currency
                ),
            )
        )
    if landing is not None:
        out.append(
            DeckSlide(
                "landing",
                f"Fiscal-year landing, FY{q.fiscal_year}",
                t(landing.sentence(currency=currency)),
                chart=partial(spend_charts.landing_chart, landing, currency=currency),
            )
        )
    if not overlap.vendors.empty:
        shown = mask.frame(overlap.vendors, "vendor")
        table = pd.DataFrame(
            {
                "Vendor": shown["vendor"],
                **{d: [money(v, currency=currency) for v in shown[d]] for d in spend.DEPARTMENT_ORDER},
                "At stake": [money(v, currency=currency) for v in shown["at_stake"]],
            }
        )
        table, note = _head(table.iloc[shown["at_stake"].argsort()[::-1]], "vendors paid by both, largest first")
        out.append(
            DeckSlide("overlap", f"Overlap, {q.label}", t(overlap.sentence(currency=currency)), table=table, note=note)
        )
    out.append(
        DeckSlide(
            "shadow_trend",
            "Shadow IT by quarter",
            t(spend.shadow_trend_sentence(shadow_trend, q)),
            chart=partial(spend_charts.shadow_trend_chart, shadow_trend, q, currency=currency),
        )
    )
    if shadow is not None and not shadow.top_vendors.empty:
        out.append(
            DeckSlide(
                "shadow_vendors",
                f"Shadow IT vendors, {q.label}",
                t(shadow.sentence(currency=currency)),
                chart=partial(
                    spend_charts.top_vendors_chart, mask.frame(shadow.top_vendors, "vendor"), currency=currency
                ),
            )
        )
    if mix is not None:
        out.append(
            DeckSlide(
                "mix",
                f"Run / Grow / Transform, {q.label}",
                t(mix.sentence(currency=currency)),
                chart=partial(spend_charts.investment_mix_chart, mix.mix, currency=currency),
            )
        )
    return tuple(out)


# --- Customer experience -------------------------------------------------------------------------


def customer_experience_slides(cards: Sequence[kpis.KpiCard], q: FiscalQuarter) -> tuple[DeckSlide, ...]:
    """The scorecard as a table (the board pack's), then against target and the trend. `cards`
    are already masked."""
    # Off target first, then at risk: a KPI left out for room is one that meets its target.
    ranked = sorted(cards, key=lambda c: {kpis.OFF_TARGET: 0, kpis.AT_RISK: 1}.get(c.status, 2))
    rest_on_target = all(c.status == kpis.ON_TARGET for c in ranked[TABLE_ROWS:])
    what = "KPIs, the rest on target" if rest_on_target else "KPIs"
    table, note = _head(KpiSection("", tuple(ranked)).table.drop(columns="Change"), what)
    return (
        DeckSlide("scorecard", f"Scorecard · {q.label}", kpis.scorecard_sentence(cards, q), table=table, note=note),
        DeckSlide(
            "bullets",
            "Against target",
            kpis.bullet_sentence(cards, q),
            chart=partial(kpi_charts.bullet_chart, list(cards)),
            note="Bar: the quarter's value. Black line: the target. Bands: on target, at risk, off target.",
        ),
        DeckSlide(
            "trend",
            "Trend against target",
            kpis.trend_sentence(cards, q),
            chart=partial(kpi_charts.trend_chart, list(cards)),
        ),
    )


# --- Request turnaround ---------------------------------------------------------------------------


def turnaround_slides(
    q: FiscalQuarter,
    mask: VendorMask,
    *,
    lead_times: pd.DataFrame,
    stages: pd.DataFrame,
    flow: pd.DataFrame,
    breaches: pd.DataFrame,
    backlog: ta.Backlog | None,
) -> tuple[DeckSlide, ...]:
    """Lead time, where requests wait, flow, breaches and the backlog: the page's sentences."""
    t = mask.text
    return (
        DeckSlide(
            "lead_time",
            "Lead time by quarter",
            t(ta.lead_time_sentence(lead_times, q)),
            chart=partial(turnaround_charts.lead_time_trend, lead_times, q),
        ),
        DeckSlide(
            "stages",
            "Who are we waiting on?",
            t(ta.stage_sentence(stages, q)),
            chart=partial(turnaround_charts.stage_stack, stages, q),
            note="Medians per stage need not add up to the median lead time.",
        ),
        DeckSlide("flow", "Flow", t(ta.flow_sentence(flow, q)), chart=partial(turnaround_charts.flow, flow, q)),
        DeckSlide(
            "breaches",
            "SLA breaches by priority",
            t(ta.breach_sentence(breaches, q)),
            chart=partial(turnaround_charts.breach_by_priority, breaches, q),
        ),
        DeckSlide(
            "backlog",
            "Backlog ageing",
            t(ta.backlog_sentence(backlog, q)),
            chart=partial(turnaround_charts.backlog_ageing, backlog),
        ),
    )


# --- The Overview's content, cached -------------------------------------------------------------


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def pack_content(
    url: str,
    version: str,
    targets_version: str,
    review_version: str,
    fiscal_start: int,
    quarter: FiscalQuarter,
    departments: tuple[str, ...],
    source: str,
    today: date,
    reporting_currency: str,
) -> PackContent:
    """The board pack's content for the Overview's deck (the versions are cache keys only)."""
    return gather(
        engine_for(url),
        FiscalCalendar(fiscal_start),
        quarter,
        source=source,
        today=today,
        reporting_currency=reporting_currency,
        departments=departments,
    )


# --- Showing one slide ---------------------------------------------------------------------------


def slide_index(count: int) -> int:
    """The slide to show, within 0..count-1 (LAST, or a link past the end, is the last one)."""
    wanted = st.session_state.get(SLIDE, FIRST)
    if not isinstance(wanted, int) or count == 0:
        return 0
    if wanted < 0 or wanted >= count:
        return count - 1 if wanted != FIRST else 0
    return wanted


def _go(index: int) -> None:
    st.session_state[SLIDE] = index


def _neighbours(page: Page) -> tuple[Page | None, Page | None]:
    order = list(PRESENTATION_ORDER)
    if page not in order:
        return None, order[0]
    i = order.index(page)
    return (order[i - 1] if i > 0 else None), (order[i + 1] if i + 1 < len(order) else None)


def _tiles(tiles: Sequence[Tile], mask: VendorMask) -> None:
    with st.container(horizontal=True, gap="small", key="bb_slide_tiles"):
        for t in tiles:
            with st.container(border=True, height="stretch"):  # text that wraps: a metric's would be cut
                st.markdown(f"**{plain(t.label)}**")
                st.header(plain(mask.text(t.value)), anchor=False)
                if t.delta:
                    st.caption(plain(t.delta.text))
                if t.notes:
                    st.caption(plain(mask.text(t.notes[0].text)))


def _body(ctx: PageContext, slide: DeckSlide) -> None:
    with st.container(key="bb_slide_body"):
        if slide.chart is not None:
            show_chart(
                ctx, slide.chart(), key=f"bb_deck_{slide.key}", config={"displayModeBar": False}, height="stretch"
            )
        elif slide.table is not None:
            st.table(slide.table, border="horizontal")
        elif slide.tiles:
            _tiles(slide.tiles, ctx.vendor_mask)
        elif slide.lines:
            st.markdown("\n".join(f"- {plain(line)}" for line in slide.lines))


def _move(
    label: str, icon: str, keys: Sequence[str], target: int, page: Page | None, params: dict, key: str, more
) -> None:
    """One move of the deck: a visible button with the clicker's key, and the same move on the other
    keys (a Streamlit button takes one shortcut each) in `more`, which the stylesheet keeps off
    screen. Within the page a callback moves the slide; to another page, the page is switched."""
    # The keys differ between a move within the page and one to another page: a click on "Next"
    # of the last-but-one slide must not count as a click on the last slide's "Next: <page>".
    on_click, args = (None, None) if page else (_go, (target,))
    clicked = st.button(label, icon=icon, shortcut=keys[0], key=f"{key}_0", on_click=on_click, args=args)
    for i, shortcut in enumerate(keys[1:], start=1):
        clicked |= more.button(label, icon=icon, shortcut=shortcut, key=f"{key}_{i}", on_click=on_click, args=args)
    if clicked and page is not None:
        st.session_state[SLIDE] = target
        st.switch_page(page.path, query_params=params)


def _exit() -> None:
    st.session_state[PRESENTING] = False


def show_deck(ctx: PageContext, page: Page, slides: Sequence[DeckSlide]) -> None:
    """The current slide, its number and the previous / next bar; then the page stops."""
    index = slide_index(len(slides))
    st.session_state[SLIDE] = index
    if st.query_params.get("slide") != str(index + 1):
        st.query_params["slide"] = str(index + 1)
    slide = slides[index] if slides else DeckSlide("empty", page.label, "Nothing to show for this period.")
    mask = ctx.vendor_mask
    with st.container(key="bb_slide"):
        st.caption(plain(slide.kicker))
        st.subheader(plain(mask.text(slide.title)), anchor=False)
        _body(ctx, slide)
        if slide.note:
            st.caption(plain(mask.text(slide.note)))
    before, after = _neighbours(page)
    params = ctx.link_params
    bar = st.container(horizontal=True, vertical_alignment="center", key="bb_deck_bar")
    more = st.container(key="bb_deck_keys")
    back, forward = ("PageUp", "ArrowLeft"), ("PageDown", "ArrowRight", "Space")
    with bar:
        if index > 0:
            _move("Previous", ":material/arrow_back:", back, index - 1, None, params, "bb_prev", more)
        elif before is not None:
            _move(
                f"Previous: {before.label}", ":material/arrow_back:", back, LAST, before, params, "bb_prev_page", more
            )
        with st.container(key="bb_slide_number", width="content"):
            st.markdown(f"**{index + 1} / {max(len(slides), 1)}**")
        if index + 1 < len(slides):
            _move("Next", ":material/arrow_forward:", forward, index + 1, None, params, "bb_next", more)
        elif after is not None:
            _move(
                f"Next: {after.label}", ":material/arrow_forward:", forward, FIRST, after, params, "bb_next_page", more
            )
        if ctx.mask_vendors:
            st.badge("Vendor names masked", icon=":material/visibility_off:", color="gray")
        st.button(
            "Exit presentation", icon=":material/close_fullscreen:", type="tertiary", key="bb_exit", on_click=_exit
        )
        if not access.current().local:  # the sidebar with its *Sign out* is not drawn in presentation mode
            access.sign_out_button("bb_present_sign_out")
    st.stop()
