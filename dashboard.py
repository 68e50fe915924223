from datetime import date

import streamlit as st

from app import kpis as kx
from app import review as rv
from app.deck import overview_slides, pack_content, show_deck
from app.figures import show_chart
from app.headline import quarter_headline
from app.navigation import CUSTOMER_EXPERIENCE, OVERVIEW, QUARTERLY_REVIEW, REQUEST_TURNAROUND, TECH_SPEND, Page
from app.shell import page_setup, require_quarter
from app.text import plain
from boardpack.content import masked
from charts import kpis as kpi_charts
from charts import spend as spend_charts
from charts import turnaround as turnaround_charts
from charts.theme import empty_figure
from metrics import headline as hl
from metrics import kpis, review, spend
from metrics import turnaround as ta
from metrics.formatting import money, share
from metrics.summary import DataAsOf, summary_figures

ctx = page_setup(OVERVIEW)
q = require_quarter(ctx)
scope = ctx.filters.departments
url, version, fiscal_start = ctx.url, ctx.status.version, ctx.calendar.start_month
mask = ctx.vendor_mask.text
targets_version = kx.targets_version(url)  # changes with every target edited in the app
# px: a tile keeps its label and delta whole ("Total technology spend", "+$291.1K vs FY2026 Q2");
# the row wraps where five do not fit (three on a 1280 px screen with the sidebar open).
TILE_WIDTH = 250
SMALL_CHART = 300  # px: the key charts in small, each linking to its page

# --- The figures: the one loader of a quarter's figures (the pack and `summary` use it too) ---------
headline = quarter_headline(url, version, targets_version, fiscal_start, q, scope, date.today(), ctx.symbol)
quarter_data = headline.data
split_all = spend.quarterly_split(quarter_data.all_spend_by_quarter)
departments_shown = scope or spend.DEPARTMENT_ORDER
missing_target = [c for c in quarter_data.kpi_cards if c.status in (kpis.AT_RISK, kpis.OFF_TARGET)]
first, last = ta.trend_window(q)

# Presentation mode: the board pack's story, one slide at a time (the page stops there).
if ctx.presenting:
    pack = pack_content(
        url,
        version,
        targets_version,
        rv.review_version(url),
        fiscal_start,
        q,
        scope,
        ctx.status.label,
        date.today(),
        ctx.settings.reporting_currency,
    )
    show_deck(ctx, OVERVIEW, overview_slides(masked(pack, ctx.vendor_mask)))

# Colours of the notes under a figure: the word and the symbol say it; the colour repeats it.
NOTE_COLOURS = {hl.GOOD: "green", hl.BAD: "red", hl.WARNING: "orange"}


def delta_arguments(delta: hl.Delta | None) -> dict:
    """st.metric's delta: coloured when a rise is good or bad, grey (no arrow) when unchanged."""
    if delta is None:
        return {}
    if delta.sign == 0:
        return {"delta": delta.text, "delta_color": "off", "delta_arrow": "off"}
    colour = "off" if delta.higher_is_better is None else "normal" if delta.higher_is_better else "inverse"
    return {"delta": delta.text, "delta_color": colour}


def tile(t: hl.Tile) -> None:
    with st.container(border=True, key=f"ov_tile_{t.key}", height="stretch", width=TILE_WIDTH):
        st.metric(t.label, mask(t.value), **delta_arguments(t.delta), help=t.help)
        for note in t.notes:
            text = plain(mask(note.text))
            if note.tone in NOTE_COLOURS:
                st.markdown(f":{NOTE_COLOURS[note.tone]}[{text}]")
            else:
                st.caption(text)


def department_split() -> None:
    split = headline.spend
    with st.container(horizontal=True, gap="small", key="ov_departments"):
        for dept in spend.DEPARTMENT_ORDER:
            value = split.by_department.get(dept) if split else None
            st.metric(
                f"{dept} spend",
                money(value, currency=ctx.symbol),
                f"{share(split.shares[dept])} of total" if split and split.shares.get(dept) is not None else None,
                delta_color="off",
                delta_arrow="off",
                border=True,
            )


