"""The Data page's mapping builder: one file whose headers (and values) do not fit the contract,
mapped column by column, previewed with its findings, imported all or nothing, and saved as a
TOML mapping (`metrics.mapping`) to apply to next quarter's file.

The page calls `mapping_builder(ctx, masked)`; everything that is not layout is in the core
(suggestions, parsing and writing the mapping, validation) or in `app.uploads` (the import).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from app import data
from app.access import actor
from app.text import plain
from app.uploads import import_target, import_uploaded, validate_uploads
from metrics import contract
from metrics.contract import TABLES
from metrics.csvread import CsvError
from metrics.mapping import (
    DATE_ORDERS,
    DECIMALS,
    Mapping,
    MappingError,
    TableMapping,
    parse_mapping,
    read_source,
    suggest_columns,
    to_toml,
    unrecognised_values,
)
from metrics.validation import ValidationReport

IGNORE = "(ignore this column)"
AS_WRITTEN = "(keep as written)"
AUTO = "auto"
_HOW = {
    "exact": "same name",
    "alias": "a known alias",
    "folded": "same name, punctuation aside",
    "fuzzy": "closest spelling",
    "none": "no match: ignored unless you choose",
    "saved": "from the saved mapping",
}


def mapping_builder(ctx, masked: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    st.subheader("Map a file with other headers")
    st.caption(
        "For an export whose headers or values are not Bridgeboard's (a finance system's spend lines, "
        "cost centres instead of departments): choose the table it feeds, check each column's match, "
        "preview, import. Save the mapping and apply it to next quarter's file."
    )
    upload = st.file_uploader("File to map (CSV)", type=["csv", "txt"], key="map_upload")
    saved_upload = st.file_uploader("Saved mapping to apply (optional, .toml)", type=["toml"], key="map_saved")
    saved = _saved_mapping(saved_upload)
    if upload is None:
        return
    source = upload.getvalue()

    names = list(TABLES)
    first_saved = next(iter(saved.tables), None) if saved else None
    table = st.selectbox(
        "Table this file feeds",
        names,
        index=names.index(first_saved) if first_saved else 0,
        format_func=lambda n: f"{n} - {TABLES[n].description}",
        key="map_table",
    )
    prior = saved.for_table(table) if saved else None
    try:
        raw = read_source(source, table, prior)
    except CsvError as e:
        where = f" (line {e.issue.line})" if e.issue.line else ""
        st.error(plain(f"{upload.name}{where}: {e.issue.problem}. Fix: {e.issue.fix}"), icon=":material/error:")
        return
    # Widget keys change with the file, the table and the saved mapping, so new defaults apply.
    digest = hashlib.sha256(source + (to_toml(saved).encode() if saved else b"")).hexdigest()[:10]
    prefix = f"map_{table}_{digest}"

    columns = _column_choices(raw.header, table, prior, prefix)
    settings = _settings(table, prior, prefix)
    constants = _constants(table, columns, prior, prefix)
    values = _value_maps(raw, table, columns, prior, prefix)
    try:
        mapping = _mapping(table, columns, settings, constants, values)
    except MappingError as e:
        st.error(plain(f"{e.key}: {e.problem}. Fix: {e.fix}"), icon=":material/error:")
        return
    toml = to_toml(mapping, f"Bridgeboard mapping for {upload.name} into the {table} table")

    st.markdown("**Preview**")
    with st.spinner("Checking the file through the mapping…"):
        report = _relabelled(validate_uploads(ctx, {f"{table}.csv": source}, mapping), table, upload.name)
    _show_report(report, table, masked)

    st.markdown("**The mapping**")
    st.code(toml, language="toml")
    st.download_button(
        "Download the mapping (TOML)",
        toml.encode("utf-8"),
        file_name=f"{table}-mapping.toml",
        mime="application/toml",
        key=f"{prefix}_download",
    )

    target = import_target(ctx)
    if target is None:
        st.warning("There is no database to import into right now (see Source above).", icon=":material/database_off:")
    elif report.ok and table in report.tables and st.button(f"Import {table} with this mapping", type="primary"):
        with st.status("Importing…", expanded=True) as progress:
            result = import_uploaded(
                target,
                report,
                {upload.name: source, f"{table}-mapping.toml": toml.encode()},
                lambda name, i, n: progress.write(f"Writing {name} ({i} of {n})"),
                fiscal_start_month=ctx.settings.fiscal_start_month,
                reporting_currency=ctx.settings.reporting_currency,
                actor=actor(),
            )
            progress.update(
                label=result.message if result.ok else "Import failed; nothing was changed",
                state="complete" if result.ok else "error",
            )
        if result.ok:
            st.success(result.message, icon=":material/task_alt:")
            data.forget_source()
        else:
            st.error(result.message, icon=":material/error:")


def _saved_mapping(upload) -> Mapping | None:
    if upload is None:
        return None
    try:
        return parse_mapping(upload.getvalue().decode("utf-8-sig"), upload.name)
    except UnicodeDecodeError:
        st.error(plain(f"{upload.name}: the file is not UTF-8 text. Fix: save it as UTF-8."), icon=":material/error:")
    except MappingError as e:
        st.error(plain(str(e)), icon=":material/error:")
    return None


def _column_choices(headers: list[str], table: str, prior: TableMapping | None, prefix: str) -> dict[str, str | None]:
    st.markdown("**Columns**: each column of the file, and the table column it fills")
    options = [IGNORE, *TABLES[table].column_names]
    saved = {contract.normalise_header(h): t for h, t in (prior.columns if prior else {}).items()}
    choices: dict[str, str | None] = {}
    for i, suggestion in enumerate(suggest_columns(headers, table)):
        header = suggestion.header
        if not header:
            continue  # a blank header: the validator reports it
        how = suggestion.how
        default = suggestion.column
        if contract.normalise_header(header) in saved:
            default, how = saved[contract.normalise_header(header)], "saved"
        left, right = st.columns([3, 2])
        chosen = left.selectbox(
            plain(header),
            options,
            index=options.index(default) if default else 0,
            key=f"{prefix}_col_{i}",
        )
        right.caption(f"Suggested: {default or 'none'} ({_HOW[how]})")
        choices[header] = None if chosen == IGNORE else chosen
    return choices


def _settings(table: str, prior: TableMapping | None, prefix: str) -> dict[str, str | None]:
    st.markdown("**How the file writes numbers and dates**")
    first, second, third, fourth = st.columns(4)
    decimal = first.selectbox(
        "Decimal separator",
        [AUTO, *DECIMALS],
        index=[AUTO, *DECIMALS].index(prior.decimal) if prior and prior.decimal else 0,
        help="auto: decided by the values of each column (1234.56 or 1.234,56)",
        key=f"{prefix}_decimal",
    )
    order = second.selectbox(
        "Day and month order",
        [AUTO, *DATE_ORDERS],
        index=[AUTO, *DATE_ORDERS].index(prior.date_order) if prior and prior.date_order else 0,
        help="auto: inferred per column from an unambiguous date such as 14/02/2026",
        key=f"{prefix}_order",
    )
    pattern = third.text_input(
        "Date pattern (optional)",
        value=prior.date_format or "" if prior else "",
        placeholder="%d.%m.%Y",
        help="A strftime pattern for every date of the file; overrides the order",
        key=f"{prefix}_pattern",
    )
    currency = None
    if "currency" in TABLES[table].column_names:
        currency = fourth.text_input(
            "Currency of every line (optional)",
            value=prior.currency or "" if prior else "",
            placeholder="EUR",
            key=f"{prefix}_currency",
        )
    return {
        "decimal": None if decimal == AUTO else decimal,
        "thousands": prior.thousands if prior else None,
        "date_order": None if order == AUTO or pattern.strip() else order,
        "date_format": pattern.strip() or None,
        "currency": (currency or "").strip() or None,
    }


def _constants(table: str, columns: dict[str, str | None], prior: TableMapping | None, prefix: str) -> dict[str, str]:
    """A value for every row, offered for the required columns no file column fills."""
    mapped = {c for c in columns.values() if c}
    missing = [c for c in TABLES[table].required if c.name not in mapped]
    kept = dict(prior.constants) if prior else {}
    constants = {k: v for k, v in kept.items() if k not in mapped and k not in {c.name for c in missing}}
    if not missing:
        return constants
    st.markdown("**Columns the file does not have**: one value for every row, or map a column above")
    for column in missing:
        if column.kind == "enum":
            options = ["", *column.canonical_values]
            value = st.selectbox(
                f"{column.name} on every row",
                options,
                index=options.index(kept[column.name]) if kept.get(column.name) in options else 0,
                key=f"{prefix}_const_{column.name}",
            )
        else:
            value = st.text_input(
                f"{column.name} on every row", value=kept.get(column.name, ""), key=f"{prefix}_const_{column.name}"
            )
        if value.strip():
            constants[column.name] = value.strip()
    return constants


def _value_maps(
    raw, table: str, columns: dict[str, str | None], prior: TableMapping | None, prefix: str
) -> dict[str, dict[str, str]]:
    """For each list-of-values column (department, priority...), the file's values it would
    refuse, each translated to an allowed value (cost centre CC-4100 -> Marketing)."""
    maps: dict[str, dict[str, str]] = {}
    for position, header in enumerate(raw.header):
        target = columns.get(header)
        if not target:
            continue
        column = TABLES[table].column(target)
        saved = (prior.values.get(target, {}) if prior else {}) or {}
        saved_folded = {contract.fold_enum(k): v for k, v in saved.items()}
        unknown = unrecognised_values(raw, position, target, table)
        if not unknown:
            continue
        st.markdown(f"**Values of {plain(header)}** that are not {target} values: translate them")
        options = [AS_WRITTEN, *column.canonical_values]
        chosen: dict[str, str] = {}
        for j, written in enumerate(unknown):
            default = saved_folded.get(contract.fold_enum(written))
            pick = st.selectbox(
                plain(written),
                options,
                index=options.index(default) if default in options else 0,
                key=f"{prefix}_val_{target}_{j}",
            )
            if pick != AS_WRITTEN:
                chosen[written] = pick
        if chosen:
            maps[target] = chosen
    return maps


def _mapping(
    table: str,
    columns: dict[str, str | None],
    settings: dict[str, str | None],
    constants: dict[str, str],
    values: dict[str, dict[str, str]],
) -> Mapping:
    """The choices as a mapping, written and read back, so the page applies exactly what the
    saved file says and a bad combination (one column chosen twice) gets the file's message."""
    chosen = TableMapping(
        table,
        columns,
        values,
        constants,
        currency=settings["currency"],
        date_order=settings["date_order"],
        date_format=settings["date_format"],
        decimal=settings["decimal"],
        thousands=settings["thousands"],
    )
    return parse_mapping(to_toml(Mapping({table: chosen})), "the mapping")


def _relabelled(report: ValidationReport, table: str, name: str) -> ValidationReport:
    """Findings name the uploaded file, not the table file it was checked as."""
    findings = [dataclasses.replace(f, file=name) if f.file == f"{table}.csv" else f for f in report.findings]
    return dataclasses.replace(report, findings=findings)


def _show_report(report: ValidationReport, table: str, masked: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    if report.errors:
        st.error(f"{len(report.errors)} errors: nothing can be imported until they are fixed.", icon=":material/error:")
    else:
        st.success(f"{report.summary()}. Ready to import.", icon=":material/check_circle:")
    if report.findings:
        st.dataframe(masked(pd.DataFrame([f.as_dict() for f in report.findings])), hide_index=True)
    frame = report.tables.get(table)
    if frame is not None:
        st.caption(f"The first rows as they will be imported ({len(frame):,} rows in all)")
        st.dataframe(masked(frame.drop(columns=["_line"], errors="ignore").head(20)), hide_index=True)
