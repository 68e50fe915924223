from datetime import date

import streamlit as st

from app import access as app_access
from app import kpis as kx
from app import review as rv
from app.deck import customer_experience_slides, show_deck
from app.figures import show_chart
from app.navigation import CUSTOMER_EXPERIENCE, QUARTERLY_REVIEW
from app.shell import page_setup, require_quarter
from app.text import badge_plain, mask_frame, plain
from charts.kpis import bullet_chart, trend_chart
from charts.theme import STATUS_SYMBOLS
from metrics import kpis, review, targets
from metrics.access import SIDES, TARGETS
from metrics.contract import OWNERS
from metrics.exports import CSV_MIME, csv_bytes
from metrics.targets import AGREEING_ROLES, NOTE_MAX_CHARS

ctx = page_setup(CUSTOMER_EXPERIENCE)
quarter = require_quarter(ctx)
# KPI sources, definitions and notes name vendors ("Datadog synthetic checks"): masked when on.
mask = ctx.vendor_mask
if ctx.filters.departments and not ctx.presenting:  # a slide's header line says the scope
    st.caption("KPIs are company-wide: the department filter does not apply on this page.")


def status_text(status: str) -> str:
    return f"{STATUS_SYMBOLS[status]} {status.capitalize()}"


def kpi_help(kpi: kpis.Kpi) -> str:
    lines = [plain(kpi.definition)]
    if kpi.formula:
        lines.append(f"**Formula:** {plain(kpi.formula)}")
    lines.append(f"**{kpi.direction_label}** · quarter value: {kpi.aggregation}")
    if kpi.source:
        lines.append(f"**Source:** {plain(kpi.source)}")
    return "\n\n".join(lines)


def target_help(card: kpis.KpiCard) -> str | None:
    target = card.target
    if target is None:
        return None
    lines = [plain(target.note)] if target.note else []
    if target.at_risk_threshold is None:
        lines.append("The at-risk threshold is the default: 5% of the target.")
    return "\n\n".join(lines) or None


def scorecard_card(card: kpis.KpiCard) -> None:
    with st.container(border=True, width=340, key=f"cx_card_{card.kpi.kpi}"):
        st.metric(
            plain(card.kpi.name),
            plain(card.value_label),  # the unit is data
            **kx.metric_delta(card.vs_previous, card.status),
            help=kpi_help(card.kpi),
            chart_data=card.sparkline or None,
            chart_type="line",
        )
        with st.container(horizontal=True, gap="small"):
            st.badge(status_text(card.status), color=kx.STATUS_BADGES[card.status])
            if card.agreement not in (None, kpis.AGREED):
                st.badge(card.agreement_label, color="violet", icon=":material/hourglass_top:")
        last_year = card.vs_last_year
        if last_year.sentiment:
            colour, icon = kx.change_badge(last_year, card.status)
            st.badge(badge_plain(f"{last_year.label} · {last_year.sentiment}"), color=colour, icon=icon)
        else:
            st.badge(f"No data for {last_year.versus.label}", color="gray")
        st.caption(plain(card.target_label), help=target_help(card))
        agreement = f" · {card.agreement_label}" if card.agreement == kpis.AGREED else ""
        st.caption(f"Owner {card.kpi.owner}{agreement}")
        # The review: the CIO's and the CMO's notes on this KPI, and its open actions.
        for line in rv.short_lines(ctx, review_notes, "kpi", card.kpi.kpi):
            st.markdown(line)
        rv.open_actions(ctx, review.open_actions_on(review_actions, "kpi", card.kpi.kpi), today)


targets_version = kx.targets_version(ctx.url)  # changes with every save, here or in another session
review_version = rv.review_version(ctx.url)  # the same for commentary and actions
review_notes = rv.quarter_notes(ctx.url, review_version, quarter)
review_actions = rv.all_actions(ctx.url, review_version)
today = date.today()
cards = kpis.masked_cards(
    kx.scorecard(ctx.url, ctx.status.version, targets_version, ctx.calendar.start_month, quarter), mask
)
if not cards:
    st.info(
        "**No KPIs yet.** Load `kpis.csv` (the glossary), `kpi_targets.csv` and `kpi_actuals.csv` on the "
        "Data page to see the scorecard.",
        icon=":material/info:",
    )
    st.stop()

