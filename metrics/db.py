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
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import access, currency, migrations, schema, summaries
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


POOL_TIMEOUT_S = 10  # how long a page waits for a free connection before it says the database is busy
SQLITE_BUSY_TIMEOUT_S = 5  # how long SQLite waits for another writer's lock before "database is locked"


def make_engine(url: str, *, statement_timeout_s: float | None = None, **kwargs) -> Engine:
    """An engine that never logs parameter values, survives a database restart and never hangs: a
    bounded wait for a pooled connection, and on PostgreSQL each statement cancelled by the server
    after `statement_timeout_s` seconds (None or 0: no limit; the app passes its setting, the
    command line none, so that a long import is never cut)."""
    options: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": True}
    backend = sa.make_url(url).get_backend_name()
    if backend == "postgresql":
        # A dashboard should fail fast, not hang, when the server is down.
        connect: dict[str, Any] = {"connect_timeout": 5}
        if statement_timeout_s:
            connect["options"] = f"-c statement_timeout={max(1, round(statement_timeout_s * 1000))}"
        options["connect_args"] = connect
        options["pool_timeout"] = POOL_TIMEOUT_S
    elif backend == "sqlite":
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    options.update(kwargs)
    return sa.create_engine(url, **options)


# --- Database faults a page meets, by kind (the app words them) ---------------------------------

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (statement_timeout)
INSUFFICIENT_PRIVILEGE = "42501"


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_statement_timeout(exc: BaseException) -> bool:
    return _sqlstate(exc) == QUERY_CANCELED or "statement timeout" in str(exc).lower()


def is_pool_exhausted(exc: BaseException) -> bool:
    """Every pooled connection stayed busy for the whole `pool_timeout`."""
    return isinstance(exc, sa.exc.TimeoutError)


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (another writer held it past the busy timeout)."""
    return "database is locked" in str(exc).lower()


def is_permission_denied(exc: BaseException) -> bool:
    """The database user may not do this (a read-only role writing), or the database is read-only."""
    text = str(exc).lower()
    return (
        _sqlstate(exc) == INSUFFICIENT_PRIVILEGE
        or "permission denied" in text
        or "read-only" in text
        or "readonly database" in text
    )


def may_write(engine: Engine) -> bool:
    """Whether the database user may record imports (PostgreSQL: INSERT on import_batches). A
    read-only role views every page; the Data page says why its imports and edits are refused."""
    if engine.dialect.name != "postgresql":
        return True  # DuckDB and SQLite are files: a read-only one is told by its write's error
    privilege = sa.func.has_table_privilege(
        sa.bindparam("table_name", schema.import_batches.name), sa.bindparam("privilege", "INSERT")
    )
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.select(privilege)).scalar())
    except sa.exc.DBAPIError:
        return False  # not even the table exists, and it could not be created


def redact_url(url: str) -> str:
    """The URL with any password hidden, for status lines and messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def ensure_schema(engine: Engine) -> None:
    """Bring the database's tables to this version's (`metrics.migrations`): all of them on an empty
    database, the revisions since on an older one; one made before Alembic is adopted without loss."""
    migrations.upgrade(engine)


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
    with begin_import(
        engine,
        replace_only=replace_only,
        fiscal_start_month=fiscal_start_month,
        reporting_currency=reporting_currency,
        actor=actor,
    ) as session:
        return session.finish(
            tables,
            source=source,
            fingerprint=fingerprint,
            findings=findings,
            after_table=after_table,
            progress=progress,
        )


@contextmanager
def begin_import(
    engine: Engine,
    *,
    replace_only: Mapping[str, Callable[[sa.Table], Any]] | None = None,
    fiscal_start_month: int | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
    actor: access.Actor | None = None,
) -> Iterator[ImportSession]:
    """An import in one transaction, for a large table written part by part: `write_part` each
    part as it is validated, then `finish` with the other tables (as `import_tables`). Nothing is
    committed unless `finish` returns and the block ends without an exception; an exception, or
    leaving the block without `finish`, rolls every part back. Refusals and locking as `import_tables`."""
    check_may_import(actor)
    ensure_schema(engine)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bridgeboard-import-") as spool,
            _process_import_lock(engine),
            engine.begin() as conn,
        ):
            _database_import_lock(conn)  # before the batch id is read: two imports never share one
            session = ImportSession(
                conn, reporting_currency.strip().upper(), fiscal_start_month, replace_only or {}, Path(spool)
            )
            try:
                yield session
            finally:
                session.close_spools()
            if not session.finished:
                raise _Unfinished()
    except _Unfinished:
        pass  # rolled back: nothing of it was written


def _arrow_schema(name: str, columns: Iterable[str]) -> pa.Schema:
    """The Arrow types of a stored frame's columns, from the table's column types (a part whose
    column is all empty has no type of its own)."""
    table = schema.canonical[name]
    fields = []
    for column in columns:
        kind = table.c[column].type
        if isinstance(kind, sa.Date | sa.DateTime):
            arrow: pa.DataType = pa.timestamp("us")
        elif isinstance(kind, sa.Boolean):
            arrow = pa.bool_()
        elif isinstance(kind, sa.Integer):
            arrow = pa.int64()
        elif isinstance(kind, sa.Numeric | sa.Float):
            arrow = pa.float64()
        else:
            arrow = pa.string()
        fields.append(pa.field(column, arrow))
    return pa.schema(fields)


