"""Engines, schema creation and the all-or-nothing import.

An import replaces the canonical tables it is given, inside one transaction, with each
engine's bulk path (DuckDB scans the DataFrame, PostgreSQL uses COPY, others executemany).
Tables whose names start with ``app_`` hold what users type into the app and are never
touched by an import.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import access, currency, schema, summaries
from metrics.contract import TABLES
from metrics.currency import CONVERTED_TABLES, DEFAULT_REPORTING_CURRENCY, ORIGINAL_AMOUNT
from metrics.fiscal import FiscalCalendar


class ImportRefused(RuntimeError):
    """Raised when an import is refused before anything is written."""


IMPORT_BUSY = "Another import is running; try again in a minute. Nothing was changed."


class ImportBusy(ImportRefused):
    """Another import into the same database holds the import lock: this one wrote nothing."""

    def __init__(self) -> None:
        super().__init__(IMPORT_BUSY)


# Imports are serialised per database. Within a process (the app's sessions, a test's threads) by a
# lock per database URL; across processes on PostgreSQL by a transaction-level advisory lock (held
# until the import commits or rolls back, released by the server if the importer dies). DuckDB
# lets only one process open its file for writing, so its file lock covers other processes.
# Neither waits: the second import is refused at once, with words, before it reads a batch id.
_IMPORT_LOCK_KEY = 0x42524447_494D5054  # "BRDGIMPT": any constant bigint, the same in every process
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextmanager
def _process_import_lock(engine: Engine) -> Iterator[None]:
    key = engine.url.render_as_string(hide_password=True)
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        raise ImportBusy()
    try:
        yield
    finally:
        lock.release()


def _database_import_lock(conn: Connection) -> None:
    """Inside the import's transaction: take the database-wide import lock or refuse."""
    if conn.dialect.name != "postgresql":
        return
    key = sa.bindparam("lock_key", _IMPORT_LOCK_KEY, type_=sa.BigInteger)
    if not conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(key))).scalar():
        raise ImportBusy()


def make_engine(url: str, **kwargs) -> Engine:
    """An engine that never logs parameter values and survives a database restart."""
    options: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": True}
    if url.startswith("postgresql"):
        # A dashboard should fail fast, not hang, when the server is down.
        options["connect_args"] = {"connect_timeout": 5}
    options.update(kwargs)
    return sa.create_engine(url, **options)


def redact_url(url: str) -> str:
    """The URL with any password hidden, for status lines and messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def ensure_schema(engine: Engine) -> None:
    """Create the canonical and bookkeeping tables that do not exist yet (idempotent), and add the
    columns a newer Bridgeboard stores to tables an older one created (nullable, so no row breaks)."""
    schema.metadata.create_all(engine, checkfirst=True)
    if engine.dialect.name == "postgresql":
        # The drill-down to invoice lines stays on the ledger: a vendor's lines of a department and
        # category in a quarter, newest first, by index (`spend_drill`; with only (vendor, date) the
        # planner took the date index for a rare vendor and read the quarter: 1.2 s against 0.2 ms
        # at 5M). The status check's first and last date by the date index, without reading the
        # ledger. DuckDB scans its columns fast enough and pays for an index on every insert.
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX IF EXISTS spend_vendor_date"))  # superseded by spend_drill
            conn.execute(
                sa.text("CREATE INDEX IF NOT EXISTS spend_drill ON spend (vendor, department, category, date)")
            )
            conn.execute(sa.text("CREATE INDEX IF NOT EXISTS spend_date ON spend (date)"))
    for table in [*(schema.canonical[name] for name in CONVERTED_TABLES), schema.summary_state]:
        name = table.name
        added = [c for c in table.columns if not _has_column(engine, name, c.name)]
        if added:
            with engine.begin() as conn:
                for column in added:
                    # Identifiers and types come from our own schema, never from data.
                    conn.execute(
                        sa.text(
                            f"ALTER TABLE {table.name} ADD COLUMN {column.name} "
                            f"{column.type.compile(dialect=engine.dialect)}"
                        )
                    )


def _has_column(engine: Engine, table: str, column: str) -> bool:
    # Asked of the table itself: the inspector's column listing fails on DuckDB 2 (duckdb-engine
    # queries a pg_catalog table DuckDB does not emulate).
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(sa.column(column)).select_from(sa.table(table)).limit(0))
    except sa.exc.DBAPIError:
        return False
    return True


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    imported_at: datetime
    row_counts: dict[str, int]


def _prepare(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    cols = list(TABLES[name].column_names)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ImportRefused(f"table {name} is missing columns {missing}")
    return frame[cols]


def _stored_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the database holds for `name`, in its order (the contract's, then any it adds)."""
    return frame[[c.name for c in schema.canonical[name].columns]]


