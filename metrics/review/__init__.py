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
    agenda,
    empty_note,
    filter_actions,
    log_frame,
    notes_on,
    of_quarter,
    open_actions_on,
    overdue_actions,
    sides_for,
    sorted_actions,
    subject_label,
)
from metrics.review.markdown import plain_text, safe_markdown, short
from metrics.review.queries import actions, audit_rows, quarter_notes, review_version, subject_options
from metrics.review.store import ReviewError, StaleReviewError, save_action, save_note
from metrics.review.wording import (
    OVERDUE,
    Minutes,
    action_line,
    commentary_title,
    minutes,
    minutes_title,
    note_title,
    overdue_line,
    overdue_sentence,
)

__all__ = [
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
    "sorted_actions",
    "subject_label",
    "subject_options",
]
