from functools import partial

import pandas as pd
import streamlit as st

from app import access as app_access
from app import data
from app.importers import import_from_another_system
from app.mapping_builder import mapping_builder
from app.navigation import DATA
from app.shell import page_setup
from app.text import mask_frame, plain
from app.uploads import folder_files, import_target, import_uploaded, validate_uploads
from metrics import access
from metrics.access import IMPORT
from metrics.contract import TABLES

ctx = page_setup(DATA, needs_data=False)
status = ctx.status
# Findings quote the values they are about, vendor names among them: masked when masking is on.
masked = partial(mask_frame, ctx.vendor_mask)

st.subheader("Source")
# The full description (the folder's path, the database's user, host, port and name; never the
# password) is for this page only, and for who may import: the sidebar and the board pack say only
# what kind of source.
may_import = app_access.may(IMPORT)
st.text((status.detail or status.label) if may_import else status.label)
if status.rebuild_fault and status.ok:  # the previous import is shown: say why it is not the folder's
    st.warning(status.rebuild_fault, icon=":material/sync_problem:")
if status.ok and not status.writable:
    st.info(
        "Bridgeboard connects as a database user that may only read: every page shows the data, and "
        "imports, target edits and notes are refused. To change data, connect as a user with INSERT, "
        "UPDATE, DELETE and CREATE on the database (README: Hardening, a read-only database role).",
        icon=":material/lock:",
    )
if status.ok:
    if status.tables_with_rows or status.batch_id:
        st.caption(
            f"Import batch {status.batch_id or 'not recorded'} · loaded {status.imported_at or 'by other means'}"
        )
    else:
        st.caption("Nothing imported yet: the database is empty. Upload your files below.")
    st.caption(
        "Each import replaces only the tables it brings, in one transaction; the other tables stay as "
        "they were. So each table below may come from a different import. Each page needs only its own "
        "tables: Tech spend `spend` (with `budget` and `vendors` when there), Customer experience `kpis` "
        "(with `kpi_targets` and `kpi_actuals`), Request turnaround `requests`."
    )
    counts = data.table_imports(status.url, status.version)
    for col in ("first_date", "last_date"):  # tables without dates (budget, kpis...) show a dash
        counts[col] = [f"{d:%Y-%m-%d}" if d is not None else "—" for d in counts[col]]
    counts["rows"] = [r if r else 0 for r in counts["rows"]]  # a table not created yet holds no rows
    counts["source"] = [s if isinstance(s, str) else "not loaded" for s in counts["source"]]
    counts["imported_at"] = [s if isinstance(s, str) else "—" for s in counts["imported_at"]]
    st.dataframe(
        counts[["table", "rows", "source", "imported_at", "first_date", "last_date"]].rename(
            columns={
                "table": "Table",
                "rows": "Rows",
                "source": "Source",
                "imported_at": "Imported",
                "first_date": "First date",
                "last_date": "Last date",
            }
        ),
        hide_index=True,
        column_config={"Rows": st.column_config.NumberColumn(format="localized")},
    )
else:
    st.warning(status.message, icon=":material/database_off:")

st.subheader("Validation report")
findings = pd.DataFrame(
    list(status.findings), columns=["severity", "file", "line", "column", "value", "problem", "fix"]
)
if findings.empty and not status.ok:
    # Never an all-clear that could not be checked: during an outage nothing was read.
    st.info(
        "The validation report cannot be read while the data source is unavailable (see Source above).",
        icon=":material/help:",
    )
elif findings.empty and status.batch_id is None:
    st.info("No files have been checked yet: there is no import to report on.", icon=":material/help:")
elif findings.empty and status.rebuild_fault:
    # The folder's newer files were not loaded: no all-clear for files that are not the ones shown.
    st.info(
        f"The data shown (imported {status.imported_at}) had no errors and no warnings; the folder's newer "
        "files are not loaded yet (see Source above).",
        icon=":material/help:",
    )
elif findings.empty:
    st.success("The last files checked had no errors and no warnings.", icon=":material/check_circle:")
