"""Column and value mappings: how a real export (a finance system's spend file, a survey tool's
KPI file) becomes a canonical table without editing the file.

A mapping is a TOML file with one `[tables.<name>]` section per table it adapts (the README
has a full example). Each section may hold:

- `columns`: source header -> canonical column (`"Posting Date" = "date"`), or `false` to ignore
  a column the contract would otherwise read. Headers match ignoring case and spacing, as usual.
- `values.<column>`: written value -> value (`"CC-4100" = "Marketing"`), matched ignoring case,
  spaces, underscores and hyphens; values not listed are read as written.
- `constants`: a column with one value on every row (`department = "Marketing"`).
- `currency`: shorthand for the constant `currency` column (spend and budget).
- `date_order` ("dmy" or "mdy") or `date_format` (a strftime pattern such as "%d.%m.%Y").
- `decimal` ("." or ",") and `thousands` ("," "." " " "'" or ""): the file's separators.

Other top-level tables (`[jira]`, `[focus]`) belong to the native importers and are kept as they
are, unread here.

The mapping is applied to the file's strings after tokenising and before validation, so every
finding still names the file, the line as the user sees it, and the column as it is headed in the
file. A bad mapping raises `MappingError` naming the key, what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrics import contract
from metrics.contract import TABLES, Table
from metrics.csvread import ROW_ISSUE_CAP, RawTable

IMPORTER_SECTIONS = ("jira", "focus")  # defined by the native importers, passed through untouched
DATE_ORDERS = ("dmy", "mdy")
DECIMALS = (".", ",")
THOUSANDS = (",", ".", " ", "'", "")
_TABLE_KEYS = ("columns", "values", "constants", "currency", "date_order", "date_format", "decimal", "thousands")


class MappingError(ValueError):
    """A mapping file that cannot be used: which key, what is wrong, how to fix it."""

    def __init__(self, key: str, problem: str, fix: str, source: str = "the mapping file") -> None:
        self.key, self.problem, self.fix, self.source = key, problem, fix, source
        super().__init__(f"{source}, {key or 'top level'}: {problem}. Fix: {fix}")


@dataclass(frozen=True)
class TableMapping:
    table: str
    columns: dict[str, str | None] = field(default_factory=dict)  # source header -> canonical; None = ignore
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical column -> written -> value
    constants: dict[str, str] = field(default_factory=dict)
    currency: str | None = None
    date_order: str | None = None
    date_format: str | None = None
    decimal: str | None = None
    thousands: str | None = None

    @property
    def all_constants(self) -> dict[str, str]:
        return {**self.constants, **({"currency": self.currency} if self.currency else {})}

    @property
    def decimal_mark(self) -> str | None:
        """The decimal mark, stated or implied by the thousands separator ('.' groups -> ',')."""
        if self.decimal:
            return self.decimal
        return {".": ",", ",": "."}.get(self.thousands or "")


@dataclass(frozen=True)
class Mapping:
    tables: dict[str, TableMapping] = field(default_factory=dict)
    importers: dict[str, Any] = field(default_factory=dict)  # [jira], [focus]: the importers' own options

    def for_table(self, name: str) -> TableMapping | None:
        return self.tables.get(name)


@dataclass(frozen=True)
class MappedIssue:
    """A problem found while applying a mapping to a file, located like a validation finding."""

    line: int | None
    column: str | None
    value: str | None
    problem: str
    fix: str


@dataclass
class MappedTable:
    raw: RawTable
    issues: list[MappedIssue]
    original_headers: dict[str, str]  # canonical column -> header as written in the file


# Reading -------------------------------------------------------------------------------------


def parse_mapping(text: str, source: str = "the mapping file") -> Mapping:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MappingError(
            "", f"it is not valid TOML ({e})", "check the quotes and brackets on that line", source
        ) from None
    unknown = [k for k in document if k not in ("tables", *IMPORTER_SECTIONS)]
    if unknown:
        raise MappingError(
            unknown[0],
            f"unknown section {unknown[0]!r}",
            "put table mappings under [tables.<table>] (e.g. [tables.spend]); [jira] and [focus] hold importer options",
            source,
        )
    tables_section = document.get("tables", {})
    if not isinstance(tables_section, dict):
        raise MappingError("tables", "must be a table of tables", "write [tables.spend], [tables.budget] ...", source)
    tables = {}
    for name, body in tables_section.items():
        tables[name] = _parse_table(name, body, source)
    return Mapping(tables, {k: document[k] for k in IMPORTER_SECTIONS if k in document})


def load_mapping(path: str | Path) -> Mapping:
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise MappingError(
            "", f"the file cannot be read ({e.strerror})", "check the path to the mapping file", str(path)
        ) from None
    except UnicodeDecodeError:
        raise MappingError("", "the file is not UTF-8 text", "save the mapping file as UTF-8", str(path)) from None
    return parse_mapping(text, file.name)


def _parse_table(name: str, body: Any, source: str) -> TableMapping:
    key = f"tables.{name}"
    if name not in TABLES:
        raise MappingError(key, f"{name!r} is not a table", f"use one of: {', '.join(TABLES)}", source)
    if not isinstance(body, dict):
        raise MappingError(key, "must be a table of settings", f"write [{key}] on its own line, then its keys", source)
    table = TABLES[name]
    for k in body:
        if k not in _TABLE_KEYS:
            raise MappingError(f"{key}.{k}", f"unknown setting {k!r}", f"use one of: {', '.join(_TABLE_KEYS)}", source)

    columns: dict[str, str | None] = {}
    for header, target in _section(body, "columns", key, source).items():
        where = f"{key}.columns.{_quoted(header)}"
        if target is False:
            columns[header] = None
            continue
        columns[header] = _canonical_column(table, target, where, source)
    targets = [t for t in columns.values() if t]
    repeated = sorted({t for t in targets if targets.count(t) > 1})
    if repeated:
        headers = [h for h, t in columns.items() if t == repeated[0]]
        raise MappingError(
            f"{key}.columns",
            f"{' and '.join(map(repr, headers))} are both mapped to {repeated[0]}",
            "map one file column to each table column",
            source,
        )

    values: dict[str, dict[str, str]] = {}
    for column, spellings in _section(body, "values", key, source).items():
        where = f"{key}.values.{column}"
        canonical = _canonical_column(table, column, where, source)
        if not isinstance(spellings, dict):
            raise MappingError(
                where,
                "must be a table of written value = value",
                f'write [{where}] then "CC-4100" = "Marketing"',
                source,
            )
        lookup = contract.enum_lookup(table.column(canonical)) if table.column(canonical).kind == "enum" else None
        mapped = {}
        for written, value in spellings.items():
            if not isinstance(value, str):
                raise MappingError(
                    f"{where}.{_quoted(written)}",
                    f"the value must be text, not {value!r}",
                    'put it in quotes, e.g. "Marketing"',
                    source,
                )
            if lookup is not None and contract.fold_enum(value) not in lookup:
                allowed = ", ".join(table.column(canonical).canonical_values)
                raise MappingError(
                    f"{where}.{_quoted(written)}",
                    f"{value!r} is not an allowed {canonical} value",
                    f"use one of: {allowed}",
                    source,
                )
            mapped[written] = value
        values[canonical] = mapped

    constants: dict[str, str] = {}
    for column, value in _section(body, "constants", key, source).items():
        where = f"{key}.constants.{column}"
        canonical = _canonical_column(table, column, where, source)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise MappingError(
                where,
                f"the constant must be text or a number, not {value!r}",
                'write e.g. department = "Marketing"',
                source,
            )
        constants[canonical] = str(value)
        if table.column(canonical).kind == "enum" and contract.fold_enum(str(value)) not in contract.enum_lookup(
            table.column(canonical)
        ):
            allowed = ", ".join(table.column(canonical).canonical_values)
            raise MappingError(
                where, f"{value!r} is not an allowed {canonical} value", f"use one of: {allowed}", source
            )
    mapped_targets = set(targets)
    clash = sorted(mapped_targets & set(constants))
    if clash:
        raise MappingError(
            f"{key}.constants.{clash[0]}",
            f"{clash[0]} is both a constant and mapped from a file column",
            "keep one of the two",
            source,
        )

    currency = _choice(body, "currency", key, source, None)
    if currency is not None:
        if "currency" not in table.column_names:
            raise MappingError(
                f"{key}.currency",
                f"the {name} table has no currency column",
                "remove the setting (only spend and budget have a currency)",
                source,
            )
        if not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise MappingError(
                f"{key}.currency",
                f"{currency!r} is not a three-letter currency code",
                'write an ISO code such as "EUR" or "USD"',
                source,
            )
        if "currency" in constants or "currency" in mapped_targets:
            raise MappingError(
                f"{key}.currency",
                "currency is also set as a constant or mapped from a column",
                "keep one of them",
                source,
            )
        currency = currency.upper()

    date_order = _choice(body, "date_order", key, source, DATE_ORDERS)
    date_format = _choice(body, "date_format", key, source, None)
    if date_format is not None:
        if date_order is not None:
            raise MappingError(
                f"{key}.date_format",
                "date_order and date_format are both set",
                "keep one: date_format already fixes the order",
                source,
            )
        if not re.search(r"%[dmYyjbBU]", date_format):
            raise MappingError(
                f"{key}.date_format",
                f"{date_format!r} is not a date pattern",
                'write a strftime pattern such as "%d.%m.%Y" or "%m/%d/%Y %H:%M"',
                source,
            )
    decimal = _choice(body, "decimal", key, source, DECIMALS)
    thousands = _choice(body, "thousands", key, source, THOUSANDS)
    if decimal is not None and thousands is not None and decimal == thousands:
        raise MappingError(
            f"{key}.thousands",
            f"the thousands separator {thousands!r} is also the decimal separator",
            'use the other mark, e.g. decimal = "," with thousands = "."',
            source,
        )
    return TableMapping(name, columns, values, constants, currency, date_order, date_format, decimal, thousands)


def _section(body: dict, name: str, key: str, source: str) -> dict:
    section = body.get(name, {})
    if not isinstance(section, dict):
        raise MappingError(
            f"{key}.{name}", "must be a table", f"write [{key}.{name}] on its own line, then its entries", source
        )
    return section


def _choice(body: dict, name: str, key: str, source: str, allowed: tuple[str, ...] | None) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MappingError(f"{key}.{name}", f"must be text in quotes, not {value!r}", f'write {name} = "..."', source)
    if allowed is not None and value not in allowed:
        raise MappingError(
            f"{key}.{name}", f"{value!r} is not allowed", "use one of: " + ", ".join(repr(a) for a in allowed), source
        )
    return value


def _canonical_column(table: Table, target: Any, where: str, source: str) -> str:
    if not isinstance(target, str):
        raise MappingError(
            where,
            f"must name a {table.name} column in quotes, not {target!r}",
            f"use one of: {', '.join(table.column_names)} (or false to ignore)",
            source,
        )
    canonical = contract.header_map(table).get(contract.normalise_header(target))
    if canonical is None:
        raise MappingError(
            where, f"{target!r} is not a {table.name} column", f"use one of: {', '.join(table.column_names)}", source
        )
    return canonical


def _quoted(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


# Writing -------------------------------------------------------------------------------------


def to_toml(mapping: Mapping, comment: str = "") -> str:
    """The mapping as a TOML file that `parse_mapping` reads back to the same mapping.

    Importer sections ([jira], [focus]) are not written: they are edited by hand."""
    lines = [f"# {line}" for line in comment.splitlines()]
    for name, tm in mapping.tables.items():
        lines += ["", f"[tables.{name}]"]
        for setting in ("currency", "date_order", "date_format", "decimal", "thousands"):
            value = getattr(tm, setting)
            if value is not None:
                lines.append(f"{setting} = {_string(value)}")
        if tm.columns:
            lines += ["", f"[tables.{name}.columns]"]
            lines += [f"{_string(h)} = {_string(t) if t else 'false'}" for h, t in tm.columns.items()]
        if tm.constants:
            lines += ["", f"[tables.{name}.constants]"]
            lines += [f"{c} = {_string(v)}" for c, v in tm.constants.items()]
        for column, spellings in tm.values.items():
            lines += ["", f"[tables.{name}.values.{column}]"]
            lines += [f"{_string(w)} = {_string(v)}" for w, v in spellings.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


# Applying ------------------------------------------------------------------------------------


def mapped_header_score(table: Table, tm: TableMapping | None) -> set[str]:
    """Normalised header spellings that count as known columns (for delimiter detection)."""
    known = set(contract.header_map(table))
    if tm is not None:
        known |= {contract.normalise_header(h) for h in tm.columns}
    return known


def apply_mapping(raw: RawTable, tm: TableMapping) -> MappedTable:
    """The file's strings with columns renamed or dropped, values mapped, constant columns added
    and dates rewritten to ISO from the mapping's date format. Lines are untouched."""
    by_header = {contract.normalise_header(h): t for h, t in tm.columns.items()}
    header: list[str] = []
    keep: list[int] = []
    original: dict[str, str] = {}
    for i, cell in enumerate(raw.header):
        normalised = contract.normalise_header(cell)
        if normalised in by_header:
            target = by_header[normalised]
            if target is None:
                continue  # ignored on purpose
            original[target] = cell
            cell = target
        header.append(cell)
        keep.append(i)
    rows = pd.DataFrame({str(j): raw.rows[str(i)] for j, i in enumerate(keep)}, index=raw.rows.index)
    rows["_line"] = raw.rows["_line"]
    issues: list[MappedIssue] = []

    table = TABLES[tm.table]
    accepted = contract.header_map(table)
    present = {accepted.get(contract.normalise_header(h)): str(j) for j, h in enumerate(header)}
    for column, value in tm.all_constants.items():
        if column in present:
            issues.append(
                MappedIssue(
                    raw.header_line,
                    original.get(column, header[int(present[column])]),
                    None,
                    f"the mapping sets {column} to the constant {value!r}, but the file also has a {column} column",
                    f"remove the constant from the mapping, or ignore the file's column ({_string(original.get(column, column))} = false)",
                )
            )
            continue
        position = str(len(header))
        header.append(column)
        rows[position] = pd.Series(value, index=rows.index, dtype="str")
        present[column] = position

    for name, spellings in tm.values.items():
        if name in present:
            rows[present[name]] = _map_values(rows[present[name]], spellings)

    if tm.date_format:
        for col in table.columns:
            if col.kind in ("date", "datetime") and col.name in present:
                issues += _rewrite_dates(rows, present[col.name], col.name, col.kind, tm.date_format, original)
    mapped_raw = RawTable(header, raw.header_line, rows, raw.encoding, raw.delimiter, raw.issues)
    return MappedTable(mapped_raw, issues, original)