class _Unfinished(Exception):
    """Rolls back an import session left without `finish` (say, its files had errors)."""


class ImportSession:
    """One import in progress (see `begin_import`)."""

    def __init__(
        self,
        conn: Connection,
        reporting: str,
        fiscal_start_month: int | None,
        replace_only: Mapping[str, Callable[[sa.Table], Any]],
        spool: Path,
    ) -> None:
        self.conn = conn
        self.spool = spool
        # DuckDB keeps the rows of many INSERTs in one transaction in memory until the commit, but
        # not those of one INSERT from a file: its parts are spooled to Parquet, inserted at `finish`.
        self._spools: dict[str, tuple[Path, pq.ParquetWriter]] = {}
        self.reporting = reporting
        self.fiscal_start_month = fiscal_start_month
        self.calendar = FiscalCalendar(fiscal_start_month or 1)
        self.replace_only = replace_only
        self.written: dict[str, int] = {}  # rows written part by part, per table
        self.finished = False

    def fx_rates(self) -> pd.DataFrame:
        """The rates stored now (an import that brings none converts with them)."""
        return _read_fx_rates(self.conn)

    def write_part(self, name: str, frame: pd.DataFrame, fx: pd.DataFrame | None = None) -> None:
        """Write a validated part of `name` (the first part clears the table, as `import_tables`
        does), converting its amounts with `fx` (default: the rates stored)."""
        if name not in TABLES:
            raise ImportRefused(f"not a canonical table: {name}")
        prepared = _prepare(name, frame.drop(columns=["_line"], errors="ignore"))
        if name in CONVERTED_TABLES:
            try:
                rates = self.fx_rates() if fx is None else fx
                prepared = _stored_frame(name, currency.convert(name, prepared, rates, self.reporting, self.calendar))
            except currency.MissingRatesError as exc:
                raise ImportRefused(str(exc)) from None
        if name not in self.written:
            _clear(self.conn, name, self.replace_only.get(name))
            self.written[name] = 0
        if self.conn.dialect.name == "duckdb":
            self._spool(name, prepared)
        else:
            _bulk_insert(self.conn, name, prepared)
        self.written[name] += len(prepared)

    def _spool(self, name: str, frame: pd.DataFrame) -> None:
        if name not in self._spools:
            path = self.spool / f"{name}.parquet"
            self._spools[name] = (path, pq.ParquetWriter(path, _arrow_schema(name, frame.columns)))
        path, writer = self._spools[name]
        writer.write_table(pa.Table.from_pandas(frame, schema=writer.schema, preserve_index=False))

    def close_spools(self) -> None:
        for _, writer in self._spools.values():
            writer.close()

    def _insert_spooled(self) -> None:
        self.close_spools()
        raw = self.conn.connection.driver_connection
        assert raw is not None  # only None once the connection is invalidated
        for name, (path, _) in self._spools.items():
            cols = ", ".join(f'"{c}"' for c in pq.read_schema(path).names)  # our own column names
            raw.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM read_parquet(?)", [str(path)])
        self._spools.clear()

    def finish(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        source: str,
        fingerprint: str,
        findings: Iterable[dict] = (),
        after_table: Callable[[str], None] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> ImportResult:
        """Write `tables` (besides those written part by part), bring the summaries and the
        bookkeeping up to date, and record the batch; the commit follows when the session ends."""
        conn, reporting, calendar = self.conn, self.reporting, self.calendar
        self._insert_spooled()
        unknown = [n for n in tables if n not in TABLES]
        if unknown:
            raise ImportRefused(f"not canonical tables: {unknown}")
        prepared = {
            n: _prepare(n, f.drop(columns=["_line"], errors="ignore"))
            for n, f in tables.items()
            if n not in self.written
        }
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        fx = prepared["fx_rates"] if "fx_rates" in prepared else _read_fx_rates(conn)
        brought = set(prepared) | set(self.written)
        kept = [n for n in CONVERTED_TABLES if n not in brought]
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
        order = [n for n in TABLES if n in brought]
        for i, name in enumerate(order, start=1):
            if progress:
                progress(name, i, len(order))
            if name in prepared:
                _clear(conn, name, self.replace_only.get(name))
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
        if "spend" in brought or reconverted:
            summaries.rebuild_spend_monthly(conn)
        if "kpi_actuals" in brought:
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
        counts = {n: int(len(prepared[n])) if n in prepared else self.written[n] for n in order}
        labelled = [n for n in order if n in schema.QUARTER_LABELLED]
        if self.fiscal_start_month is not None and labelled:
            calendars = schema.table_calendars
            conn.execute(calendars.delete().where(calendars.c.table_name.in_(labelled)))
            conn.execute(
                calendars.insert(),
                [
                    {"table_name": n, "fiscal_start_month": self.fiscal_start_month, "batch_id": batch_id}
                    for n in labelled
                ],
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
        self.finished = True
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
