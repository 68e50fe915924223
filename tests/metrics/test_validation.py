"""CSV validation: every bad input gives a finding naming file, line, column, value and a fix;
good inputs give typed values. Inputs are built as bytes here, so each case shows its file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from metrics import contract
from metrics.validation import (
    ERROR,
    WARNING,
    Finding,
    ReadOptions,
    read_table,
    validate_files,
    validate_folder,
)

TODAY = dt.date(2026, 6, 30)
SPEND_HEADER = "date,department,vendor,category,amount,invoice_id"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def spend(*rows: str, header: str = SPEND_HEADER) -> bytes:
    return csv_bytes(header, *rows)


def row(
    i: int = 1,
    date: str = "2026-02-14",
    department: str = "Marketing",
    vendor: str = "Salesforce",
    category: str = "CRM",
    amount: str = "100.00",
    invoice: str | None = None,
) -> str:
    return ",".join((date, department, vendor, category, amount, invoice or f"INV-{i}"))


def read(table: str, data: bytes, **options) -> tuple[pd.DataFrame | None, list[Finding]]:
    frame, findings, _ = read_table(table, f"{table}.csv", data, ReadOptions(today=TODAY, **options))
    return frame, findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def the(findings: list[Finding], severity: str, phrase: str) -> Finding:
    matches = [f for f in findings if f.severity == severity and phrase in f.problem]
    assert len(matches) == 1, "\n".join(map(str, findings))
    return matches[0]


# --------------------------------------------------------------------------------------------
# Bad inputs: one finding each, located and with a fix


@dataclass
class Bad:
    id: str
    table: str
    data: bytes
    severity: str
    line: int | None
    column: str | None
    problem: str  # phrase expected in the problem
    fix: str  # phrase expected in the fix
    value: str | None = None  # expected value (prefix), when the case has one
    options: dict = field(default_factory=dict)


_LATE_BAD_BYTE = (
    spend(*(row(i) for i in range(1, 70_001)))  # 3 MB of ASCII, then one Latin-1 byte
    + "2026-02-14,IT,Soci\xe9t\xe9,CRM,5,INV-X\n".encode("latin-1")
)
_EARLY_UNCLOSED = spend(row(1), '2026-02-14,IT,"Acme,CRM,5,INV-2', *(row(i) for i in range(3, 5000)))

BAD_INPUTS = [
    # Decoding and file type
    Bad(
        "windows-1252",
        "spend",
        spend(row(1), "2026-02-14,IT,Société Générale €,CRM,5,INV-2").decode().encode("cp1252"),
        ERROR,
        3,
        None,
        "looks like windows-1252",
        "UTF-8",
        value="2026-02-14,IT,Société Générale €",
    ),
    Bad("invalid byte after 3 MB", "spend", _LATE_BAD_BYTE, ERROR, 70_002, None, "not UTF-8", "CSV UTF-8"),
    Bad(
        "xlsx renamed .csv",
        "spend",
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100,
        ERROR,
        None,
        None,
        "not a CSV file",
        "CSV UTF-8",
    ),
    Bad("pdf renamed .csv", "spend", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ERROR, None, None, "PDF", "CSV UTF-8"),
    Bad(
        "png renamed .csv", "spend", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ERROR, None, None, "PNG image", "CSV UTF-8"
    ),
    Bad(
        "NUL bytes",
        "spend",
        SPEND_HEADER.encode() + b"\n2026-02-14,IT,Acme\x00,CRM,5,INV-1\n",
        ERROR,
        2,
        None,
        "NUL bytes",
        "CSV UTF-8",
    ),
    Bad("zero bytes", "spend", b"", ERROR, None, None, "the file is empty", "header row"),
    Bad("only whitespace", "spend", b" \r\n\n\t\n", ERROR, None, None, "the file is empty", "header row"),
    Bad("header only", "spend", spend(), ERROR, 1, None, "no data rows", "add the data rows"),
    Bad(
        "larger than max_bytes",
        "spend",
        spend(row(1), row(2)),
        ERROR,
        None,
        None,
        "too large",
        "split the file",
        options={"max_bytes": 64},
    ),
    Bad("row bomb: 2 MB line", "spend", spend(row(1), "x" * 2_000_000), ERROR, 3, None, "longer than", "right file"),
    # Structure
    Bad(
        "unterminated quote",
        "spend",
        spend(row(1), '2026-02-14,IT,"Acme,CRM,5,INV-2', row(3)),
        ERROR,
        3,
        None,
        "never closed",
        "closing quote",
    ),
    Bad(
        "unterminated quote early in a big file",
        "spend",
        _EARLY_UNCLOSED,
        ERROR,
        3,
        None,
        "never closed",
        "closing quote",
    ),
    Bad(
        "row with more fields",
        "spend",
        spend(row(1), row(2) + ",extra", row(3)),
        ERROR,
        3,
        None,
        "7 fields but the header has 6",
        "put quotes around",
    ),
    Bad(
        "row with fewer fields",
        "spend",
        spend(row(1), "2026-02-14,IT,Acme,CRM,5", row(3)),
        ERROR,
        3,
        None,
        "5 fields but the header has 6",
        "add the missing cells",
    ),
    Bad(
        "more fields after a multi-line cell",
        "spend",
        spend(row(1) + ',"first\nsecond\nthird"', row(2) + ",x,y", row(3) + ",z", header=SPEND_HEADER + ",description"),
        ERROR,
        5,
        None,
        "8 fields but the header has 7",
        "put quotes around",
    ),
    Bad(
        "quote closed on a later line",
        "spend",
        spend(row(1), '2026-02-14,IT,"Acme,CRM,5,INV-2', row(3), row(4, vendor='"Zoom"'), row(5)),
        ERROR,
        5,
        None,
        "a closing quote on line 5 is followed by text",
        "two quotes",
    ),
    Bad(
        "quote closed on a later line, wrong field count",
        "spend",
        spend(row(1), '2026-02-14,IT,"Acme,CRM,5,INV-2', row(3), '2026-02-14,IT,Zoom",CRM,5', row(5)),
        ERROR,
        3,
        None,
        "5 fields but the header has 6 (fewer fields than columns); a quoted cell makes this row run over 3 lines",
        "add the missing cells",
    ),
    Bad(
        "quote closed on a later line, rows swallowed",
        "spend",
        spend(row(1), '2026-02-14,IT,"Acme,CRM,5,INV-2', row(3), '2026-02-14,IT,Zoom",CRM,5,INV-4', row(5)),
        WARNING,
        3,
        None,
        "the quoted vendor cell starting on line 3 runs over 3 lines and holds 10 delimiters",
        "quote that is not closed",
    ),
    Bad(
        "more lines than allowed",
        "spend",
        spend(row(1)) + b"\n" * 20_000_001,
        ERROR,
        None,
        None,
        "at most 20,000,000 are accepted",
        "split it",
    ),
    # Headers
    Bad(
        "duplicate header",
        "spend",
        spend(row(1) + ",7", header=SPEND_HEADER + ",Amount"),
        ERROR,
        1,
        "amount",
        "both mean amount",
        "delete or rename",
    ),
    Bad(
        "two aliases of one column",
        "spend",
        csv_bytes("date,department,Supplier,vendor_name,category,amount", "2026-02-14,IT,Acme,Acme,CRM,5"),
        ERROR,
        1,
        "vendor",
        "'Supplier' (C) and 'vendor_name' (D) both mean vendor",
        "delete or rename",
    ),
    Bad(
        "blank header cell over data",
        "spend",
        csv_bytes("date,department,vendor,,category,amount", "2026-02-14,IT,Acme,oops,CRM,5"),
        ERROR,
        1,
        None,
        "column 4 (D) has no header but holds data (line 2)",
        "add a header",
        value="oops",
    ),
    Bad(
        "missing required column",
        "spend",
        csv_bytes("date,dept,supplier,category", "2026-02-14,IT,Acme,CRM"),
        ERROR,
        1,
        "amount",
        "missing: amount (columns found: 'date', 'dept', 'supplier', 'category')",
        "net_amount",
    ),
    Bad(
        "unknown column",
        "spend",
        spend(row(1) + ",P-7", header=SPEND_HEADER + ",Project"),
        WARNING,
        1,
        "Project",
        "not a spend column and is ignored",
        "rename it",
    ),
    # Values
    Bad(
        "empty required value",
        "spend",
        spend(row(1), row(2, vendor=""), row(3)),
        ERROR,
        3,
        "vendor",
        "vendor is empty",
        "fill in vendor",
    ),
    Bad(
        "empty invoice_id when the column is present",
        "spend",
        spend(row(1), row(2, invoice=" ")),
        ERROR,
        3,
        "invoice_id",
        "invoice_id is empty",
        "every row needs one",
    ),
    Bad(
        "unknown department",
        "spend",
        spend(row(1), row(2, department="Finance")),
        ERROR,
        3,
        "department",
        "'Finance' is not an allowed department value",
        "Marketing, IT, Joint",
        value="Finance",
    ),
    Bad(
        "unknown quarter",
        "budget",
        csv_bytes("fiscal_year,quarter,department,category,amount", "2026,Q5,IT,CRM,1000"),
        ERROR,
        2,
        "quarter",
        "'Q5' is not an allowed quarter value",
        "Q1, Q2, Q3, Q4",
        value="Q5",
    ),
    Bad(
        "unknown priority",
        "requests",
        csv_bytes("request_id,title,requested_at,priority,type", "MKT-1,Fix form,2026-03-02,Whenever,Website"),
        ERROR,
        2,
        "priority",
        "'Whenever' is not an allowed priority",
        "Critical, High, Medium, Low",
    ),
    Bad(
        "unknown KPI direction",
        "kpis",
        csv_bytes(
            "kpi,name,unit,direction,owner,definition", "nps,NPS,points,sideways,Joint,Promoters minus detractors"
        ),
        ERROR,
        2,
        "direction",
        "'sideways' is not an allowed direction",
        "higher, lower",
    ),
    Bad(
        "unknown KPI owner",
        "kpis",
        csv_bytes("kpi,name,unit,direction,owner,definition", "nps,NPS,points,higher,CFO,Promoters minus detractors"),
        ERROR,
        2,
        "owner",
        "'CFO' is not an allowed owner",
        "CIO, CMO, Joint",
    ),
    Bad(
        "text amount",
        "spend",
        spend(row(1, amount="abc")),
        ERROR,
        2,
        "amount",
        "'abc' is not an amount",
        "write a number such as 1234.56",
        value="abc",
    ),
    Bad(
        "decimal comma read with '.'",
        "spend",
        spend(row(1, amount='"12,5"')),
        ERROR,
        2,
        "amount",
        "'12,5' has a decimal comma",
        'decimal=","',
        value="12,5",
        # Under "auto" the value itself proves a decimal comma and reads 12.5 (test_decimal_decided_by_values).
        options={"decimal": "."},
    ),
    Bad(
        "decimal point in a semicolon file read with ','",
        "spend",
        csv_bytes(SPEND_HEADER.replace(",", ";"), "2026-02-14;IT;Acme;CRM;1234.56;INV-1"),
        ERROR,
        2,
        "amount",
        "'1234.56' has a decimal point",
        'decimal="."',
        # Under "auto" a semicolon file with dot decimals now reads them (test_decimal_decided_by_values).
        options={"decimal": ","},
    ),
    Bad("inf", "spend", spend(row(1, amount="inf")), ERROR, 2, "amount", "'inf' is not a finite number", "infinity"),
    Bad("NaN", "spend", spend(row(1, amount="NaN")), ERROR, 2, "amount", "'NaN' is not a finite number", "NaN"),
    Bad(
        "1e400 overflows",
        "spend",
        spend(row(1, amount="1e400")),
        ERROR,
        2,
        "amount",
        "'1e400' is not a finite",
        "infinity",
    ),
    Bad(
        "n/a is not a number",
        "spend",
        spend(row(1, amount="n/a")),
        ERROR,
        2,
        "amount",
        "'n/a' is not an amount",
        "1234.56",
    ),
    Bad(
        "TBD is not a number",
        "spend",
        spend(row(1), row(2, amount="TBD")),
        ERROR,
        3,
        "amount",
        "'TBD' is not an amount",
        "1234.56",
    ),
    Bad(
        "percent in money",
        "spend",
        spend(row(1, amount="95%")),
        ERROR,
        2,
        "amount",
        "'95%' is a percentage",
        "amount itself",
    ),
    Bad(
        "currency in a number column",
        "kpi_actuals",
        csv_bytes("date,kpi,value", "2026-05-31,nps,$5"),
        ERROR,
        2,
        "value",
        "'$5' is not a number",
        "plain number",
    ),
    Bad(
        "fractional fiscal year",
        "budget",
        csv_bytes("fiscal_year,quarter,department,category,amount", "2026.5,Q1,IT,CRM,1000"),
        ERROR,
        2,
        "fiscal_year",
        "'2026.5' is not a whole number",
        "whole number",
    ),
    Bad(
        "two-digit fiscal year",
        "kpi_targets",
        csv_bytes("kpi,fiscal_year,quarter,target", "nps,26,Q1,40"),
        ERROR,
        2,
        "fiscal_year",
        "'26' is not a plausible fiscal year",
        "four digits",
    ),
    Bad(
        "impossible date",
        "spend",
        spend(row(1, date="2024-02-30")),
        ERROR,
        2,
        "date",
        "'2024-02-30' is not a real calendar date",
        "check the day and the month",
    ),
    Bad(
        "Excel serial date",
        "spend",
        spend(row(1), row(2, date="45291")),
        ERROR,
        3,
        "date",
        "'45291' looks like an Excel date serial number",
        "format the column as a date",
    ),
    Bad(
        "not a date",
        "spend",
        spend(row(1, date="last tuesday")),
        ERROR,
        2,
        "date",
        "'last tuesday' is not a date",
        "yyyy-mm-dd",
    ),
    Bad(
        "two-digit year in a date",
        "spend",
        spend(row(1, date="14/02/26")),
        ERROR,
        2,
        "date",
        "'14/02/26' has a two-digit year",
        "four digits",
    ),
    Bad(
        "only ambiguous slash dates",
        "spend",
        spend(row(1), row(2, date="03/04/2026"), row(3, date="05/06/2026")),
        ERROR,
        3,
        "date",
        "could be day/month or month/day",
        "set the date order",
    ),
    Bad(
        "day-first and month-first in one column",
        "spend",
        spend(row(1, date="14/02/2026"), row(2, date="2026-03-01"), row(3, date="02/14/2026")),
        ERROR,
        4,
        "date",
        "line 2 has '14/02/2026' (day first) and line 4 has '02/14/2026' (month first)",
        "yyyy-mm-dd",
    ),
    Bad(
        "date impossible in the order set",
        "spend",
        spend(row(1, date="14/02/2026")),
        ERROR,
        2,
        "date",
        "'14/02/2026' is not a real date in month/day/year order",
        "date order setting",
        options={"date_order": "mdy"},
    ),
    Bad(
        "unreadable time of day",
        "requests",
        csv_bytes("request_id,title,requested_at,priority,type", "MKT-1,Fix form,2026-03-02 25:00,High,Website"),
        ERROR,
        2,
        "requested_at",
        "time of day that cannot be read",
        "HH:MM",
    ),
    Bad(
        "yes/no column",
        "vendors",
        csv_bytes("vendor,it_approved", "Salesforce,yes", "Acme,maybe"),
        ERROR,
        3,
        "it_approved",
        "'maybe' is not yes or no",
        "true/false",
    ),
    # Rows
    Bad(
        "duplicate invoice id",
        "spend",
        spend(row(1), row(2), row(3, invoice="INV-1")),
        ERROR,
        4,
        "invoice_id",
        "appears twice: on line 2 and again on line 4",
        "own ids",
    ),
    Bad(
        "duplicate budget line (empty scenario is Budget)",
        "budget",
        csv_bytes(
            "fiscal_year,quarter,department,category,amount,scenario",
            "2026,Q1,IT,CRM,1000,",
            "2026,Q2,IT,CRM,1000,",
            "2026,1,it,CRM,900,budget",
        ),
        ERROR,
        4,
        "fiscal_year, quarter, department, category, scenario",
        "on line 2 and again on line 4",
        "keep one row",
    ),
    Bad(
        "duplicate actual with empty segment",
        "kpi_actuals",
        csv_bytes("date,kpi,value,segment", "2026-05-31,nps,41,", "2026-05-31,nps,41,EMEA", "2026-05-31,nps,42,"),
        ERROR,
        4,
        "date, kpi, segment",
        "on line 2 and again on line 4",
        "keep one row",
    ),
    Bad(
        "two scales in one KPI",
        "kpi_actuals",
        csv_bytes("date,kpi,value", "2026-04-30,csat,95%", "2026-05-31,csat,0.93", "2026-05-31,nps,0.5"),
        ERROR,
        3,
        "value",
        "KPI 'csat' mixes two scales: '95%' (line 2) is a percentage",
        "one scale",
    ),
    Bad(
        "negative spend",
        "spend",
        spend(row(1), row(2, amount="-50"), row(3, amount='"(1,500)"')),
        WARNING,
        3,
        "amount",
        "2 rows have negative amounts and are counted as credits (lines 3, 4)",
        "credits or refunds",
    ),
    Bad(
        "date in the future",
        "spend",
        spend(row(1), row(2, date="2026-07-01")),
        WARNING,
        3,
        "date",
        "1 row has a date in the future, after 2026-06-30 (line 3)",
        "check the dates",
    ),
    Bad(
        "delivered before requested",
        "requests",
        csv_bytes(
            "request_id,title,requested_at,priority,type,delivered_at",
            "MKT-1,A,2026-03-02,High,Data,2026-03-01",
            "MKT-2,B,2026-03-02,High,Data,2026-03-20",
            "MKT-3,C,2026-03-05 10:00,High,Data,2026-03-05 09:00",
        ),
        WARNING,
        2,
        "delivered_at",
        "2 rows have delivered_at earlier than requested_at (lines 2, 4)",
        "check the delivered_at and requested_at",
    ),
    Bad(
        "started before requested",
        "requests",
        csv_bytes(
            "request_id,title,requested_at,priority,type,started_at",
            "MKT-1,A,2026-03-02,High,Data,2026-03-03",
            "MKT-2,B,2026-03-02,High,Data,2026-02-20",
        ),
        WARNING,
        3,
        "started_at",
        "1 row has started_at earlier than requested_at (line 3)",
        "timestamps",
    ),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c.id for c in BAD_INPUTS])
def test_bad_input_is_reported_precisely(case: Bad) -> None:
    frame, findings = read(case.table, case.data, **case.options)
    matches = [f for f in findings if f.severity == case.severity and case.problem in f.problem]
    assert len(matches) == 1, f"expected {case.problem!r} in:\n" + "\n".join(map(str, findings))
    finding = matches[0]
    assert finding.file == f"{case.table}.csv"
    assert finding.line == case.line
    assert finding.column == case.column
    assert case.fix in finding.fix
    if case.value is not None:
        assert finding.value is not None and finding.value.startswith(case.value)
    if case.severity == ERROR:
        assert not any("Traceback" in f.problem for f in findings)


def test_bad_inputs_are_many_and_distinct() -> None:
    assert len({c.id for c in BAD_INPUTS}) == len(BAD_INPUTS) >= 35


def test_value_errors_still_return_the_frame() -> None:
    frame, findings = read("spend", spend(row(1), row(2, amount="abc")))
    assert errors(findings) and frame is not None
    assert frame["amount"].tolist()[0] == 100.0 and np.isnan(frame["amount"].tolist()[1])


def test_short_row_is_an_error_and_never_shifts_columns() -> None:
    frame, findings = read("spend", spend(row(1), "2026-02-14,IT,Acme,CRM,5", row(3, vendor="Zoom")))
    the(findings, ERROR, "fewer fields")
    assert frame["_line"].tolist() == [2, 4]
    assert frame["vendor"].tolist() == ["Salesforce", "Zoom"]
    assert frame["invoice_id"].tolist() == ["INV-1", "INV-3"]


def test_many_identical_problems_are_capped() -> None:
    frame, findings = read("spend", spend(*(row(i, amount="n/a") for i in range(1, 1001))))
    amount = [f for f in findings if f.column == "amount"]
    assert len(amount) == 21
    assert [f.line for f in amount[:20]] == list(range(2, 22))
    assert amount[20].line is None and "980 more rows like this" in amount[20].problem


def test_many_bad_rows_are_capped_too() -> None:
    frame, findings = read("spend", spend(*(row(i) + ",extra" for i in range(1, 101))))
    assert len(findings) == 21 and "80 more rows with more fields" in findings[-1].problem


def test_negative_amount_warning_lists_the_first_lines() -> None:
    frame, findings = read("spend", spend(*(row(i, amount=f"-{i}") for i in range(1, 9))))
    warning = the(findings, WARNING, "negative amounts")
    assert "8 rows" in warning.problem and "lines 2, 3, 4, 5, 6 and 3 more" in warning.problem


# --------------------------------------------------------------------------------------------
# Across files


KPIS = csv_bytes("kpi,name,unit,direction,owner,definition", "nps,Net Promoter Score,points,higher,Joint,Promoters")
VENDORS = csv_bytes("vendor,it_approved,aliases", "Salesforce,yes,SFDC|Salesforce.com", "Zoom,no,")


def test_target_for_unknown_kpi_is_an_error() -> None:
    targets = csv_bytes("kpi,fiscal_year,quarter,target", "nps,2026,Q1,40", "NPS,2026,Q2,41", "NPS,2026,Q3,42")
    report = validate_files({"kpis.csv": KPIS, "kpi_targets.csv": targets}, ReadOptions(today=TODAY))
    finding = the(report.findings, ERROR, "a target for an unknown KPI")
    assert (finding.file, finding.line, finding.column, finding.value) == ("kpi_targets.csv", 3, "kpi", "NPS")
    assert "2 rows" in finding.problem and "did you mean 'nps'" in finding.fix


def test_actual_for_unknown_kpi_uses_reference_tables() -> None:
    kpis, _, _ = read_table("kpis", "kpis.csv", KPIS)
    actuals = csv_bytes("date,kpi,value", "2026-05-31,nps,41", "2026-05-31,csat,88")
    report = validate_files(
        {"kpi_actuals.csv": actuals}, ReadOptions(today=TODAY), reference={"kpis": kpis.drop(columns="_line")}
    )
    finding = the(report.findings, ERROR, "an actual value for an unknown KPI")
    assert (finding.line, finding.value) == (3, "csat")
    assert len(report.errors) == 1


def test_spend_vendor_outside_the_catalogue_is_a_warning() -> None:
    data = spend(
        row(1, vendor='"Salesforce.com, Inc."'),
        row(2, vendor="SFDC"),
        row(3, vendor="Acme Ltd"),
        row(4, vendor="ACME LTD"),
        row(5, vendor="Acme Ltd"),
    )
    report = validate_files({"Spend.csv": data, "VENDORS.CSV": VENDORS}, ReadOptions(today=TODAY))
    assert report.ok
    finding = the(report.findings, WARNING, "not in the vendor catalogue")
    assert (finding.file, finding.line, finding.column, finding.value) == ("Spend.csv", 4, "vendor", "Acme Ltd")
    assert "3 rows" in finding.problem and "aliases" in finding.fix  # 'ACME LTD' is the same supplier


def test_vendor_spelling_variant_is_a_warning_naming_the_catalogue_vendor() -> None:
    # 'SFDC' is a declared alias: silent. The other spelling only matches after normalisation.
    data = spend(row(1, vendor='"Salesforce.com, Inc."'), row(2, vendor="SFDC"), row(3, vendor="Salesforce"))
    report = validate_files({"spend.csv": data, "vendors.csv": VENDORS}, ReadOptions(today=TODAY))
    assert report.ok
    finding = the(report.findings, WARNING, "spelled differently from the catalogue")
    assert (finding.line, finding.column, finding.value) == (2, "vendor", "Salesforce.com, Inc.")
    assert "'Salesforce'" in finding.fix and "aliases" in finding.fix
    assert len([f for f in report.findings if "spelled differently" in f.problem]) == 1


@pytest.mark.parametrize("name", ["../spend.csv", "spend.xlsx", "expenses.csv", "/etc/passwd", "spend.csv:x.txt"])
def test_upload_names_must_be_table_names(name: str) -> None:
    report = validate_files({name: spend(row(1))})
    assert not report.ok and not report.tables
    finding = report.errors[0]
    assert finding.file == name and "not the name of a table file" in finding.problem
    assert "spend.csv, budget.csv" in finding.fix


def test_two_uploads_for_one_table() -> None:
    report = validate_files({"spend.csv": spend(row(1)), "SPEND.csv": spend(row(2))})
    the(report.findings, ERROR, "two uploaded files would be read as the spend table")


def test_upload_name_with_control_characters_is_sanitised() -> None:
    report = validate_files({"sp\nend\x00.csv" + "x" * 300: b"a"})
    assert "\n" not in report.errors[0].file and len(report.errors[0].file) <= 100


def test_folder_missing_and_unknown_files(tmp_path) -> None:
    (tmp_path / "Spend.csv").write_bytes(spend(row(1)))
    (tmp_path / "notes.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "readme.txt").write_bytes(b"hello")
    report = validate_folder(tmp_path, ReadOptions(today=TODAY), required_tables=["spend", "budget"])
    missing = the(report.findings, ERROR, "budget.csv is missing")
    assert missing.file == "budget.csv"
    ignored = the(report.findings, WARNING, "not one of the tables and is ignored")
    assert ignored.file == "notes.csv"
    assert list(report.tables) == ["spend"] and report.files["spend"].name == "Spend.csv"
    assert report.summary() == "1 file, 1 error, 1 warning"


def test_folder_file_over_the_limit_is_not_read(tmp_path) -> None:
    (tmp_path / "spend.csv").write_bytes(spend(row(1), row(2)))
    report = validate_folder(tmp_path, ReadOptions(max_bytes=32), required_tables=["spend"])
    the(report.findings, ERROR, "too large")
    assert "spend" not in report.tables


def test_folder_with_every_table_is_clean(tmp_path) -> None:
    files = {
        "spend": spend(row(1), row(2, vendor="Zoom")),
        "budget": csv_bytes(
            "fiscal_year,quarter,department,category,amount,scenario",
            "2026,Q1,IT,CRM,1000,",
            "2026,Q1,IT,CRM,1100,Forecast",
        ),
        "vendors": VENDORS,
        "kpis": KPIS,
        "kpi_targets": csv_bytes("kpi,fiscal_year,quarter,target,agreed_by_cio_on", "nps,2026,Q1,40,2026-01-10"),
        "kpi_actuals": csv_bytes("date,kpi,value,segment", "2026-05-31,nps,41,", "2026-05-31,nps,43,EMEA"),
        "requests": csv_bytes(
            "request_id,title,requested_at,priority,type,delivered_at",
            "MKT-1,A,2026-03-02T09:00:00,P2,Data,2026-03-20 17:30",
        ),
        "fx_rates": csv_bytes("currency,month,rate", "EUR,2026-01-01,1.0832", "gbp,2026-01-15,1.27"),
    }
    for name, data in files.items():
        (tmp_path / f"{name}.csv").write_bytes(data)
    report = validate_folder(tmp_path, ReadOptions(today=TODAY))
    assert report.findings == []
    assert report.ok and report.summary() == "8 files, 0 errors, 0 warnings"
    assert list(report.tables) == list(contract.TABLE_ORDER)
    assert report.tables["budget"]["scenario"].tolist() == ["Budget", "Forecast"]
    assert report.files["spend"].rows == 2 and len(report.files["spend"].sha256) == 64


# --------------------------------------------------------------------------------------------
# Good inputs: parsed values


def test_clean_frame_has_contract_columns_types_and_lines() -> None:
    frame, findings = read("spend", spend(row(1), row(2, department="it", amount='"1,234.5"')))
    assert findings == []
    assert list(frame.columns) == ["_line", *contract.SPEND.column_names]
    assert frame["_line"].tolist() == [2, 3] and frame["_line"].dtype == np.int64
    assert str(frame["date"].dtype) == "datetime64[us]"
    assert frame["amount"].dtype == np.float64 and frame["amount"].tolist() == [100.0, 1234.5]
    assert frame["department"].tolist() == ["Marketing", "IT"]
    assert frame["cost_center"].isna().all() and frame["expense_type"].isna().all()


@pytest.mark.parametrize(
    "text, decimal, expected",
    [
        ("(1,500)", "auto", -1500.0),
        ("1500-", "auto", -1500.0),
        ("-1500", "auto", -1500.0),
        ("$1,200", "auto", 1200.0),
        ("-$1,200.50", "auto", -1200.5),
        ("€ 900", "auto", 900.0),
        ("£12.346", "auto", 12.35),
        ("USD 1,234.50", "auto", 1234.5),
        ("1234.56 EUR", "auto", 1234.56),
        ("1,234,567.89", "auto", 1234567.89),
        ("1’234.50", "auto", 1234.5),
        ("1e9", "auto", 1e9),
        ("1E+15", "auto", 1e15),  # 1E+308 does not fit the database: tests/trust test_A26
        (".5", "auto", 0.5),
        ("1.234,56", ",", 1234.56),
        ("1.234.567,89", ",", 1234567.89),
        ("1\u00a0234,56", ",", 1234.56),
        ("1\u202f234,56", ",", 1234.56),
        ("1'234,50", ",", 1234.5),
        ("12,5", ",", 12.5),
        ("(1.500,00)", ",", -1500.0),
    ],
)
def test_amount_formats(text: str, decimal: str, expected: float) -> None:
    frame, findings = read("spend", spend(row(1, amount=f'"{text}"')), decimal=decimal)
    assert errors(findings) == []
    assert frame["amount"].iat[0] == pytest.approx(expected)


def test_semicolon_file_with_decimal_comma() -> None:
    data = csv_bytes(
        "date;department;vendor;category;amount", "14.02.2026;IT;Acme;CRM;1.234,56", "15.02.2026;IT;Acme;CRM;-99,5"
    )
    frame, findings, info = read_table("spend", "spend.csv", data, ReadOptions(today=TODAY))
    assert info.delimiter == ";"
    assert frame["amount"].tolist() == [1234.56, -99.5]
    assert frame["date"].tolist() == [pd.Timestamp("2026-02-14"), pd.Timestamp("2026-02-15")]
    assert [f.severity for f in findings] == [WARNING, WARNING]  # day-first inferred; one credit


def test_assumed_decimal_comma_warns_when_dots_look_like_decimals() -> None:
    data = csv_bytes("date;department;vendor;category;amount", "2026-02-14;IT;Acme;CRM;1.234")
    frame, findings = read("spend", data)
    assert frame["amount"].iat[0] == 1234.0
    warning = the(findings, WARNING, "'.' read as a thousands separator")
    assert warning.line == 2 and 'decimal="."' in warning.fix


def test_header_split_by_semicolon_not_comma() -> None:
    data = csv_bytes("date;department;vendor;category;amount, in dollars;invoice_id", "2026-02-14;IT;Acme;CRM;5;INV-1")
    frame, findings, info = read_table("spend", "spend.csv", data, ReadOptions(today=TODAY))
    assert info.delimiter == ";"
    the(findings, WARNING, "'amount, in dollars' is not a spend column")


@pytest.mark.parametrize("delimiter", ["\t", "|", ";"])
def test_other_delimiters(delimiter: str) -> None:
    data = spend(row(1, amount="100").replace(",", delimiter), header=SPEND_HEADER.replace(",", delimiter))
    frame, findings, info = read_table("spend", "spend.csv", data, ReadOptions(today=TODAY))
    assert info.delimiter == delimiter and errors(findings) == []
    assert frame["vendor"].tolist() == ["Salesforce"]


def test_excel_sep_hint_is_honoured_and_lines_stay_true() -> None:
    # The header alone would split best on ',' (one recognised name either way); the hint decides.
    lines = ("date;department;vendor;category;amount,usd", "2026-02-14;IT;Acme, Inc.;CRM;5", "2026-02-15;IT;Acme;CRM;6")
    data = b"sep=;\r\n" + csv_bytes(*lines).replace(b"\n", b"\r\n")
    frame, findings, info = read_table("spend", "spend.csv", data, ReadOptions(today=TODAY))
    assert info.delimiter == ";"
    assert frame["vendor"].tolist() == ["Acme, Inc.", "Acme"]
    assert the(findings, ERROR, "missing: amount").line == 2  # the hint line is line 1


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    frame, findings, info = read_table("spend", "spend.csv", b"\xef\xbb\xbf" + spend(row(1)))
    assert findings == [] and info.encoding == "utf-8-sig"
    assert frame["date"].iat[0] == pd.Timestamp("2026-02-14")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_tab_delimited(encoding: str) -> None:
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    text = "date\tdepartment\tvendor\tcategory\tamount\n2026-02-14\tIT\tSociété Générale\tCRM\t5\n"
    frame, findings, info = read_table("spend", "spend.csv", bom + text.encode(encoding))
    assert findings == [] and info.encoding == encoding and info.delimiter == "\t"
    assert frame["vendor"].iat[0] == "Société Générale"


def test_line_endings_and_final_newline_do_not_matter() -> None:
    lines = [SPEND_HEADER, row(1), "", row(2, amount="x"), row(3, vendor='"multi\nline"')]
    results = []
    for ending, final in (("\n", "\n"), ("\r\n", "\r\n"), ("\r", "\r"), ("\n", "")):
        results.append(read("spend", ("\n".join(lines).replace("\n", ending) + final).encode()))
    for frame, findings in results[1:]:
        pd.testing.assert_frame_equal(frame, results[0][0])
        assert findings == results[0][1]
    frame, findings = results[0]
    assert frame["_line"].tolist() == [2, 4, 5] and findings[0].line == 4
    assert frame["vendor"].iat[2] == "multi\nline"


def test_quoted_newlines_keep_later_line_numbers_right() -> None:
    data = spend(row(1, vendor='"Acme\nInternational\n, Inc."'), row(2, amount="abc"), "", row(3, amount="x"))
    frame, findings = read("spend", data)
    assert frame["_line"].tolist() == [2, 5, 7]
    assert frame["vendor"].iat[0] == "Acme\nInternational\n, Inc."
    assert [f.line for f in findings if f.column == "amount"] == [5, 7]


def test_blank_and_delimiter_only_rows_are_ignored() -> None:
    frame, findings = read("spend", spend(row(1), "", ",,,,,", "   ", ",,,,,,,,", ' , ,"",,,', row(2)))
    assert findings == []
    assert frame["_line"].tolist() == [2, 8]


def test_header_aliases_and_spelling_variants() -> None:
    data = csv_bytes(
        " Invoice Date ,DEPT,Supplier,Capability,Net Amount,Invoice ID,cost-centre",
        "2026-02-14,mktg,Acme,CRM,5,INV-9,00420",
    )
    frame, findings = read("spend", data)
    assert findings == []
    assert frame[["department", "vendor", "invoice_id", "cost_center"]].iloc[0].tolist() == [
        "Marketing",
        "Acme",
        "INV-9",
        "00420",
    ]


def test_enum_spellings() -> None:
    data = csv_bytes(
        "fiscal_year,quarter,department,category,amount,scenario",
        "FY2026,1,marketing,CRM,5,plan",
        "2026, q2 ,Information  Technology,CRM,5,FCST",
    )
    frame, findings = read("budget", data)
    assert findings == []
    assert frame["fiscal_year"].tolist() == [2026, 2026] and str(frame["fiscal_year"].dtype) == "Int64"
    assert frame["quarter"].tolist() == ["Q1", "Q2"]
    assert frame["department"].tolist() == ["Marketing", "IT"]
    assert frame["scenario"].tolist() == ["Budget", "Forecast"]


def test_ids_keep_leading_zeros_and_keys_are_trimmed() -> None:
    data = spend(
        row(1, invoice="\u00a0INV-1\u200b ") + ",00123",
        row(2, vendor="\u200bSalesforce\u00a0", invoice="INV-1") + ",0042",
        header=SPEND_HEADER + ",cost_center",
    )
    frame, findings = read("spend", data)
    assert frame["cost_center"].tolist() == ["00123", "0042"]
    assert frame["vendor"].tolist() == ["Salesforce", "Salesforce"]
    assert the(findings, ERROR, "appears twice").line == 3


def test_formula_text_is_kept_literally() -> None:
    payload = '=HYPERLINK("http://x?"&A1)'
    data = spend(row(1) + ',"' + payload.replace('"', '""') + '"', header=SPEND_HEADER + ",description")
    frame, findings = read("spend", data)
    assert findings == [] and frame["description"].iat[0] == payload


@pytest.mark.parametrize("order, expected", [("dmy", "2026-04-03"), ("mdy", "2026-03-04")])
def test_date_order_setting(order: str, expected: str) -> None:
    frame, findings = read("spend", spend(row(1, date="03/04/2026"), row(2, date="2026-01-31")), date_order=order)
    assert findings == []
    assert frame["date"].tolist() == [pd.Timestamp(expected), pd.Timestamp("2026-01-31")]


@pytest.mark.parametrize(
    "proof, order, parsed",
    [("25/12/2025", "day/month/year", "2026-04-03"), ("12/25/2025", "month/day/year", "2026-03-04")],
)
def test_date_order_inferred_per_column(proof: str, order: str, parsed: str) -> None:
    frame, findings = read("spend", spend(row(1, date="03/04/2026"), row(2, date=proof), row(3, date="2026-01-31")))
    warning = the(findings, WARNING, f"read as {order}")
    assert (warning.line, warning.column, warning.value) == (3, "date", proof)
    assert frame["date"].iat[0] == pd.Timestamp(parsed)
    assert frame["date"].iat[2] == pd.Timestamp("2026-01-31")  # ISO values mix in freely


def test_same_day_and_month_needs_no_order() -> None:
    frame, findings = read("spend", spend(row(1, date="05/05/2026"), row(2, date="2026-05-06")))
    assert findings == [] and frame["date"].iat[0] == pd.Timestamp("2026-05-05")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-02-14", "2026-02-14 00:00"),
        ("2026-02-14T10:30:00", "2026-02-14 10:30"),
        ("2026-02-14 10:30", "2026-02-14 10:30"),
        ("2026-02-14T10:30:00.250Z", "2026-02-14 10:30:00.25"),
        ("2026-02-14T10:30:00+01:00", "2026-02-14 09:30"),
        ("2026-02-14T10:30:00.000+0100", "2026-02-14 09:30"),
        ("14/02/2026 10:30", "2026-02-14 10:30"),
        ("14 Feb 2026", "2026-02-14 00:00"),
        ("Feb 14, 2026 3:05 PM", "2026-02-14 15:05"),
    ],
)
def test_datetime_formats(text: str, expected: str) -> None:
    data = csv_bytes("request_id,title,requested_at,priority,type", f'MKT-1,A,"{text}",High,Data')
    frame, findings = read("requests", data)
    assert errors(findings) == []
    assert frame["requested_at"].iat[0] == pd.Timestamp(expected)


def test_date_columns_drop_the_time_of_day() -> None:
    frame, findings = read("spend", spend(row(1, date="2026-02-14 13:45:00")))
    assert findings == [] and frame["date"].iat[0] == pd.Timestamp("2026-02-14")


def test_percent_in_number_columns_means_points() -> None:
    frame, findings = read("kpi_actuals", csv_bytes("date,kpi,value", "2026-05-31,csat,95%", "2026-05-31,nps,0.5"))
    assert findings == [] and frame["value"].tolist() == [95.0, 0.5]


def test_contract_end_may_lie_in_the_future() -> None:
    frame, findings = read("vendors", csv_bytes("vendor,it_approved,contract_end", "Acme,yes,2030-01-31"))
    assert findings == [] and frame["it_approved"].tolist() == [True]


def test_finding_text_and_dict() -> None:
    finding = Finding(
        ERROR, "spend.csv", 12, "amount", "abc", "'abc' is not a number", "write a number such as 1234.56"
    )
    assert str(finding) == (
        "ERROR spend.csv line 12, column amount: 'abc' is not a number. Fix: write a number such as 1234.56"
    )
    assert finding.as_dict()["line"] == 12
    assert str(Finding(WARNING, "x.csv", None, None, None, "p", "f")) == "WARNING x.csv: p. Fix: f"


def test_long_values_are_truncated_in_findings() -> None:
    frame, findings = read("spend", spend(row(1, amount="x" * 500)))
    assert len(findings[0].value) <= 80 and len(findings[0].problem) < 200


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        ReadOptions(date_order="ymd")
    with pytest.raises(ValueError):
        ReadOptions(decimal=";")


@pytest.mark.parametrize("written", ["higher_is_better", "higher-is-better", "Higher Is  Better", " HIGHER_IS-better "])
def test_enum_values_fold_underscores_and_hyphens_like_spaces(written: str) -> None:
    assert contract.fold_enum(written) == "higher is better"
    data = csv_bytes("kpi,name,unit,direction,owner,definition", f"nps,NPS,points,{written},Joint,Promoters")
    frame, findings = read("kpis", data)
    assert errors(findings) == [] and frame["direction"].tolist() == ["higher"]


def _amounts(delimiter: str, *amounts: str) -> bytes:
    header = "date,department,vendor,category,amount,invoice_id".replace(",", delimiter)
    body = [delimiter.join(("2026-02-14", "IT", "Acme", "CRM", f'"{a}"', f"INV-{i}")) for i, a in enumerate(amounts)]
    return csv_bytes(header, *body)


@pytest.mark.parametrize(
    "delimiter, amounts, expected",
    [
        (";", ("1234.56", "99.5", "1,000"), [1234.56, 99.5, 1000.0]),  # semicolon file, dot decimals
        (";", ("1.234,56", "-99,5"), [1234.56, -99.5]),  # semicolon file, comma decimals
        (",", ("1.234,56", "12,5", "1.000"), [1234.56, 12.5, 1000.0]),  # comma file, comma decimals
        (",", ("1,234,567.89", "1,234"), [1234567.89, 1234.0]),
        ("\t", ("1 234,56", "7"), [1234.56, 7.0]),
        (";", ("100", "250"), [100.0, 250.0]),  # whole numbers decide nothing and need nothing
    ],
)
def test_decimal_decided_by_values(delimiter: str, amounts: tuple[str, ...], expected: list[float]) -> None:
    frame, findings = read("spend", _amounts(delimiter, *amounts))
    assert errors(findings) == [], findings
    assert frame["amount"].tolist() == pytest.approx(expected)
    assert not any("thousands separator" in f.problem for f in findings)


def test_semicolon_file_with_dot_decimals_validates_under_auto() -> None:
    data = csv_bytes("Posting Date;Supplier Name;department;category;Net Amount", "2026-02-14;Acme;IT;CRM;1234.56")
    frame, findings = read("spend", data)
    assert errors(findings) == [] and frame["amount"].tolist() == [1234.56]


def test_undecided_column_follows_the_other_number_columns_of_the_file() -> None:
    data = csv_bytes("kpi;fiscal_year;quarter;target;at_risk_threshold", "nps;2026;Q1;1.500;2,5")
    frame, findings = read("kpi_targets", data)
    assert (
        errors(findings) == [] and frame["target"].tolist() == [1500.0] and frame["at_risk_threshold"].tolist() == [2.5]
    )


def test_column_mixing_both_decimal_marks_is_an_error_asking_for_the_setting() -> None:
    frame, findings = read("spend", _amounts(";", "1.234,56", "10,5", "99.25"))
    bad = the(findings, ERROR, "has a decimal point")
    assert bad.value == "99.25" and bad.line == 4 and 'decimal="."' in bad.fix
    assert frame["amount"].tolist()[:2] == [1234.56, 10.5]


def test_a_late_value_still_decides_a_column_of_whole_numbers() -> None:
    amounts = ["100"] * 20_005 + ["1234.56"]
    frame, findings = read("spend", _amounts(";", *amounts))
    assert errors(findings) == [] and frame["amount"].iat[-1] == 1234.56
