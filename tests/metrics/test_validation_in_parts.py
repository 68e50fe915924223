"""A large spend file is validated part by part (issue 13): the same findings, line numbers and
counts as when the whole file is read, with what the whole file needs settled across parts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metrics import csvread
from metrics.csvread import file_parts, read_raw_table, read_raw_table_owned
from metrics.validation import ReadOptions, validate_folder

pytestmark = pytest.mark.fast

HEADER = "date,department,vendor,category,amount,invoice_id,currency,description"
PART = 2048  # bytes: the files below make 10 to 30 parts
OPTIONS = ReadOptions(decimal=".", today=dt.date(2026, 6, 30))


def spend_lines(n: int, bad: dict[int, str] | None = None) -> list[str]:
    """`n` clean spend rows (line i + 2 of the file is row i), some with a quoted multi-line
    description; `bad` replaces whole rows by index."""
    rows = []
    for i in range(n):
        description = f'"Line {i},\nsecond part"' if i % 7 == 3 else f"Line {i}"
        rows.append(
            f"2026-{1 + i % 6:02d}-{1 + i % 28:02d},IT,Vendor {i % 5},Cloud,{100 + i}.50,INV-{i},USD,{description}"
        )
    for i, row in (bad or {}).items():
        rows[i] = row
    return rows


def line_of(rows: list[str], i: int) -> int:
    """The line row i starts on: after the header and the lines of the rows before it."""
    return 2 + sum(row.count("\n") + 1 for row in rows[:i])


def write(folder: Path, rows: list[str], crlf: bool = False) -> Path:
    folder.mkdir(exist_ok=True)
    text = "\n".join([HEADER, *rows]) + "\n"
    (folder / "spend.csv").write_bytes(text.replace("\n", "\r\n").encode() if crlf else text.encode())
    return folder


def in_parts_and_whole(folder: Path, options: ReadOptions = OPTIONS):
    parts = validate_folder(folder, options, part_bytes=PART)
    whole = validate_folder(folder, options, part_bytes=1 << 40)
    return parts, whole


def test_parts_hold_whole_records_and_the_file_line_numbers(tmp_path):
    rows = spend_lines(300)
    rows[10] = '2026-01-02,IT,"Vendor\n\nwith blank lines",Cloud,1.00,INV-10,USD,x'
    for crlf in (False, True):
        path = write(tmp_path / f"f{crlf}", rows, crlf) / "spend.csv"
        parts = list(file_parts(path, PART))
        assert len(parts) > 5
        frames = [read_raw_table_owned([p.data], delimiter=",", lines_before=p.lines_before).rows for p in parts]
        whole = read_raw_table(path.read_bytes()).rows
        assert [line for f in frames for line in f["_line"]] == whole["_line"].tolist()
        assert [v for f in frames for v in f["2"]] == whole["2"].tolist()
        # Row 3 runs over two lines, so row 10 is on line 13; it runs over three: row 11 is on line 16.
        assert whole["_line"].tolist()[10:12] == [13, 16]


def test_a_clean_file_gives_the_same_report_and_a_digest_for_the_checks_between_tables(tmp_path):
    folder = write(tmp_path / "f", spend_lines(500))
    parts, whole = in_parts_and_whole(folder)
    assert parts.findings == whole.findings == []
    assert parts.files == whole.files  # rows, sha256 of the whole file, encoding, delimiter
    digest = parts.tables["spend"]
    assert digest["_rows"].sum() == 500 == len(whole.tables["spend"])
    assert len(digest) == 5 * 6  # one row per vendor, currency and month


def test_findings_across_parts_are_capped_counted_and_located_as_for_the_whole_file(tmp_path):
    bad = {i: f"2026-01-05,IT,Vendor 1,Cloud,n/a,INV-X{i},USD,x" for i in range(5, 480, 15)}  # 32 rows
    bad[470] = "2026-02-03,IT,Vendor 2,Cloud,10.00,INV-7,USD,repeats row 7"  # one of the 32
    bad[471] = "2026-02-03,IT,Vendor 2,Cloud,10.00,INV-30,USD,repeats row 30"
    for i in (12, 250, 251, 495):
        bad[i] = f"2026-03-01,IT,Vendor 3,Cloud,-5.00,INV-N{i},USD,credit"
    bad[300] = "2026-03-01,IT,Vendor 3,Cloud,5.00,INV-E300,EURO,bad code"
    bad[301] = "2026-12-01,IT,Vendor 3,Cloud,5.00,INV-F301,USD,in the future"
    rows = spend_lines(500, bad)
    folder = write(tmp_path / "f", rows)
    parts, whole = in_parts_and_whole(folder)
    assert sorted(map(str, parts.findings)) == sorted(map(str, whole.findings))
    messages = [f.problem for f in parts.findings]
    assert sum("'n/a' is not an amount" in m for m in messages) == 20
    assert "... and 11 more rows like this (the value is not an amount)" in messages
    line = {i: line_of(rows, i) for i in (7, 30, 470, 471, 12, 250, 251, 495)}
    assert f"invoice_id 'INV-7' appears twice: on line {line[7]} and again on line {line[470]}" in messages
    assert f"invoice_id 'INV-30' appears twice: on line {line[30]} and again on line {line[471]}" in messages
    credits = next(f for f in parts.findings if "negative amounts" in f.problem)
    assert credits.problem.startswith("4 rows have negative amounts")
    assert f"lines {line[12]}, {line[250]}, {line[251]}, {line[495]})" in credits.problem
    assert credits.line == line[12]


def test_a_day_month_order_settled_in_an_early_part_holds_in_later_ones(tmp_path):
    rows = spend_lines(400)
    rows[2] = "25/01/2026,IT,Vendor 1,Cloud,1.00,INV-2,USD,proves day first"
    rows[350] = "03/04/2026,IT,Vendor 1,Cloud,1.00,INV-350,USD,ambiguous alone"
    folder = write(tmp_path / "f", rows)
    parts, whole = in_parts_and_whole(folder, ReadOptions(decimal="."))
    assert list(map(str, parts.findings)) == list(map(str, whole.findings))
    assert "line 4 has '25/01/2026', which can only be day first" in parts.findings[0].problem
    assert parts.files["spend"].rows == 400


@pytest.mark.parametrize(
    "later",
    [
        "01/25/2026,IT,Vendor 1,Cloud,1.00,INV-350,USD,proves month first",  # against the settled order
        "2026-01-02,IT,Vendor 1,Cloud,1.00,INV-350,USD,x\n03/04/2026,IT,V,C,1.00,INV-A,USD,x",  # open
    ],
)
def test_what_a_part_cannot_settle_alone_is_read_whole_with_the_same_words(tmp_path, later):
    rows = spend_lines(400)
    rows[2] = "25/01/2026,IT,Vendor 1,Cloud,1.00,INV-2,USD,proves day first" if "month first" in later else rows[2]
    rows[350] = later
    folder = write(tmp_path / "f", rows)
    parts, whole = in_parts_and_whole(folder, ReadOptions(decimal="."))
    assert list(map(str, parts.findings)) == list(map(str, whole.findings))
    assert not parts.ok
    assert any("day and month" in f.problem or "could be day/month" in f.problem for f in parts.errors)


def test_a_decimal_mark_left_open_by_the_first_part_is_read_whole(tmp_path):
    # Under "auto" a column is decided by its first 20,000 values, more than a small part holds.
    rows = spend_lines(400)
    rows[390] = '2026-01-02,IT,Vendor 1,Cloud,"12,5",INV-390,USD,decimal comma'
    folder = write(tmp_path / "f", rows)
    parts, whole = in_parts_and_whole(folder, ReadOptions(today=dt.date(2026, 6, 30)))
    assert list(map(str, parts.findings)) == list(map(str, whole.findings))
    assert any("12,5" in str(f) for f in parts.errors)


@pytest.mark.parametrize(
    ("row", "written", "said"),
    [
        (200, "2026-01-02,IT,Vendor 1,Cloud,1.00,INV-200,USD,x,extra", "line 231 has 9 fields but the header has 8"),
        (399, '2026-01-02,IT,Vendor 1,Cloud,1.00,INV-399,USD,"never closed', "cannot be told apart reliably"),
    ],
)
def test_structural_problems_are_read_whole_with_the_same_words(tmp_path, row, written, said):
    rows = spend_lines(400)
    assert line_of(rows, 200) == 231
    rows[row] = written
    folder = write(tmp_path / "f", rows)
    parts, whole = in_parts_and_whole(folder)
    assert list(map(str, parts.findings)) == list(map(str, whole.findings))
    assert any(said in f.problem for f in parts.errors), parts.errors


def test_the_default_part_size_keeps_small_files_whole(tmp_path):
    folder = write(tmp_path / "f", spend_lines(50))
    assert (folder / "spend.csv").stat().st_size < csvread.PART_BYTES
    report = validate_folder(folder, OPTIONS)
    assert len(report.tables["spend"]) == 50  # the typed frame itself, not a digest
