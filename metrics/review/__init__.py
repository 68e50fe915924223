"""The quarterly review: commentary per quarter on each page and KPI (the CIO's, the CMO's and the
CFO's on spend), the decisions and actions log, the agenda and the minutes.

Modules
    ``queries``   the app's review tables and the SQL that reads them; ends with ``QUERIES``
    ``compute``   notes and actions as values, overdue, filters, the log frame, the agenda
    ``wording``   titles, the stale-save messages, the lines of the minutes
    ``markdown``  commentary rendered safely (`safe_markdown`) and as plain words (`plain_text`)
    ``figures``   every figure of a quarter's pages, flat and keyed, for closing and restatements
    ``lines``     the lines a closed quarter keeps, and those later imports changed
    ``restated``  a closed quarter against its data now: figures and lines, for pages, summary, pack
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
    budget_line,
    budget_line_department,
    empty_note,
    filter_actions,
    log_frame,
    notes_on,
    of_quarter,
    open_actions_about,
    open_actions_on,
    open_actions_on_budget_lines,
    overdue_actions,
    restatements,
    sides_for,
    sorted_actions,
    subject_label,
)
from metrics.review.figures import Figure, figure_restatements, quarter_figures
from metrics.review.lines import ChangedLines, changed_lines, changed_lines_frame
from metrics.review.markdown import plain_text, safe_markdown, short
from metrics.review.queries import actions, audit_rows, quarter_notes, quarter_state, review_version, subject_options
from metrics.review.restated import Restated, load_restated, restated
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
    closing_line,
    commentary_title,
    figure_value,
    minutes,
    minutes_title,
    note_title,
    open_action_line,
    open_actions_label,
    overdue_line,
    overdue_sentence,
    restated_since,
    restatement_item,
    restatement_lines,
    restatement_sentence,
    snapshot_frame,
)

__all__ = [
    "ChangedLines",
    "Figure",
    "Restated",
    "changed_lines",
    "changed_lines_frame",
    "figure_restatements",
    "figure_value",
    "load_restated",
    "quarter_figures",
    "restated",
    "restated_since",
    "restatement_item",
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
    "closing_line",
    "commentary_title",
    "empty_note",
    "filter_actions",
    "log_frame",
    "minutes",
    "minutes_title",
    "note_title",
    "notes_on",
    "of_quarter",
    "budget_line",
    "budget_line_department",
    "open_action_line",
    "open_actions_about",
    "open_actions_label",
    "open_actions_on",
    "open_actions_on_budget_lines",
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
