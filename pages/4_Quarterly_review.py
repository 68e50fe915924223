from datetime import date

import streamlit as st

from app import access as app_access
from app import kpis as kx
from app import review as rv
from app.navigation import PRESENTATION_ORDER, QUARTERLY_REVIEW
from app.shell import page_setup, require_quarter
from app.text import mask_frame, plain
from metrics import kpis, review
from metrics.access import CLOSE, LOG
from metrics.exports import CSV_MIME, EXCEL_MIME, csv_bytes, excel_bytes, file_name

ctx = page_setup(QUARTERLY_REVIEW)
q = require_quarter(ctx)
today = date.today()
url, version = ctx.url, ctx.status.version
mask = ctx.vendor_mask.text
review_version = rv.review_version(url)
notes = rv.quarter_notes(url, review_version, q)
actions = rv.all_actions(url, review_version)
has_kpis = "kpis" in ctx.status.tables_with_rows
cards = kx.scorecard(url, version, kx.targets_version(url), ctx.calendar.start_month, q) if has_kpis else []
glossary = kx.glossary(url, version) if has_kpis else None
kpi_names = {k: e.name for k, e in kpis.glossary_entries(glossary).items()} if glossary is not None else {}
PAGE_LINKS = dict(zip(review.PAGES, PRESENTATION_ORDER, strict=True))  # the walk-through's pages, in order

st.caption(
    "Run the meeting from here: walk the agenda, write the commentary, record decisions and actions as they "
    "are agreed. The minutes (decisions, actions with owners and dates, the commentary) go into this quarter's "
    "board pack (sidebar)."
)

# --- Agenda -----------------------------------------------------------------------------------
st.subheader(f"Agenda · {q.label}")
items = review.agenda(
    [c.kpi.name for c in cards if c.status == kpis.OFF_TARGET],
    [c.kpi.name for c in cards if c.status == kpis.AT_RISK],
    actions,
    notes,
    today,
    # What later imports changed in the last quarter reviewed, and in this one if it is closed.
    [sentence for closed in (q.previous(), q) for sentence in rv.restated_sentences(ctx, closed)],
)
for number, item in enumerate(items, start=1):
    with st.container(border=True, key=f"rv_agenda_{number}"):
        st.markdown(f"**{number}. {plain(item.title)}**")
        st.markdown("\n".join(f"- {plain(mask(point))}" for point in item.points))
        if item.page is not None:
            page = PAGE_LINKS[item.page]
            st.page_link(page.path, label=f"Open {page.label}", icon=page.icon, query_params=ctx.link_params)

# --- Commentary -------------------------------------------------------------------------------
st.subheader("Commentary")
subjects = [(review.PAGE, key) for key in review.PAGES] + [(review.KPI, code) for code in kpi_names]


def subject_label(subject: tuple[str, str]) -> str:
    kind, key = subject
    return review.PAGES[key] if kind == review.PAGE else f"KPI: {mask(kpi_names.get(key, key))}"


chosen = st.selectbox(
    "Commentary on", subjects, format_func=subject_label, key="rv_subject", width=420,
    help="The pages in the order of the walk-through, then each KPI of the scorecard.",
)  # fmt: skip
kind, subject = chosen
rv.commentary(
    ctx,
    q,
    kind,
    subject,
    title=f"Commentary on {plain(subject_label(chosen))}",
    kpi_name=kpi_names.get(subject) if kind == review.KPI else None,
)

# --- Decisions and actions --------------------------------------------------------------------
st.subheader("Decisions and actions")
rv.show_result("actions")
options = rv.subject_options(url, version)
if ctx.mask_vendors:
    st.caption("Entries cannot be added or changed while vendor names are masked, so masked text is never saved.")
elif not ctx.presenting and app_access.may(LOG):
    with st.container(border=True, key="rv_new_entry"):
        st.markdown("**Record a decision or an action**")
        rv.acting_role("rv_role_log")
        rv.action_editor(ctx, q, kpi_names, options)
    if actions:
        with st.expander("Change an entry (status, owner, due date...)", icon=":material/edit:"):
            by_id = {a.action_id: a for a in review.sorted_actions(actions, today)}
            picked = st.selectbox(
                "Entry",
                list(by_id),
                format_func=lambda i: f"{by_id[i].kind.capitalize()}: {mask(by_id[i].text)} ({by_id[i].status})",
                key="rv_pick",
            )
            rv.acting_role("rv_role_change")
            rv.action_editor(ctx, q, kpi_names, options, by_id[picked])

