"""Cached adapters between Streamlit and `metrics`.

Caches are keyed by small values only (a URL, a data version, filter tuples), never by
DataFrames. The data version changes with every import, so a new import is visible on
the next rerun without waiting for a TTL.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.navigation import DATA
from metrics import db, inventory, sources, spend, summaries
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import VendorMask, load_vendor_mask
from metrics.settings import Settings

_LOG = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class SourceStatus:
    """What the sidebar and the Data page say about the data source."""

    label: str  # what every viewer sees: "CSV folder 'sample_data'", "PostgreSQL database" (no path, host...)
    url: str | None  # engine URL (with password) or None when unavailable
    ok: bool
    message: str = ""  # why it is unavailable, in plain words
    findings: tuple = ()  # finding dicts from the last validation
    refused: bool = False  # the CSV folder has errors; the previous import (if any) is shown
    batch_id: int | None = None
    imported_at: str | None = None
    imported_from: str | None = None  # the source of the latest import: what is shown when refused
    version: str = "none"  # cache key for everything computed from this data
    row_counts: dict = field(default_factory=dict)
    detail: str = ""  # the operator's description, on the Data page only: the path, or the redacted URL

    @property
    def tables_with_rows(self) -> frozenset[str]:
        return frozenset(name for name, rows in self.row_counts.items() if rows)

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.findings if f["severity"] == "warning")

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f["severity"] == "error")


def _folder_stamp(folder: Path) -> tuple:
    """Cheap change detector (names, sizes, mtimes); the content hash decides for real."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.csv")))


# --- Faults: a database error on a page gives the "unavailable" page, never Streamlit's error box --
#
# The source status is cached for a minute, so a database that goes away is first met by a page's
# query. Every adapter that reads the database is `@guarded`: its database error is logged (server
# side, without parameter values) and the page says, in words under its title, that the database is
# unavailable; what was already drawn stays, the rest of the page is not run, and the cached status
# is dropped so that the next run's sidebar and pages say so too.

ALERT_SLOT = "bb_alert_slot"  # the container under the page title that page_setup() keeps for this
_depth = threading.local()


def set_alert_slot(slot: Any) -> None:
    st.session_state[ALERT_SLOT] = slot


def database_lost(exc: BaseException) -> NoReturn:
    """Say that the database is unavailable, in words, at the top of the page; stop the page."""
    _LOG.warning("database error on a page (%s); showing the unavailable page", type(exc).__name__, exc_info=exc)
    _database_status.clear()
    _settings_mismatch.clear()
    slot = st.session_state.get(ALERT_SLOT) or st.container()
    with slot:
        st.warning(f"**No data to show right now.** {unavailable_message(exc)}", icon=":material/database_off:")
        st.page_link(DATA.path, label="Open the Data page to see the data source", icon=":material/fact_check:")
    st.stop()


