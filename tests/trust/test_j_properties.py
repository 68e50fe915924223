"""Trust matrix J: property-based tests (hypothesis) of the CSV parser and of export escaping,
and a time-boxed fuzz run of the loader (atheris, `tests/trust/fuzz_loader.py`)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import contract, exports
from metrics.validation import ERROR
from tests.conftest import skip_or_fail
from tests.trust.cases import SEED_FILES, read

ROOT = Path(__file__).resolve().parents[2]
# Text as people type it in a cell: any letters, digits, punctuation, the four delimiters, quotes
# and line breaks inside; never blank, no surrounding spaces (cells are trimmed), no CR (a bare CR
# is a line end), no control or invisible characters (removed or refused by the reader).
CELL_TEXT = (
    st.text(
        alphabet=st.characters(
            categories=("L", "N", "P", "S", "Zs"), exclude_characters="\r\u00a0\u2007\u202f\u2009\u2060\ufeff\u200b"
        )
        | st.sampled_from([",", ";", "\t", "|", '"', "\n", "=", "'"]),
        min_size=1,
        max_size=30,
    )
    .map(lambda s: s.strip())
    .filter(lambda s: s != "" and s.strip(" \t\n") == s)
)
DIALECTS = st.fixed_dictionaries(
    {
        "delimiter": st.sampled_from([",", ";", "\t", "|"]),
        "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
        "lineterminator": st.sampled_from(["\n", "\r\n"]),
        "encoding": st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    }
)
SPEND_ROWS = st.lists(
    st.tuples(
        st.dates(date(2000, 1, 1), date(2030, 12, 31)),
        st.sampled_from(list(contract.DEPARTMENTS)),
        CELL_TEXT,
        CELL_TEXT,
        st.integers(-(10**12), 10**12),  # cents
    ),
    min_size=1,
    max_size=8,
)


def render(rows: list[tuple], dialect: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=dialect["delimiter"], quoting=dialect["quoting"], lineterminator=dialect["lineterminator"]
    )
    writer.writerow(["date", "department", "vendor", "category", "amount", "invoice_id"])
    for i, (day, department, vendor, category, cents) in enumerate(rows):
        writer.writerow([day.isoformat(), department, vendor, category, f"{cents / 100:.2f}", f"INV-{i}"])
    return out.getvalue().encode(dialect["encoding"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=SPEND_ROWS, dialect=DIALECTS)
def test_J91_generated_frames_round_trip_through_the_parser_in_any_dialect(rows, dialect):
    frame, findings, info = read(render(rows, dialect))
    assert not [f for f in findings if f.severity == ERROR], "\n".join(map(str, findings))
    assert frame is not None and info.delimiter == dialect["delimiter"]
    assert frame["date"].dt.date.tolist() == [r[0] for r in rows]
    assert frame["department"].tolist() == [r[1] for r in rows]
    assert frame["vendor"].tolist() == [r[2] for r in rows]
    assert frame["category"].tolist() == [r[3] for r in rows]
    assert frame["amount"].tolist() == [r[4] / 100 for r in rows]


BAD_VALUES = {"date": "2024-02-30", "datetime": "yesterday", "money": "TBD", "number": "n/a", "int": "2026.5"}


def _example_file(table: contract.Table, override: dict[str, str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerow([(override or {}).get(c.name, c.example) for c in table.columns])
    return out.getvalue().encode()


def _mutations() -> list[tuple[str, str, str]]:
    cases = []
    for name in contract.TABLE_ORDER:
        for column in contract.TABLES[name].columns:
            if column.kind == "enum":
                cases.append((name, column.name, "Nonsense"))
            elif column.kind in BAD_VALUES:
                cases.append((name, column.name, BAD_VALUES[column.kind]))
            elif column.required:
                cases.append((name, column.name, ""))
    return cases


@pytest.mark.parametrize("table", contract.TABLE_ORDER)
def test_J92_every_contract_example_imports_cleanly(table):
    frame, findings, _ = read(_example_file(contract.TABLES[table]), table)
    assert frame is not None and len(frame) == 1
    assert not [f for f in findings if f.severity == ERROR], "\n".join(map(str, findings))


@pytest.mark.parametrize("table, column, value", _mutations())
def test_J92_a_single_cell_outside_the_contract_is_rejected_at_that_cell(table, column, value):
    _, findings, _ = read(_example_file(contract.TABLES[table], {column: value}), table)
    errors = [f for f in findings if f.severity == ERROR]
    assert [(f.line, f.column) for f in errors] == [(2, column)], "\n".join(map(str, findings))


ANY_TEXT = st.text(max_size=40)
EXCEL_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(s=ANY_TEXT)
def test_J93_escaping_never_leaves_a_formula_and_only_adds_one_quote(s):
    escaped = exports.neutralise(s)
    assert escaped in (s, "'" + s)
    assert not escaped.startswith(exports.FORMULA_TRIGGERS)
    # Needed exactly when a spreadsheet would read a formula (after leading spaces and quotes).
    assert (escaped != s) == s.lstrip(" \"'").startswith(exports.FORMULA_TRIGGERS)
    unescaped = escaped[1:] if escaped != s else escaped
    assert unescaped == s


# Excel keeps 15 significant digits (xlsxwriter writes 16): numbers are drawn within that precision.
NUMBERS = st.floats(allow_nan=False, allow_infinity=False).map(lambda x: float(f"{x:.15g}"))


@settings(max_examples=30, deadline=None)
@given(texts=st.lists(EXCEL_TEXT, min_size=1, max_size=5), numbers=st.lists(NUMBERS, min_size=1, max_size=5))
def test_J93_exported_text_cells_are_escaped_and_numbers_unchanged(texts, numbers):
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"text": texts[:n], "number": numbers[:n]})
    parsed = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert [r[0] for r in parsed[1:]] == [exports.neutralise(t) for t in texts[:n]]
    assert [float(r[1]) for r in parsed[1:]] == numbers[:n]
    sheet = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes(frame))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == numbers[:n]  # numbers as numbers, exactly
    for (text, _), original in zip(rows, texts[:n], strict=True):
        assert (text or "") == exports.neutralise(original)


FUZZ_SECONDS = int(os.environ.get("BRIDGEBOARD_FUZZ_SECONDS", "30"))


@pytest.mark.slow
def test_J94_fuzz_loader(tmp_path):
    try:
        import atheris  # noqa: F401
    except ImportError:
        skip_or_fail("atheris is not installed (pip install -r requirements-dev.txt)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, table in enumerate(contract.TABLE_ORDER):  # each seed once per table (the first byte picks it)
        for name, data in SEED_FILES.items():
            (corpus / f"{table}-{name}").write_bytes(bytes([i]) + data)
        (corpus / f"{table}-example").write_bytes(bytes([i]) + _example_file(contract.TABLES[table]))
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "trust" / "fuzz_loader.py"),
            str(corpus),
            f"-max_total_time={FUZZ_SECONDS}",
            "-timeout=10",  # an input taking longer is a hang
            "-rss_limit_mb=3072",
            "-max_len=65536",
            "-seed=94",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    assert run.returncode == 0 and not crashes, f"{crashes}\n{run.stderr[-3000:]}"
    assert "Done" in run.stderr and "runs in" in run.stderr  # it ran its time box
