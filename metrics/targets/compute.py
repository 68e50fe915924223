"""Targets as values: the effective target of a KPI and quarter, built from imported rows, in-app
versions or a cached frame, and the audit history shaped for reading. No engine, no SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from metrics.access import SIDES
from metrics.fiscal import FiscalQuarter
from metrics.sql import as_date
from metrics.targets.wording import FIELDS

ROLES = SIDES  # the acting roles (sides; `metrics.access`); the CFO agrees no target
AGREEING_ROLES = ("CIO", "CMO")
NOTE_MAX_CHARS = 500
TARGET_COLUMNS = [
    "kpi",
    "fiscal_year",
    "fiscal_quarter",
    "quarter",
    "target",
    "at_risk_threshold",
    "note",
    "agreed_by_cio_on",
    "agreed_by_cmo_on",
    "version",
    "source",
    "changed_by",
    "changed_at",
]
AUDIT_COLUMNS = ["changed_at", "changed_by", "role", "kpi", "quarter", "field", "old_value", "new_value", "version"]


@dataclass(frozen=True)
class EffectiveTarget:
    kpi: str
    quarter: FiscalQuarter
    target: float
    at_risk_threshold: float | None  # as set; None = the default (5% of the target)
    note: str | None
    agreed_by_cio_on: date | None
    agreed_by_cmo_on: date | None
    version: int  # 0 = the imported row, untouched in the app
    source: str  # "imported" or "in app"
    changed_by: str | None  # None for the imported row
    changed_at: datetime | None  # UTC

    def fields(self) -> dict:
        return {f: getattr(self, f) for f in FIELDS}


def quarter_of_row(fiscal_year, quarter: str) -> FiscalQuarter:
    """(2026, 'Q3') or (2026, ' q3') as stored in kpi_targets -> FiscalQuarter(2026, 3)."""
    return FiscalQuarter(int(fiscal_year), int(str(quarter).strip().upper().lstrip("Q")))


def _as_float(v) -> float | None:
    if v is None or pd.isna(v):
        return None
    return float(v)


def from_import(row: Mapping) -> EffectiveTarget:
    """A `kpi_targets` row as the target it is until someone changes it in the app (version 0)."""
    return EffectiveTarget(
        kpi=row["kpi"],
        quarter=quarter_of_row(row["fiscal_year"], row["quarter"]),
        target=float(row["target"]),
        at_risk_threshold=_as_float(row["at_risk_threshold"]),
        note=row["note"] or None,
        agreed_by_cio_on=as_date(row["agreed_by_cio_on"]),
        agreed_by_cmo_on=as_date(row["agreed_by_cmo_on"]),
        version=0,
        source="imported",
        changed_by=None,
        changed_at=None,
    )


def from_app(row: Mapping) -> EffectiveTarget:
    """An `app_kpi_target_versions` row as the target it sets."""
    return EffectiveTarget(
        kpi=row["kpi"],
        quarter=quarter_of_row(row["fiscal_year"], row["quarter"]),
        target=float(row["target"]),
        at_risk_threshold=_as_float(row["at_risk_threshold"]),
        note=row["note"] or None,
        agreed_by_cio_on=as_date(row["agreed_by_cio_on"]),
        agreed_by_cmo_on=as_date(row["agreed_by_cmo_on"]),
        version=int(row["version"]),
        source="in app",
        changed_by=row["changed_by"],
        changed_at=row["changed_at"],
    )


def targets_frame(found: Mapping[tuple[str, FiscalQuarter], EffectiveTarget]) -> pd.DataFrame:
    """Effective targets as `effective_targets` returns them: by quarter, then KPI."""
    rows = [
        {
            "kpi": t.kpi,
            "fiscal_year": t.quarter.fiscal_year,
            "fiscal_quarter": t.quarter.quarter,
            "quarter": t.quarter.label,
            **t.fields(),
            "version": t.version,
            "source": t.source,
            "changed_by": t.changed_by,
            "changed_at": t.changed_at,
        }
        for _, t in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def targets_by_quarter(frame: pd.DataFrame) -> dict[tuple[str, FiscalQuarter], EffectiveTarget]:
    """`effective_targets` output (for instance after a cache round trip) back as targets."""

    def clean(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    out = {}
    for r in frame.to_dict("records"):
        q = FiscalQuarter(int(r["fiscal_year"]), int(r["fiscal_quarter"]))
        threshold = clean(r["at_risk_threshold"])
        out[(r["kpi"], q)] = EffectiveTarget(
            kpi=r["kpi"],
            quarter=q,
            target=float(r["target"]),
            at_risk_threshold=None if threshold is None else float(threshold),
            note=clean(r["note"]),
            agreed_by_cio_on=as_date(clean(r["agreed_by_cio_on"])),
            agreed_by_cmo_on=as_date(clean(r["agreed_by_cmo_on"])),
            version=int(r["version"]),
            source=r["source"],
            changed_by=clean(r["changed_by"]),
            changed_at=clean(r["changed_at"]),
        )
    return out


def audit_frame(rows: Iterable[Mapping]) -> pd.DataFrame:
    """`app_kpi_target_audit` rows as the history reads: newest change first, the fields of one
    change in their usual order, quarters as labels and fields by their display names."""
    out = pd.DataFrame(
        [
            {
                "changed_at": r["changed_at"],
                "changed_by": r["changed_by"],
                "role": r["role"],
                "kpi": r["kpi"],
                "quarter": quarter_of_row(r["fiscal_year"], r["quarter"]).label,
                "field": FIELDS.get(r["field"], r["field"]),
                "old_value": r["old_value"],
                "new_value": r["new_value"],
                "version": r["version"],
                "field_order": list(FIELDS).index(r["field"]) if r["field"] in FIELDS else len(FIELDS),
            }
            for r in rows
        ],
        columns=[*AUDIT_COLUMNS, "field_order"],
    )
    out = out.sort_values(
        ["changed_at", "kpi", "quarter", "version", "field_order"],
        ascending=[False, True, True, False, True],
        kind="stable",
    )
    for col in ("old_value", "new_value"):  # an empty old or new value stays None, not NaN
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out[AUDIT_COLUMNS].reset_index(drop=True)