def _read_fx_rates(conn: Connection) -> pd.DataFrame:
    t = schema.fx_rates
    return pd.DataFrame(conn.execute(sa.select(t)).mappings().all(), columns=[c.name for c in t.columns])


def _foreign_lines(table: sa.Table, reporting: str) -> Any:
    return sa.and_(table.c.currency.is_not(None), table.c.currency != sa.bindparam("reporting", reporting))


def _reconvert(conn: Connection, name: str, fx: pd.DataFrame, reporting: str, calendar: FiscalCalendar) -> int:
    """Convert the foreign-currency lines already in `name` again, at the rates being imported.
    Their rows are deleted and written back converted (lines have no guaranteed key)."""
    table = schema.canonical[name]
    where = _foreign_lines(table, reporting)
    rows = pd.DataFrame(
        conn.execute(sa.select(table).where(where)).mappings().all(), columns=[c.name for c in table.columns]
    )
    if rows.empty:
        return 0
    # Lines imported before amounts were kept apart hold their own amount.
    rows[ORIGINAL_AMOUNT] = rows[ORIGINAL_AMOUNT].where(rows[ORIGINAL_AMOUNT].notna(), rows["amount"]).astype("float64")
    converted = currency.convert(name, rows, fx, reporting, calendar)
    conn.execute(table.delete().where(where))
    _bulk_insert(conn, name, _stored_frame(name, converted))
    return len(rows)


