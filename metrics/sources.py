"""Where the numbers come from: a CSV folder (loaded into an embedded DuckDB file) or a
database URL. Used by the command line and, through a thin cached adapter, by the app."""

from __future__ import annotations

import errno
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import access, db
from metrics.contract import TABLES
from metrics.csvread import NotInParts
from metrics.importers import focus
from metrics.mapping import Mapping, to_toml
from metrics.settings import Settings
from metrics.validation import (
    Finding,
    ReadOptions,
    ValidationReport,
    WholeFileNeeded,
    reads_in_parts,
    validate_folder,
)

# Bump when the way files are read or stored changes, so embedded databases rebuild.
LOADER_VERSION = "3"  # 2: the decimal mark under "auto" is decided by the values; 3: currencies converted


def read_options(settings: Settings) -> ReadOptions:
    return ReadOptions(
        date_order=settings.date_order,
        decimal=settings.decimal,
        reporting_currency=settings.reporting_currency,
        fiscal_start_month=settings.fiscal_start_month,
    )


def folder_fingerprint(path: Path, options: ReadOptions) -> str:
    """Content hash of the folder's CSV files and the read options that shape the data (the
    reporting currency too: the folder's amounts are stored converted into it)."""
    h = hashlib.sha256(
        f"v{LOADER_VERSION}|{options.date_order}|{options.decimal}|{options.reporting_currency}".encode()
    )
    for f in sorted(p for p in Path(path).glob("*") if p.suffix.lower() == ".csv" and p.is_file()):
        h.update(f.name.lower().encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def _with_mapping(fingerprint: str, mapping: Mapping | None) -> str:
    """The same files read through another mapping are other data."""
    if mapping is None or not mapping.tables:
        return fingerprint
    return hashlib.sha256((fingerprint + "|" + to_toml(mapping)).encode()).hexdigest()


@dataclass
class LoadOutcome:
    """What happened when a folder was checked and (maybe) imported."""

    report: ValidationReport | None
    findings: list[dict] = field(default_factory=list)
    imported: db.ImportResult | None = None
    reused: bool = False  # the database already held exactly these files

    @property
    def errors(self) -> list[dict]:
        return [f for f in self.findings if f["severity"] == "error"]


def load_folder(
    path: Path,
    engine: Engine,
    options: ReadOptions,
    *,
    source: str | None = None,
    after_table: Callable[[str], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    mapping: Mapping | None = None,
    fiscal_start_month: int | None = None,
    actor: access.Actor | None = None,
) -> LoadOutcome:
    """Validate every file in the folder (through `mapping`, if given), then import the tables it
    brings in one transaction.

    Refuses (writes nothing) when there is any error. The tables the folder does not bring are
    kept as they were, and the cross-table checks read them from the database (a target for a
    KPI the database's glossary lacks is an error even when the folder has no kpis.csv).
    Importing the same files twice gives the same database: tables are replaced, not appended.

    With an `actor` whose role may not import (`metrics.access`), raises `db.ImportRefused`
    before anything is read or written; without one (the command line) it is the operator.
    """
    db.check_may_import(actor)
    db.ensure_schema(engine)
    reference = db.read_reference(engine)
    fingerprint = _with_mapping(folder_fingerprint(path, options), mapping)
    if reads_in_parts(path, mapping):
        try:
            return _load_in_parts(
                path,
                engine,
                options,
                reference,
                fingerprint,
                source,
                after_table,
                progress,
                mapping,
                fiscal_start_month,
                actor,
            )
        except (NotInParts, WholeFileNeeded):
            pass  # rolled back: read the files whole below
    report = validate_folder(path, options, mapping=mapping, reference=reference, part_bytes=_NO_PARTS)
    findings = [f.as_dict() for f in report.findings]
    if not report.ok:
        return LoadOutcome(report, findings)
    tables = {n: report.tables[n] for n in TABLES if n in report.tables}
    try:
        result = db.import_tables(
            engine,
            tables,
            source=source or str(path),
            fingerprint=fingerprint,
            findings=findings,
            after_table=after_table,
            progress=progress,
            fiscal_start_month=fiscal_start_month,
            reporting_currency=options.reporting_currency,
            replace_only=focus.kept_by_spend_imports(tables),
            actor=actor,
        )
    except db.ImportBusy:
        raise  # nothing was checked against the database yet: the caller says "try again"
    except db.ImportRefused as exc:
        return LoadOutcome(report, [*findings, _refused(path, exc)])
    return LoadOutcome(report, findings, imported=result)


_NO_PARTS = 1 << 62  # a part size no file reaches


def _refused(path: Path, exc: Exception) -> dict:
    # Refused against what the database holds (the files alone were fine): nothing was written.
    return Finding(
        "error", str(path), None, None, None, str(exc), "nothing was imported; import again once fixed"
    ).as_dict()


def _load_in_parts(
    path: Path,
    engine: Engine,
    options: ReadOptions,
    reference: dict,
    fingerprint: str,
    source: str | None,
    after_table: Callable[[str], None] | None,
    progress: Callable[[str, int, int], None] | None,
    mapping: Mapping | None,
    fiscal_start_month: int | None,
    actor: access.Actor | None,
) -> LoadOutcome:
    """`load_folder` of a folder with a large spend file: the import's transaction is opened first
    and each part of the file written as soon as it is validated, so that memory does not grow
    with the file; any error anywhere leaves the transaction without `finish`, which rolls every
    part back. Raises `NotInParts` or `WholeFileNeeded` (rolled back) where the file must be read
    whole, among others when it holds FOCUS lines (whose replacement is decided on the whole file)."""
    stopped: list[str] = []  # why parts stopped being written, if they did
    # Spend without FOCUS lines keeps the FOCUS lines stored (`focus.kept_by_spend_imports`).
    keep_focus = focus.kept_by_spend_imports({"spend": pd.DataFrame({"invoice_id": pd.Series([], dtype="str")})})
    with db.begin_import(
        engine,
        replace_only=keep_focus,
        fiscal_start_month=fiscal_start_month,
        reporting_currency=options.reporting_currency,
        actor=actor,
    ) as session:

        def write(name: str, frame: pd.DataFrame, report: ValidationReport) -> None:
            if frame["invoice_id"].astype("str").str.startswith(focus.INVOICE_PREFIX, na=False).any():
                raise WholeFileNeeded("the spend file holds FOCUS lines")
            if stopped:
                return
            try:
                session.write_part(name, frame, report.tables.get("fx_rates"))
            except db.ImportRefused as exc:
                stopped.append(str(exc))  # a rate is missing: the validation says so in words

        report = validate_folder(path, options, mapping=mapping, reference=reference, on_part=write)
        findings = [f.as_dict() for f in report.findings]
        if not report.ok:
            return LoadOutcome(report, findings)  # left without finish: rolled back
        if stopped:
            return LoadOutcome(report, [*findings, _refused(path, db.ImportRefused(stopped[0]))])
        try:
            result = session.finish(
                {n: report.tables[n] for n in TABLES if n in report.tables},
                source=source or str(path),
                fingerprint=fingerprint,
                findings=findings,
                after_table=after_table,
                progress=progress,
            )
        except db.ImportBusy:
            raise
        except db.ImportRefused as exc:
            return LoadOutcome(report, [*findings, _refused(path, exc)])  # rolled back
    return LoadOutcome(report, findings, imported=result)


def has_table_files(path: Path) -> bool:
    """Whether the folder holds at least one `<table>.csv` (names matched ignoring case)."""
    folder = Path(path)
    return folder.is_dir() and any(
        p.is_file() and p.suffix.lower() == ".csv" and p.stem.strip().lower() in TABLES for p in folder.iterdir()
    )


def ensure_embedded(settings: Settings) -> LoadOutcome:
    """Build the embedded DuckDB file from the CSV folder unless it already holds exactly
    these files. On validation errors nothing is written and the previous data stays.

    A folder without table files is a first run, not an error: the schema is created empty and
    the data comes from the Data page's uploads."""
    options = read_options(settings)
    settings.embedded_db.parent.mkdir(parents=True, exist_ok=True)
    engine = embedded_engine(settings)
    try:
        db.ensure_schema(engine)
        if not has_table_files(settings.data_dir):
            return LoadOutcome(None, [], reused=True)
        fingerprint = folder_fingerprint(settings.data_dir, options)
        # Compare with the last import *from this folder*: files uploaded in the app since
        # then stay until the folder itself changes.
        batch = db.latest_batch(engine, source=str(settings.data_dir))
        if batch is not None and batch.fingerprint == fingerprint:
            return LoadOutcome(None, batch.findings, reused=True)
        return load_folder(
            settings.data_dir,
            engine,
            options,
            source=str(settings.data_dir),
            fiscal_start_month=settings.fiscal_start_month,
        )
    finally:
        engine.dispose()


def embedded_url(settings: Settings) -> str:
    return f"duckdb:///{settings.embedded_db}"


# --- A failed rebuild of the embedded file: the cause in words, and the previous data kept ---------
#
# DuckDB rolls a failed import back, so the file still holds the previous complete import; what
# differs is how it can be read: the app's open engine (disk full), a read-only open (a read-only
# file or folder), or, while another process holds DuckDB's lock (which refuses even read-only
# opens), a copy of the file taken outside the lock.


@dataclass(frozen=True)
class RebuildFault:
    """Why the embedded file could not be rebuilt, and what fixes it, in words a viewer can read
    (no server path: the Data page adds it for who imports)."""

    cause: str  # "the disk is full"
    fix: str


DISK_FULL = RebuildFault(
    "the disk is full",
    "Free space on the disk that holds the embedded database file (BRIDGEBOARD_EMBEDDED_DB); "
    "the app tries again within a minute.",
)
READ_ONLY = RebuildFault(
    "the file is read-only",
    "Make the embedded database file and its folder writable by the user that runs Bridgeboard, or "
    "point BRIDGEBOARD_EMBEDDED_DB at a writable place; the app tries again within a minute.",
)
LOCKED = RebuildFault(
    "another process holds the file",
    "Close the other program that has the embedded database file open (a `python -m metrics load` "
    "still running, a DuckDB shell, a second Bridgeboard on the same file), or give each its own "
    "BRIDGEBOARD_EMBEDDED_DB; the app tries again within a minute.",
)
_FAULT_ERRNOS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY, errno.EACCES: READ_ONLY}
# DuckDB reports file errors as text only (IOException), so its words are matched too.
_FAULT_WORDS = (
    ("no space left on device", DISK_FULL),
    ("disk quota exceeded", DISK_FULL),
    ("read-only file system", READ_ONLY),
    ("permission denied", READ_ONLY),
    ("could not set lock", LOCKED),
    ("conflicting lock", LOCKED),
)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (SQLAlchemy's `orig`) and what caused it."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return seen


def rebuild_fault(exc: BaseException) -> RebuildFault:
    """The cause of a failed rebuild in words, from the error's number or DuckDB's message."""
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, OSError) and e.errno in _FAULT_ERRNOS:
            return _FAULT_ERRNOS[e.errno]
    text = " ".join(str(e) for e in chain).lower()
    for words, fault in _FAULT_WORDS:
        if words in text:
            return fault
    return RebuildFault(
        f"an unexpected error ({type(exc).__name__})",
        "The server's log has the details; the app tries again within a minute.",
    )


def read_only_url(settings: Settings) -> str:
    """The embedded file opened read-only: readable on a read-only disk or from a read-only file."""
    return f"{embedded_url(settings)}?access_mode=read_only"


def locked_copy_url(settings: Settings, *, copy: bool = True) -> str | None:
    """While another process holds DuckDB's lock on the embedded file, a copy of it (the last
    checkpointed state, that is the last complete import: the holder's unfinished work lives in
    its write-ahead log, which is not copied) in the temporary folder, opened read-only; None when
    there is no file or the copy cannot be made. `copy=False`: its URL only."""
    source = settings.embedded_db
    key = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"bridgeboard-{key}-previous.duckdb"
    url = f"duckdb:///{target}?access_mode=read_only"
    if not copy:
        return url  # where the copy is, to close it before the next one
    try:
        shutil.copyfile(source, target)
    except OSError:
        return None
    return url


def embedded_engine(settings: Settings) -> Engine:
    return db.make_engine(embedded_url(settings))


def findings_from_dicts(rows: list[dict]) -> list[Finding]:
    return [Finding(**r) for r in rows]


def source_label(settings: Settings) -> str:
    """The full description, for the operator (Data page, command line): the folder's path, or the
    database URL with its password masked."""
    if settings.uses_database:
        return f"Database {db.redact_url(settings.database_url or '')}"
    return f"CSV folder {settings.data_dir}"


_DATABASE_WORDS = {"postgresql": "PostgreSQL", "duckdb": "DuckDB", "sqlite": "SQLite"}


def database_kind(url: str) -> str:
    """'PostgreSQL database': what a viewer may know of a database URL (no user, host, port, name)."""
    try:
        backend = sa.make_url(url).get_backend_name()
    except Exception:
        return "database"
    return f"{_DATABASE_WORDS.get(backend, backend)} database"


def public_label(settings: Settings) -> str:
    """The source as every viewer sees it (sidebar, board pack): its kind and the folder's name,
    never the server's path nor the database's user, host, port or name."""
    if settings.uses_database:
        return database_kind(settings.database_url or "")
    return f"CSV folder '{settings.data_dir.name}'"


def public_source(source: str | None) -> str | None:
    """An import's recorded source as a viewer sees it: uploads and importers name their files,
    a folder is named by its last part only."""
    if source is None or source.startswith(("upload:", "jira:", "focus:")):
        return source
    name = Path(source.rstrip("/\\")).name or source
    return f"CSV folder '{name}'"


def check_connection(engine: Engine) -> None:
    """Raises SQLAlchemy's OperationalError (or similar) when the database is unreachable."""
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