# A closed quarter that later imports changed says so first, with the observations behind it.
rv.restated_panel(ctx, quarter, "customer_experience")

# Presentation mode: the scorecard, against target and the trend as slides (the page stops there).
if ctx.presenting:
    show_deck(ctx, CUSTOMER_EXPERIENCE, customer_experience_slides(cards, quarter))

st.subheader(f"Scorecard · {quarter.label}")
with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
    owners = st.pills(
        "Owner",
        list(OWNERS),
        selection_mode="multi",
        key="cx_owner",
        help="Show the KPIs owned by the CIO, the CMO or both jointly. None selected: all.",
    )
    statuses = st.pills(
        "Status",
        list(kpis.STATUSES),
        selection_mode="multi",
        key="cx_status",
        format_func=status_text,
        help="None selected: every status.",
    )
shown = kpis.filter_cards(cards, owners, statuses)
st.markdown(plain(kpis.scorecard_sentence(shown, quarter)))
with st.container(horizontal=True, gap="medium", key="cx_scorecard"):
    for card in shown:
        scorecard_card(card)

rv.commentary(ctx, quarter, "page", "customer_experience", title="Commentary on the scorecard")
if not ctx.presenting:
    kpi_names = {c.kpi.kpi: c.kpi.name for c in cards}
    noted = st.selectbox(
        "Commentary on one KPI",
        list(kpi_names),
        format_func=lambda k: kpi_names[k],
        key="cx_note_kpi",
        width=360,
        help="The CIO's and the CMO's notes on a KPI show on its card.",
    )
    rv.commentary(
        ctx, quarter, "kpi", noted, title=f"Commentary on {plain(kpi_names[noted])}", kpi_name=kpi_names[noted]
    )

st.subheader("Against target")
st.markdown(plain(kpis.bullet_sentence(shown, quarter)))
st.caption(
    "Bar: the quarter's value. Black line: the target. Bands: on target (green), at risk (orange) and "
    "off target (vermillion), by the KPI's direction. Each scale is centred on its target and does not "
    "start at zero."
)
show_chart(ctx, bullet_chart(shown), key="cx_bullets", config={"displayModeBar": False})

st.subheader("Trend against target")
st.markdown(plain(kpis.trend_sentence(shown, quarter)))
show_chart(ctx, trend_chart(shown), key="cx_trends", config={"displayModeBar": False})

st.subheader("Glossary")
st.caption("The shared vocabulary of Marketing and IT: what each KPI means and how it is measured.")
glossary = kx.glossary(ctx.url, ctx.status.version)
search = st.text_input(
    "Search the glossary", key="cx_glossary_search", placeholder="e.g. churn, survey, CIO", icon=":material/search:"
)
st.dataframe(
    kpis.glossary_table(mask_frame(mask, glossary), search or ""),
    hide_index=True,
    key="cx_glossary",
    placeholder="",
    column_config={
        "Code": st.column_config.TextColumn(width=130),
        "Definition": st.column_config.TextColumn(width=400),
        "Formula": st.column_config.TextColumn(width=200),
        "Source": st.column_config.TextColumn(width=180),
        "Quarter value": st.column_config.TextColumn(help="How the quarter's observations combine into its value."),
    },
)

# Proposing and agreeing targets is for the working session, not for the projector.
if ctx.presenting:
    st.stop()

st.subheader("Targets and agreement")
st.caption(
    "Propose a target for a KPI and quarter, and record the CIO's and the CMO's agreement. A new "
    "proposal clears both agreements. Every change is kept in the history below."
)
entries = kpis.glossary_entries(glossary)  # by real code: the choice below queries and saves
names = {k: mask.text(e.name) for k, e in entries.items()}
may_change = any(app_access.may(TARGETS, side) for side in SIDES)  # a viewer reads only
editing = may_change and not ctx.mask_vendors  # masked: the form would show a note unmasked, or save a masked one back
with st.container(horizontal=True, gap="medium"):
    if editing:
        role = rv.acting_role(kx.ROLE_KEY)
    kpi = st.selectbox("KPI", list(names), format_func=lambda k: names[k], key="cx_target_kpi", width=360)
    options = kpis.target_quarters(ctx.quarters)
    target_quarter = st.selectbox(
        "Quarter",
        options,
        index=options.index(quarter),
        format_func=lambda q: q.label,
        key="cx_target_quarter",
        width=220,
    )

