"""The Data page's "Import from another system": a Jira issue export or FOCUS cloud billing,
read by the core's importers, reported, then imported in one transaction. A component function,
so the page only calls it."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from app import data
from app.access import actor
from app.text import mask_frame, plain
from app.uploads import import_target
from metrics import db
from metrics.importers import focus, jira
from metrics.importers.common import ImportRefused

SYSTEMS = {"Jira issues → requests": "jira", "FOCUS cloud billing → spend": "focus"}
FINDING_COLUMNS: dict[str, Any] = {
    "severity": "Severity",
    "file": "File",
    "line": st.column_config.NumberColumn("Line"),
    "column": "Column",
    "value": "Value",
    "problem": "What is wrong",
    "fix": st.column_config.TextColumn("How to fix it", width="large"),
}


def import_from_another_system(ctx) -> None:
    st.subheader("Import from another system")
    st.caption(
        "A native Jira export (Cloud or Server, *Export CSV (all fields)*) or the anonymised agile dataset "
        "replaces the requests table. A FOCUS 1.x billing file (CSV or Parquet) adds spend lines per month, "
        "sub-account, vendor, service and department, replacing only earlier FOCUS lines of the same months. "
        "The file is checked first; nothing is written until you import."
    )
    label = st.radio("System", list(SYSTEMS), horizontal=True, key="byod_system")
    kind = SYSTEMS[label or next(iter(SYSTEMS))]
    upload = st.file_uploader(
        "Export file", type=["csv", "parquet"] if kind == "focus" else ["csv"], key=f"byod_file_{kind}"
    )
    mapping = st.file_uploader(
        "Mapping file (optional, TOML with a [jira] or [focus] table)", type=["toml"], key="byod_mapping"
    )
    left, right = st.columns(2)
    try:
        mapping_text = mapping.getvalue().decode("utf-8") if mapping is not None else None
    except UnicodeDecodeError:
        st.error("The mapping file is not UTF-8 text.", icon=":material/error:")
        return
    try:
        if kind == "jira":
            style = left.selectbox("Date style", ["from the file", "12h", "24h", "iso"], key="byod_date_style")
            team = right.text_input(
                "Team from", placeholder="component, label:team:, reporter, field:Team", key="byod_team"
            )
            options = jira.options_from_mapping(
                text=mapping_text,
                date_style=None if style == "from the file" else style,
                team_from=(team or "").strip() or None,
            )
        else:
            cost = left.selectbox("Cost", ["BilledCost", "EffectiveCost"], key="byod_cost")
            department = right.selectbox(
                "Department of lines the mapping does not name",
                ["(none: refuse them)", "Marketing", "IT", "Joint"],
                key="byod_department",
            )
            fopts = focus.options_from_mapping(
                text=mapping_text, cost=cost, department=None if department.startswith("(") else department
            )
        if upload is None:
            return
        content = upload.getvalue()
        with st.spinner("Checking the file…"):
            if kind == "jira":
                jmapped = jira.read_jira(content, upload.name, options)
                report = jmapped.report()
            else:
                fmapped = focus.read_focus(content, upload.name, fopts)
                report = fmapped.report()
    except ImportRefused as exc:
        st.error(f"{len(exc.findings)} errors: nothing can be imported until they are fixed.", icon=":material/error:")
        _findings(ctx, [f.as_dict() for f in exc.findings])
        return
    st.success(f"{plain(upload.name)} was read. Ready to import.", icon=":material/check_circle:")
    st.dataframe(
        pd.DataFrame({"": list(report.counts), "Count": list(report.counts.values())}),
        hide_index=True,
        column_config={"Count": st.column_config.NumberColumn(format="localized")},
    )
    st.caption(" · ".join(plain(n.strip()) for n in report.notes))
    _findings(ctx, report.finding_dicts())
    target = import_target(ctx)
    if target is None:
        st.warning("There is no database to import into right now (see Source above).", icon=":material/database_off:")
        return
    if not st.button("Import", type="primary", key="byod_import"):
        return
    fingerprint = f"{kind}:{hashlib.sha256(content).hexdigest()}"
    try:
        engine = data.engine_for(target)
        if kind == "jira":
            result = jira.import_requests(engine, jmapped, fingerprint, actor=actor())
        else:
            result = focus.import_spend(engine, fmapped, fingerprint, ctx.settings.reporting_currency, actor=actor())
    except db.ImportBusy:
        st.error(db.IMPORT_BUSY, icon=":material/hourglass_top:")
        return
    except db.ImportRefused as exc:
        st.error(f"Nothing was imported: {plain(str(exc))}.", icon=":material/error:")
        return
    except Exception as exc:
        st.error(
            f"The import failed and was rolled back; the data is as it was before. ({type(exc).__name__})",
            icon=":material/error:",
        )
        return
    counts = ", ".join(f"{n} ({c:,} rows)" for n, c in result.row_counts.items())
    st.success(f"Imported {counts} as batch {result.batch_id}.", icon=":material/task_alt:")
    data.forget_source()


def _findings(ctx, rows: list[dict]) -> None:
    if rows:
        frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
        st.dataframe(mask_frame(ctx.vendor_mask, frame), hide_index=True, column_config=FINDING_COLUMNS)
