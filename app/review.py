"""The quarterly review in the app (the acting side and who is signed in: `app.access`): cached reads of notes and actions, the
commentary panel every page shows beside its numbers, and the save callbacks.

Caches are keyed by small values: the URL and the review version (a count of the append-only
note and action versions, read uncached once per run, so a save in another session shows on the
next rerun); after a save in this session they are also cleared outright.
"""

from __future__ import annotations

import json
from datetime import date

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app import access as app_access
from app.access import ROLE_PREFIX, acting_role, actor
from app.context import PageContext
from app.data import change_refused, engine_for, guarded
from app.text import badge_plain, mask_frame, plain
from metrics import review
from metrics.access import COMMENTARY
from metrics.fiscal import FiscalCalendar, FiscalQuarter

RESULT_KEY = "rv_result"  # (subject key, succeeded, message) of the last save, shown once


# --- Cached reads -----------------------------------------------------------------------------


@guarded
def review_version(url: str) -> str:
    """Read once per run, uncached: counts of the append-only note and action versions."""
    return review.review_version(engine_for(url))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=32)
def quarter_notes(url: str, review_version: str, quarter: FiscalQuarter) -> tuple[review.Note, ...]:
    return review.quarter_notes(engine_for(url), quarter)


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def all_actions(url: str, review_version: str) -> tuple[review.Action, ...]:
    return review.actions(engine_for(url))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=8)
def subject_options(url: str, version: str) -> dict[str, list[str]]:
    return review.subject_options(engine_for(url))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=32)
def quarter_state(url: str, review_version: str, quarter: FiscalQuarter) -> review.QuarterState:
    return review.quarter_state(engine_for(url), quarter)


def forget() -> None:
    quarter_notes.clear()
    all_actions.clear()
    quarter_state.clear()


# --- Saving -----------------------------------------------------------------------------------


def _outcome(subject_key: str, action, done: str, typed: str | None = None) -> None:
    """Run a save and leave its outcome for the page to show once; a refused save keeps what was
    typed (`typed`), so that nothing is lost when someone else saved first."""
    message: str | None
    try:
        action()
    except review.ReviewError as exc:  # refused, stale included: the message says why
        message = str(exc)
    except SQLAlchemyError as exc:
        message = change_refused(exc)
    else:
        message = None
    forget()
    st.session_state[RESULT_KEY] = (subject_key, False, message, typed) if message else (subject_key, True, done, None)


def note_key(quarter: FiscalQuarter, kind: str, subject: str, side: str, version: int) -> str:
    """Widget key of a note's text. It names the version shown, so a newer version (saved here or
    elsewhere) gives a fresh box holding the new text."""
    return f"rv_note_{quarter.label}_{kind}_{subject}_{side}_{version}"


def submit_note(url: str, quarter: FiscalQuarter, kind: str, subject: str, side: str, version: int) -> None:
    """Form callback: save the note typed, based on the version the form showed."""
    text = st.session_state.get(note_key(quarter, kind, subject, side, version))
    _outcome(
        f"{kind}:{subject}",
        lambda: review.save_note(
            engine_for(url), quarter, kind, subject, side, text, actor=actor(), expected_version=version
        ),
        f"The {side}'s note is saved.",
        text,
    )


def show_result(subject_key: str) -> None:
    result = st.session_state.get(RESULT_KEY)
    if result and result[0] == subject_key:
        st.session_state.pop(RESULT_KEY)
        (st.success if result[1] else st.error)(
            plain(result[2]), icon=":material/check_circle:" if result[1] else ":material/block:"
        )
        if not result[1] and result[3]:
            st.caption("What you typed, to copy:")
            st.code(result[3], language=None, wrap_lines=True)


# --- Showing ----------------------------------------------------------------------------------


def note_markdown(note: review.Note, ctx: PageContext) -> str:
    """A note as the page renders it: sanitised Markdown, vendor names masked when on."""
    return review.safe_markdown(ctx.vendor_mask.text(note.text or ""))


def show_notes(ctx: PageContext, notes: list[review.Note]) -> None:
    for n in notes:
        with st.container(border=True, key=f"rv_shown_{n.kind}_{n.subject}_{n.side}"):
            # Until sign-in, the author recorded is the acting role: say it once.
            by = f"{n.changed_by} · " if n.changed_by != n.side else ""
            st.caption(f"**{plain(n.side)}** · {plain(f'{by}{n.changed_at:%d %b %Y %H:%M} UTC')}")
            st.markdown(note_markdown(n, ctx))


