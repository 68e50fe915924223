"""A large spend file is imported part by part inside the one transaction (issue 13): the database
ends up exactly as with the whole-file import, and an error anywhere - in the last line, in a
later part's rates, in a table written afterwards - leaves it as it was. On DuckDB, SQLite and
PostgreSQL (`engine` fixture)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import csvread, db, sources
from metrics.validation import ReadOptions
from tests.metrics.test_validation_in_parts import HEADER, line_of, spend_lines

OPTIONS = ReadOptions(decimal=".", today=dt.date(2026, 6, 30))
RATES = "currency,month,rate\nEUR,2026-01-01,1.10\nEUR,2026-02-01,1.20\nEUR,2026-03-01,1.25\n"


def folder_of(tmp_path: Path, name: str, rows: list[str], rates: str = RATES) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "spend.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    (folder / "fx_rates.csv").write_text(rates)
    return folder


def euro_rows(n: int) -> list[str]:
    """Clean rows, every third one in euros (months 1-3 have rates)."""
    rows = spend_lines(n)
    for i in range(0, n, 3):
        rows[i] = f"2026-0{1 + i % 3}-15,Marketing,Vendor {i % 4},Ads,{10 + i}.25,INV-E{i},EUR,euro line"
    return rows


def stored(engine) -> tuple[list[tuple], list[tuple], dict]:
    with engine.connect() as c:
        spend = c.execute(
            sa.text("SELECT invoice_id, date, vendor, amount, amount_original, fx_rate, description FROM spend")
        ).all()
        monthly = c.execute(sa.text("SELECT * FROM spend_monthly")).all()
    batch = db.latest_batch(engine)
    counts = batch.row_counts if batch else {}
    normal = [tuple(str(v) for v in row) for row in spend]
    return sorted(normal), sorted(tuple(str(v) for v in row) for row in monthly), counts


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(csvread, "PART_BYTES", 2048)


def test_the_import_in_parts_stores_what_the_whole_file_import_stores(engine, tmp_path, monkeypatch):
    folder = folder_of(tmp_path, "q1", euro_rows(600))
    monkeypatch.setattr(csvread, "PART_BYTES", 1 << 40)
    whole = sources.load_folder(folder, engine, OPTIONS)
    assert whole.imported is not None, whole.errors
    expected = stored(engine)
    monkeypatch.setattr(csvread, "PART_BYTES", 2048)
    assert sources.reads_in_parts(folder) == ["spend"]
    parts = sources.load_folder(folder, engine, OPTIONS)
    assert parts.imported is not None, parts.errors
    assert parts.findings == whole.findings
    assert stored(engine) == expected
    spend, _, counts = expected
    assert counts["spend"] == len(spend) == 600
    # A euro line of 10.25 in January, at 1.10: 11.28 (11.275 rounded half away from zero).
    assert ("INV-E0", "2026-01-15", "Vendor 0", "11.28", "10.25", "1.1", "euro line") in spend


@pytest.mark.usefixtures("small_parts")
def test_an_error_on_the_last_line_writes_nothing(engine, tmp_path):
    first = sources.load_folder(folder_of(tmp_path, "q1", euro_rows(300)), engine, OPTIONS)
    assert first.imported is not None
    before = stored(engine)
    rows = euro_rows(600)
    rows[-1] = "2026-01-02,IT,Vendor 1,Cloud,lots,INV-last,USD,bad amount"
    outcome = sources.load_folder(folder_of(tmp_path, "q2", rows), engine, OPTIONS)
    assert outcome.imported is None
    assert [(e["line"], e["problem"]) for e in outcome.errors] == [(line_of(rows, 599), "'lots' is not an amount")]
    assert stored(engine) == before
    assert db.latest_batch(engine).batch_id == first.imported.batch_id


@pytest.mark.usefixtures("small_parts")
def test_a_rate_missing_for_a_later_part_refuses_the_import_and_writes_nothing(engine, tmp_path):
    db.ensure_schema(engine)
    before = stored(engine)
    rows = euro_rows(600)
    rows[590] = "2026-05-15,Marketing,Vendor 1,Ads,99.00,INV-may,EUR,no rate for May"
    outcome = sources.load_folder(folder_of(tmp_path, "q1", rows), engine, OPTIONS)
    assert outcome.imported is None
    assert [e["problem"] for e in outcome.errors] == [
        f"no EUR rate for 2026-05 in fx_rates (1 row in EUR dated in that month, first on line "
        f"{line_of(rows, 590)}), so they cannot be converted to USD"
    ]
    assert stored(engine) == before


@pytest.mark.usefixtures("small_parts")
def test_a_failure_after_the_parts_are_written_rolls_them_back(engine, tmp_path):
    db.ensure_schema(engine)
    before = stored(engine)

    def boom(table: str) -> None:
        if table == "fx_rates":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        sources.load_folder(folder_of(tmp_path, "q1", euro_rows(600)), engine, OPTIONS, after_table=boom)
    assert stored(engine) == before


@pytest.mark.usefixtures("small_parts")
def test_a_file_a_part_cannot_judge_alone_is_imported_whole(engine, tmp_path):
    rows = euro_rows(600)
    rows[500] = "03/04/2026,IT,Vendor 1,Cloud,1.00,INV-open,USD,day and month open in this part"
    rows[550] = "25/01/2026,IT,Vendor 1,Cloud,1.00,INV-late,USD,proves day first in a later part"
    outcome = sources.load_folder(folder_of(tmp_path, "q1", rows), engine, OPTIONS)
    assert outcome.imported is not None, outcome.errors
    assert any("can only be day first" in f["problem"] for f in outcome.findings)
    with engine.connect() as c:
        day = c.execute(sa.text("SELECT date FROM spend WHERE invoice_id = 'INV-open'")).scalar()
    assert pd.Timestamp(day) == pd.Timestamp(2026, 4, 3)