def _bulk_insert(conn: Connection, name: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    dialect = conn.dialect.name
    if dialect == "duckdb":
        raw = conn.connection.driver_connection
        assert raw is not None  # only None once the connection is invalidated
        view = f"bridgeboard_import_{name}"
        raw.register(view, frame)
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            raw.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {view}")
        finally:
            raw.unregister(view)
    elif dialect == "postgresql":
        _copy_postgres(conn, name, frame)
    else:
        table = schema.canonical[name]
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for start in range(0, len(records), 10_000):
            conn.execute(table.insert(), records[start : start + 10_000])


def _copy_postgres(conn: Connection, name: str, frame: pd.DataFrame, chunk: int = 100_000) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None  # only None once the connection is invalidated
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    with raw.cursor() as cur, cur.copy(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
        for start in range(0, len(frame), chunk):
            part = frame.iloc[start : start + chunk]
            buf = io.StringIO()
            # \N marks NULL so that empty strings and NULLs stay distinct.
            part.to_csv(
                buf,
                header=False,
                index=False,
                na_rep="\\N",
                quoting=csv.QUOTE_MINIMAL,
                date_format="%Y-%m-%d %H:%M:%S",
                lineterminator="\n",
            )
            copy.write(buf.getvalue())


def _clear(conn: Connection, name: str, where: Callable[[sa.Table], Any] | None = None) -> None:
    table = schema.canonical[name]
    conn.execute(table.delete() if where is None else table.delete().where(where(table)))


def check_may_import(actor: access.Actor | None) -> None:
    """Raise `ImportRefused` (the reason in words) when `actor` may not import; None imports."""
    refused = access.refusal(actor, access.IMPORT) if actor is not None else None
    if refused:
        raise ImportRefused(refused)


def import_tables(
    engine: Engine,
    tables: Mapping[str, pd.DataFrame],
    *,
    source: str,
    fingerprint: str,
    findings: Iterable[dict] = (),
    after_table: Callable[[str], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    replace_only: Mapping[str, Callable[[sa.Table], Any]] | None = None,
    fiscal_start_month: int | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
    actor: access.Actor | None = None,
) -> ImportResult:
    """Replace the given canonical tables in one transaction: all of them, or nothing.

    ``actor``: who imports, when it is a signed-in person (the app passes it): a role that may not
    import (`metrics.access`) is refused with `ImportRefused` before anything is written. Without
    an actor (the command line, the app's own load of its configured folder) it is the operator.

    ``replace_only`` narrows the replacement of a table to the rows a clause selects (built from
    the table): those rows are deleted and the new ones appended, the others kept. The FOCUS
    importer uses it to replace its own lines for the months of its file and keep the rest.

    ``fiscal_start_month``: the fiscal calendar the import was made under, recorded for the
    tables stored by fiscal-quarter label (budget, kpi_targets); see `calendar_mismatch`.

    ``after_table`` is called after each table is written (inside the transaction); an
    exception from it rolls everything back. Tests use it to inject a failure part-way.

    ``reporting_currency``: spend and budget lines in other currencies are converted into it with
    fx_rates (the import's, else the database's), and an import of fx_rates alone converts the lines
    already stored again (`metrics.currency`); a line without a rate refuses the whole import.

    Raises `ImportBusy` (nothing written) while another import into the same database runs.
    """
    check_may_import(actor)
    unknown = [n for n in tables if n not in TABLES]
    if unknown:
        raise ImportRefused(f"not canonical tables: {unknown}")
    ensure_schema(engine)
    reporting = reporting_currency.strip().upper()
    calendar = FiscalCalendar(fiscal_start_month or 1)
    prepared = {n: _prepare(n, f.drop(columns=["_line"], errors="ignore")) for n, f in tables.items()}
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with _process_import_lock(engine), engine.begin() as conn:
        _database_import_lock(conn)  # before the batch id is read: two imports never share one
        fx = prepared["fx_rates"] if "fx_rates" in prepared else _read_fx_rates(conn)
        kept = [n for n in CONVERTED_TABLES if n not in prepared]
        if "fx_rates" in prepared:
            recorded = _recorded_currencies(conn)
            other = [n for n in kept if recorded.get(n, reporting) != reporting]
            if other:
                raise ImportRefused(
                    f"{' and '.join(other)} {'were' if len(other) > 1 else 'was'} converted into "
                    f"{recorded[other[0]]}, not {reporting}: import {' and '.join(f'{n}.csv' for n in other)} "
                    "again together with fx_rates.csv"
                )
        try:
            for name in CONVERTED_TABLES:
                if name in prepared:
                    prepared[name] = _stored_frame(
                        name, currency.convert(name, prepared[name], fx, reporting, calendar)
                    )
        except currency.MissingRatesError as exc:
            raise ImportRefused(str(exc)) from None
        last = conn.execute(sa.select(sa.func.max(schema.import_batches.c.batch_id))).scalar()
        batch_id = (last or 0) + 1
        order = [n for n in TABLES if n in prepared]
        for i, name in enumerate(order, start=1):
            if progress:
                progress(name, i, len(order))
            _clear(conn, name, (replace_only or {}).get(name))
            _bulk_insert(conn, name, prepared[name])
            if after_table:
                after_table(name)
        reconverted = 0
        if "fx_rates" in prepared:
            try:
                for name in kept:
                    reconverted += _reconvert(conn, name, fx, reporting, calendar)
            except currency.MissingRatesError as exc:
                raise ImportRefused(f"{exc} (lines already imported need it)") from None
        if "spend" in prepared or reconverted:
            summaries.rebuild_spend_monthly(conn)
        if "kpi_actuals" in prepared:
            summaries.rebuild(conn, summaries.KPI_MONTHLY)
        if conn.dialect.name == "postgresql":
            # Fresh statistics, so that the planner uses the index and sizes sorts right at once
            # (autovacuum would get to it minutes later). Allowed inside the transaction.
            for name in order:
                conn.execute(sa.text(f"ANALYZE {name}"))  # our own table names, not data
        converted = [n for n in order if n in CONVERTED_TABLES]
        if converted:
            currencies = schema.table_currencies
            conn.execute(currencies.delete().where(currencies.c.table_name.in_(converted)))
            conn.execute(
                currencies.insert(),
                [{"table_name": n, "reporting_currency": reporting, "batch_id": batch_id} for n in converted],
            )
        counts = {n: int(len(prepared[n])) for n in order}
        labelled = [n for n in order if n in schema.QUARTER_LABELLED]
        if fiscal_start_month is not None and labelled:
            calendars = schema.table_calendars
            conn.execute(calendars.delete().where(calendars.c.table_name.in_(labelled)))
            conn.execute(
                calendars.insert(),
                [{"table_name": n, "fiscal_start_month": fiscal_start_month, "batch_id": batch_id} for n in labelled],
            )
        conn.execute(
            schema.import_batches.insert().values(
                batch_id=batch_id,
                imported_at=now,
                source=source,
                fingerprint=fingerprint,
                row_counts=json.dumps(counts),
                findings=json.dumps(list(findings)),
                tables=json.dumps(order),
            )
        )
    return ImportResult(batch_id, now, counts)


@dataclass(frozen=True)
class Batch:
    batch_id: int
    imported_at: datetime
    source: str
    fingerprint: str
    row_counts: dict[str, int]
    findings: list[dict]


def latest_batch(engine: Engine, source: str | None = None) -> Batch | None:
    """The most recent import recorded in the database (from `source`, if given), or None
    (never imported, or an external database that was filled by other means)."""
    insp = sa.inspect(engine)
    if not insp.has_table("import_batches"):
        return None
    t = schema.import_batches
    with engine.connect() as conn:
        stmt = sa.select(t).order_by(t.c.batch_id.desc()).limit(1)
        if source is not None:
            stmt = stmt.where(t.c.source == sa.bindparam("source", source))
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    return Batch(
        batch_id=row["batch_id"],
        imported_at=row["imported_at"],
        source=row["source"],
        fingerprint=row["fingerprint"],
        row_counts=json.loads(row["row_counts"]),
        findings=json.loads(row["findings"]),
    )


def table_imports(engine: Engine) -> dict[str, Batch]:
    """For each canonical table, the latest import that wrote it. An import replaces only the
    tables it brings, so the tables of one database may come from different batches."""
    if not sa.inspect(engine).has_table("import_batches"):
        return {}
    t = schema.import_batches
    out: dict[str, Batch] = {}
    with engine.connect() as conn:
        # Small: one row per import ever made. Newest first, so the first batch naming a table wins.
        for row in conn.execute(sa.select(t).order_by(t.c.batch_id.desc())).mappings():
            tables = json.loads(row["tables"] or "[]")
            counts = json.loads(row["row_counts"])
            for name in tables:
                if name in out:
                    continue
                out[name] = Batch(
                    batch_id=row["batch_id"],
                    imported_at=row["imported_at"],
                    source=row["source"],
                    fingerprint=row["fingerprint"],
                    row_counts=counts,
                    findings=[],  # not needed per table; the latest batch carries the report
                )
            if len(out) == len(TABLES):
                break
    return out


def current_findings(engine: Engine) -> list[dict]:
    """The validation findings behind the data as it is: those of every import that still supplies
    a table, newest first, without those about table files a later import replaced. An import
    replaces only its own tables, so after a folder and then a Jira export the report holds the
    folder's warnings on spend and the Jira import's exclusions, not requests.csv's warnings."""
    if not sa.inspect(engine).has_table("import_batches"):
        return []
    t = schema.import_batches
    covered: set[str] = set()
    out: list[dict] = []
    with engine.connect() as conn:
        for row in conn.execute(sa.select(t.c.tables, t.c.findings).order_by(t.c.batch_id.desc())).mappings():
            tables = set(json.loads(row["tables"] or "[]"))
            supplied = tables - covered
            for finding in json.loads(row["findings"]) if supplied else ():
                # A finding about a table file a later import replaced no longer describes the data.
                stem = str(finding.get("file") or "").rsplit("/", 1)[-1].lower().removesuffix(".csv")
                if stem not in TABLES or stem in supplied:
                    out.append(finding)
            covered |= tables
            if len(covered) == len(TABLES):
                break
    return out


def recorded_calendars(engine: Engine) -> dict[str, int]:
    """The fiscal start month each quarter-labelled table was imported under (tables imported
    before this was recorded, or by other means, are absent)."""
    if not sa.inspect(engine).has_table("table_calendars"):
        return {}
    calendars = schema.table_calendars
    with engine.connect() as conn:
        rows = conn.execute(sa.select(calendars.c.table_name, calendars.c.fiscal_start_month)).all()
    return {name: int(month) for name, month in rows}


def calendar_mismatch(engine: Engine, fiscal_start_month: int) -> str | None:
    """Why the data cannot be shown under `fiscal_start_month`, or None: a table stored by fiscal
    quarter (budget, kpi_targets) imported under another start month would silently mean other
    months. The message says what to do either way."""
    recorded = {n: m for n, m in recorded_calendars(engine).items() if m != fiscal_start_month}
    if not recorded:
        return None
    then = sorted(set(recorded.values()))
    files = " and ".join(f"{n}.csv" for n in sorted(recorded))
    was = " / ".join(_month_name(m) for m in then)
    return (
        f"{files} {'were' if len(recorded) > 1 else 'was'} imported with the fiscal year starting in {was}, but "
        f"BRIDGEBOARD_FISCAL_START_MONTH is now {fiscal_start_month} ({_month_name(fiscal_start_month)}). Their "
        f"fiscal quarters would now cover other months, so nothing is shown. If the new start month is right, "
        f"import {files} again under it (Data page or `python -m metrics load`); otherwise set "
        f"BRIDGEBOARD_FISCAL_START_MONTH back to {then[0]}."
    )


def _recorded_currencies(conn: Connection) -> dict[str, str]:
    currencies = schema.table_currencies
    rows = conn.execute(sa.select(currencies.c.table_name, currencies.c.reporting_currency)).all()
    return {name: str(code) for name, code in rows}


def recorded_currencies(engine: Engine) -> dict[str, str]:
    """The reporting currency spend and budget were converted into (tables imported before this
    was recorded, or by other means, are absent)."""
    if not sa.inspect(engine).has_table("table_currencies"):
        return {}
    with engine.connect() as conn:
        return _recorded_currencies(conn)


def currency_mismatch(engine: Engine, reporting_currency: str) -> str | None:
    """Why the money cannot be shown in `reporting_currency`, or None: spend or budget converted
    into another currency would show its amounts under the wrong sign."""
    reporting = reporting_currency.strip().upper()
    recorded = {n: c for n, c in recorded_currencies(engine).items() if c != reporting}
    if not recorded:
        return None
    then = sorted(set(recorded.values()))
    files = " and ".join(f"{n}.csv" for n in sorted(recorded))
    return (
        f"{files} {'were' if len(recorded) > 1 else 'was'} imported with {' / '.join(then)} as the reporting "
        f"currency, but BRIDGEBOARD_REPORTING_CURRENCY is now {reporting}. Its amounts are in {then[0]}, so "
        f"nothing is shown. If {reporting} is right, import {files} again under it, with fx_rates.csv giving "
        f"{reporting} rates (Data page or `python -m metrics load`); otherwise set "
        f"BRIDGEBOARD_REPORTING_CURRENCY back to {then[0]}."
    )


def settings_mismatch(engine: Engine, fiscal_start_month: int, reporting_currency: str) -> str | None:
    """The first reason the stored data cannot be shown under the current settings, or None."""
    return calendar_mismatch(engine, fiscal_start_month) or currency_mismatch(engine, reporting_currency)


def _month_name(month: int) -> str:
    return datetime(2000, month, 1).strftime("%B")


def read_reference(engine: Engine) -> dict[str, pd.DataFrame]:
    """The database's current reference tables (kpis, vendors, fx_rates), for the cross-table checks
    of an import that does not bring them: the checks then run against the tables as they will be.
    Also, under `currency.STORED_NEEDS` keys, the currencies and months of the spend and budget lines stored
    in a currency, which new rates imported alone must cover."""
    out = {}
    for name in ("kpis", "vendors", "fx_rates"):
        frame = read_small_table(engine, name)
        # An empty glossary is still the glossary: targets for KPIs it lacks are refused. An empty
        # vendor catalogue is no catalogue: spend is not checked against it (as without vendors.csv).
        if frame is not None and (name != "vendors" or not frame.empty):
            out[name] = frame
    out.update(_stored_currencies(engine))
    return out


def _stored_currencies(engine: Engine) -> dict[str, pd.DataFrame]:
    """Per converted table, its lines with a currency grouped by what picks their rate: spend by
    calendar year and month, budget by fiscal year and quarter. Lines without one are left out."""
    out = {}
    existing = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        for name in CONVERTED_TABLES:
            if name not in existing:
                continue
            t = schema.canonical[name]
            keys: list[sa.ColumnElement[Any]]
            if name == "spend":
                keys = [sa.extract("year", t.c.date).label("year"), sa.extract("month", t.c.date).label("month")]
            else:
                keys = [t.c.fiscal_year, t.c.quarter]
            stmt = (
                sa.select(t.c.currency, *keys, sa.func.count().label("lines"))
                .where(t.c.currency.is_not(None))
                .group_by(t.c.currency, *keys)
            )
            columns = ["currency", *(k.name for k in keys), "lines"]
            out[currency.STORED_NEEDS[name]] = pd.DataFrame(conn.execute(stmt).all(), columns=columns)
    return out


def user_tables(engine: Engine) -> list[str]:
    from metrics.contract import USER_TABLE_PREFIX

    return sorted(n for n in sa.inspect(engine).get_table_names() if n.startswith(USER_TABLE_PREFIX))


def read_small_table(engine: Engine, name: str) -> pd.DataFrame | None:
    """A whole reference table (kpis, vendors, fx_rates: tens to hundreds of rows) for cross-checks, or None."""
    if name not in ("kpis", "vendors", "fx_rates") or not sa.inspect(engine).has_table(name):
        return None
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(sa.select(schema.canonical[name])).mappings().all(), columns=list(TABLES[name].column_names)
        )
