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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app import access
from metrics import db, inventory, sources, spend, summaries
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import VendorMask, load_vendor_mask
from metrics.settings import DEFAULT_STATEMENT_TIMEOUT_S, Settings, SettingsError, statement_timeout_s

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
    rebuild_fault: str = ""  # the embedded file could not be rebuilt: the cause and the fix, in words
    checked_at: float = 0.0  # time.monotonic() of the check, to try a failed rebuild again
    writable: bool = True  # False: the database user may only read (imports and edits are refused)
    transient: str = ""  # unavailable for this check only (transient_fault: too slow, busy, locked)

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
    """Say that the database cannot answer (unavailable, too slow, busy), in words, at the top of the
    page; stop the page."""
    _LOG.warning("database error on a page (%s); showing the unavailable page", type(exc).__name__, exc_info=exc)
    if not transient_fault(exc):
        _database_status.clear()  # the next run's status check says so too (a slow query says nothing of it)
    _settings_mismatch.clear()
    slot = st.session_state.get(ALERT_SLOT) or st.container()
    with slot:
        st.warning(f"**No data to show right now.** {unavailable_message(exc)}", icon=":material/database_off:")
        access.data_page_link(label="Open the Data page to see the data source", icon=":material/fact_check:")
    st.stop()


LOCKED_RETRIES_S = (0.25, 0.5, 1.0)  # back-off before each new try of a read SQLite found locked