else:
    errors, warnings = (findings["severity"] == "error").sum(), (findings["severity"] == "warning").sum()
    if status.refused:
        st.error(
            f"The CSV files have {errors} errors, so they were not loaded. "
            "Fix them in the files (each row below says how); the app reloads them by itself.",
            icon=":material/error:",
        )
    st.caption(f"{errors} errors · {warnings} warnings. Errors block an import; warnings do not.")
    shown = st.segmented_control(
        "Show",
        ["Errors", "Warnings"],
        selection_mode="multi",
        default=["Errors", "Warnings"],
        key="data_findings_filter",
    )
    wanted = {"Errors": "error", "Warnings": "warning"}
    chosen = findings["severity"].isin([wanted[s] for s in shown or []])
    st.dataframe(
        masked(findings[chosen]),
        hide_index=True,
        column_config={
            "severity": "Severity",
            "file": "File",
            "line": st.column_config.NumberColumn("Line"),
            "column": "Column",
            "value": "Value",
            "problem": "What is wrong",
            "fix": st.column_config.TextColumn("How to fix it", width="large"),
        },
    )

# Uploading is for the working session, not for the projector, and for the roles that import.
if ctx.presenting:
    st.stop()
if not may_import:
    st.caption(plain(access.refusal(app_access.actor(), IMPORT) or ""))
    st.stop()

st.subheader("Upload CSV files")
st.caption(
    "Name each file after its table (" + ", ".join(f"`{n}.csv`" for n in TABLES) + "), or upload a whole "
    "folder: its table files are read and any other file is left out. "
    "Files are checked first; nothing is written until you confirm, and then all files are "
    "imported together or not at all. Any subset of the tables will do: uploaded tables replace "
    "the ones in the database, the others are kept, and targets, agreements and commentary entered "
    "in the app are never touched. Targets and vendors are checked against the database's KPI "
    "glossary and vendor catalogue when you do not upload those."
)
whole_folder = (
    st.segmented_control("Upload", ["Files", "A whole folder"], default="Files", key="data_upload_mode")
    == "A whole folder"
)
if whole_folder:
    uploads = st.file_uploader(
        "A folder of CSV files", type=["csv"], accept_multiple_files="directory", key="data_upload_folder"
    )
else:
    uploads = st.file_uploader("CSV files", type=["csv"], accept_multiple_files=True, key="data_upload")
files = {u.name: u.getvalue() for u in uploads or []}
if whole_folder and files:
    folder = folder_files(files)
    files = folder.files
    if folder.left_out:
        st.caption(f"Left out, not table files: {plain(', '.join(folder.left_out))}")
    for clash in folder.clashes:
        st.error(plain(clash), icon=":material/error:")
    if not files and not folder.clashes:
        st.warning(
            "The folder holds none of the table files: name them after their tables (spend.csv...).",
            icon=":material/folder_off:",
        )
if files:
    with st.spinner("Checking the files…"):
        report = validate_uploads(ctx, files)
    errors = report.errors
    if errors:
        st.error(f"{len(errors)} errors: nothing can be imported until they are fixed.", icon=":material/error:")
    else:
        st.success(f"{report.summary()}. Ready to import.", icon=":material/check_circle:")
    if report.findings:
        st.dataframe(masked(pd.DataFrame([f.as_dict() for f in report.findings])), hide_index=True)
    for name, frame in report.tables.items():
        with st.expander(f"Preview: {name} ({len(frame):,} rows)"):
            st.dataframe(masked(frame.drop(columns=["_line"], errors="ignore").head(20)), hide_index=True)
    target = import_target(ctx)
    if target is None:
        st.warning("There is no database to import into right now (see Source above).", icon=":material/database_off:")
    elif (
        not errors
        and report.tables
        and st.button(f"Import {len(report.tables)} table(s)", type="primary", key="data_import")
    ):
        with st.status("Importing…", expanded=True) as progress:
            result = import_uploaded(
                target,
                report,
                files,
                lambda name, i, n: progress.write(f"Writing {name} ({i} of {n})"),
                fiscal_start_month=ctx.settings.fiscal_start_month,
                reporting_currency=ctx.settings.reporting_currency,
                actor=app_access.actor(),
            )
            if result.ok:
                progress.update(label=result.message, state="complete")
            else:
                progress.update(label="Import failed; nothing was changed", state="error")
        if result.ok:
            st.success(result.message, icon=":material/task_alt:")
            data.forget_source()
        else:
            st.error(result.message, icon=":material/error:")

mapping_builder(ctx, masked)
# Another system's export (Jira, FOCUS billing): its own reader, report and import.
import_from_another_system(ctx)