def commentary(
    ctx: PageContext,
    quarter: FiscalQuarter,
    kind: str,
    subject: str,
    *,
    title: str = "Commentary",
    kpi_name: str | None = None,
    editable: bool = True,
) -> None:
    """The CIO's and the CMO's notes (and the CFO's on spend) on a page or a KPI for the quarter,
    and, outside presentation mode, the form to write the acting role's own."""
    url = ctx.url
    rv = review_version(url)
    notes = quarter_notes(url, rv, quarter)
    written = review.notes_on(notes, kind, subject)
    sides = review.sides_for(kind, subject)
    st.markdown(f"**{title} · {quarter.label}**")
    if written:
        show_notes(ctx, written)
    else:
        st.caption(plain(f"No commentary on {quarter.label} yet from the {', '.join(sides)}."))
    show_result(f"{kind}:{subject}")
    if not editable or ctx.presenting:
        return
    state = quarter_state(url, rv, quarter)
    if state.closed:
        st.caption(plain(review.closed_message(state)), help="Reopen it on the Quarterly review page.")
        return
    if not any(app_access.may(COMMENTARY, side) for side in sides):
        return  # a viewer, the board, or a signed-in side that writes no note here: nothing to write
    if ctx.mask_vendors:
        st.caption("Commentary cannot be written while vendor names are masked, so masked text is never saved.")
        return
    with st.expander("Write commentary", icon=":material/edit_note:"):
        role = acting_role(f"{ROLE_PREFIX}_{kind}_{subject}")
        if role not in sides:
            st.caption(f"The {', '.join(sides)} write notes here. Choose one of them under *Acting as* to write yours.")
            return
        current = next((n for n in notes if n.kind == kind and n.subject == subject and n.side == role), None)
        version = current.version if current else 0
        with st.form(f"rv_form_{kind}_{subject}", border=False):
            st.text_area(
                plain(review.note_title(role, kind, subject, quarter, kpi_name)),
                value=(current.text or "") if current else "",
                max_chars=review.NOTE_MAX_CHARS,
                key=note_key(quarter, kind, subject, role, version),
                placeholder="Markdown: **bold**, lists, links to https pages. No HTML or images.",
                height=120,
            )
            st.form_submit_button(
                f"Save the {role}'s note",
                type="primary",
                icon=":material/save:",
                key=f"rv_save_{kind}_{subject}",
                on_click=submit_note,
                args=(url, quarter, kind, subject, role, version),
            )


def short_lines(ctx: PageContext, notes: tuple[review.Note, ...], kind: str, subject: str) -> list[str]:
    """'CIO: first paragraph…' per written note, as plain text made literal for Markdown."""
    return [
        f"**{n.side}:** {plain(ctx.vendor_mask.text(review.short(n.text)))}"
        for n in review.notes_on(notes, kind, subject)
    ]


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def quarter_restated(
    url: str,
    version: str,
    review_version: str,
    fiscal_start: int,
    quarter: FiscalQuarter,
    reporting_currency: str,
    summary_json: str | None,
) -> review.Restated | None:
    """What later imports changed in a closed quarter; keyed by the data version and the review
    version (closing and reopening change it), and the headline figures as a small JSON text."""
    current = json.loads(summary_json) if summary_json is not None else None
    return review.load_restated(
        engine_for(url), FiscalCalendar(fiscal_start), quarter, current, reporting_currency=reporting_currency
    )


MAX_RESTATED_ITEMS = 8  # beyond, the drill-down lists them all


def _restated(ctx: PageContext, quarter: FiscalQuarter, summary: dict | None) -> review.Restated | None:
    rv = review_version(ctx.url)
    if not quarter_state(ctx.url, rv, quarter).closed:
        return None
    return quarter_restated(
        ctx.url,
        ctx.status.version,
        rv,
        ctx.settings.fiscal_start_month,
        quarter,
        ctx.settings.reporting_currency,
        json.dumps(summary, sort_keys=True) if summary is not None else None,
    )


def restated_warning(ctx: PageContext, quarter: FiscalQuarter, current: dict | None) -> None:
    """The Overview of a closed quarter whose figures later imports changed says so above them:
    each headline figure, how many each page restates, the lines that differ, and the drill-down.
    `current`: the quarter's `summary` figures of all departments (None when a filter narrows them:
    the closed figures are of all departments, so nothing is said)."""
    if current is None:
        return
    found = _restated(ctx, quarter, current)
    if found is None or not found.any:
        return
    mask = ctx.vendor_mask.text
    st.warning("\n".join(f"- {plain(mask(s))}" for s in found.sentences(ctx.symbol)), icon=":material/history:")
    changed_lines(ctx, quarter, found.changed_lines("overview"))


