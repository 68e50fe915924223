"""The words of targets: the audited fields' display names and the sentences that explain why a
change was refused as stale."""

from __future__ import annotations

from datetime import datetime

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
