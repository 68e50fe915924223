from datetime import date
from functools import partial

import streamlit as st

from app import access
from app import review as rv
from app import turnaround as rt
from app.deck import show_deck, turnaround_slides
from app.figures import show_chart
from app.navigation import REQUEST_TURNAROUND
from app.shell import page_setup, require_quarter
from app.text import mask_frame, masked_plain
from charts import turnaround as charts
from metrics import review
from metrics import turnaround as ta
from metrics.formatting import share

ctx = page_setup(REQUEST_TURNAROUND)
url, version, fiscal_start = ctx.url, ctx.status.version, ctx.calendar.start_month
today = date.today()
# Request titles, teams and types name vendors ("Route web-form leads to Salesforce"): what is
# shown is masked when masking is on; the filters keep the real values.
mask = ctx.vendor_mask
shown, masked = partial(masked_plain, mask), partial(mask_frame, mask)

if not rt.request_counts(url, version, ta.ALL_REQUESTS).total:
    st.info(
        "**No requests loaded yet.** Load a `requests.csv` (request_id, title, requested_at, priority, type; "
        "ideally ready_at, started_at, delivered_at) to see turnaround.",
        icon=":material/inbox:",
    )
    access.data_page_link(label="Open the Data page to upload it", icon=":material/arrow_forward:")
    st.stop()

# --- The page's own filters ---------------------------------------------------------------
# Kept under a plain key too: presentation mode draws no filter (Streamlit then drops the widgets'
# state), and leaving it puts the same choice back.
FILTER_KEYS, SAVED_FILTERS = ("rt_types", "rt_priorities", "rt_teams"), "rt_saved_filters"
options = rt.filter_options(url, version)
if ctx.presenting:
    chosen_types, chosen_priorities, chosen_teams = st.session_state.get(SAVED_FILTERS, ([], [], []))
else:
    for key, saved in zip(FILTER_KEYS, st.session_state.get(SAVED_FILTERS, ([], [], [])), strict=True):
        st.session_state.setdefault(key, list(saved))
    st.caption("Marketing's requests to IT. The sidebar's department filter does not apply to requests.")
    type_col, priority_col, team_col = st.columns(3)
    chosen_types = type_col.multiselect(
        "Type", options["types"], key="rt_types", placeholder="All types", format_func=mask.text
    )
    chosen_priorities = priority_col.multiselect(
        "Priority", options["priorities"], key="rt_priorities", placeholder="All priorities", format_func=mask.text
    )
    chosen_teams = team_col.multiselect(
        "Requesting team", options["teams"], key="rt_teams", placeholder="All teams", format_func=mask.text
    )
    st.session_state[SAVED_FILTERS] = (chosen_types, chosen_priorities, chosen_teams)
filters = ta.RequestFilter(  # option order, so that the same choice is the same cache key
    tuple(v for v in options["types"] if v in chosen_types),
    tuple(v for v in options["priorities"] if v in chosen_priorities),
    tuple(v for v in options["teams"] if v in chosen_teams),
)

# --- The period: the sidebar's quarter (request dates give it quarters even without spend)
quarter = require_quarter(ctx)
first, last = ta.trend_window(quarter)
by_quarter = rt.lead_time_by_quarter(url, version, fiscal_start, filters)
turnaround = ta.quarter_turnaround(by_quarter, quarter)
counts = rt.request_counts(url, version, filters)
backlog = rt.backlog_ageing(url, version, fiscal_start, quarter, today, filters)
stages = rt.stage_medians_by_quarter(url, version, fiscal_start, first, last, filters)
flow = rt.flow_by_quarter(url, version, fiscal_start, first, last, filters)
breaches = rt.breach_rate_by_priority(url, version, fiscal_start, first, last, filters)

# A closed quarter that later imports changed says so first, with the requests behind it.
rv.restated_panel(ctx, quarter, "request_turnaround")

# Presentation mode: the sections below as slides, one at a time (the page stops there).
if ctx.presenting:
    show_deck(
        ctx,
        REQUEST_TURNAROUND,
        turnaround_slides(
            quarter,
            mask,
            lead_times=ta.in_window(by_quarter, first, last),
            stages=stages,
            flow=flow,
            breaches=breaches,
            backlog=backlog,
        ),
    )

# --- Headline ----------------------------------------------------------------------------
st.subheader(shown(ta.lead_time_headline(turnaround)) if turnaround else f"No requests delivered in {quarter.label}")
if turnaround is None and not by_quarter.empty:
    st.caption(
        f"The requests loaded were delivered from {by_quarter['quarter'].iloc[0]} to {by_quarter['quarter'].iloc[-1]}."
    )
# A row that wraps: five fixed columns cut the labels short below 1536 px.
tiles = st.container(horizontal=True, key="rt_tiles")
tiles.metric(
    "85% delivered within",
    ta.days_label(turnaround.within_days if turnaround else None),
    ta.within_delta_label(turnaround) if turnaround else None,
    delta_color="inverse",
    border=True,
    help="p85 lead time (linear interpolation, as PostgreSQL's percentile_cont), rounded up to whole days.",
)
tiles.metric("Median lead time", ta.days_label(turnaround.p50 if turnaround else None), border=True)
tiles.metric(
    "Delivered",
    f"{turnaround.delivered:,}" if turnaround else "no data",
    border=True,
    help="Requests delivered in the quarter, not counting those recorded as delivered before requested.",
)
tiles.metric(
    "SLA breach rate",
    share(turnaround.breach_rate if turnaround else None),
    border=True,
    help=f"Breaches / delivered. SLA: the request's sla_days, else {ta.sla_defaults_text()}.",
)
tiles.metric(
    "Open today" if backlog is not None and backlog.is_today else "Open at quarter end",
    f"{backlog.open:,}" if backlog is not None else "no data",
    border=True,
)

