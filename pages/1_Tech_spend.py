from datetime import date
from functools import partial

import streamlit as st

from app import review as rv
from app import spend as cached
from app.deck import show_deck, tech_spend_slides
from app.figures import dark_theme, show_chart, show_ready_chart
from app.navigation import TECH_SPEND
from app.shell import page_setup, require_quarter
from app.text import mask_frame, masked_plain
from charts import spend as charts
from metrics import review, spend
from metrics.exports import CSV_MIME, EXCEL_MIME, csv_bytes, excel_bytes, file_name
from metrics.formatting import money, points, share

ctx = page_setup(TECH_SPEND)
q = require_quarter(ctx)
scope = ctx.filters.departments
url, version, fiscal_start = ctx.url, ctx.status.version, ctx.calendar.start_month
# Vendor names are masked (when on) on what is shown: sentences, tables, chart data, downloads.
mask = ctx.vendor_mask
shown, masked = partial(masked_plain, mask), partial(mask_frame, mask)

# --- Figures of the period: computed once per quarter, scope and display (`app.spend`), so that
# a rerun only draws; the period frame stays for the drill-down.
view = cached.tech_spend_view(
    url, version, fiscal_start, q, scope, ctx.quarters, ctx.symbol, ctx.mask_vendors, ctx.presenting, dark_theme()
)
split_all, headline, mshare, variance = view.split_all, view.headline, view.mshare, view.variance
landing, overlap, redundant, duplicates = view.landing, view.overlap, view.redundant, view.duplicates
shadow_trend, shadow, mix = view.shadow_trend, view.shadow, view.mix
split_scoped, in_scope = view.split_scoped, scope or spend.DEPARTMENT_ORDER
period = cached.period(url, version, fiscal_start, q, scope)
# Open actions of the review about this page's subjects: vendors and budget lines.
actions = rv.all_actions(url, rv.review_version(url))
today = date.today()


# Streamlit's own currency formats (with thousands separators); other currencies read "CHF 1234.50".
COLUMN_FORMATS = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}


def money_column(label: str) -> st.column_config.NumberColumn:
    code = ctx.settings.reporting_currency
    return st.column_config.NumberColumn(label, format=COLUMN_FORMATS.get(code, f"{ctx.symbol}%.2f"))


SHARE = st.column_config.ProgressColumn("Share", format="percent", min_value=0.0, max_value=1.0)


def downloads(table, *name_parts: str, key: str) -> None:
    """CSV and Excel of exactly the table shown, formula-safe."""
    with st.container(horizontal=True):
        st.download_button(
            "Download CSV",
            csv_bytes(table),
            file_name(*name_parts, ext="csv"),
            CSV_MIME,
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
        )
        st.download_button(
            "Download Excel",
            excel_bytes(table),
            file_name(*name_parts, ext="xlsx"),
            EXCEL_MIME,
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/table_view:",
        )


