"""Jira issue exports -> the canonical `requests` table. Two shapes, told apart by their header:

* **native**: Jira Cloud / Jira Server "Export CSV (all fields)": `Issue key`, `Summary`, `Issue Type`,
  `Priority`, `Status`, `Reporter`, `Created`, `Resolved`, repeated `Labels`, `Component/s`...; dates
  like `12/Mar/24 9:41 AM` (Cloud) or `12/Mar/24 09:41` (Server), read to the minute;
* **agile**: the anonymised agile-project-dataset (rueedlinger/agile-project-dataset, MIT):
  `id, project, task, created_date, finished_date, cycle_time_days`.

docs/jira-mapping.md documents both mappings. Nothing is repaired silently: every excluded or
repaired row is counted in the report and recorded as a finding of the import batch, so the Data
page lists them (above all issues "resolved before they were created", which the turnaround page
leaves out of every figure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrics import db
from metrics.access import Actor
from metrics.contract import REQUESTS, enum_lookup, fold_enum
from metrics.importers.common import (
    ERROR,
    WARNING,
    Finding,
    ImportRefused,
    ImportReport,
    Notes,
    column_positions,
    read_csv_export,
    read_mapping_section,
    text_column,
)

AGILE_COLUMNS = ("id", "project", "task", "created_date", "finished_date", "cycle_time_days")
DEFAULT_PRIORITY = "Medium"
ISSUE_TYPE = "Task"

# Jira's priority names (both schemes: Highest..Lowest and Blocker..Trivial) -> the contract's four.
# The contract accepts the same spellings; this table is what the README and docs show.
JIRA_PRIORITIES: dict[str, str] = {
    "Highest": "Critical",
    "Blocker": "Critical",
    "Critical": "Critical",
    "High": "High",
    "Major": "High",
    "Medium": "Medium",
    "Normal": "Medium",
    "Low": "Low",
    "Minor": "Low",
    "Lowest": "Low",
    "Trivial": "Low",
}

# Date styles of the native export: name -> (strptime formats tried in order, an example).
DATE_STYLES: dict[str, tuple[tuple[str, ...], str]] = {
    "12h": (("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p"), "12/Mar/24 9:41 AM (Jira Cloud)"),
    "24h": (("%d/%b/%y %H:%M", "%d/%b/%Y %H:%M"), "12/Mar/24 09:41 (Jira Server)"),
    "iso": (("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"), "2024-03-12 09:41"),
}
_JIRA_DATE = re.compile(r"^\d{1,2}/[A-Za-z]{3}/\d{2,4} \d{1,2}:\d{2}")
_AM_PM = re.compile(r"\s[AaPp][Mm]$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

# canonical column -> where its value comes from, per shape (docs/jira-mapping.md shows these).
NATIVE_MAPPING: dict[str, str] = {
    "request_id": "Issue key",
    "title": "Summary",
    "requested_at": "Created, to the minute",
    "priority": "Priority through JIRA_PRIORITIES (or [jira.priority_map]); empty or unknown: Medium, counted",
    "type": "Issue Type; empty: Task",
    "requested_by": "team_from: the first Component/s (default), the first label with a prefix "
    "('label:team:'), the Reporter through [jira.team_map] ('reporter'), or any column ('field:NAME')",
    "ready_at": "the column named by [jira] ready_at_field, when given",
    "started_at": "the column named by [jira] started_at_field, when given",
    "delivered_at": "Resolved, to the minute; empty while open",
    "status": "Status",
    "sla_days": "empty: the priority's default SLA applies",
}
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
class JiraOptions:
    date_style: str = "auto"  # auto, 12h, 24h or iso
    team_from: str = "component"  # component, label:PREFIX, reporter, field:NAME
    team_map: dict[str, str] = field(default_factory=dict)  # reporter -> team (team_from = reporter)
    priority_map: dict[str, str] = field(default_factory=dict)  # Jira priority -> Critical/High/Medium/Low
    ready_at_field: str | None = None
    started_at_field: str | None = None


def options_from_mapping(
    path: str | Path | None = None,
    *,
    text: str | None = None,
    date_style: str | None = None,
    team_from: str | None = None,
) -> JiraOptions:
    """Options from the `[jira]` table of a mapping file, then the command line's overrides."""
    table: dict[str, Any] = read_mapping_section(path, "jira", text)
    name = str(path) if path is not None else "mapping file"
    known = {"date_style", "team_from", "team_map", "priority_map", "ready_at_field", "started_at_field"}
    bad: list[Finding] = []
    for key in sorted(set(table) - known):
        bad.append(_option_error(name, key, f"[jira] has no option {key!r}", f"use one of {', '.join(sorted(known))}"))
    for key in ("team_map", "priority_map"):
        if not isinstance(table.get(key, {}), dict):
            bad.append(_option_error(name, key, f"{key} must be a table of names", f'write {key} = {{"a" = "b"}}'))
    lookup = enum_lookup(REQUESTS.column("priority"))
    for jira_name, value in dict(table.get("priority_map", {}) or {}).items():
        if lookup.get(fold_enum(str(value))) is None:
            bad.append(
                _option_error(
                    name,
                    "priority_map",
                    f"priority {jira_name!r} maps to {value!r}, which is not a priority",
                    "map it to Critical, High, Medium or Low",
                )
            )
    options = JiraOptions(
        date_style=date_style or str(table.get("date_style", "auto")),
        team_from=team_from or str(table.get("team_from", "component")),
        team_map={str(k): str(v) for k, v in dict(table.get("team_map", {}) or {}).items()},
        priority_map={str(k): str(v) for k, v in dict(table.get("priority_map", {}) or {}).items()},
        ready_at_field=table.get("ready_at_field"),
        started_at_field=table.get("started_at_field"),
    )
    if options.date_style not in ("auto", *DATE_STYLES):
        bad.append(
            _option_error(name, "date_style", f"unknown date style {options.date_style!r}", "use auto, 12h, 24h or iso")
        )
    kind = options.team_from.split(":", 1)[0]
    if kind not in ("component", "label", "reporter", "field") or (
        kind in ("label", "field") and not options.team_from.split(":", 1)[1:]
    ):
        bad.append(
            _option_error(
                name,
                "team_from",
                f"unknown team source {options.team_from!r}",
                "use component, label:PREFIX (e.g. label:team:), reporter (with [jira.team_map]) or field:COLUMN",
            )
        )
    if bad:
        raise ImportRefused(bad)
    return options


