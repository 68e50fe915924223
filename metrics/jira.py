"""A documented mapping from a real Jira issue export to the canonical `requests` table.

The file is `jira.csv` of the agile-project-dataset (rueedlinger/agile-project-dataset, MIT licence):
4,123 anonymised Jira issues of two projects, 2012-2018, with the columns

    id, project, task, created_date, finished_date, cycle_time_days

How each canonical column is filled is in `MAPPING` (docs/jira-mapping.md explains it at length).
The mapping keeps every issue; it does not repair anything. What is wrong with the data is
counted in `JiraImport` instead: above all the ~40% of issues "finished" the day before they were
created (a migration artefact), which the turnaround page then excludes and reports rather than
averaging in.

Load it into a database with ``python -m metrics import jira PATH --db URL`` (replaces the `requests`
table only, in one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics import db
from metrics.contract import REQUESTS, enum_lookup, fold_enum

SOURCE_COLUMNS = ("id", "project", "task", "created_date", "finished_date", "cycle_time_days")
DATE_FORMAT = "%Y-%m-%d"
DEFAULT_PRIORITY = "Medium"
ISSUE_TYPE = "Task"

# canonical column -> where its value comes from
MAPPING: dict[str, str] = {
    "request_id": "id, as exported (e.g. P0-T5052: project 0, task 5052)",
    "title": "'Project <project> task <task>': the anonymised export has no summary",
    "requested_at": "created_date",
    "priority": "the export's priority column when present (Jira's Blocker/Highest/Major/Minor/Trivial... "
    "map to Critical/High/Medium/Low), else Medium; this file has none, so every issue is "
    "Medium and gets the Medium SLA",
    "type": "Task: the export does not distinguish issue types",
    "requested_by": "'Project <project>': the project stands in for the requesting team",
    "ready_at": "empty: the export has no status history, so time waiting on marketing is unknown",
    "started_at": "empty: likewise, so IT queue and delivery times are unknown",
    "delivered_at": "finished_date; empty means still open",
    "status": "Done when finished_date is set, else Open",
    "sla_days": "empty: the priority's default SLA applies",
}


@dataclass(frozen=True)
class JiraImport:
    """The canonical requests frame and what the mapping found wrong, counted, not repaired."""

    requests: pd.DataFrame
    rows: int  # data rows in the file
    delivered: int  # with a finished date
    open: int  # without one
    finished_before_created: int  # finished_date < created_date: excluded from turnaround figures
    cycle_time_mismatches: int  # cycle_time_days differs from finished_date - created_date
    rejected: int  # no id, a duplicate id, or a created date that cannot be read: not imported
    priority_defaulted: int  # no (recognised) priority: Medium

    @property
    def finished_before_created_share(self) -> float | None:
        return self.finished_before_created / self.delivered if self.delivered else None

    def summary(self) -> str:
        share = self.finished_before_created_share
        return (
            f"{self.rows:,} issues: {self.delivered:,} delivered, {self.open:,} open; "
            f"{self.finished_before_created:,} finished before they were created"
            + (f" ({share:.0%} of delivered)" if share is not None else "")
            + f"; {self.rejected:,} rejected; {self.priority_defaulted:,} without a priority (Medium)"
        )


def read_agile_dataset(path: str | Path) -> JiraImport:
    """Read the agile-project-dataset's jira.csv into the canonical requests table."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("id", "project", "task", "created_date", "finished_date") if c not in raw.columns]
    if missing:
        raise ValueError(f"{path} is not the agile-project-dataset's jira.csv: missing columns {missing}")
    rows = len(raw)
    created = pd.to_datetime(raw["created_date"].str.strip(), format=DATE_FORMAT, errors="coerce")
    finished_text = raw["finished_date"].str.strip()
    finished = pd.to_datetime(finished_text, format=DATE_FORMAT, errors="coerce")
    ids = raw["id"].str.strip()
    priority, priority_defaulted = _priorities(raw)
    keep = (ids != "") & created.notna() & ~(finished.isna() & (finished_text != "")) & ~ids.duplicated()

    out = pd.DataFrame(
        {
            "request_id": ids,
            "title": "Project " + raw["project"].str.strip() + " task " + raw["task"].str.strip(),
            "requested_at": created,
            "priority": priority,
            "type": ISSUE_TYPE,
            "requested_by": "Project " + raw["project"].str.strip(),
            "ready_at": pd.NaT,
            "started_at": pd.NaT,
            "delivered_at": finished,
            "status": finished.notna().map({True: "Done", False: "Open"}),
            "sla_days": float("nan"),
        }
    )[keep].reset_index(drop=True)
    out = _typed(out)

    lead_days = (out["delivered_at"] - out["requested_at"]).dt.days
    stated = (
        pd.to_numeric(raw.loc[keep, "cycle_time_days"], errors="coerce").reset_index(drop=True)
        if "cycle_time_days" in raw.columns
        else lead_days
    )
    delivered = int(out["delivered_at"].notna().sum())
    return JiraImport(
        requests=out,
        rows=rows,
        delivered=delivered,
        open=len(out) - delivered,
        finished_before_created=int((out["delivered_at"] < out["requested_at"]).sum()),
        cycle_time_mismatches=int((lead_days.notna() & (lead_days != stated)).sum()),
        rejected=int((~keep).sum()),
        priority_defaulted=int(priority_defaulted[keep].sum()),
    )


def _priorities(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(canonical priority, whether it was defaulted to Medium) per row."""
    if "priority" not in raw.columns:
        return pd.Series(DEFAULT_PRIORITY, index=raw.index), pd.Series(True, index=raw.index)
    lookup = enum_lookup(REQUESTS.column("priority"))
    canonical = raw["priority"].map(lambda v: lookup.get(fold_enum(v)))
    return canonical.fillna(DEFAULT_PRIORITY), canonical.isna()


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The dtypes validation produces for the requests table, columns in contract order."""
    for c in REQUESTS.columns:
        if c.kind in ("date", "datetime"):
            frame[c.name] = pd.to_datetime(frame[c.name]).astype("datetime64[us]")
        elif c.kind == "number":
            frame[c.name] = pd.to_numeric(frame[c.name]).astype("float64")
        else:
            frame[c.name] = frame[c.name].astype("string")
    return frame[list(REQUESTS.column_names)]


def load(path: str | Path, url: str) -> tuple[JiraImport, db.ImportResult]:
    """Map the file and replace the `requests` table of the database at `url` (all or nothing)."""
    mapped = read_agile_dataset(path)
    engine = db.make_engine(url)
    try:
        result = db.import_tables(
            engine,
            {"requests": mapped.requests},
            source=f"jira:{Path(path).name}",
            fingerprint=f"jira:{mapped.rows}:{mapped.finished_before_created}",
        )
    finally:
        engine.dispose()
    return mapped, result
