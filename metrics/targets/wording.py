"""The words of targets: the audited fields' display names and the sentences that explain why a
change was refused (stale, or its quarter closed)."""

from __future__ import annotations

from datetime import datetime

from metrics.closing import REOPEN_WHERE, QuarterState, read_only_message
from metrics.fiscal import FiscalQuarter

# The fields a change can touch, in the order the audit lists them, with their display names.
FIELDS = {
    "target": "Target",
    "at_risk_threshold": "At-risk threshold",
    "note": "Note",
    "agreed_by_cio_on": "CIO agreement",
    "agreed_by_cmo_on": "CMO agreement",
}


def stale_message(name: str, quarter: FiscalQuarter, changed_by: str | None, changed_at: datetime | None) -> str:
    """Why a save was refused: who changed the target (or the import) since the user opened it."""
    if changed_at is None:
        who_when = "by a data import"
    else:
        who_when = f"by {changed_by} at {changed_at:%Y-%m-%d %H:%M} UTC"
    return f"The {quarter.label} target for {name} was changed {who_when} after you opened it; reload and try again."


def closed_message(state: QuarterState) -> str:
    """Why a closed quarter's targets cannot change, and where to reopen it: 'FY2026 Q3 was closed by
    CFO at 2026-10-05 09:30 UTC: its targets are read-only until the quarter is reopened. Reopen it
    on the Quarterly review page to change them.'"""
    return f"{read_only_message(state, 'targets are')} Reopen it on {REOPEN_WHERE} to change them."