def _option_error(file: str, key: str, problem: str, fix: str) -> Finding:
    return Finding(ERROR, file, None, key, None, problem, fix)


@dataclass(frozen=True)
class JiraImport:
    """The canonical requests frame, what was excluded or repaired (counted and as findings)."""

    requests: pd.DataFrame
    shape: str  # "native" or "agile"
    file: str
    rows: int  # data rows in the file
    delivered: int  # with a resolved / finished date
    open: int  # without one
    finished_before_created: int  # delivered_at < requested_at: kept, excluded from turnaround figures
    cycle_time_mismatches: int  # agile only: cycle_time_days differs from the dates
    rejected: int  # not imported (agile: no id, a duplicate id, an unreadable created date)
    priority_defaulted: int  # no (recognised) priority: Medium
    findings: list[Finding] = field(default_factory=list)
    extra_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

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

    def report(self) -> ImportReport:
        counts = {
            "issues read": self.rows,
            "requests imported": len(self.requests),
            "delivered": self.delivered,
            "open": self.open,
            "excluded from turnaround figures (resolved before created)": self.finished_before_created,
            "rejected (not imported)": self.rejected,
            "priority defaulted to Medium": self.priority_defaulted,
            **self.extra_counts,
        }
        if self.shape == "agile":
            counts["cycle_time_days disagreeing with the dates"] = self.cycle_time_mismatches
        return ImportReport("jira", self.file, counts, list(self.findings), [f"shape: {self.shape}", *self.notes])


