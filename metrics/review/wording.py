"""The words of the quarterly review: what a note or an action is called, why a save was refused,
and the short lines the Overview and the pack show."""

from __future__ import annotations

from datetime import date, datetime

from metrics.fiscal import FiscalQuarter
from metrics.formatting import counted
from metrics.review.compute import KPI, PAGES, Action

NOTE_FIELDS = {"text": "Note"}
ACTION_FIELD_NAMES = {
    "kind": "Kind",
    "text": "Text",
    "owner": "Owner",
    "due_on": "Due",
    "status": "Status",
    "subject_kind": "About (kind)",
    "subject": "About",
}


def subject_name(kind: str, subject: str, kpi_name: str | None = None) -> str:
    """'the Tech spend page' / 'the KPI Net Promoter Score'."""
    if kind == KPI:
        return f"the KPI {kpi_name or subject}"
    return f"the {PAGES.get(subject, subject)} page"


def note_title(side: str, kind: str, subject: str, quarter: FiscalQuarter, kpi_name: str | None = None) -> str:
    """ "The CIO's note on the Tech spend page, FY2026 Q3"."""
    return f"The {side}'s note on {subject_name(kind, subject, kpi_name)}, {quarter.label}"


def who_when(changed_by: str | None, changed_at: datetime | None) -> str:
    return f"by {changed_by} at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else "elsewhere"


def stale_note_message(title: str, changed_by: str | None, changed_at: datetime | None) -> str:
    """Why a note was not saved: someone saved it after the user opened it. Their text is kept."""
    return (
        f"{title} was changed {who_when(changed_by, changed_at)} after you opened it; "
        "your text was not saved. Copy it, reload and try again."
    )


def stale_action_message(action: Action | None) -> str:
    what = f"The {action.kind} “{action.text}”" if action else "This entry"
    by = who_when(action.changed_by, action.changed_at) if action else "elsewhere"
    return f"{what} was changed {by} after you opened it; reload and try again."


def overdue_line(action: Action, today: date) -> str:
    """'Overdue 12 days (due 01 Oct 2026): Consolidate the two CDPs. Owner: Joint.'"""
    assert action.due_on is not None
    days = (today - action.due_on).days
    return f"Overdue {counted(days, 'day')} (due {action.due_on:%d %b %Y}): {action.text}. Owner: {action.owner}."


def action_line(action: Action, today: date) -> str:
    """One line of the minutes: 'Action · Joint · due 15 Dec 2026 · open: Consolidate the CDPs'."""
    parts = [action.kind.capitalize(), action.owner]
    if action.due_on:
        parts.append(f"due {action.due_on:%d %b %Y}")
    parts.append("OVERDUE" if action.overdue(today) else action.status)
    return f"{' · '.join(parts)}: {action.text}"


def overdue_sentence(overdue: list[Action]) -> str | None:
    if not overdue:
        return None
    owners = sorted({a.owner for a in overdue})
    return f"{counted(len(overdue), 'action')} overdue (owners: {', '.join(owners)})."
