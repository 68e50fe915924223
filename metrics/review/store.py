"""Writing the review: notes (commentary) and decisions and actions, with optimistic locking and
audit rows, as targets are written (see `metrics.targets.store`).

Rules
    - A note belongs to one side: only the CIO writes the CIO's note, the CMO the CMO's, the CFO
      the CFO's (on the Tech spend page only). The Analyst writes no note.
    - Any acting role records decisions and actions (the Analyst often keeps the minutes).
    - The CIO, the CMO or the CFO closes a quarter (its headline figures are kept as they are
      then) and reopens it; a closed quarter's commentary and targets are read-only until it is
      reopened (targets: `metrics.targets.store` checks the state in `metrics.closing`).
    - With sign-in, the signed-in role must allow it too (`metrics.access`): a viewer or a board
      member writes nothing, the CIO and the CMO only their own side's notes. A refusal writes
      nothing. The audit's `changed_by` is the signed-in identity (without sign-in, the side).
      Decisions and actions stay open to change (an action is done after the quarter closes).
    - Every save names the version it was based on and writes version + 1; the primary key makes
      that a conditional insert, so of two saves based on the same version exactly one succeeds
      and the other gets `StaleReviewError` naming who changed it and when. The version row and
      its audit rows are written in one transaction.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import access, closing
from metrics.access import Actor
from metrics.closing import quarter_versions
from metrics.currency import DEFAULT_REPORTING_CURRENCY, symbol
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.review import figures, lines, queries
from metrics.review.compute import (
    ACTION_FIELDS,
    KINDS,
    KPI,
    NOTE_MAX_CHARS,
    OWNERS,
    PAGE,
    PAGES,
    STATUSES,
    SUBJECT_KINDS,
    TEXT_MAX_CHARS,
    Action,
    Note,
    QuarterState,
    sides_for,
)
from metrics.review.queries import action_versions, note_versions, review_audit, review_metadata
from metrics.review.wording import (
    closed_message,
    note_title,
    stale_action_message,
    stale_note_message,
    stale_quarter_message,
)
from metrics.targets import queries as target_queries
from metrics.targets.compute import ROLES


class ReviewError(ValueError):
    """A change to the review was refused; the message says why, in words for the user."""


class StaleReviewError(ReviewError):
    """The note or action changed since the user loaded it; their save was refused."""


_creating = threading.Lock()


def ensure_tables(engine: Engine) -> None:
    """Create the review's tables if they do not exist yet (idempotent), as
    `metrics.targets.ensure_tables` does for the target tables; the quarters' closings included
    (their table is declared in `metrics.closing`)."""
    closing.ensure_table(engine)
    with _creating:
        try:
            review_metadata.create_all(engine, checkfirst=True)
        except sa.exc.DBAPIError:
            review_metadata.create_all(engine, checkfirst=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _check_actor(actor: Actor, action: str, side: str | None = None) -> None:
    """Refuses what the signed-in role may not do (`metrics.access`), before anything is written."""
    refused = access.refusal(actor, action, side)
    if refused:
        raise ReviewError(refused)
    if actor.role not in ROLES:
        raise ReviewError(f"Unknown role '{actor.role}': act as one of {', '.join(ROLES)}.")
    if not actor.name.strip():
        raise ReviewError("Say who is making the change.")


def note_ref(quarter: FiscalQuarter, kind: str, subject: str, side: str) -> str:
    return f"{quarter.label}|{kind}|{subject}|{side}"


def _subject_name(conn: Connection, kind: str, subject: str) -> str | None:
    if kind == PAGE:
        if subject not in PAGES:
            raise ReviewError(f"There is no page '{subject}' to comment on.")
        return None
    if kind == KPI:
        name = target_queries.kpi_name(conn, subject)
        if name is None:
            raise ReviewError(f"There is no KPI '{subject}' in the glossary.")
        return name
    raise ReviewError(f"A note is about a page or a KPI, not '{kind}'.")


def _insert_or_stale(engine: Engine, write: Callable[[], Any], still_current: Callable[[], bool], stale) -> Any:
    """Run the write; a key violation (or DuckDB's conflict at commit) because another save took
    the same version first becomes the stale error."""
    try:
        return write()
    except sa.exc.DBAPIError:
        if not still_current():
            raise stale() from None
        raise


def save_note(
    engine: Engine,
    quarter: FiscalQuarter,
    kind: str,
    subject: str,
    side: str,
    text: str | None,
    *,
    actor: Actor,
    expected_version: int,
    now: datetime | None = None,
) -> Note:
    """Write the `side`'s note on a page or a KPI for `quarter`. An empty text clears the note."""
    _check_actor(actor, access.COMMENTARY, side)
    if side not in sides_for(kind, subject):
        where = "the Tech spend page" if side == "CFO" else "this"
        raise ReviewError(f"The {side} writes no note on this subject (the CFO comments on {where}).")
    if actor.role != side:
        raise ReviewError(f"Only the {side} writes the {side}'s note; you are acting as {actor.role}.")
    body = (text or "").strip() or None
    if body and len(body) > NOTE_MAX_CHARS:
        raise ReviewError(f"Keep the note under {NOTE_MAX_CHARS:,} characters.")
    ensure_tables(engine)
    when = now or _now()
    title = f"The {side}'s note"

    def write() -> Note:
        nonlocal title
        with engine.begin() as conn:
            title = note_title(side, kind, subject, quarter, _subject_name(conn, kind, subject))
            state = queries.read_quarter_state(conn, quarter)
            if state.closed:
                raise ReviewError(closed_message(state))
            current = queries.read_note(conn, quarter, kind, subject, side)
            if (current.version if current else 0) != expected_version:
                raise _stale_note(title, current)
            old = current.text if current else None
            if old == body:
                raise ReviewError(f"Nothing to change: {title[0].lower() + title[1:]} already reads so.")
            key = {
                "fiscal_year": quarter.fiscal_year,
                "quarter": f"Q{quarter.quarter}",
                "subject_kind": kind,
                "subject": subject,
                "side": side,
                "version": expected_version + 1,
            }
            who = {"changed_at": when, "changed_by": actor.name, "role": actor.role}
            conn.execute(note_versions.insert().values(**key, text=body, **who))
            conn.execute(
                review_audit.insert().values(
                    entity="note",
                    ref=note_ref(quarter, kind, subject, side),
                    version=expected_version + 1,
                    field="text",
                    old_value=old,
                    new_value=body,
                    **who,
                )
            )
            return Note(quarter, kind, subject, side, body, expected_version + 1, actor.name, when)

    def current_version() -> bool:
        latest = queries.note(engine, quarter, kind, subject, side)
        return (latest.version if latest else 0) == expected_version

    return _insert_or_stale(
        engine, write, current_version, lambda: _stale_note(title, queries.note(engine, quarter, kind, subject, side))
    )


def _stale_note(title: str, current: Note | None) -> StaleReviewError:
    return StaleReviewError(
        stale_note_message(title, current.changed_by if current else None, current.changed_at if current else None)
    )


def _checked_fields(
    kind: str, text: str, owner: str, due_on: date | None, status: str, subject_kind: str, subject: str
) -> dict:
    if kind not in KINDS:
        raise ReviewError(f"An entry is a decision or an action, not '{kind}'.")
    body = (text or "").strip()
    if not body:
        raise ReviewError(f"Say what the {kind} is.")
    if len(body) > TEXT_MAX_CHARS:
        raise ReviewError(f"Keep the {kind} under {TEXT_MAX_CHARS} characters.")
    if owner not in OWNERS:
        raise ReviewError(f"The owner is one of {', '.join(OWNERS)}, not '{owner}'.")
    if status not in STATUSES:
        raise ReviewError(f"The status is one of {', '.join(STATUSES)}, not '{status}'.")
    if kind == "action" and due_on is None:
        raise ReviewError("An action needs a due date.")
    if subject_kind not in SUBJECT_KINDS:
        raise ReviewError(f"An entry is about one of {', '.join(k for k in SUBJECT_KINDS if k)}, not '{subject_kind}'.")
    subject = (subject or "").strip()
    if subject_kind and not subject:
        raise ReviewError(f"Say which {SUBJECT_KINDS[subject_kind].lower()} the {kind} is about.")
    if not subject_kind:
        subject = ""
    return {
        "kind": kind,
        "text": body,
        "owner": owner,
        "due_on": due_on,
        "status": status,
        "subject_kind": subject_kind,
        "subject": subject,
    }


def save_action(
    engine: Engine,
    action_id: str | None,
    *,
    kind: str,
    text: str,
    owner: str,
    due_on: date | None,
    status: str = "open",
    subject_kind: str = "",
    subject: str = "",
    raised: FiscalQuarter,
    actor: Actor,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Action:
    """Record a new decision or action (`action_id` None, version 0) or change one."""
    _check_actor(actor, access.LOG)
    fields = _checked_fields(kind, text, owner, due_on, status, subject_kind, subject)
    ensure_tables(engine)
    when = now or _now()
    new_id = action_id or uuid.uuid4().hex[:12]

    def write() -> Action:
        with engine.begin() as conn:
            if subject_kind == KPI:
                _subject_name(conn, KPI, fields["subject"])
            current = queries.read_action(conn, new_id) if action_id else None
            if action_id and current is None:
                raise ReviewError("This entry no longer exists; reload the log.")
            if (current.version if current else 0) != expected_version:
                raise StaleReviewError(stale_action_message(current))
            raised_q = current.raised if current else raised
            old = current.fields() if current else dict.fromkeys(ACTION_FIELDS)
            changed = [f for f in ACTION_FIELDS if fields[f] != old[f]]
            if not changed:
                raise ReviewError(f"Nothing to change: the {kind} already reads so.")
            version = expected_version + 1
            who = {"changed_at": when, "changed_by": actor.name, "role": actor.role}
            conn.execute(
                action_versions.insert().values(
                    action_id=new_id,
                    version=version,
                    **fields,
                    raised_fiscal_year=raised_q.fiscal_year,
                    raised_quarter=f"Q{raised_q.quarter}",
                    **who,
                )
            )
            conn.execute(
                review_audit.insert(),
                [
                    {
                        "entity": "action",
                        "ref": new_id,
                        "version": version,
                        "field": f,
                        "old_value": _text(old[f]),
                        "new_value": _text(fields[f]),
                        **who,
                    }
                    for f in changed
                ],
            )
            return Action(new_id, **fields, raised=raised_q, version=version, changed_by=actor.name, changed_at=when)

    def current_version() -> bool:
        with engine.connect() as conn:
            latest = queries.read_action(conn, new_id)
        return (latest.version if latest else 0) == expected_version

    def stale() -> StaleReviewError:
        with engine.connect() as conn:
            return StaleReviewError(stale_action_message(queries.read_action(conn, new_id)))

    return _insert_or_stale(engine, write, current_version, stale)


CLOSING_ROLES = ("CIO", "CMO", "CFO")


def set_quarter_closed(
    engine: Engine,
    quarter: FiscalQuarter,
    *,
    closed: bool,
    snapshot: dict | None,
    actor: Actor,
    expected_version: int,
    now: datetime | None = None,
    calendar: FiscalCalendar | None = None,
) -> QuarterState:
    """Close `quarter` with the `snapshot` of its figures, or reopen it (snapshot kept in the
    history, cleared from the state). Closing with a `calendar` also keeps the quarter's lines
    (`metrics.review.lines`), in the same transaction, for the restatements' drill-down."""
    _check_actor(actor, access.CLOSE)
    if actor.role not in CLOSING_ROLES:
        raise ReviewError(f"The CIO, the CMO or the CFO closes and reopens a quarter; you are acting as {actor.role}.")
    ensure_tables(engine)
    when = now or _now()
    body = json.dumps(snapshot, sort_keys=True) if closed and snapshot is not None else None

    def write() -> QuarterState:
        with engine.begin() as conn:
            current = queries.read_quarter_state(conn, quarter)
            if current.version != expected_version:
                raise StaleReviewError(stale_quarter_message(current))
            if current.closed == closed:
                raise ReviewError(f"{quarter.label} is already {'closed' if closed else 'open'}.")
            version = expected_version + 1
            who = {"changed_at": when, "changed_by": actor.name, "role": actor.role}
            key = {"fiscal_year": quarter.fiscal_year, "quarter": f"Q{quarter.quarter}", "version": version}
            conn.execute(quarter_versions.insert().values(**key, closed=closed, snapshot=body, **who))
            if closed and calendar is not None:
                lines.keep_closed_lines(conn, calendar, quarter, version)
            conn.execute(
                review_audit.insert().values(
                    entity="quarter",
                    ref=quarter.label,
                    version=version,
                    field="closed",
                    old_value="closed" if current.closed else "open",
                    new_value="closed" if closed else "open",
                    **who,
                )
            )
            return QuarterState(quarter, closed, json.loads(body) if body else None, version, actor.name, when)

    def current_version() -> bool:
        return queries.quarter_state(engine, quarter).version == expected_version

    return _insert_or_stale(
        engine,
        write,
        current_version,
        lambda: StaleReviewError(stale_quarter_message(queries.quarter_state(engine, quarter))),
    )


def close_quarter(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    *,
    actor: Actor,
    expected_version: int,
    today: date | None = None,
    now: datetime | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> QuarterState:
    """Close `quarter`, keeping its figures as they are now: the headline (those of `summary`, all
    departments, in the reporting currency), every figure of its pages (`figures.quarter_figures`,
    under "figures") and its lines (`lines.keep_closed_lines`)."""
    from metrics.headline import load_headline
    from metrics.summary import data_as_of, summary_figures

    _check_actor(actor, access.CLOSE)  # before the figures are read
    headline = load_headline(engine, calendar, quarter, (), today, currency=symbol(reporting_currency))
    snapshot = summary_figures(headline, data_as_of(engine), reporting_currency)
    snapshot["figures"] = figures.as_json(figures.quarter_figures(engine, calendar, quarter, today))
    return set_quarter_closed(
        engine,
        quarter,
        closed=True,
        snapshot=snapshot,
        actor=actor,
        expected_version=expected_version,
        now=now,
        calendar=calendar,
    )


def reopen_quarter(
    engine: Engine, quarter: FiscalQuarter, *, actor: Actor, expected_version: int, now: datetime | None = None
) -> QuarterState:
    return set_quarter_closed(
        engine, quarter, closed=False, snapshot=None, actor=actor, expected_version=expected_version, now=now
    )