def detect_shape(header: list[str]) -> str | None:
    folded = {h.strip().casefold() for h in header}
    if "issue key" in folded:
        return "native"
    if {"id", "created_date", "finished_date"} <= folded:
        return "agile"
    return None


def read_jira(data: bytes, file: str, options: JiraOptions | None = None) -> JiraImport:
    """Read either shape of Jira export; raise ImportRefused (with every error) when it cannot be
    imported as it is."""
    options = options or JiraOptions()
    raw = read_csv_export(data, file)
    shape = detect_shape(raw.header)
    if shape == "agile":
        return _read_agile(raw, file)
    if shape == "native":
        return _read_native(raw, file, options)
    raise ImportRefused(
        [
            Finding(
                ERROR,
                file,
                raw.header_line,
                None,
                None,
                "this is neither a native Jira export (no 'Issue key' column) nor the agile-project-dataset "
                "(id, created_date, finished_date)",
                "export from Jira with Filters > Export > Export CSV (all fields), or check the file is a Jira export",
            )
        ]
    )


def read_agile_dataset(path: str | Path) -> JiraImport:
    """Read the agile-project-dataset's jira.csv into the canonical requests table."""
    path = Path(path)
    imported = read_jira(path.read_bytes(), path.name)
    if imported.shape != "agile":
        raise ImportRefused(
            [Finding(ERROR, path.name, 1, None, None, "not the agile-project-dataset's jira.csv", "give that file")]
        )
    return imported


# --- The agile-project-dataset ---------------------------------------------------------------


def _read_agile(raw, file: str) -> JiraImport:
    def col(name: str) -> pd.Series:
        cols = column_positions(raw, name)
        return raw.rows[cols[0]].fillna("") if cols else pd.Series("", index=raw.rows.index)

    lines = raw.rows["_line"].to_numpy()
    notes = Notes(file)
    created = pd.to_datetime(col("created_date"), format="%Y-%m-%d", errors="coerce")
    finished_text = col("finished_date")
    finished = pd.to_datetime(finished_text, format="%Y-%m-%d", errors="coerce")
    ids = col("id")
    canonical_priority = _priority_lookup({})
    if column_positions(raw, "priority"):
        mapped_priority = col("priority").map(lambda v: canonical_priority.get(fold_enum(v)))
    else:
        mapped_priority = pd.Series(None, index=raw.rows.index, dtype=object)
    priority_defaulted = mapped_priority.isna()
    bad_finished = finished.isna() & (finished_text != "")
    duplicated = ids.duplicated() & (ids != "")
    keep = (ids != "") & created.notna() & ~bad_finished & ~duplicated

    for mask, column, problem, fix in (
        (ids == "", "id", "the issue has no id; not imported", "export the issue with its id"),
        (
            duplicated,
            "id",
            "this id appears on an earlier row too; only the first is imported",
            "remove the repeated row",
        ),
        (
            created.isna() & (ids != ""),
            "created_date",
            "created_date is not a yyyy-mm-dd date; the issue is not imported",
            "export created_date as yyyy-mm-dd",
        ),
        (
            bad_finished & created.notna() & (ids != ""),
            "finished_date",
            "finished_date is not a yyyy-mm-dd date; the issue is not imported",
            "export finished_date as yyyy-mm-dd",
        ),
    ):
        where = np.flatnonzero(mask.to_numpy())
        values = col(column).to_numpy()[where]
        notes.rows(WARNING, problem, fix, lines[where], list(values), column)

    project = col("project")
    out = pd.DataFrame(
        {
            "request_id": ids,
            "title": "Project " + project + " task " + col("task"),
            "requested_at": created,
            "priority": mapped_priority.fillna(DEFAULT_PRIORITY),
            "type": ISSUE_TYPE,
            "requested_by": "Project " + project,
            "ready_at": pd.NaT,
            "started_at": pd.NaT,
            "delivered_at": finished,
            "status": finished.notna().map({True: "Done", False: "Open"}),
            "sla_days": float("nan"),
        }
    )
    kept_lines = lines[keep.to_numpy()]
    out = _typed(out[keep].reset_index(drop=True))
    before = _delivered_before_requested(out, kept_lines, notes, "finished_date")

    lead_days = (out["delivered_at"] - out["requested_at"]).dt.days
    stated = (
        pd.to_numeric(col("cycle_time_days")[keep], errors="coerce").reset_index(drop=True)
        if column_positions(raw, "cycle_time_days")
        else lead_days
    )
    mismatches = int((lead_days.notna() & (lead_days != stated)).sum())
    defaulted = int(priority_defaulted[keep].sum())
    if defaulted:
        notes.add(
            WARNING,
            f"{defaulted:,} issues have no recognised priority and were imported as Medium (Medium's SLA applies)",
            "export the Priority column, or set the priority in the source",
            column="priority",
        )
    delivered = int(out["delivered_at"].notna().sum())
    return JiraImport(
        requests=out,
        shape="agile",
        file=file,
        rows=len(raw.rows),
        delivered=delivered,
        open=len(out) - delivered,
        finished_before_created=before,
        cycle_time_mismatches=mismatches,
        rejected=int((~keep).sum()),
        priority_defaulted=defaulted,
        findings=notes.items,
    )