current = kx.current_target(ctx.url, ctx.status.version, targets_version, kpi, target_quarter)
version = current.version if current else 0
# A closed quarter's targets are read-only until it is reopened on the Quarterly review page.
closed = rv.quarter_state(ctx.url, review_version, target_quarter)
writable = editing and not closed.closed
if current is None:
    st.info(
        f"{plain(names[kpi])} has no target for {target_quarter.label} yet{': propose one below' if writable else ''}.",
        icon=":material/flag:",
    )
else:
    st.markdown(plain(mask.text(kpis.target_summary(current, entries[kpi]))))

result = st.session_state.pop(kx.RESULT_KEY, None)
if result:
    (st.success if result[0] else st.error)(
        plain(mask.text(result[1])), icon=":material/check_circle:" if result[0] else ":material/block:"
    )

if closed.closed:
    st.caption(plain(targets.closed_message(closed)), help="Closing and reopening are recorded with who and when.")
    st.page_link(
        QUARTERLY_REVIEW.path,
        label=f"Reopen {target_quarter.label} on the Quarterly review page",
        icon=":material/lock_open:",
        query_params=ctx.link_params,
    )
elif not may_change:
    st.caption("Signed in as a viewer, you read the targets and their history; proposals and agreements are not yours.")
elif not editing:
    st.caption(
        "Targets cannot be changed while vendor names are masked, so that masked text is never saved. "
        "Turn off *Mask vendor names* in the sidebar to propose or agree a target."
    )
else:
    with st.form("cx_propose", border=True):
        st.markdown(f"**Propose a new {target_quarter.label} target for {plain(names[kpi])}**")
        with st.container(horizontal=True, gap="medium"):
            st.number_input(
                "Target",
                value=current.target if current else None,
                step=0.01,
                key=kx.form_key("target", kpi, target_quarter, version),
                required=True,
                help="In the KPI's unit.",
            )
            st.number_input(
                "At-risk threshold",
                value=current.at_risk_threshold if current else None,
                min_value=0.0,
                step=0.01,
                key=kx.form_key("threshold", kpi, target_quarter, version),
                help="How far the value may miss the target and still count as at risk, in the KPI's "
                "unit. Leave empty for the default: 5% of the target.",
            )
        st.text_input(
            "Note",
            value=(current.note or "") if current else "",
            max_chars=NOTE_MAX_CHARS,
            key=kx.form_key("note", kpi, target_quarter, version),
            placeholder="Why this target?",
        )
        st.form_submit_button(
            "Propose target",
            type="primary",
            icon=":material/send:",
            key="cx_propose_submit",
            on_click=kx.submit_proposal,
            args=(ctx.url, kpi, names[kpi], target_quarter, version),
        )

    if role in AGREEING_ROLES:
        agreed_on = getattr(current, f"agreed_by_{role.lower()}_on") if current else None
        st.button(
            f"Record the {role}'s agreement to this target",
            icon=":material/handshake:",
            key="cx_agree",
            disabled=current is None or agreed_on is not None,
            help=f"Already agreed on {agreed_on:%d %b %Y}."
            if agreed_on
            else "There is no target to agree yet."
            if current is None
            else None,
            on_click=kx.submit_agreement,
            args=(ctx.url, kpi, names[kpi], target_quarter, version, role),
        )
    elif app_access.current().local or len(app_access.current().permissions.sides) > 1:
        st.caption("Only the CIO and the CMO record agreement: choose one of them under *Acting as*.")
    else:
        st.caption("Only the CIO and the CMO record agreement.")

st.markdown("**History of changes made in the app**")
audit = mask_frame(mask, kx.audit_table(kx.audit_history(ctx.url, targets_version), names))
if audit.empty:
    st.caption("No target has been changed in the app yet; the targets shown are the imported ones.")
else:
    st.dataframe(audit, hide_index=True, key="cx_audit", placeholder="—")
    st.download_button(
        "Download the history (CSV)",
        csv_bytes(audit),
        file_name="target_history.csv",
        mime=CSV_MIME,
        icon=":material/download:",
        key="cx_audit_download",
        on_click="ignore",
    )