def key_chart(title: str, sentence: str, figure, page: Page, key: str, below=None) -> None:
    with st.container(border=True, key=f"ov_card_{key}"):
        st.markdown(f"**{plain(title)}**")
        st.markdown(plain(mask(sentence)))
        figure.update_layout(height=min(figure.layout.height or SMALL_CHART, SMALL_CHART))
        show_chart(ctx, figure, key=f"ov_chart_{key}", config={"displayModeBar": False})
        if below is not None:
            below()
        st.page_link(
            page.path, label=f"Open {page.label}", icon=":material/arrow_forward:", query_params=ctx.link_params
        )


# --- Five numbers ------------------------------------------------------------------------------
st.subheader(f"{q.label} in five numbers")
# Wrapping: at 1366 px five tiles in a row cut their labels and deltas short ("Total technology…").
with st.container(horizontal=True, gap="small", key="ov_tiles"):
    for t in headline.tiles():
        tile(t)

st.subheader("The quarter's story")
st.markdown("\n".join(f"- {plain(mask(sentence))}" for sentence in headline.story()))

# --- The review: overdue actions flagged, the commentary in short ------------------------------
rv.overdue_warning(ctx, date.today())
rv.restated_warning(
    ctx, q, None if scope else summary_figures(headline, DataAsOf(None), ctx.settings.reporting_currency)
)
review_notes = rv.quarter_notes(url, rv.review_version(url), q)
with st.container(border=True, key="ov_commentary"):
    st.markdown(f"**Commentary on {q.label}**")
    said = [(name, rv.short_lines(ctx, review_notes, review.PAGE, key)) for key, name in review.PAGES.items()]
    said = [(name, lines) for name, lines in said if lines]
    if said:
        st.markdown("\n".join(f"- *{name}*: " + " · ".join(lines) for name, lines in said))
    else:
        st.caption(f"No commentary on {q.label} yet.")
    st.page_link(
        QUARTERLY_REVIEW.path,
        label="Go to the quarterly review",
        icon=":material/arrow_forward:",
        query_params=ctx.link_params,
    )

# --- The key charts, small, each opening its page -------------------------------------------------
left, right = st.columns(2, gap="medium")
with left:
    key_chart(
        "Spend by quarter and Marketing's share",
        headline.share.sentence(currency=ctx.symbol)
        if headline.share
        else f"No technology spend is dated in {q.label}.",
        spend_charts.spend_by_quarter_chart(
            spend.quarterly_split(quarter_data.spend_by_quarter),
            split_all,
            departments_shown,
            spend.overtake_quarters(split_all),
            q,
            currency=ctx.symbol,
        ),
        TECH_SPEND,
        "spend",
        below=department_split,
    )
with right:
    key_chart(
        "Money at stake: shadow IT by quarter",
        headline.at_stake_sentence or f"No spend in scope is dated in {q.label}.",
        spend_charts.shadow_trend_chart(quarter_data.shadow_trend, q, currency=ctx.symbol),
        TECH_SPEND,
        "at_stake",
    )
left, right = st.columns(2, gap="medium")
with left:
    key_chart(
        "KPIs missing their target",
        kpis.bullet_sentence(list(quarter_data.kpi_cards), q) if quarter_data.kpi_cards else "No KPIs are loaded.",
        kpi_charts.bullet_chart(missing_target)
        if missing_target
        else empty_figure(f"Every KPI with a target meets it in {q.label}."),
        CUSTOMER_EXPERIENCE,
        "kpis",
    )
with right:
    key_chart(
        "Request lead time against the SLA",
        headline.lead_time_sentence or f"No requests were delivered in {q.label}.",
        turnaround_charts.lead_time_trend(ta.in_window(quarter_data.lead_times, first, last), q),
        REQUEST_TURNAROUND,
        "lead_time",
    )

with st.expander("How these figures are defined", icon=":material/menu_book:"):
    st.markdown("\n".join(f"- **{t.label}**: {t.help}" for t in headline.tiles()))
