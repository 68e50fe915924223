"""Cloud-bill lines imported from a FOCUS file come from their own file: importing spend.csv again
(a folder or an upload) keeps them, unless the new spend.csv holds FOCUS lines itself. Run on
DuckDB, SQLite and a real PostgreSQL (`engine` fixture)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from metrics import sources
from metrics.importers import focus
from metrics.settings import SAMPLE_DIR, Settings

FOCUS_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "real-data" / "focus-1.0" / "focus_sample.csv"
OPTIONS = sources.read_options(Settings())


def counts(engine) -> tuple[int, int]:
    """(FOCUS lines, other lines) in spend."""
    with engine.connect() as conn:
        focus_lines = conn.execute(
            sa.text("SELECT COUNT(*) FROM spend WHERE invoice_id LIKE :p"), {"p": focus.INVOICE_PREFIX + "%"}
        ).scalar()
        total = conn.execute(sa.text("SELECT COUNT(*) FROM spend")).scalar()
    return int(focus_lines), int(total) - int(focus_lines)


def spend_folder(tmp_path: Path, name: str, drop_last: int = 0, extra: str = "") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    lines = (SAMPLE_DIR / "spend.csv").read_text().splitlines()
    (folder / "spend.csv").write_text("\n".join(lines[: len(lines) - drop_last]) + "\n" + extra)
    return folder


def test_a_new_spend_csv_keeps_the_cloud_bill_lines(engine, tmp_path):
    assert sources.load_folder(spend_folder(tmp_path, "q3"), engine, OPTIONS).imported is not None
    mapped = focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, focus.FocusOptions(default_department="IT"))
    focus.import_spend(engine, mapped, "focus-test")
    cloud, invoices = counts(engine)
    assert cloud == len(mapped.spend) > 0 and invoices == 20_000

    # The finance system's corrected export, one line fewer: the cloud lines stay.
    outcome = sources.load_folder(spend_folder(tmp_path, "q3-corrected", drop_last=1), engine, OPTIONS)
    assert outcome.imported is not None, outcome.errors
    assert counts(engine) == (cloud, 19_999)

    # An export that includes a FOCUS line itself replaces them all: nothing is counted twice.
    own = "2026-09-30,IT,Amazon Web Services,Cloud infrastructure,10.00,FOCUS-2026-09-000000000001,,,,,USD,\n"
    outcome = sources.load_folder(spend_folder(tmp_path, "with-cloud", extra=own), engine, OPTIONS)
    assert outcome.imported is not None, outcome.errors
    assert counts(engine) == (1, 20_000)
