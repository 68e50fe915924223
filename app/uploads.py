"""Browser uploads: validate against the contract (and the tables already loaded), then
import in one transaction. Kept out of the page so the page only lays out components."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app import data
from app.text import plain
from metrics import db, sources
from metrics.access import Actor
from metrics.contract import TABLES
from metrics.currency import DEFAULT_REPORTING_CURRENCY
from metrics.importers import focus
from metrics.mapping import Mapping as ColumnMapping
from metrics.validation import UPLOAD_MAX_BYTES, ValidationReport, validate_files


@dataclass(frozen=True)
class ImportMessage:
    ok: bool
    message: str


@dataclass(frozen=True)
class FolderUpload:
    files: dict[str, bytes]  # the table files, by their own name
    left_out: list[str]  # the other files' names
    clashes: list[str]  # one sentence per table that two files of the folder would fill


def folder_files(files: Mapping[str, bytes]) -> FolderUpload:
    """A folder upload's table files by their own name (browsers may name them with the folder's
    path); the other files are left out, as a folder import leaves them. Two files for one table
    (in subfolders) are a clash: the user keeps one, nothing is guessed."""
    paths: dict[str, list[str]] = {}
    tables: dict[str, bytes] = {}
    others: list[str] = []
    for path, content in files.items():
        name = str(path).replace("\\", "/").rsplit("/", 1)[-1]
        stem = name[:-4].strip().lower() if name.lower().endswith(".csv") else None
        if stem in TABLES:
            paths.setdefault(stem, []).append(str(path))
            tables.setdefault(name, content)
        else:
            others.append(name)
    clashes = [
        f"The folder has {len(found)} files for the {stem} table ({', '.join(sorted(found))}): keep only one."
        for stem, found in sorted(paths.items())
        if len(found) > 1
    ]
    return FolderUpload({} if clashes else tables, sorted(others), clashes)


def import_target(ctx) -> str | None:
    """Where an upload goes: the current database; in CSV mode the embedded file even when
    the folder could not be loaded; None when a configured database is unreachable, or when the
    embedded file could not be rebuilt (it cannot take an upload either: disk full, read-only, held)."""
    if ctx.status.rebuild_fault:
        return None
    if ctx.status.url:
        return ctx.status.url
    if not ctx.settings.uses_database:
        return sources.embedded_url(ctx.settings)
    return None


def validate_uploads(ctx, files: Mapping[str, bytes], mapping: ColumnMapping | None = None) -> ValidationReport:
    reference = {}
    target = import_target(ctx)
    if target:
        try:
            # The same reference as a folder import: the tables as they will be after it.
            reference = db.read_reference(data.engine_for(target))
        except Exception:
            reference = {}  # cross-checks then rely on the uploaded files alone
    options = dataclasses.replace(sources.read_options(ctx.settings), max_bytes=UPLOAD_MAX_BYTES)
    return validate_files(files, options, reference=reference or None, mapping=mapping)


def import_uploaded(
    url: str,
    report: ValidationReport,
    files: Mapping[str, bytes],
    progress: Callable[[str, int, int], None] | None = None,
    fiscal_start_month: int | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
    actor: Actor | None = None,
) -> ImportMessage:
    """Import the checked files; `actor` (the signed-in person) is refused if the role may not."""
    if not report.ok:
        return ImportMessage(False, "The files have errors; nothing was imported.")
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.lower().encode() + b"\0" + files[name])
    try:
        result = db.import_tables(
            data.engine_for(url),
            report.tables,
            source="upload: " + ", ".join(sorted(files)),
            fingerprint=digest.hexdigest(),
            findings=[f.as_dict() for f in report.findings],
            progress=progress,
            fiscal_start_month=fiscal_start_month,
            reporting_currency=reporting_currency,
            replace_only=focus.kept_by_spend_imports(report.tables),
            actor=actor,
        )
    except db.ImportBusy:
        return ImportMessage(False, db.IMPORT_BUSY)
    except db.ImportRefused as exc:
        return ImportMessage(False, f"Nothing was imported: {plain(str(exc))}.")
    except Exception as exc:
        if db.is_permission_denied(exc):  # a read-only database user
            return ImportMessage(False, data.change_refused(exc, "imported"))
        return ImportMessage(
            False, f"The import failed and was rolled back; the data is as it was before. ({type(exc).__name__})"
        )
    counts = ", ".join(f"{n} ({c:,} rows)" for n, c in result.row_counts.items())
    return ImportMessage(True, f"Imported {counts} as batch {result.batch_id}.")
