"""Checks between tables: KPIs that kpis.csv does not define, vendors missing from the catalogue or
spelled differently from it."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from metrics.csvread import ROW_ISSUE_CAP
from metrics.validation.findings import ERROR, WARNING, Finding, ValidationReport, _rows, _show, _truncate
from metrics.vendors import VendorCatalogue, normalise_vendor


def _cross_table_findings(report: ValidationReport, reference: Mapping[str, pd.DataFrame]) -> list[Finding]:
    """Checks between the tables read (falling back to `reference` for the tables not read)."""
    findings: list[Finding] = []
    tables = report.tables

    def available(name: str) -> pd.DataFrame | None:
        frame = tables.get(name)
        return frame if frame is not None else reference.get(name)

    kpis = available("kpis")
    if kpis is None:
        # Checking a folder on its own (`check`): the glossary they will meet is the database's,
        # which an import passes as `reference`; say that the ids were not checked yet.
        for name in ("kpi_targets", "kpi_actuals"):
            if name in tables:
                findings.append(
                    Finding(
                        WARNING,
                        report.files[name].name,
                        None,
                        "kpi",
                        None,
                        f"{name}.csv names KPIs, but kpis.csv (the glossary) is not among these files, so the "
                        "KPI ids are not checked here",
                        "add kpis.csv, or import into a database that has the glossary: the import checks "
                        "them against it and refuses unknown KPIs",
                    )
                )
    elif "kpi" in kpis:
        known = set(kpis["kpi"].dropna().astype(str))
        for name, what in (("kpi_targets", "a target"), ("kpi_actuals", "an actual value")):
            if name in tables:
                findings += _unknown_values(
                    tables[name],
                    "kpi",
                    lambda v: v in known,
                    ERROR,
                    report.files[name].name,
                    f"{what} for an unknown KPI: {{value}} is not in kpis ({{count}}, first on line {{line}})",
                    lambda v: f"add {v!r} to kpis.csv or correct the id" + _suggestion(v, known),
                )

    vendors = available("vendors")
    if vendors is not None and "spend" in tables:
        catalogue = VendorCatalogue(vendors)
        findings += _unknown_values(
            tables["spend"],
            "vendor",
            lambda v: catalogue.resolve(v) is not None,
            WARNING,
            report.files["spend"].name,
            "vendor {value} is not in the vendor catalogue ({count} with this name or a spelling of it, "
            "first on line {line})",
            lambda v: (
                "add it to vendors.csv (with it_approved yes or no), or add this spelling to an existing "
                "vendor's aliases; until then its spend counts as not approved by IT"
            ),
            group=normalise_vendor,
        )
        # A spelling that only matches after normalisation is counted as the catalogue vendor,
        # but the user should see that it happened (and can add the alias to be explicit).
        declared = set(vendors["vendor"].dropna().astype(str).str.strip())
        if "aliases" in vendors:
            for aliases in vendors["aliases"].dropna().astype(str):
                declared |= {a.strip() for a in aliases.split("|") if a.strip()}
        findings += _unknown_values(
            tables["spend"],
            "vendor",
            lambda v: v in declared or catalogue.resolve(v) is None,
            WARNING,
            report.files["spend"].name,
            "vendor {value} is spelled differently from the catalogue ({count}, first on line {line}); "
            "it is counted as the same vendor",
            lambda v: (
                f"nothing to do if this is {catalogue.resolve(v)!r}; to make it explicit, add this spelling "
                f"to the aliases of {catalogue.resolve(v)!r} in vendors.csv"
            ),
        )
    return findings


def _unknown_values(
    frame: pd.DataFrame,
    column: str,
    is_known: Callable[[str], bool],
    severity: str,
    file: str,
    problem: str,
    fix: Callable[[str], str],
    group: Callable[[str], str] | None = None,
) -> list[Finding]:
    """One finding per unknown value - or per group of spellings sharing a `group` key - most
    rows first, capped. The callables run once per distinct value, not once per row."""
    codes, uniques = pd.factorize(frame[column])
    known = np.array([is_known(u) for u in uniques] + [True], dtype=bool)
    unknown_rows = np.flatnonzero(~known[codes])  # code -1 (empty cell) picks the trailing True
    if not len(unknown_rows):
        return []
    group_of_unique, _ = pd.factorize(pd.Series([group(u) if group else u for u in uniques], dtype=object))
    groups = group_of_unique[codes[unknown_rows]]
    ids, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    # A digest of a table validated in parts stands for `_rows` rows per row.
    weights = frame["_rows"].to_numpy()[unknown_rows] if "_rows" in frame else np.ones(len(unknown_rows))
    counts = np.bincount(inverse.ravel(), weights=weights).astype(np.int64)
    order = np.lexsort((first, -counts))  # most rows first, then first seen
    lines = frame["_line"].to_numpy() if "_line" in frame else np.arange(len(frame)) + 2
    findings = []
    for i in order[:ROW_ISSUE_CAP]:
        row = unknown_rows[first[i]]
        value, line = frame[column].iat[row], int(lines[row])
        findings.append(
            Finding(
                severity,
                file,
                line,
                column,
                _truncate(value),
                problem.format(value=_show(value), count=_rows(int(counts[i])), line=line),
                fix(value),
            )
        )
    if len(ids) > ROW_ISSUE_CAP:
        rest = order[ROW_ISSUE_CAP:]
        findings.append(
            Finding(
                severity,
                file,
                None,
                column,
                None,
                f"... and {len(rest):,} more unknown {column} values ({_rows(int(counts[rest].sum()))})",
                fix("each of them"),
            )
        )
    return findings


def _suggestion(value: str, known: set[str]) -> str:
    close = [k for k in known if k.lower() == value.lower()] or difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