# --- Native Jira Cloud / Server exports -------------------------------------------------------


def detect_date_style(values: pd.Series) -> str | None:
    """The style of the non-empty values: 12h when any ends in AM/PM, else 24h or iso."""
    filled = values[values != ""]
    if filled.empty:
        return None
    if filled.str.contains(_AM_PM).any():
        return "12h"
    if filled.str.match(_JIRA_DATE).any():
        return "24h"
    if filled.str.match(_ISO_DATE).any():
        return "iso"
    return None


def parse_dates(values: pd.Series, style: str) -> pd.Series:
    """Jira timestamps in `style` (minutes kept; seconds are not exported). NaT where unreadable
    or empty. Month names are Jira's English abbreviations (Jan, Feb...)."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in DATE_STYLES[style][0]:
        todo = out.isna() & (values != "")
        if not todo.any():
            break
        # %b and %p match case-insensitively, so "MAR" and "am" read too.
        out[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
    return out


def _read_native(raw, file: str, options: JiraOptions) -> JiraImport:
    notes = Notes(file)
    rows = raw.rows
    lines = rows["_line"].to_numpy()

    def text(name: str) -> pd.Series:
        found = text_column(raw, name)
        return found if found is not None else pd.Series("", index=rows.index, dtype=object)

    missing = [c for c in ("Issue key", "Summary", "Created") if not column_positions(raw, c)]
    for c in missing:
        notes.add(
            ERROR,
            f"the native Jira export has no {c!r} column",
            "export with Filters > Export > Export CSV (all fields)",
            line=raw.header_line,
            column=c,
        )
    for key in ("ready_at_field", "started_at_field"):
        wanted = getattr(options, key)
        if wanted and not column_positions(raw, wanted):
            notes.add(
                ERROR,
                f"[jira] {key} names the column {wanted!r}, which the file does not have",
                "name a column of the export (as in its header), or remove the option",
                line=raw.header_line,
            )
    if options.team_from.startswith("field:") and not column_positions(raw, options.team_from[6:]):
        notes.add(
            ERROR,
            f"--team-from names the column {options.team_from[6:]!r}, which the file does not have",
            "name a column of the export, e.g. field:Team",
            line=raw.header_line,
        )
    notes.refuse_on_errors()

    keys = text("Issue key")
    created_text = text("Created")
    style = options.date_style
    detected = style == "auto"
    if detected:
        style = detect_date_style(created_text) or ""
        if not style:
            notes.add(
                ERROR,
                "the dates in Created are in no known Jira style",
                "set --date-style 12h (12/Mar/24 9:41 AM), 24h (12/Mar/24 09:41) or iso (2024-03-12 09:41)",
                line=int(lines[0]) if len(lines) else None,
                column="Created",
                value=created_text.iat[0] if len(created_text) else None,
            )
            notes.refuse_on_errors()
    example = DATE_STYLES[style][1]

    dates: dict[str, pd.Series] = {}
    for canonical, header in (
        ("requested_at", "Created"),
        ("delivered_at", "Resolved"),
        ("ready_at", options.ready_at_field),
        ("started_at", options.started_at_field),
    ):
        if not header:
            dates[canonical] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
            continue
        values = text(header)
        parsed = parse_dates(values, style)
        bad = np.flatnonzero((parsed.isna() & (values != "")).to_numpy())
        notes.rows(
            ERROR,
            f"not a date in the {style} style ({example})",
            "export all dates in one style, or set --date-style to the style of this file",
            lines[bad],
            list(values.to_numpy()[bad]),
            header,
        )
        dates[canonical] = parsed
    no_key = np.flatnonzero((keys == "").to_numpy())
    notes.rows(
        ERROR,
        "the issue has no Issue key",
        "export the Issue key column for every issue",
        lines[no_key],
        [""] * len(no_key),
        "Issue key",
    )
    no_created = np.flatnonzero(((created_text == "") & (keys != "")).to_numpy())
    notes.rows(
        ERROR,
        "the issue has no Created date",
        "export the Created column",
        lines[no_created],
        list(keys.to_numpy()[no_created]),
        "Created",
    )
    duplicated = np.flatnonzero((keys.duplicated() & (keys != "")).to_numpy())
    notes.rows(
        ERROR,
        "this Issue key appears on an earlier row too",
        "export each issue once (combine exports without overlap)",
        lines[duplicated],
        list(keys.to_numpy()[duplicated]),
        "Issue key",
    )
    notes.refuse_on_errors()

    priority, priority_defaulted = _native_priorities(text("Priority"), options, notes, lines)
    teams = _teams(raw, options, text)
    no_team = np.flatnonzero((teams == "").to_numpy())
    if len(no_team):
        notes.add(
            WARNING,
            f"{len(no_team):,} issues name no team ({options.team_from}); requested_by is left empty",
            "fill the field in Jira, choose another --team-from, or extend [jira.team_map]",
            column="requested_by",
        )
    summary = text("Summary")
    no_summary = np.flatnonzero((summary == "").to_numpy())
    notes.rows(
        WARNING,
        "no Summary: the title is the Issue key",
        "give the issue a summary in Jira",
        lines[no_summary],
        list(keys.to_numpy()[no_summary]),
        "Summary",
    )
    issue_type = text("Issue Type")

    out = pd.DataFrame(
        {
            "request_id": keys,
            "title": summary.where(summary != "", keys),
            "requested_at": dates["requested_at"],
            "priority": priority,
            "type": issue_type.where(issue_type != "", ISSUE_TYPE),
            "requested_by": teams.where(teams != "", None),
            "ready_at": dates["ready_at"],
            "started_at": dates["started_at"],
            "delivered_at": dates["delivered_at"],
            "status": text("Status").replace("", None),
            "sla_days": float("nan"),
        }
    )
    out = _typed(out)
    before = _delivered_before_requested(out, lines, notes, "Resolved")
    delivered = int(out["delivered_at"].notna().sum())
    return JiraImport(
        requests=out,
        shape="native",
        file=file,
        rows=len(rows),
        delivered=delivered,
        open=len(out) - delivered,
        finished_before_created=before,
        cycle_time_mismatches=0,
        rejected=0,
        priority_defaulted=priority_defaulted,
        findings=notes.items,
        extra_counts={"no team (requested_by empty)": len(no_team), "no summary (title = key)": len(no_summary)},
        notes=[
            f"date style: {style} ({example}){', detected from Created' if detected else ''}",
            f"team from: {options.team_from}",
        ],
    )


def _priority_lookup(priority_map: dict[str, str]) -> dict[str, str]:
    lookup = enum_lookup(REQUESTS.column("priority"))
    lookup.update({fold_enum(k): v for k, v in JIRA_PRIORITIES.items()})
    lookup.update({fold_enum(k): lookup.get(fold_enum(v), v) for k, v in priority_map.items()})
    return lookup


def _native_priorities(
    values: pd.Series, options: JiraOptions, notes: Notes, lines: np.ndarray
) -> tuple[pd.Series, int]:
    lookup = _priority_lookup(options.priority_map)
    mapped = values.map(lambda v: lookup.get(fold_enum(v)))
    unknown = np.flatnonzero((mapped.isna() & (values != "")).to_numpy())
    notes.rows(
        WARNING,
        "priority not recognised; imported as Medium",
        'map it under [jira.priority_map] in the mapping file (e.g. "P0" = "Critical")',
        lines[unknown],
        list(values.to_numpy()[unknown]),
        "Priority",
    )
    empty = int((values == "").sum())
    if empty:
        notes.add(
            WARNING,
            f"{empty:,} issues have no Priority; imported as Medium",
            "set a priority in Jira",
            column="Priority",
        )
    return mapped.fillna(DEFAULT_PRIORITY), int(mapped.isna().sum())


def _teams(raw, options: JiraOptions, text) -> pd.Series:
    """requested_by per issue, from the chosen source ("" where none)."""
    kind, _, arg = options.team_from.partition(":")
    rows = raw.rows
    if kind == "component":
        return _first_filled(rows, column_positions(raw, "Component/s") or column_positions(raw, "Components"))
    if kind == "label":
        cols = column_positions(raw, "Labels")
        found = pd.Series("", index=rows.index, dtype=object)
        for c in cols:  # the first label, left to right, that carries the prefix
            labels = rows[c].fillna("")
            hit = (found == "") & labels.str.startswith(arg) & (labels.str.len() > len(arg))
            found[hit] = labels[hit].str.slice(len(arg))
        return found
    if kind == "reporter":
        return text("Reporter").map(lambda r: options.team_map.get(r, "")).astype(object)
    return text(arg)


def _first_filled(rows: pd.DataFrame, cols: list[str]) -> pd.Series:
    found = pd.Series("", index=rows.index, dtype=object)
    for c in cols:
        values = rows[c].fillna("")
        found = found.where(found != "", values)
    return found


# --- Shared -----------------------------------------------------------------------------------


def _delivered_before_requested(out: pd.DataFrame, lines: np.ndarray, notes: Notes, column: str) -> int:
    """Issues resolved before they were created: imported as they are (the dates are the
    source's), left out of every turnaround figure, and listed so the Data page shows them."""
    before = np.flatnonzero((out["delivered_at"] < out["requested_at"]).to_numpy())
    notes.rows(
        WARNING,
        "resolved before it was created: left out of every turnaround figure",
        "correct the dates in Jira (often a migration artefact); until then the issue is counted, not measured",
        lines[before],
        list(out["request_id"].to_numpy()[before]),
        column,
    )
    return len(before)


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


def import_requests(engine, mapped: JiraImport, fingerprint: str, actor: Actor | None = None) -> db.ImportResult:
    """Replace the `requests` table (only) in one transaction, the findings with the batch; `actor`
    as `db.import_tables` (a role that may not import is refused)."""
    return db.import_tables(
        engine,
        {"requests": mapped.requests},
        source=f"jira:{mapped.file}",
        fingerprint=fingerprint,
        findings=mapped.report().finding_dicts(),
        actor=actor,
    )


def load(path: str | Path, url: str, options: JiraOptions | None = None) -> tuple[JiraImport, db.ImportResult]:
    """Map the file and replace the `requests` table of the database at `url` (all or nothing)."""
    import hashlib

    path = Path(path)
    data = path.read_bytes()
    mapped = read_jira(data, path.name, options)
    engine = db.make_engine(url)
    try:
        result = import_requests(engine, mapped, "jira:" + hashlib.sha256(data).hexdigest())
    finally:
        engine.dispose()
    return mapped, result
