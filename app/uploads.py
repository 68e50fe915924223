"""Browser uploads: validate against the contract (and the tables already loaded), then
import in one transaction. Kept out of the page so the page only lays out components."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app import data
from metrics import db, sources
from metrics.mapping import Mapping as ColumnMapping
from metrics.validation import UPLOAD_MAX_BYTES, ValidationReport, validate_files


@dataclass(frozen=True)
class ImportMessage:
    ok: bool
    message: str


def import_target(ctx) -> str | None:
    """Where an upload goes: the current database; in CSV mode the embedded file even when
    the folder could not be loaded; None when a configured database is unreachable."""
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
) -> ImportMessage:
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
        )
    except db.ImportBusy:
        return ImportMessage(False, db.IMPORT_BUSY)
    except Exception as exc:
        return ImportMessage(
            False, f"The import failed and was rolled back; the data is as it was before. ({type(exc).__name__})"
        )
    counts = ", ".join(f"{n} ({c:,} rows)" for n, c in result.row_counts.items())
    return ImportMessage(True, f"Imported {counts} as batch {result.batch_id}.")