def guarded(fn: F) -> F:
    """`fn` (a cached adapter) with its database errors turned into the "unavailable" page. Nested
    guarded calls (an adapter calling another) leave it to the outermost one. A database another
    writer has locked (SQLite) is tried again after a back-off before the page says it is busy."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "n", 0)
        _depth.n = depth + 1
        try:
            for pause in (*LOCKED_RETRIES_S, None):
                try:
                    return fn(*args, **kwargs)
                except SQLAlchemyError as exc:
                    if depth or pause is None or not db.is_locked(exc):
                        raise
                    time.sleep(pause)
        except SQLAlchemyError as exc:
            if depth:
                raise
            database_lost(exc)
        finally:
            _depth.n = depth

    if hasattr(fn, "clear"):
        wrapper.clear = fn.clear  # type: ignore[attr-defined]
    return cast(F, wrapper)


@st.cache_resource(show_spinner=False, max_entries=8)  # room for the read-only opens of a failed rebuild
def engine_for(url: str) -> Engine:
    # The statement timeout is the environment's (a wrong value is told by page_setup, first).
    try:
        timeout = statement_timeout_s()
    except SettingsError:
        timeout = DEFAULT_STATEMENT_TIMEOUT_S
    return db.make_engine(url, statement_timeout_s=timeout)


@guarded
@st.cache_resource(show_spinner="Checking and loading the CSV files…", max_entries=8)
def _embedded_status(settings: Settings, stamp: tuple) -> SourceStatus:
    label, detail = sources.public_label(settings), sources.source_label(settings)
    if not settings.data_dir.is_dir():
        return SourceStatus(
            label, None, False, f"The CSV folder '{settings.data_dir.name}' does not exist.", detail=detail
        )
    _close_previous_data(settings)  # a read-only open of the file would refuse the rebuild its write
    try:
        outcome = sources.ensure_embedded(settings)
    except Exception as exc:  # disk full, a read-only file or folder, another process holding the file
        return _previous_data(settings, sources.rebuild_fault(exc), exc)
    url = sources.embedded_url(settings)
    # Refused files are reported as they were read; otherwise the report of the data as it is.
    return _embedded_data(settings, url, outcome.findings if outcome.errors else None)


def _embedded_data(settings: Settings, url: str, refused_findings: list[dict] | None, fault: str = "") -> SourceStatus:
    engine = engine_for(url)
    batch = db.latest_batch(engine)
    # The schema exists (ensure_embedded creates it), so an empty database is a normal state:
    # pages say what to load, and the Data page imports into it.
    if not fault:  # a file that could not be rebuilt cannot take the summary either: the ledger is read
        summaries.check_all_fresh(engine)  # in step after our imports; caught otherwise
    counts = inventory.table_row_counts(engine)  # all tables: an upload may have replaced only some
    findings = refused_findings if refused_findings is not None else db.current_findings(engine)
    return SourceStatus(
        sources.public_label(settings),
        url,
        True,
        findings=tuple(findings),
        refused=refused_findings is not None,
        batch_id=batch.batch_id if batch else None,
        imported_at=f"{batch.imported_at:%Y-%m-%d %H:%M} UTC" if batch else None,
        imported_from=batch.source if batch else None,
        version=f"{batch.batch_id}:{batch.fingerprint[:12]}" if batch else "empty",
        row_counts={r.table: r.rows for r in counts.itertuples() if r.rows is not None},
        detail=sources.source_label(settings),
        rebuild_fault=fault,
        checked_at=time.monotonic(),
    )


def _close_previous_data(settings: Settings) -> None:
    """Close the read-only opens of the embedded file (or of its copy) that a failed rebuild left."""
    for url in (sources.read_only_url(settings), sources.locked_copy_url(settings, copy=False)):
        if url:
            engine_for(url).dispose()


def _previous_data(settings: Settings, fault: sources.RebuildFault, exc: Exception) -> SourceStatus:
    """After a failed rebuild: the previous complete import, read however the file still can be (the
    app's own engine, a read-only open, a copy outside another process's lock), with the cause."""
    _LOG.warning("the embedded database could not be rebuilt (%s)", type(exc).__name__, exc_info=exc)
    words = f"The embedded database could not be updated from the CSV folder: {fault.cause}. {fault.fix}"
    tried: list[str | None] = [sources.embedded_url(settings), sources.read_only_url(settings)]
    for i, url in enumerate(tried):
        if url is None:
            continue
        try:
            status = _embedded_data(settings, url, None, fault=words)
        except Exception:
            engine_for(url).dispose()
            if i == len(tried) - 1 and fault is sources.LOCKED:
                tried.append(sources.locked_copy_url(settings))
            continue
        if status.batch_id is not None:
            return status
    return SourceStatus(
        sources.public_label(settings),
        None,
        False,
        f"{words} There is no earlier import to show meanwhile.",
        detail=sources.source_label(settings),
        rebuild_fault=words,
        checked_at=time.monotonic(),
    )


def transient_fault(exc: BaseException) -> str:
    """A fault of this moment, not an outage: "timeout" (too slow), "busy" (no free connection),
    "locked" (another writer, SQLite); "" for anything else."""
    if db.is_statement_timeout(exc):
        return "timeout"
    if db.is_pool_exhausted(exc):
        return "busy"
    return "locked" if db.is_locked(exc) else ""


def unavailable_message(exc: BaseException) -> str:
    """Why there is no data, in words (for an outage, the README's promise: it recovers by itself)."""
    if db.is_statement_timeout(exc):
        try:
            limit = f" (over {statement_timeout_s():g} seconds)"
        except SettingsError:
            limit = ""
        return (
            f"The database took too long to answer{limit}, so the query was stopped. Try again, or choose a "
            "shorter period or fewer departments; whoever runs Bridgeboard can raise "
            "BRIDGEBOARD_STATEMENT_TIMEOUT_S. Nothing was changed."
        )
    if db.is_pool_exhausted(exc):
        return (
            "The database is busy: every connection stayed in use for "
            f"{db.POOL_TIMEOUT_S} seconds (many people at once, or slow queries). Try again in a moment."
        )
    if db.is_locked(exc):
        return (
            "The database is locked by another program writing to it (SQLite allows one writer at a "
            "time), and stayed locked after several tries. Try again in a moment; nothing was changed."
        )
    return (
        f"The database is unavailable ({type(exc).__name__}). Pages will work again "
        "as soon as it is back; nothing needs restarting."
    )


def change_refused(exc: BaseException, nothing_was: str = "saved") -> str:
    """Why a change (a target, a note, an import) did not reach the database, in words."""
    if db.is_permission_denied(exc):
        return (
            f"The database user Bridgeboard connects as may only read, so nothing was {nothing_was}. Ask whoever "
            "runs Bridgeboard to connect as a user that may write (README: Hardening, a read-only database role)."
        )
    return f"The database did not accept the change ({type(exc).__name__}); nothing was {nothing_was}. Try again."


@st.cache_data(ttl="1m", show_spinner=False)
def _database_status(label: str, detail: str, url: str) -> SourceStatus:
    engine = engine_for(url)
    try:
        sources.check_connection(engine)
    except Exception as exc:
        return SourceStatus(label, None, False, unavailable_message(exc), detail=detail, transient=transient_fault(exc))
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
        return SourceStatus(label, None, False, unavailable_message(exc), detail=detail, transient=transient_fault(exc))
    row_counts = {r.table: r.rows for r in counts.itertuples() if r.rows is not None}
    writable = db.may_write(engine)
    if batch is None:
        # Filled by other means than `metrics load`: key caches on row counts (plus the TTL).
        return SourceStatus(
            label,
            url,
            True,
            version="counts:" + ",".join(f"{k}={v}" for k, v in row_counts.items()),
            row_counts=row_counts,
            detail=detail,
            writable=writable,
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
        writable=writable,
    )


REBUILD_RETRY_S = 60  # a failed rebuild of the embedded file is tried again after this long


def source_status(settings: Settings) -> SourceStatus:
    url = settings.database_url
    if url:  # settings.uses_database, spelled out so that the type checker sees a str
        label, detail = sources.public_label(settings), sources.source_label(settings)
        status = _database_status(label, detail, url)
        for pause in LOCKED_RETRIES_S:  # another writer's lock: tried again after a back-off
            if status.transient != "locked":
                break
            _database_status.clear()
            time.sleep(pause)
            status = _database_status(label, detail, url)
        if status.transient:  # a slow, busy or locked moment is not kept for the minute an outage is
            _database_status.clear()
    else:
        stamp = _folder_stamp(settings.data_dir)
        status = _embedded_status(settings, stamp)
        if status.rebuild_fault and time.monotonic() - status.checked_at > REBUILD_RETRY_S:
            # The disk may have been freed, the file made writable, the other process ended.
            _embedded_status.clear()
            status = _embedded_status(settings, stamp)
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
