"""FOCUS 1.0 billing into spend: the FinOps Foundation's public sample
(tests/fixtures/real-data/focus-1.0/focus_sample.csv, CC BY 4.0, a copy of the shared file),
checked against totals computed independently with the csv module and Decimal."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import db, schema
from metrics.importers import focus
from metrics.importers.common import ImportRefused
from tests.conftest import frame

FOCUS_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "real-data" / "focus-1.0" / "focus_sample.csv"
CENT = Decimal("0.01")
# A business_unit mapping: a few units named, the rest (and untagged lines) fall to the default.
MAPPING = """
[focus]
cost = "BilledCost"
department_tag = "business_unit"
default_department = "IT"

[focus.department_map]
"PeoriaData" = "Marketing"
"TempeAI" = "Marketing"
"LipaData" = "Joint"
"""


@pytest.fixture(scope="module")
def raw_rows() -> list[dict]:
    with FOCUS_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _vendor(r: dict) -> str:
    """The documented rule: a marketplace charge (published by neither the provider nor the
    invoice issuer) is bought from its publisher."""
    pub = r["PublisherName"]
    marketplace = pub not in ("NULL", "", r["ProviderName"], r["InvoiceIssuerName"])
    return pub if marketplace else r["ProviderName"]


def _exact(rows, key, cost="BilledCost") -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[key(r)] += Decimal(r[cost])
    return dict(out)


def test_sample_totals_and_why_lines_are_not_rounded(raw_rows):
    exact = sum(Decimal(r["BilledCost"]) for r in raw_rows)
    assert exact.quantize(CENT, ROUND_HALF_UP) == Decimal("20.52")
    # Rounding each line first is wrong either way: half-to-even (Python's round) gives 20.16,
    # half-up 20.57.
    assert sum(round(Decimal(r["BilledCost"]), 2) for r in raw_rows) == Decimal("20.16")
    assert sum(Decimal(r["BilledCost"]).quantize(CENT, ROUND_HALF_UP) for r in raw_rows) == Decimal("20.57")
    mapped = focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, focus.FocusOptions(default_department="IT"))
    assert mapped.total == Decimal("20.52")
    assert mapped.billing_lines == 1000 and len(mapped.spend) < 100  # aggregated
    assert mapped.months == [date(2024, 9, 1)]
    assert set(mapped.spend["invoice_id"].str.slice(0, 14)) == {"FOCUS-2024-09-"}
    assert mapped.spend["invoice_id"].is_unique


def _amounts(engine, column: str) -> dict[str, Decimal]:
    s = schema.spend
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.c[column], sa.func.sum(s.c.amount)).group_by(s.c[column])).all()
    return {k: Decimal(str(v)).quantize(CENT) for k, v in rows}


def _within_a_cent(imported: dict[str, Decimal], exact: dict[str, Decimal]) -> None:
    assert set(imported) == set(exact)
    for key, value in exact.items():
        # Each vendor gets the floor or the ceiling of its exact cost in cents, never further off.
        assert abs(imported[key] - value) < CENT, key


def test_department_it_on_every_backend(engine, raw_rows):
    mapped = focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, focus.FocusOptions(default_department="IT"))
    focus.import_spend(engine, mapped, "test")
    by_vendor = _amounts(engine, "vendor")
    exact = _exact(raw_rows, _vendor)
    _within_a_cent(by_vendor, exact)
    # Measured: AWS 17.66 (exact 17.6646...), Microsoft 1.98 (1.9765...), Oracle 0.54 (0.5370...),
    # Red Hat Inc. 0.34 (0.342, an AWS Marketplace charge): 20.52 in all, as the file's total.
    assert by_vendor == {
        "AWS": Decimal("17.66"),
        "Microsoft": Decimal("1.98"),
        "Oracle": Decimal("0.54"),
        "Red Hat Inc.": Decimal("0.34"),
    }
    assert sum(by_vendor.values()) == sum(exact.values()).quantize(CENT, ROUND_HALF_UP) == Decimal("20.52")
    # Per provider (ProviderName, marketplace included) too.
    per_provider = _exact(raw_rows, lambda r: r["ProviderName"])
    assert by_vendor["AWS"] + by_vendor["Red Hat Inc."] - per_provider["AWS"] < CENT
    assert _amounts(engine, "department") == {"IT": Decimal("20.52")}
    batch = db.latest_batch(engine)
    assert batch.source == "focus:focus_sample.csv" and batch.row_counts == {"spend": len(mapped.spend)}


def test_business_unit_mapping_on_every_backend(engine, raw_rows):
    options = focus.options_from_mapping(text=MAPPING)
    mapped = focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, options)
    focus.import_spend(engine, mapped, "test")

    def department(r: dict) -> str:
        tags = json.loads(r["Tags"]) if r["Tags"] != "NULL" else {}
        unit = tags.get("business_unit") or r["SubAccountName"]
        return {"PeoriaData": "Marketing", "TempeAI": "Marketing", "LipaData": "Joint"}.get(unit, "IT")

    exact = _exact(raw_rows, department)
    by_department = _amounts(engine, "department")
    assert set(by_department) == {"Marketing", "IT", "Joint"}
    assert sum(by_department.values()) == Decimal("20.52")
    for name, value in exact.items():  # departments are not allocated separately: a cent per line at most
        assert abs(by_department[name] - value) <= CENT * 10, name
    _within_a_cent(_amounts(engine, "vendor"), _exact(raw_rows, _vendor))


def test_unmapped_values_are_refused_and_nothing_is_written(engine):
    options = focus.options_from_mapping(text=MAPPING.replace('default_department = "IT"\n', ""))
    with pytest.raises(ImportRefused) as refused:
        focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, options)
    message = str(refused.value)
    assert "the department map does not name" in message and "Orion Zenith" in message and "--department" in message
    assert db.latest_batch(engine) is None


def test_reimport_replaces_only_focus_lines_of_its_months(engine):
    finance = frame(
        "spend",
        [
            {
                "date": "2024-09-15",
                "department": "IT",
                "vendor": "Salesforce",
                "category": "CRM",
                "amount": 1000.0,
                "invoice_id": "INV-1",
            },
            {
                "date": "2024-08-01",
                "department": "IT",
                "vendor": "AWS",
                "category": "Compute",
                "amount": 5.0,
                "invoice_id": "FOCUS-2024-08-aaaaaaaaaaaa",
            },
        ],
    )
    db.import_tables(engine, {"spend": finance}, source="finance", fingerprint="f")
    mapped = focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, focus.FocusOptions(default_department="IT"))
    focus.import_spend(engine, mapped, "one")
    focus.import_spend(engine, mapped, "two")  # the same file again: same database
    s = schema.spend
    with engine.connect() as conn:
        total = Decimal(str(conn.execute(sa.select(sa.func.sum(s.c.amount))).scalar())).quantize(CENT)
        count = conn.execute(sa.select(sa.func.count()).select_from(s)).scalar()
    # The finance invoice and August's FOCUS line are kept; September's FOCUS lines are written once.
    assert total == Decimal("1000.00") + Decimal("5.00") + Decimal("20.52")
    assert count == 2 + len(mapped.spend)


def test_effective_cost_and_parquet(tmp_path, raw_rows):
    exact = sum(Decimal(r["EffectiveCost"]) for r in raw_rows).quantize(CENT, ROUND_HALF_UP)
    options = focus.FocusOptions(cost="EffectiveCost", default_department="Joint")
    from_csv = focus.read_focus(FOCUS_CSV.read_bytes(), "f.csv", options)
    assert from_csv.total == exact
    parquet = tmp_path / "focus.parquet"
    table = pd.read_csv(FOCUS_CSV, dtype=str, keep_default_na=False)
    for c in ("BilledCost", "EffectiveCost"):
        table[c] = table[c].astype(float)
    table.to_parquet(parquet)
    from_parquet = focus.read_focus(parquet.read_bytes(), parquet.name, options)
    assert from_parquet.total == exact
    assert sorted(from_parquet.spend["amount"]) == sorted(from_csv.spend["amount"])


def test_bad_files_are_refused(raw_rows):
    text = FOCUS_CSV.read_text(encoding="utf-8")
    bad_cost = text.replace(",0.00000080000,", ",abc,", 1).encode()
    with pytest.raises(ImportRefused, match="BilledCost is not a number") as refused:
        focus.read_focus(bad_cost, "f.csv", focus.FocusOptions(default_department="IT"))
    assert refused.value.findings[0].line == 2
    with pytest.raises(ImportRefused, match="no 'ServiceCategory' column"):
        focus.read_focus(
            text.replace('"ServiceCategory"', '"Category"', 1).encode(),
            "f.csv",
            focus.FocusOptions(default_department="IT"),
        )
    with pytest.raises(ImportRefused, match="not a department"):
        focus.options_from_mapping(text='[focus.department_map]\nweb = "Sales"\n')
    with pytest.raises(ImportRefused, match="unknown cost column"):
        focus.options_from_mapping(cost="ListCost")


def test_allocation_adds_up_for_credits_and_ties():
    parts = [Decimal("0.005"), Decimal("0.005"), Decimal("-0.004"), Decimal("1.3333")]
    total = sum(parts, Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    cents = focus._largest_remainder(parts, total)
    assert sum(cents) == total
    assert all(abs(c - p) < CENT for c, p in zip(cents, parts, strict=True))


def test_fast_and_careful_readers_agree(raw_rows):
    """The plain file goes through pyarrow's column-pruned reader; a file whose records span lines
    (a quoted line break in ChargeDescription) through the careful reader, lines still exact."""
    data = FOCUS_CSV.read_bytes()
    assert focus._read_csv_fast(data) is not None
    spanning = data.replace(b'"$0.40 per million', b'"$0.40\nper million', 1)
    assert focus._read_csv_fast(spanning) is None
    options = focus.FocusOptions(default_department="IT")
    fast, careful = focus.read_focus(data, "f.csv", options), focus.read_focus(spanning, "f.csv", options)
    pd.testing.assert_frame_equal(fast.spend.drop(columns="description"), careful.spend.drop(columns="description"))
    broken = spanning.replace(b",0.00001605990,", b",x,", 1)  # the record after the two-line one
    with pytest.raises(ImportRefused) as refused:
        focus.read_focus(broken, "f.csv", options)
    assert refused.value.findings[0].line == 4