def guarded(fn: F) -> F:
    """`fn` (a cached adapter) with its database errors turned into the "unavailable" page. Nested
    guarded calls (an adapter calling another) leave it to the outermost one."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "n", 0)
        _depth.n = depth + 1
        try:
            return fn(*args, **kwargs)
        except SQLAlchemyError as exc:
            if depth:
                raise
            database_lost(exc)
        finally:
            _depth.n = depth

    if hasattr(fn, "clear"):
        wrapper.clear = fn.clear  # type: ignore[attr-defined]
    return cast(F, wrapper)


@st.cache_resource(show_spinner=False, max_entries=4)
def engine_for(url: str) -> Engine:
    return db.make_engine(url)


@guarded
@st.cache_resource(show_spinner="Checking and loading the CSV files…", max_entries=8)
def _embedded_status(settings: Settings, stamp: tuple) -> SourceStatus:
    label, detail = sources.public_label(settings), sources.source_label(settings)
    if not settings.data_dir.is_dir():
        return SourceStatus(
            label, None, False, f"The CSV folder '{settings.data_dir.name}' does not exist.", detail=detail
        )
    try:
        outcome = sources.ensure_embedded(settings)
    except Exception as exc:  # e.g. the DuckDB file is locked by another process
        return SourceStatus(
            label, None, False, f"The embedded database could not be built ({type(exc).__name__}).", detail=detail
        )
    url = sources.embedded_url(settings)
    engine = engine_for(url)
    batch = db.latest_batch(engine)
    # The schema exists (ensure_embedded creates it), so an empty database is a normal state:
    # pages say what to load, and the Data page imports into it.
    summaries.check_all_fresh(engine)  # in step after our imports; caught otherwise
    counts = inventory.table_row_counts(engine)  # all tables: an upload may have replaced only some
    # Refused files are reported as they were read; otherwise the report of the data as it is.
    findings = outcome.findings if outcome.errors else db.current_findings(engine)
    return SourceStatus(
        label,
        url,
        True,
        findings=tuple(findings),
        refused=bool(outcome.errors),
        batch_id=batch.batch_id if batch else None,
        imported_at=f"{batch.imported_at:%Y-%m-%d %H:%M} UTC" if batch else None,
        imported_from=batch.source if batch else None,
        version=f"{batch.batch_id}:{batch.fingerprint[:12]}" if batch else "empty",
        row_counts={r.table: r.rows for r in counts.itertuples() if r.rows is not None},
        detail=detail,
    )


def unavailable_message(exc: BaseException) -> str:
    """The words of the "database unavailable" page (the README's promise: it recovers by itself)."""
    return (
        f"The database is unavailable ({type(exc).__name__}). Pages will work again "
        "as soon as it is back; nothing needs restarting."
    )


@st.cache_data(ttl="1m", show_spinner=False)
def _database_status(label: str, detail: str, url: str) -> SourceStatus:
    engine = engine_for(url)
    try:
        sources.check_connection(engine)
    except Exception as exc:
        return SourceStatus(label, None, False, unavailable_message(exc), detail=detail)
    # A new database is a first run: create the (empty) tables so that pages can say what to
    # load and the Data page can import. Without the right to create tables, the tables that
    # exist are used and the missing ones count as empty.
    with contextlib.suppress(Exception):
        db.ensure_schema(engine)
    # Another tool may write to a shared database: its spend summary is brought in step here, or
    # left to the ledger when the app may not write. First, so that the ledger's rows are the
    # summary's record rather than a count of millions of lines.
    with contextlib.suppress(Exception):
        summaries.check_all_fresh(engine)
    try:
        batch = db.latest_batch(engine)
        counts = inventory.table_row_counts(engine)
    except Exception as exc:
        return SourceStatus(label, None, False, unavailable_message(exc), detail=detail)
    row_counts = {r.table: r.rows for r in counts.itertuples() if r.rows is not None}
    if batch is None:
        # Filled by other means than `metrics load`: key caches on row counts (plus the TTL).
        return SourceStatus(
            label,
            url,
            True,
            version="counts:" + ",".join(f"{k}={v}" for k, v in row_counts.items()),
            row_counts=row_counts,
            detail=detail,
        )
    return SourceStatus(
        label,
        url,
        True,
        findings=tuple(db.current_findings(engine)),
        batch_id=batch.batch_id,
        imported_at=f"{batch.imported_at:%Y-%m-%d %H:%M} UTC",
        imported_from=batch.source,
        version=f"{batch.batch_id}:{batch.fingerprint[:12]}",
        row_counts=row_counts,
        detail=detail,
    )


def source_status(settings: Settings) -> SourceStatus:
    url = settings.database_url
    if url:  # settings.uses_database, spelled out so that the type checker sees a str
        status = _database_status(sources.public_label(settings), sources.source_label(settings), url)
    else:
        status = _embedded_status(settings, _folder_stamp(settings.data_dir))
    if status.ok and status.url:
        mismatch = _settings_mismatch(
            status.url, status.version, settings.fiscal_start_month, settings.reporting_currency
        )
        if mismatch:
            # Nothing is shown under a calendar the budgets and targets were not entered under, or in
            # a currency the amounts were not converted into;
            # the URL stays, so the Data page can take the re-import that confirms the change.
            return dataclasses.replace(status, ok=False, message=mismatch)
    return status


@guarded
@st.cache_data(ttl="1m", show_spinner=False, max_entries=16)
def _settings_mismatch(url: str, version: str, fiscal_start: int, reporting_currency: str) -> str | None:
    return db.settings_mismatch(engine_for(url), fiscal_start, reporting_currency)


def forget_source() -> None:
    """After an import through the app: drop cached status and results."""
    _embedded_status.clear()
    _database_status.clear()
    st.cache_data.clear()


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=64)
def spend_by_quarter(
    url: str,
    version: str,
    fiscal_start: int,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    departments: tuple[str, ...] = (),
) -> pd.DataFrame:
    return spend.spend_by_quarter(engine_for(url), FiscalCalendar(fiscal_start), first, last, departments or None)


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def quarters_with_data(url: str, version: str, fiscal_start: int) -> list[FiscalQuarter]:
    return inventory.quarters_with_data(engine_for(url), FiscalCalendar(fiscal_start))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def table_imports(url: str, version: str) -> pd.DataFrame:
    """Per canonical table: the source and time of the import that wrote it, and its rows."""
    counts = inventory.table_row_counts(engine_for(url))
    imports = db.table_imports(engine_for(url))
    counts["source"] = [imports[t].source if t in imports else None for t in counts["table"]]
    counts["imported_at"] = [
        f"{imports[t].imported_at:%Y-%m-%d %H:%M} UTC" if t in imports else None for t in counts["table"]
    ]
    return counts


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def table_row_counts(url: str, version: str) -> pd.DataFrame:
    return inventory.table_row_counts(engine_for(url))


@guarded
@st.cache_resource(show_spinner=False, max_entries=4)
def vendor_mask(url: str, version: str) -> VendorMask:
    """One letter per supplier of this data (read-only, shared by every session)."""
    return load_vendor_mask(engine_for(url))
