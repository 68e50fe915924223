"""Column and value mappings (metrics.mapping): a finance export read without editing the file,
and bad mapping files refused with the key, the problem and the fix."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.mapping import Mapping, MappingError, TableMapping, parse_mapping, suggest_columns, to_toml
from metrics.validation import ERROR, ReadOptions, read_table

TODAY = dt.date(2026, 6, 30)

FINANCE = """\
# Our finance system's spend export
[tables.spend]
currency = "eur"
date_format = "%d.%m.%Y"
decimal = "."

[tables.spend.columns]
"Posting Date" = "date"
"Supplier Name" = "vendor"
"Cost Centre" = "department"
"Net Amount (EUR)" = "amount"
"Doc No" = "invoice_id"
"Gross Amount" = false

[tables.spend.constants]
category = "Software"

[tables.spend.values.department]
"CC-4100" = "Marketing"
"CC 5200" = "IT"

[jira]
status_done = ["Done", "Closed"]
"""


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def read(data: bytes, mapping: TableMapping | None, **options):
    frame, findings, _ = read_table("spend", "spend.csv", data, ReadOptions(today=TODAY, **options), mapping)
    return frame, findings


def test_finance_export_is_renamed_mapped_and_completed() -> None:
    mapping = parse_mapping(FINANCE)
    data = _csv(
        "Posting Date;Supplier Name;Cost Centre;Net Amount (EUR);Gross Amount;Doc No",
        "03.04.2026;Acme;CC-4100;1234.56;1481.47;D-1",
        "04.04.2026;Globex;cc_5200;99.5;119.4;D-2",
    )
    frame, findings = read(data, mapping.for_table("spend"))
    assert [f for f in findings if f.severity == ERROR] == []
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-04-03",
        "2026-04-04",
    ]  # day first, as the format says
    assert frame["department"].tolist() == ["Marketing", "IT"]  # value map folded like enum values
    assert frame["amount"].tolist() == [1234.56, 99.5]
    assert frame["category"].tolist() == ["Software", "Software"]
    assert frame["currency"].tolist() == ["EUR", "EUR"]
    assert frame["invoice_id"].tolist() == ["D-1", "D-2"]
    assert mapping.importers == {"jira": {"status_done": ["Done", "Closed"]}}  # kept for the Jira importer


def test_findings_name_the_file_line_and_column_as_headed() -> None:
    mapping = parse_mapping(FINANCE).for_table("spend")
    data = _csv(
        "Posting Date;Supplier Name;Cost Centre;Net Amount (EUR);Doc No",
        "03.04.2026;Acme;CC-4100;1234.56;D-1",
        "2026-04-05;Acme;CC-9999;abc;D-2",
    )
    _, findings = read(data, mapping)
    by_column = {f.column: f for f in findings if f.severity == ERROR}
    assert by_column["Net Amount (EUR)"].line == 3 and by_column["Net Amount (EUR)"].value == "abc"
    assert (
        by_column["Cost Centre"].value == "CC-9999" and "not an allowed department" in by_column["Cost Centre"].problem
    )
    date = by_column["Posting Date"]
    assert date.line == 3 and "does not match the date format %d.%m.%Y" in date.problem and date.file == "spend.csv"


def test_separators_from_the_mapping() -> None:
    data = _csv("date,department,vendor,category,amount", '2026-02-14,IT,Acme,CRM,"1.234,5"')
    frame, findings = read(data, parse_mapping('[tables.spend]\nthousands = "."').for_table("spend"))
    assert frame["amount"].tolist() == [1234.5] and not [f for f in findings if f.severity == ERROR]
    frame, findings = read(data, parse_mapping('[tables.spend]\ndecimal = "."').for_table("spend"))
    assert any("has a decimal comma" in f.problem for f in findings)


def test_date_order_from_the_mapping() -> None:
    data = _csv("date,department,vendor,category,amount", "03/04/2026,IT,Acme,CRM,5")
    _, findings = read(data, None)
    assert any(f.severity == ERROR and f.column == "date" for f in findings)  # ambiguous without a setting
    frame, findings = read(data, parse_mapping('[tables.spend]\ndate_order = "mdy"').for_table("spend"))
    assert frame["date"].iat[0].strftime("%Y-%m-%d") == "2026-03-04"


def test_constant_clashing_with_a_file_column_is_reported() -> None:
    data = _csv("date,department,vendor,category,amount", "2026-02-14,IT,Acme,CRM,5")
    _, findings = read(data, parse_mapping('[tables.spend.constants]\ndepartment = "Marketing"').for_table("spend"))
    clash = next(f for f in findings if "also has a department column" in f.problem)
    assert clash.severity == ERROR and clash.line == 1


def test_toml_round_trip() -> None:
    mapping = parse_mapping(FINANCE)
    again = parse_mapping(to_toml(mapping, "saved from the Data page"))
    assert again.tables == mapping.tables
    written = to_toml(Mapping({"spend": TableMapping("spend", columns={'Odd "name"\\': "vendor"})}))
    assert parse_mapping(written).tables["spend"].columns == {'Odd "name"\\': "vendor"}


def test_suggestions_exact_alias_folded_fuzzy() -> None:
    headers = ["Date", "Supplier Name", "Net Amount (EUR)", "Departmnt", "Catgory", "Remarks"]
    got = {s.header: (s.column, s.how) for s in suggest_columns(headers, "spend")}
    assert got["Date"] == ("date", "exact")
    assert got["Supplier Name"] == ("vendor", "alias")
    assert got["Net Amount (EUR)"] == ("amount", "folded")
    assert got["Departmnt"] == ("department", "fuzzy")
    assert got["Catgory"] == ("category", "fuzzy")
    assert got["Remarks"] == (None, "none")


@pytest.mark.parametrize(
    "text, key, problem",
    [
        ("[tables.spend\n", "", "not valid TOML"),
        ("[tabels.spend]\n", "tabels", "unknown section"),
        ("[tables.spending]\n", "tables.spending", "is not a table"),
        ("[tables.spend]\ncolour = 'red'\n", "tables.spend.colour", "unknown setting"),
        ('[tables.spend.columns]\n"Net" = "amout"\n', "tables.spend.columns.Net", "'amout' is not a spend column"),
        ('[tables.spend.columns]\n"A" = "amount"\n"B" = "amount"\n', "tables.spend.columns", "both mapped to amount"),
        ('[tables.spend.columns]\n"A" = 3\n', "tables.spend.columns.A", "must name a spend column"),
        (
            '[tables.spend.values.department]\n"CC-1" = "Sales"\n',
            "tables.spend.values.department.CC-1",
            "'Sales' is not an allowed department",
        ),
        ('[tables.spend.values.department]\n"CC-1" = 1\n', "tables.spend.values.department.CC-1", "must be text"),
        (
            '[tables.spend.constants]\ndepartment = "Finance"\n',
            "tables.spend.constants.department",
            "not an allowed department",
        ),
        ('[tables.spend]\ncurrency = "euro"\n', "tables.spend.currency", "three-letter currency code"),
        ('[tables.kpis]\ncurrency = "EUR"\n', "tables.kpis.currency", "no currency column"),
        ('[tables.spend]\ndate_order = "ymd"\n', "tables.spend.date_order", "'ymd' is not allowed"),
        ('[tables.spend]\ndate_format = "dd.mm.yyyy"\n', "tables.spend.date_format", "is not a date pattern"),
        ('[tables.spend]\ndate_format = "%d.%m.%Y"\ndate_order = "dmy"\n', "tables.spend.date_format", "both set"),
        ('[tables.spend]\ndecimal = ","\nthousands = ","\n', "tables.spend.thousands", "also the decimal separator"),
        ("[tables.spend]\ndecimal = 1\n", "tables.spend.decimal", "must be text"),
    ],
)
def test_bad_mapping_files_say_which_key_and_what_is_wrong(text: str, key: str, problem: str) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "finance.toml")
    error = caught.value
    assert error.key == key and problem in error.problem and error.fix
    assert str(error).startswith("finance.toml") and "Fix:" in str(error)


def test_the_readme_example_is_a_valid_mapping() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Mapping your own exports") :]
    example = section[section.index("```toml") + len("```toml") : section.index("```", section.index("```toml") + 7)]
    mapping = parse_mapping(example, "README")
    assert set(mapping.tables) == {"spend", "requests", "kpis"}
    assert mapping.tables["spend"].values["department"]["CC-6000"] == "Joint"
    assert mapping.tables["spend"].columns["VAT (EUR)"] is None