quality_note = shown(ta.data_quality_sentence(counts, turnaround, quarter))
if counts.delivered_before_requested:
    st.warning(quality_note, icon=":material/report:", title="Data quality")
else:
    st.caption(quality_note)

# --- Commentary ------------------------------------------------------------------------------
rv.commentary(ctx, quarter, "page", "request_turnaround", title="Commentary on turnaround")
# Open actions of the review about request types (those chosen in the Type filter, when it is set).
rv.open_actions(
    ctx,
    review.open_actions_about(rv.all_actions(url, rv.review_version(url)), "request_type", filters.types),
    today,
    title="Open actions on request types",
    key="rt_actions",
    about=True,
)

# --- Lead time by quarter, and by type / priority / team ---------------------------------
st.subheader("Lead time by quarter")
trend_col, breakdown_col = st.columns([3, 2], gap="large")
with trend_col:
    st.markdown(shown(ta.lead_time_sentence(by_quarter, quarter)))
    show_chart(ctx, charts.lead_time_trend(ta.in_window(by_quarter, first, last), quarter), key="rt_trend")
with breakdown_col:
    dimension = st.segmented_control(
        "Break down by",
        list(ta.BREAKDOWNS),
        format_func=ta.BREAKDOWNS.get,
        default="priority",
        required=True,
        key="rt_breakdown",
    )
    breakdown = rt.lead_time_by(url, version, fiscal_start, quarter, dimension, filters)
    st.markdown(shown(ta.breakdown_sentence(breakdown, dimension, quarter)))
    st.dataframe(
        masked(breakdown[["value", "delivered", "p50", "p85"]].assign(breach_pct=breakdown["breach_rate"] * 100)),
        hide_index=True,
        column_config={
            "value": ta.BREAKDOWNS[dimension],
            "delivered": st.column_config.NumberColumn("Delivered", format="localized"),
            "p50": st.column_config.NumberColumn("Median, days", format="%.1f"),
            "p85": st.column_config.NumberColumn("85% within, days", format="%.1f"),
            "breach_pct": st.column_config.NumberColumn("SLA breach rate", format="%.0f%%"),
        },
    )

# --- Who are we waiting on -----------------------------------------------------------------
stages_col, flow_col = st.columns(2, gap="large")
with stages_col:
    st.subheader("Who are we waiting on?")
    st.markdown(shown(ta.stage_sentence(stages, quarter)))
    show_chart(ctx, charts.stage_stack(stages, quarter), key="rt_stages")
    unknown = ta.unknown_stages_note(stages, quarter)
    st.caption(
        shown(unknown or "Every stage time is known for this quarter's requests.")
        + " Medians per stage need not add up to the median lead time."
    )
with flow_col:
    st.subheader("Flow")
    st.markdown(shown(ta.flow_sentence(flow, quarter)))
    show_chart(ctx, charts.flow(flow, quarter), key="rt_flow")

# --- SLA breaches ----------------------------------------------------------------------------
st.subheader("SLA breaches by priority")
now_col, trend_col = st.columns(2, gap="large")
with now_col:
    st.markdown(shown(ta.breach_sentence(breaches, quarter)))
    show_chart(ctx, charts.breach_by_priority(breaches, quarter), key="rt_breach_now")
with trend_col:
    st.markdown(shown(ta.breach_trend_sentence(breaches, quarter)))
    show_chart(ctx, charts.breach_trend(breaches, quarter), key="rt_breach_trend")

# --- Backlog ---------------------------------------------------------------------------------
st.subheader("Backlog ageing")
st.markdown(shown(ta.backlog_sentence(backlog, quarter)))
ageing_col, oldest_col = st.columns([2, 3], gap="medium")
with ageing_col:
    show_chart(ctx, charts.backlog_ageing(backlog), key="rt_backlog")
with oldest_col:
    if backlog is not None and not backlog.oldest.empty:
        st.caption(f"The {len(backlog.oldest)} oldest open requests at {backlog.as_of_label}")
        st.dataframe(
            masked(backlog.oldest),
            hide_index=True,
            column_config={
                "request_id": "Request",
                "title": "Title",
                "priority": "Priority",
                "type": "Type",
                "requested_by": "Team",
                "requested_at": st.column_config.DateColumn("Requested", format="D MMM YYYY"),
                "age_days": st.column_config.NumberColumn("Age, days"),
                "waiting_on": "Waiting on",
            },
        )

# --- Distribution ----------------------------------------------------------------------------
st.subheader("Lead-time distribution")
hist_col, scatter_col = st.columns(2, gap="large")
with hist_col:
    histogram = (
        rt.lead_time_histogram(url, version, fiscal_start, quarter, turnaround.p95, filters)
        if turnaround is not None and turnaround.p95 is not None
        else None
    )
    st.markdown(shown(ta.distribution_sentence(histogram, turnaround)))
    show_chart(
        ctx,
        charts.lead_time_distribution(
            histogram, turnaround.p50 if turnaround else None, turnaround.p85 if turnaround else None
        ),
        key="rt_histogram",
    )
with scatter_col:
    scatter_first, _ = ta.trend_window(quarter, ta.SCATTER_QUARTERS)
    points = rt.lead_time_points(url, version, fiscal_start, scatter_first, quarter, filters)
    st.markdown(shown(ta.scatter_sentence(points, scatter_first, quarter)))
    show_chart(
        ctx,
        charts.lead_time_scatter(
            rt.masked_points(points, mask), ctx.calendar.quarter_start(scatter_first), ctx.calendar.quarter_end(quarter)
        ),
        key="rt_scatter",
    )

with st.expander("Definitions", icon=":material/menu_book:"):
    st.markdown(ta.definitions_markdown())