def restated_sentences(ctx: PageContext, quarter: FiscalQuarter) -> list[str]:
    """What later imports changed in `quarter` if it is closed, as `summary` and the pack say it
    (for the review's agenda); none while it is open."""
    if not quarter_state(ctx.url, review_version(ctx.url), quarter).closed:
        return []
    from app.headline import quarter_headline
    from app.kpis import targets_version
    from metrics.summary import DataAsOf, summary_figures

    headline = quarter_headline(
        ctx.url,
        ctx.status.version,
        targets_version(ctx.url),
        ctx.settings.fiscal_start_month,
        quarter,
        (),
        date.today(),
        ctx.symbol,
    )
    found = _restated(ctx, quarter, summary_figures(headline, DataAsOf(None), ctx.settings.reporting_currency))
    return found.sentences(ctx.symbol) if found else []


def restated_panel(ctx: PageContext, quarter: FiscalQuarter, page: str) -> None:
    """A page of a closed quarter: its figures later imports changed, each with then and now, the
    lines behind them that differ, and the drill-down to those lines."""
    found = _restated(ctx, quarter, None)
    if found is None:
        return
    items, changed = found.on_page(page), found.changed_lines(page)
    if not items and not changed:
        return
    mask = ctx.vendor_mask.text
    restated_items = [f"- {plain(mask(review.restatement_item(r, ctx.symbol)))}" for r in items[:MAX_RESTATED_ITEMS]]
    hidden = len(items) - MAX_RESTATED_ITEMS
    more_items = [f"- and {hidden:,} more"] if hidden > 0 else []
    line_items = [f"- {plain(c.sentence())}" for c in changed]
    restated_heading = plain(f"Restated {review.restated_since(found.state)}:")
    st.warning(
        f"**{restated_heading}**\n\n" + "\n".join(restated_items + more_items + line_items),
        icon=":material/history:",
    )
    changed_lines(ctx, quarter, changed, items[MAX_RESTATED_ITEMS:])


def changed_lines(
    ctx: PageContext,
    quarter: FiscalQuarter,
    changed: list[review.ChangedLines],
    more: tuple[review.Restatement, ...] = (),
) -> None:
    """The drill-down: every line that differs from those the quarter was closed with, as closed
    and as now, side by side (a changed line's two versions one above the other)."""
    if ctx.presenting or not (changed or more):
        return
    with st.expander(f"What changed since the {quarter.label} review", icon=":material/difference:"):
        for r in more:
            st.markdown(f"- {plain(ctx.vendor_mask.text(review.restatement_item(r, ctx.symbol)))}")
        for c in changed:
            st.markdown(f"**{plain(c.sentence())}**")
            st.dataframe(
                mask_frame(ctx.vendor_mask, review.changed_lines_frame(c)),
                hide_index=True,
                key=f"rv_changed_{c.table}",
                column_config={
                    "Amount": st.column_config.NumberColumn("Amount", format=f"{ctx.symbol}%,.2f"),
                },
            )


def overdue_warning(ctx: PageContext, today: date) -> None:
    """Overdue actions, flagged where a reader of the figures cannot miss them."""
    actions = all_actions(ctx.url, review_version(ctx.url))
    overdue = review.overdue_actions(actions, today)
    if overdue:
        lines = "\n".join(f"- {plain(ctx.vendor_mask.text(review.overdue_line(a, today)))}" for a in overdue)
        st.warning(f"**{plain(review.overdue_sentence(overdue))}**\n\n{lines}", icon=":material/alarm:")


def open_actions(
    ctx: PageContext,
    actions: list[review.Action],
    today: date,
    *,
    title: str | None = None,
    key: str | None = None,
    about: bool = False,
) -> None:
    """Open actions where their subject is shown (a KPI's card, a page's section): a badge counting
    them, red once one is overdue, then one line each, overdue ones saying so; with `about`, each
    line names its subject (a vendor, a budget line, a request type). Vendor names are masked when
    masking is on. Nothing at all when there is no open action."""
    if not actions:
        return
    with st.container(key=key):
        if title:
            st.markdown(f"**{plain(title)}**")
        overdue = any(a.overdue(today) for a in actions)
        st.badge(
            badge_plain(review.open_actions_label(actions, today)),
            color="red" if overdue else "blue",
            icon=":material/alarm:" if overdue else ":material/assignment:",
        )
        for a in actions:
            st.caption(plain(ctx.vendor_mask.text(review.open_action_line(a, today, about=about))))


# --- Decisions and actions --------------------------------------------------------------------


def _field_key(action_id: str | None, version: int, field: str) -> str:
    return f"rv_act_{action_id or 'new'}_{version}_{field}"