with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
    kinds = st.pills("Kind", list(review.KINDS), selection_mode="multi", key="rv_f_kind", format_func=str.capitalize)
    owners = st.pills("Owner", list(review.OWNERS), selection_mode="multi", key="rv_f_owner")
    statuses = st.pills("Status", list(review.STATUSES), selection_mode="multi", key="rv_f_status")
    overdue_only = st.toggle("Overdue only", key="rv_f_overdue")
    this_quarter = st.toggle(f"Raised in {q.label}", key="rv_f_quarter")
shown = review.filter_actions(
    review.sorted_actions(actions, today),
    kinds=kinds,
    owners=owners,
    statuses=statuses,
    quarter=q if this_quarter else None,
    overdue_only=overdue_only,
    today=today,
)
log = review.log_frame(shown, today, kpi_names)
log = log.assign(Text=[mask(t) for t in log["Text"]], About=[mask(t) for t in log["About"]])
if not actions:
    st.caption("Nothing recorded yet.")
else:
    st.caption(f"{len(shown)} of {len(actions)} entries. Overdue: an open action past its due date.")
    st.dataframe(
        log,
        hide_index=True,
        key="rv_log",
        placeholder="",
        column_config={
            "Due": st.column_config.DateColumn(format="DD MMM YYYY"),  # as the agenda and the minutes write it
            "Text": st.column_config.TextColumn(width=300),
            "Changed (UTC)": st.column_config.TextColumn("Changed", width=130),
        },
        # Who changed an entry and when: in the downloads and the audit, not on a laptop's screen.
        column_order=[c for c in log.columns if c not in ("Changed by", "Changed (UTC)")],
    )
    if not ctx.presenting:
        with st.container(horizontal=True):
            st.download_button(
                "Download CSV",
                csv_bytes(log),
                file_name("bridgeboard", "decisions-and-actions", q.label, ext="csv"),
                CSV_MIME,
                key="rv_log_csv",
                on_click="ignore",
                icon=":material/download:",
            )
            st.download_button(
                "Download Excel",
                excel_bytes(log, "Decisions and actions"),
                file_name("bridgeboard", "decisions-and-actions", q.label, ext="xlsx"),
                EXCEL_MIME,
                key="rv_log_xlsx",
                on_click="ignore",
                icon=":material/download:",
            )

# --- Minutes ------------------------------------------------------------------------------------
st.subheader(f"Minutes · {q.label}")
st.caption("What the board pack of this quarter adds after the figures: generate it from the sidebar.")
minutes = review.minutes(notes, actions, q, today, kpi_names)
if minutes.empty:
    st.caption(f"No commentary, decision or action for {q.label} yet.")
else:
    for heading, lines in minutes.sections:
        st.markdown(f"**{plain(mask(heading))}**")
        st.markdown("\n".join(f"- {plain(mask(line))}" for line in lines))

# --- Closing the quarter ------------------------------------------------------------------------
st.subheader(f"Closing {q.label}")
state = rv.quarter_state(url, review_version, q)
rv.show_result("quarter")
if state.closed:
    st.info(plain(review.closed_message(state, "commentary and targets are")), icon=":material/lock:")
    if state.snapshot:
        kept = mask_frame(ctx.vendor_mask, review.snapshot_frame(state.snapshot, ctx.symbol))
        st.caption(
            "Every figure as it was when the quarter was closed: the headline (the figures of `summary`, in its "
            "order), then each page's. Later imports that change one show as a restatement on its page."
        )
        st.dataframe(
            kept,
            hide_index=True,
            key="rv_snapshot",
            width=760,
            height=min(35 * (len(kept) + 1) + 3, 600),  # the headline in view; the pages' figures scroll
        )
else:
    st.caption(
        "Closing keeps every figure of this quarter's pages, and the lines behind them, as they are now, so that a "
        "later import that changes one shows as a restatement; its commentary and targets become read-only until it "
        "is reopened. The CIO, the CMO or the CFO closes and reopens."
    )
if not ctx.presenting and app_access.may(CLOSE):
    with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
        rv.acting_role("rv_role_close")
        st.button(
            f"Reopen {q.label}" if state.closed else f"Close {q.label}",
            icon=":material/lock_open:" if state.closed else ":material/lock:",
            key="rv_close",
            on_click=rv.submit_closing,
            args=(url, ctx.calendar.start_month, q, not state.closed, state.version, ctx.settings.reporting_currency),
        )