def _map_values(cells: pd.Series, spellings: dict[str, str]) -> pd.Series:
    """Each distinct written value looked up once (folded like enum values); others unchanged."""
    folded = {contract.fold_enum(w): v for w, v in spellings.items()}
    codes, distinct = pd.factorize(cells)
    mapped = np.array([folded.get(contract.fold_enum(v), v) if v else v for v in distinct], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else [], index=cells.index, dtype="str")


def _rewrite_dates(
    rows: pd.DataFrame, position: str, name: str, kind: str, pattern: str, original: dict[str, str]
) -> list[MappedIssue]:
    cells = rows[position]
    filled = (cells != "").to_numpy()
    parsed = pd.to_datetime(cells.where(filled), format=pattern, errors="coerce")
    good = filled & parsed.notna().to_numpy()
    iso = "%Y-%m-%dT%H:%M:%S" if kind == "datetime" else "%Y-%m-%d"
    rewritten = cells.copy()
    rewritten[good] = parsed[good].dt.strftime(iso)
    rows[position] = rewritten.astype("str")
    bad = np.flatnonzero(filled & ~good)
    column = original.get(name, name)
    fix = f"write every {column} as {pattern} (e.g. {pd.Timestamp('2026-02-14 10:30').strftime(pattern)}), or change date_format in the mapping"
    issues = [
        MappedIssue(
            int(rows["_line"].iat[r]),
            column,
            str(cells.iat[r]),
            f"{cells.iat[r]!r} does not match the date format {pattern} of the mapping",
            fix,
        )
        for r in bad[:ROW_ISSUE_CAP]
    ]
    if len(bad) > ROW_ISSUE_CAP:
        issues.append(
            MappedIssue(
                None,
                column,
                None,
                f"... and {len(bad) - ROW_ISSUE_CAP:,} more rows like this (not in the date format {pattern})",
                fix,
            )
        )
    return issues


