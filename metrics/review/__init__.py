"""The quarterly review: commentary per quarter on each page and KPI (the CIO's, the CMO's and the
CFO's on spend), the decisions and actions log, the agenda and the minutes.

Modules
    ``queries``   the app's review tables and the SQL that reads them; ends with ``QUERIES``
    ``compute``   notes and actions as values, overdue, filters, the log frame, the agenda
    ``wording``   titles, the stale-save messages, the lines of the minutes
    ``markdown``  commentary rendered safely (`safe_markdown`) and as plain words (`plain_text`)
    ``store``     the write path: notes and actions, with optimistic locking and audit rows

The names below are re-exported so that ``from metrics import review; review.X(...)`` works.
"""

from __future__ import annotations

from metrics.review.compute import (
    KINDS,
    KPI,
    NOTE_MAX_CHARS,
    OWNERS,
    PAGE,
    PAGES,
    SIDES,
    STATUSES,
    SUBJECT_KINDS,
    TEXT_MAX_CHARS,
    Action,
    AgendaItem,
    Note,
    QuarterState,
    Restatement,
    agenda,
    empty_note,
    filter_actions,
    log_frame,
    notes_on,
    of_quarter,
    open_actions_on,
    overdue_actions,
    restatements,
    sides_for,
    snapshot_frame,
    sorted_actions,
    subject_label,
)
from metrics.review.markdown import plain_text, safe_markdown, short
from metrics.review.queries import actions, audit_rows, quarter_notes, quarter_state, review_version, subject_options
from metrics.review.store import (
    CLOSING_ROLES,
    ReviewError,
    StaleReviewError,
    close_quarter,
    reopen_quarter,
    save_action,
    save_note,
)
from metrics.review.wording import (
    OVERDUE,
    Minutes,
    action_line,
    closed_message,
    commentary_title,
    minutes,
    minutes_title,
    note_title,
    overdue_line,
    overdue_sentence,
    restatement_lines,
    restatement_sentence,
)

__all__ = [
    "Restatement",
    "restatement_lines",
    "restatement_sentence",
    "restatements",
    "CLOSING_ROLES",
    "QuarterState",
    "close_quarter",
    "quarter_state",
    "reopen_quarter",
    "KINDS",
    "KPI",
    "NOTE_MAX_CHARS",
    "OVERDUE",
    "OWNERS",
    "PAGE",
    "PAGES",
    "SIDES",
    "STATUSES",
    "SUBJECT_KINDS",
    "TEXT_MAX_CHARS",
    "Action",
    "Minutes",
    "AgendaItem",
    "Note",
    "ReviewError",
    "StaleReviewError",
    "action_line",
    "actions",
    "agenda",
    "audit_rows",
    "closed_message",
    "commentary_title",
    "empty_note",
    "filter_actions",
    "log_frame",
    "minutes",
    "minutes_title",
    "note_title",
    "notes_on",
    "of_quarter",
    "open_actions_on",
    "overdue_actions",
    "overdue_line",
    "overdue_sentence",
    "plain_text",
    "quarter_notes",
    "review_version",
    "safe_markdown",
    "save_action",
    "save_note",
    "short",
    "sides_for",
    "snapshot_frame",
    "sorted_actions",
    "subject_label",
    "subject_options",
]