def submit_action(url: str, action_id: str | None, version: int, raised: FiscalQuarter) -> None:
    """Button callback: save the entry typed, based on the version shown (0 for a new one)."""
    state = st.session_state

    def get(field: str, default=None):
        return state.get(_field_key(action_id, version, field), default)

    subject_kind = get("subject_kind", "") or ""
    _outcome(
        "actions",
        lambda: review.save_action(
            engine_for(url),
            action_id,
            kind=get("kind") or "action",
            text=get("text") or "",
            owner=get("owner") or "",
            due_on=get("due_on"),
            status=get("status") or "open",
            subject_kind=subject_kind,
            subject=(get("subject") or "") if subject_kind else "",
            raised=raised,
            actor=actor(),
            expected_version=version,
        ),
        "The entry is saved." if action_id else "The entry is added to the log.",
        get("text"),
    )
    if action_id is None:  # an empty form for the next entry
        for field in ("text", "due_on"):
            state.pop(_field_key(None, 0, field), None)


def action_editor(
    ctx: PageContext,
    quarter: FiscalQuarter,
    kpi_names: dict[str, str],
    options: dict[str, list[str]],
    current: review.Action | None = None,
) -> None:
    """The fields of a decision or action and its save button: empty for a new entry, or the
    entry's values to change it. What it is about is chosen among the things the pages show."""
    aid, version = (current.action_id, current.version) if current else (None, 0)

    def key(field: str) -> str:
        return _field_key(aid, version, field)

    mask = ctx.vendor_mask.text
    with st.container(horizontal=True, gap="medium"):
        st.segmented_control(
            "Kind",
            list(review.KINDS),
            default=current.kind if current else "action",
            key=key("kind"),
            format_func=str.capitalize,
        )
        st.selectbox(
            "Owner",
            list(review.OWNERS),
            index=list(review.OWNERS).index(current.owner) if current else 3,
            key=key("owner"),
            width=160,
        )
        st.date_input(
            "Due",
            value=current.due_on if current else None,
            key=key("due_on"),
            width=180,
            help="Actions need one; a decision may have none. Overdue the day after.",
        )
        if current:
            st.selectbox(
                "Status",
                list(review.STATUSES),
                index=list(review.STATUSES).index(current.status),
                key=key("status"),
                width=160,
            )
    st.text_input(
        "What was decided, or what is to be done",
        value=current.text if current else "",
        max_chars=review.TEXT_MAX_CHARS,
        key=key("text"),
    )
    with st.container(horizontal=True, gap="medium"):
        kinds = list(review.SUBJECT_KINDS)
        chosen = st.selectbox(
            "About",
            kinds,
            index=kinds.index(current.subject_kind) if current else 0,
            format_func=lambda k: review.SUBJECT_KINDS[k],
            key=key("subject_kind"),
            width=200,
        )
        if chosen:
            choices = list(kpi_names) if chosen == review.KPI else options.get(chosen, [])
            if current and current.subject_kind == chosen and current.subject not in choices:
                choices = [current.subject, *choices]  # no longer in the data: still the entry's subject
            st.selectbox(
                review.SUBJECT_KINDS[chosen],
                choices,
                index=choices.index(current.subject) if current and current.subject in choices else 0,
                format_func=(lambda k: kpi_names.get(k, k)) if chosen == review.KPI else mask,
                key=key("subject"),
                width=360,
                placeholder="Nothing of this kind in the data",
            )
    st.button(
        "Save changes" if current else "Add to the log",
        type="primary",
        icon=":material/save:" if current else ":material/add:",
        key=key("save"),
        on_click=submit_action,
        args=(ctx.url, aid, version, current.raised if current else quarter),
    )


# --- Closing a quarter ------------------------------------------------------------------------


def submit_closing(
    url: str, fiscal_start: int, quarter: FiscalQuarter, close: bool, version: int, reporting_currency: str
) -> None:
    """Button callback: close the quarter (keeping its figures) or reopen it."""
    engine = engine_for(url)
    if close:
        _outcome(
            "quarter",
            lambda: review.close_quarter(
                engine,
                FiscalCalendar(fiscal_start),
                quarter,
                actor=actor(),
                expected_version=version,
                today=date.today(),
                reporting_currency=reporting_currency,
            ),
            f"{quarter.label} is closed: its figures are kept as they are now; its commentary and targets are read-only.",
        )
    else:
        _outcome(
            "quarter",
            lambda: review.reopen_quarter(engine, quarter, actor=actor(), expected_version=version),
            f"{quarter.label} is reopened: its commentary and targets can change again.",
        )