# Suggesting (the Data page's mapping builder) -------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    header: str
    column: str | None  # canonical column, or None when nothing fits
    how: str  # "exact", "alias", "folded", "fuzzy" or "none"
    score: float = 100.0


def _folded(text: str) -> str:
    """'Net Amount (EUR)' -> 'netamount': units in brackets and all punctuation dropped."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)|\[.*?\]", "", text.lower()))


def suggest_columns(headers: list[str], table_name: str, fuzzy_cutoff: float = 80.0) -> list[Suggestion]:
    """A canonical column for each header: exact name or alias first, then the folded spelling
    (punctuation and bracketed units dropped), then the closest spelling by rapidfuzz. Each
    canonical column is suggested once, to the best-matching header."""
    from rapidfuzz import fuzz, process

    table = TABLES[table_name]
    accepted = contract.header_map(table)
    folded_names: dict[str, str] = {}
    for spelling, canonical in accepted.items():
        folded_names.setdefault(_folded(spelling), canonical)
    result: dict[int, Suggestion] = {}
    taken: set[str] = set()
    for i, h in enumerate(headers):
        named = accepted.get(contract.normalise_header(h))
        if named and named not in taken:
            how = "exact" if contract.normalise_header(h) == named else "alias"
            result[i] = Suggestion(h, named, how)
            taken.add(named)
    for i, h in enumerate(headers):
        folded = folded_names.get(_folded(h))
        if i not in result and folded and folded not in taken:
            result[i] = Suggestion(h, folded, "folded")
            taken.add(folded)
    for i, h in enumerate(headers):
        if i in result or not _folded(h):
            continue
        choices = {s: c for s, c in folded_names.items() if c not in taken}
        best = process.extractOne(_folded(h), list(choices), scorer=fuzz.ratio, score_cutoff=fuzzy_cutoff)
        if best:
            result[i] = Suggestion(h, choices[best[0]], "fuzzy", round(float(best[1]), 1))
            taken.add(choices[best[0]])
    return [result.get(i, Suggestion(h, None, "none", 0.0)) for i, h in enumerate(headers)]


def read_source(data: bytes, table_name: str, tm: TableMapping | None = None) -> RawTable:
    """A file's header and cells as written, for building a mapping (raises CsvError when the
    file cannot be read as CSV)."""
    from metrics.csvread import read_raw_table

    known = mapped_header_score(TABLES[table_name], tm)
    return read_raw_table(data, lambda cells: sum(contract.normalise_header(c) in known for c in cells))


def unrecognised_values(raw: RawTable, position: int, column_name: str, table_name: str, limit: int = 30) -> list[str]:
    """Distinct values of a file column that the table's enum column would refuse, most frequent
    first: the ones a value map has to translate (cost centres to departments...)."""
    column = TABLES[table_name].column(column_name)
    if column.kind != "enum":
        return []
    lookup = contract.enum_lookup(column)
    counts = raw.rows[str(position)].value_counts()
    seen: set[str] = set()
    out = []
    for v in counts.index:
        folded = contract.fold_enum(v)
        if v and folded not in lookup and folded not in seen:  # 'CC-4100' and 'cc_4100' are one value
            seen.add(folded)
            out.append(v)
    return out[:limit]
