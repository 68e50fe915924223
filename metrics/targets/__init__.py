"""KPI targets: the imported ones and those managed in the app (proposals, the CIO's and the CMO's
agreement, the audit history, optimistic locking).

Modules
    ``queries``  the app's target tables and the SQL that reads targets (imported rows, latest
                 in-app versions, the version count, the audit history); ends with ``QUERIES``
    ``compute``  `EffectiveTarget`, building targets from rows and cached frames, the audit frame
    ``wording``  the audited fields' display names, the stale-save and the closed-quarter messages
    ``store``    the write path: propose and agree, with optimistic locking and audit rows; a
                 closed quarter's targets (`metrics.closing`) are read-only

The names below are re-exported so that ``from metrics import targets; targets.X(...)`` works.
"""

from __future__ import annotations

from metrics.targets.compute import (
    AGREEING_ROLES,
    AUDIT_COLUMNS,
    NOTE_MAX_CHARS,
    ROLES,
    TARGET_COLUMNS,
    EffectiveTarget,
    targets_by_quarter,
)
from metrics.targets.queries import (
    app_metadata,
    audit_history,
    effective_target,
    effective_targets,
    target_audit,
    target_versions,
    targets_version,
)
from metrics.targets.store import Actor, StaleTargetError, TargetError, ensure_tables, propose_target, record_agreement
from metrics.targets.wording import FIELDS, closed_message

__all__ = [
    "AGREEING_ROLES",
    "AUDIT_COLUMNS",
    "FIELDS",
    "NOTE_MAX_CHARS",
    "ROLES",
    "TARGET_COLUMNS",
    "Actor",
    "EffectiveTarget",
    "StaleTargetError",
    "TargetError",
    "app_metadata",
    "audit_history",
    "closed_message",
    "effective_target",
    "effective_targets",
    "ensure_tables",
    "propose_target",
    "record_agreement",
    "target_audit",
    "target_versions",
    "targets_by_quarter",
    "targets_version",
]