def keep_if_offered(key: str, options: list) -> None:
    """A drill-down choice that the new period or scope no longer offers is cleared."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = None


def reset(*keys: str) -> None:
    for k in keys:
        st.session_state[k] = None


# A closed quarter that later imports changed says so first, with the lines behind it.
rv.restated_panel(ctx, q, "tech_spend")

# Presentation mode: the sections below as slides, one at a time (the page stops there).
if ctx.presenting:
    show_deck(
        ctx,
        TECH_SPEND,
        tech_spend_slides(
            q,
            mask,
            currency=ctx.symbol,
            in_scope=in_scope,
            split_scoped=split_scoped,
            split_all=split_all,
            mshare=mshare,
            variance=variance,
            landing=landing,
            overlap=overlap,
            shadow_trend=shadow_trend,
            shadow=shadow,
            mix=mix,
        ),
    )

# --- Headline ------------------------------------------------------------------------------
with st.container(horizontal=True):
    st.metric(
        "Technology spend",
        money(headline.total, currency=ctx.symbol) if headline else "no data",
        headline.total_delta_label(currency=ctx.symbol) if headline else None,
        delta_color="inverse",
        border=True,
        help="Sum of the spend lines dated in the quarter, for the departments in scope; credits net off.",
    )
    st.metric(
        "Marketing share",
        share(mshare.share) if mshare else "no data",
        f"{points(mshare.delta)} vs {q.previous().label}" if mshare and mshare.delta is not None else None,
        delta_color="off",
        border=True,
        help="Marketing spend / technology spend of all departments.",
    )
    if variance and variance.budget is not None:
        pct = variance.variance_pct
        st.metric(
            "Against budget",
            spend.variance_words(variance.variance, zero=None, currency=ctx.symbol),
            f"{spend.variance_percent(pct, signed=True)} · {variance.verdict}" if pct is not None else None,
            delta_color="inverse",
            border=True,
            help="Actual - budget for the departments in scope. Under budget is favourable.",
        )
    else:
        st.metric(
            "Against budget",
            "no budget",
            delta_color="off",
            border=True,
            help=f"No budget is recorded for {q.label} in scope.",
        )
    st.metric(
        "At stake in vendor overlap",
        money(overlap.total_at_stake, currency=ctx.symbol) if overlap.in_scope else "not in scope",
        f"{len(overlap.vendors)} vendors paid by both" if overlap.in_scope else None,
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Per vendor paid by both Marketing and IT: the smaller of the two amounts.",
    )
    no_shadow = "no data" if spend.shadow_in_scope(scope) else "not in scope"
    st.metric(
        "Shadow IT",
        money(shadow.amount, currency=ctx.symbol) if shadow else no_shadow,
        f"{share(shadow.share)} of Marketing + Joint spend" if shadow and shadow.share is not None else None,
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Marketing and Joint spend with vendors IT has not approved or does not list.",
    )

# --- Commentary: the CIO's, the CMO's and the CFO's notes on spend -----------------------------
rv.commentary(ctx, q, "page", "tech_spend", title="Commentary on spend")

# --- Spend by quarter ------------------------------------------------------------------------
st.subheader("Spend by quarter and department")
st.markdown(shown(mshare.sentence(currency=ctx.symbol) if mshare else f"No technology spend is dated in {q.label}."))
show_ready_chart(view.charts["split"], key="chart_split")
if scope:
    st.caption("Bars show the departments in scope; the share line is Marketing's share of all departments' spend.")

# --- Budget against actual -----------------------------------------------------------------
st.subheader(f"Budget vs actual, {q.label}")
if variance is None:
    st.info(f"Neither spend nor budget is recorded for {q.label} in scope.")
else:
    st.markdown(shown(variance.sentence(currency=ctx.symbol)))
    budget_lines = view.budget_lines
    left, right = st.columns(2, gap="large")
    with left:
        show_ready_chart(view.charts["budget"], key="chart_budget")
    with right:
        show_ready_chart(view.charts["heatmap"], key="chart_heatmap")
    st.dataframe(
        spend.with_verdict_labels(budget_lines),
        hide_index=True,
        column_config={
            "department": "Department",
            "category": "Category",
            **{k: money_column(k.capitalize()) for k in ("actual", "budget", "variance")},
            "variance_pct": st.column_config.NumberColumn("Variance %", format="percent"),
            "verdict": "Verdict",
        },
    )

rv.open_actions(
    ctx,
    review.open_actions_on_budget_lines(actions, scope),
    today,
    title="Open actions on budget lines",
    key="ts_actions_budget",
    about=True,
)

st.markdown(f"**Fiscal-year landing, FY{q.fiscal_year}**")
if landing is None:
    st.caption(f"No forecast is recorded for FY{q.fiscal_year}, so there is no landing to project.")
else:
    st.markdown(shown(landing.sentence(currency=ctx.symbol)))
    show_ready_chart(view.charts["landing"], key="chart_landing")

# --- Overlap -------------------------------------------------------------------------------
st.subheader(f"Overlap, {q.label}")
st.markdown(shown(overlap.sentence(currency=ctx.symbol)))
if not overlap.vendors.empty:
    st.dataframe(
        masked(overlap.vendors),
        hide_index=True,
        column_config={
            "vendor": "Vendor",
            "spellings": "Invoiced as",
            "categories": "Categories",
            **{d: money_column(d) for d in spend.DEPARTMENT_ORDER},
            "total": money_column("Total"),
            "at_stake": money_column("At stake"),
        },
    )
st.markdown("**Redundant tools**")
st.markdown(shown(redundant.sentence(currency=ctx.symbol)))
if not redundant.categories.empty:
    st.dataframe(
        masked(redundant.categories),
        hide_index=True,
        column_config={
            "category": "Category",
            "marketing_vendors": "Marketing pays",
            "it_vendors": "IT pays",
            "Marketing": money_column("Marketing spend"),
            "IT": money_column("IT spend"),
            "at_stake": money_column("Sized at"),
        },
    )
st.markdown("**Possibly the same vendor** (all periods; never merged automatically)")
st.markdown(shown(spend.duplicates_sentence(duplicates)))
if not duplicates.empty:
    st.dataframe(
        masked(duplicates),
        hide_index=True,
        column_config={
            "vendor_a": "Vendor",
            "vendor_b": "Possibly the same as",
            "score": "Similarity",
            "spellings_a": "Invoiced as",
            "spellings_b": "Invoiced as (other)",
        },
    )

# --- Shadow IT -----------------------------------------------------------------------------
st.subheader("Shadow IT")
left, right = st.columns(2, gap="large")
with left:
    st.markdown(shown(spend.shadow_trend_sentence(shadow_trend, q)))
    show_ready_chart(view.charts["shadow_trend"], key="chart_shadow_trend")
with right:
    if shadow:
        st.markdown(shown(shadow.sentence(currency=ctx.symbol)))
    elif spend.shadow_in_scope(scope):
        st.markdown(shown(f"No Marketing or Joint spend is dated in {q.label}."))
    else:
        st.markdown("Shadow IT is measured on Marketing and Joint spend: include one of them in the filter.")
    if shadow:
        show_ready_chart(view.charts["shadow_vendors"], key="chart_shadow_vendors")

# Vendors show in the overlap, the redundant tools and shadow IT: their open actions, after them.
rv.open_actions(
    ctx,
    review.open_actions_about(actions, "vendor"),
    today,
    title="Open actions on vendors",
    key="ts_actions_vendors",
    about=True,
)

# --- Run / Grow / Transform ------------------------------------------------------------------
st.subheader(f"Run / Grow / Transform, {q.label}")
if mix is None:
    st.info(f"No spend lines in {q.label} for {ctx.filters.department_label.lower()}.")
else:
    st.markdown(shown(mix.sentence(currency=ctx.symbol)))
    # 3:1, not 4:1: the tile's label stays whole at 1280 px.
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        show_ready_chart(view.charts["mix"], key="chart_mix")
    right.metric(
        "Unmapped spend",
        share(mix.unmapped_share),
        money(mix.unmapped, currency=ctx.symbol),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Spend lines with no investment_type (Run, Grow or Transform): map them to see the full mix.",
    )

# --- Drill-down ----------------------------------------------------------------------------
# The choices are the real names (they query the lines); only their labels are masked.
# Presentation mode shows the top level only: choosing and downloading are for the desk.
st.subheader(f"Drill-down, {q.label}")
department = category = vendor = None
if not ctx.presenting:
    top = spend.drill_down(period, q)
    with st.container(horizontal=True):
        keep_if_offered("spend_drill_department", list(top.rows["name"]))
        department = st.selectbox(
            "Department",
            list(top.rows["name"]),
            index=None,
            placeholder="All departments",
            key="spend_drill_department",
            format_func=mask.text,
            on_change=reset,
            args=("spend_drill_category", "spend_drill_vendor"),
        )
        categories = list(spend.drill_down(period, q, department).rows["name"]) if department else []
        keep_if_offered("spend_drill_category", categories)
        category = st.selectbox(
            "Category",
            categories,
            index=None,
            placeholder="All categories",
            key="spend_drill_category",
            disabled=not department,
            format_func=mask.text,
            on_change=reset,
            args=("spend_drill_vendor",),
        )
        vendors = list(spend.drill_down(period, q, department, category).rows["name"]) if category else []
        keep_if_offered("spend_drill_vendor", vendors)
        vendor = st.selectbox(
            "Vendor",
            vendors,
            index=None,
            placeholder="All vendors",
            key="spend_drill_vendor",
            disabled=not category,
            format_func=mask.text,
        )

if vendor:
    selection, lines = cached.invoice_lines(url, version, fiscal_start, q, department, category, vendor)
    lines = masked(lines)
    path = [mask.text(p) for p in (department, category, vendor)]
    st.markdown(shown(f"{' · '.join(path)}: the invoice lines behind the number."))
    st.caption(shown(selection.caption(len(lines), currency=ctx.symbol)))
    st.dataframe(
        lines,
        hide_index=True,
        column_config={
            "amount": money_column(f"amount ({ctx.settings.reporting_currency})"),
            "amount_original": st.column_config.NumberColumn("amount as invoiced", format="%.2f"),
            "fx_rate": st.column_config.NumberColumn("rate", format="%.6g"),
        },
    )
    downloads(lines, "bridgeboard", q.label, *path, "lines", key="dl_lines")
else:
    level = cached.masked_level(spend.drill_down(period, q, department, category), mask)
    st.markdown(shown(level.sentence(currency=ctx.symbol)))
    show_chart(ctx, charts.drill_chart(level, currency=ctx.symbol), key="chart_drill")
    st.dataframe(
        level.table,
        hide_index=True,
        column_config={
            **{c: c.capitalize() for c in spend.DRILL_LEVELS},
            "spend": money_column("Spend"),
            "lines": "Lines",
            "share": SHARE,
        },
    )
    if not ctx.presenting:
        downloads(level.table, "bridgeboard", q.label, *level.path, level.level, key="dl_level")
        st.caption(
            "Choose a department, a category and a vendor to see the invoice lines "
            f"(at most {spend.LINE_CAP:,} are shown and downloaded)."
        )

with st.expander("How these figures are defined"):
    st.markdown("\n".join(f"- **{term}**: {text}" for term, text in spend.GLOSSARY.items()))
