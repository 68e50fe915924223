"""FinOps FOCUS 1.x cloud billing -> `spend` lines, aggregated and exact to the cent.

Each billing line is read as it is written (cost as an exact decimal from its text), then lines are
aggregated to month x sub-account x vendor x service x department. Rounding happens once: the file's
exact total is rounded to cents, the cents are allocated to vendors, then within each vendor to its
lines, by largest remainder. So the spend lines add up to the rounded file total, every vendor's
lines to within a cent of its exact total, and no line is off by a cent or more. (Rounding each
billing line instead loses money: the public sample has $20.52 of BilledCost and per-line rounding
gives $20.16.)

How imported lines coexist with other spend: their `invoice_id` starts with ``FOCUS-``. An import
deletes only earlier ``FOCUS-`` lines dated in the billing months of its file, then writes its own,
in one transaction; invoices from the finance system and other months are kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics import db
from metrics.access import Actor
from metrics.contract import SPEND, enum_lookup, fold_enum
from metrics.currency import DEFAULT_REPORTING_CURRENCY
from metrics.importers.common import (
    ERROR,
    WARNING,
    Finding,
    ImportRefused,
    ImportReport,
    Notes,
    column_positions,
    read_csv_export,
    read_mapping_section,
)

INVOICE_PREFIX = "FOCUS-"
COSTS = ("BilledCost", "EffectiveCost")
CENT = Decimal("0.01")
_NULLS = ("", "NULL", "null", "None")
# The only columns read; FOCUS files have 40+, and a million lines of all of them is gigabytes.
USED = (
    *COSTS,
    "ChargePeriodStart",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "ServiceCategory",
    "ServiceName",
    "SubAccountName",
    "BillingCurrency",
    "Tags",
)


@dataclass(frozen=True)
class FocusOptions:
    cost: str = "BilledCost"
    department_tag: str | None = None  # a key of Tags, e.g. business_unit; else SubAccountName
    department_map: dict[str, str] = field(default_factory=dict)  # tag value or sub-account -> department
    default_department: str | None = None  # for lines the map does not name


def options_from_mapping(
    path: str | Path | None = None,
    *,
    text: str | None = None,
    cost: str | None = None,
    department: str | None = None,
) -> FocusOptions:
    """Options from the `[focus]` table of a mapping file, then the command line's overrides."""
    table: dict[str, Any] = read_mapping_section(path, "focus", text)
    name = str(path) if path is not None else "mapping file"
    known = {"cost", "department_tag", "department_map", "default_department"}
    bad = [
        Finding(
            ERROR, name, None, key, None, f"[focus] has no option {key!r}", f"use one of {', '.join(sorted(known))}"
        )
        for key in sorted(set(table) - known)
    ]
    departments = enum_lookup(SPEND.column("department"))

    def department_of(value: object, where: str) -> str | None:
        found = departments.get(fold_enum(str(value)))
        if found is None:
            bad.append(
                Finding(
                    ERROR, name, None, where, str(value), f"{value!r} is not a department", "use Marketing, IT or Joint"
                )
            )
        return found

    raw_map = table.get("department_map", {}) or {}
    if not isinstance(raw_map, dict):
        bad.append(
            Finding(
                ERROR,
                name,
                None,
                "department_map",
                None,
                "department_map must be a table",
                'write department_map = {"web" = "Marketing"}',
            )
        )
        raw_map = {}
    department_map = {str(k): department_of(v, f"department_map.{k}") or "" for k, v in raw_map.items()}
    default = department or table.get("default_department")
    options = FocusOptions(
        cost=cost or str(table.get("cost", "BilledCost")),
        department_tag=table.get("department_tag"),
        department_map=department_map,
        default_department=department_of(default, "default_department") if default else None,
    )
    if options.cost not in COSTS:
        bad.append(
            Finding(
                ERROR,
                name,
                None,
                "cost",
                options.cost,
                f"unknown cost column {options.cost!r}",
                "use BilledCost or EffectiveCost",
            )
        )
    if bad:
        raise ImportRefused(bad)
    return options


@dataclass(frozen=True)
class FocusImport:
    spend: pd.DataFrame  # canonical spend lines, amounts rounded as described above
    file: str
    months: list[date]  # first day of each billing month in the file
    billing_lines: int
    exact_total: Decimal
    exact_by_vendor: dict[str, Decimal]
    findings: list[Finding]
    counts: dict[str, int]
    cost: str

    @property
    def total(self) -> Decimal:
        return sum((Decimal(str(a)) for a in self.spend["amount"]), Decimal(0)).quantize(CENT)

    def report(self) -> ImportReport:
        notes = [f"cost: {self.cost}", f"total: {self.exact_total.quantize(CENT, ROUND_HALF_UP):,}"]
        notes += [
            f"  {vendor}: {self.spend.loc[self.spend['vendor'] == vendor, 'amount'].sum():,.2f} "
            f"(exact {exact.normalize():f})"
            for vendor, exact in sorted(self.exact_by_vendor.items())
        ]
        notes.append("months: " + ", ".join(f"{m:%Y-%m}" for m in self.months))
        return ImportReport("focus", self.file, dict(self.counts), list(self.findings), notes)


def read_focus(data: bytes, file: str, options: FocusOptions | None = None) -> FocusImport:
    """Read a FOCUS file (CSV, or Parquet by its magic bytes) into aggregated spend lines; raise
    ImportRefused with every error when it cannot be imported as it is."""
    options = options or FocusOptions()
    notes = Notes(file)
    raw = _read_table(data, file)
    lines = raw["_line"].to_numpy()

    required = (options.cost, "ChargePeriodStart", "ProviderName", "ServiceCategory")
    for c in required:
        if c not in raw.columns:
            notes.add(
                ERROR,
                f"the FOCUS file has no {c!r} column",
                "export the FOCUS dataset with all mandatory columns (FOCUS 1.0 or later)",
                line=1,
                column=c,
            )
    notes.refuse_on_errors()

    def col(name: str) -> pd.Series:
        if name not in raw.columns:
            return pd.Series("", index=raw.index, dtype=object)
        return raw[name].astype(object).where(~raw[name].isin(_NULLS) & raw[name].notna(), "").astype(str)

    cost_text = col(options.cost)
    # Exact decimals from the text; each distinct text converted once.
    decimals = {t: _decimal(t) for t in pd.unique(cost_text.to_numpy())}
    costs = cost_text.map(decimals.get)
    bad_cost = np.flatnonzero(costs.isna().to_numpy())
    notes.rows(
        ERROR,
        f"{options.cost} is not a number",
        f"every FOCUS line has a {options.cost}; export the file again",
        lines[bad_cost],
        list(col(options.cost).to_numpy()[bad_cost]),
        options.cost,
    )
    start_text = col("ChargePeriodStart")
    starts = pd.to_datetime(start_text, format="ISO8601", errors="coerce", utc=True)
    bad_start = np.flatnonzero(starts.isna().to_numpy())
    notes.rows(
        ERROR,
        "ChargePeriodStart is not a date-time",
        "FOCUS writes ISO 8601 date-times such as 2024-09-01T00:00:00Z",
        lines[bad_start],
        list(start_text.to_numpy()[bad_start]),
        "ChargePeriodStart",
    )
    notes.refuse_on_errors()

    provider = col("ProviderName")
    publisher = col("PublisherName")
    issuer = col("InvoiceIssuerName")
    # A marketplace charge: published by someone who neither provides nor invoices it (Red Hat sold
    # through AWS). The publisher is the vendor actually bought from.
    marketplace = (publisher != "") & (publisher != provider) & ((issuer == "") | (publisher != issuer))
    vendor = provider.where(~marketplace, publisher)
    sub_account = col("SubAccountName")
    department, unmapped_keys, bad_tags = _departments(col("Tags"), sub_account, options)
    if len(bad_tags):
        notes.rows(
            WARNING,
            "Tags is not a JSON object; the sub-account decides the department",
            "export Tags as FOCUS JSON",
            lines[bad_tags],
            list(col("Tags").to_numpy()[bad_tags]),
            "Tags",
        )
    unmapped = department == ""
    if unmapped.any():
        by_value = (
            pd.Series(costs[unmapped].to_numpy()).groupby(unmapped_keys[unmapped].to_numpy()).agg(["size", "sum"])
        )
        listed = "; ".join(
            f"{value or '(none)'} ({int(r['size']):,} lines, {Decimal(r['sum']).quantize(CENT, ROUND_HALF_UP):,})"
            for value, r in by_value.sort_values("size", ascending=False).head(30).iterrows()
        )
        source = f"tag {options.department_tag!r} (else SubAccountName)" if options.department_tag else "SubAccountName"
        notes.add(
            ERROR,
            f"{int(unmapped.sum()):,} lines have a {source} value the department map does not name; nothing was "
            f"imported. Unmapped values ({len(by_value):,}): {listed}",
            "add them under [focus.department_map] in the mapping file, or give --department for the rest",
            column=options.department_tag or "SubAccountName",
        )
        notes.refuse_on_errors()

    month = starts.dt.tz_convert(None).dt.to_period("M").dt.to_timestamp()
    frame = pd.DataFrame(
        {
            "month": month,
            "sub_account": sub_account,
            "vendor": vendor,
            "service": col("ServiceName"),
            "category": col("ServiceCategory").replace("", "Uncategorised"),
            "department": department,
            "currency": col("BillingCurrency"),
            "cost": costs,
        }
    )
    keys = ["month", "sub_account", "vendor", "service", "category", "department", "currency"]
    # Python's sum over Decimal objects: exact, whatever the number of digits.
    grouped = frame.groupby(keys, sort=True, dropna=False)["cost"].agg(exact="sum", lines="size").reset_index()
    grouped["exact"] = [Decimal(x) for x in grouped["exact"]]
    grouped["amount"] = _allocate_cents(grouped)
    written = grouped[grouped["amount"] != 0].reset_index(drop=True)
    dropped = len(grouped) - len(written)

    spend = pd.DataFrame(
        {
            "date": written["month"],
            "department": written["department"],
            "vendor": written["vendor"],
            "category": written["category"],
            "amount": [float(a) for a in written["amount"]],
            "invoice_id": [_invoice_id(r) for r in written.itertuples(index=False)],
            "cost_center": None,
            "gl_account": None,
            "investment_type": None,
            "expense_type": None,
            "currency": written["currency"].replace("", None),
            "description": [
                f"{r.service or 'Cloud services'} in {r.sub_account or 'no sub-account'} ({r.lines:,} FOCUS lines)"
                for r in written.itertuples(index=False)
            ],
        }
    )
    spend = _typed(spend)
    exact_by_vendor: dict[str, Decimal] = defaultdict(Decimal)
    for v, c in zip(vendor, costs, strict=True):
        exact_by_vendor[v] += c
    counts = {
        "billing lines read": len(raw),
        "spend lines written": len(spend),
        "groups netting to $0.00 (not written)": dropped,
        "marketplace lines (vendor = PublisherName)": int(marketplace.sum()),
        "lines given the default department": int(((department != "") & _defaulted(unmapped_keys, options)).sum()),
        "lines with unreadable Tags": len(bad_tags),
    }
    return FocusImport(
        spend=spend,
        file=file,
        months=sorted(m.date() for m in month.drop_duplicates()),
        billing_lines=len(raw),
        exact_total=sum(costs, Decimal(0)),
        exact_by_vendor=dict(exact_by_vendor),
        findings=notes.items,
        counts=counts,
        cost=options.cost,
    )


def _read_table(data: bytes, file: str) -> pd.DataFrame:
    """Every column as text (so costs keep every digit), with `_line`: the CSV line, or the
    Parquet row number + 1 (as if there were a header)."""
    if data[:4] == b"PAR1":
        try:
            table = pd.read_parquet(io.BytesIO(data))
            table = table[[c for c in table.columns if c in USED]]
        except Exception as exc:
            raise ImportRefused(
                [
                    Finding(
                        ERROR,
                        file,
                        None,
                        None,
                        None,
                        f"the Parquet file cannot be read ({type(exc).__name__})",
                        "export it again, or as CSV",
                    )
                ]
            ) from None
        out = pd.DataFrame({c: table[c].map(_text) for c in table.columns})
        out["_line"] = np.arange(2, len(out) + 2)
        return out
    fast = _read_csv_fast(data)
    if fast is not None:
        return fast
    raw = read_csv_export(data, file)
    duplicates = sorted({h for h in raw.header if len(column_positions(raw, h)) > 1})
    if duplicates:
        raise ImportRefused(
            [
                Finding(
                    ERROR,
                    file,
                    raw.header_line,
                    d,
                    None,
                    f"the column {d!r} appears twice",
                    "export the FOCUS file again",
                )
                for d in duplicates
            ]
        )
    keep = {str(i): h for i, h in enumerate(raw.header) if h in USED}
    return raw.rows[[*keep, "_line"]].rename(columns=keep)


def _read_csv_fast(data: bytes) -> pd.DataFrame | None:
    """Billing files run to millions of lines of 40+ columns: tokenise only the used columns with
    pyarrow. Only for the plain case where a record is one line (so line numbers are exact) and the
    file is UTF-8 with a comma header; anything else (or any doubt) goes to the careful reader."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header = next(iter(csv.reader([first.decode("utf-8")])))
    except (UnicodeDecodeError, StopIteration):
        return None
    wanted = [h for h in header if h in USED]
    if len(set(header)) != len(header) or not wanted:
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(use_threads=True),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                include_columns=wanted,
                column_types={h: pa.string() for h in wanted},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    lines = body.count(b"\n") + (not body.endswith(b"\n"))
    if table.num_rows != lines - 1:  # blank lines or records spanning lines: let the careful reader number them
        return None
    out = table.to_pandas()
    for c in wanted:
        out[c] = out[c].str.strip()
    out["_line"] = np.arange(2, len(out) + 2)
    return out


def _text(value: object) -> str:
    """A Parquet cell as FOCUS CSV would write it: floats by their shortest exact repr, so that
    Decimal(text) is the value the file holds; dicts (Tags as a map) as JSON."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, list):  # pyarrow reads map<string,string> as [(key, value), ...]
        return json.dumps(dict(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value) if not isinstance(value, float) else repr(value)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def _departments(
    tags: pd.Series, sub_account: pd.Series, options: FocusOptions
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(department or "", the value that was looked up, rows whose Tags is not JSON)."""
    key = sub_account.copy()
    bad = np.array([], dtype=int)
    if options.department_tag:
        # Billing lines repeat the same few tag sets: parse each distinct text once.
        parsed = {text: _tag(text, options.department_tag) for text in pd.unique(tags.to_numpy())}
        tagged = tags.map(lambda t: parsed[t][0])
        bad = np.flatnonzero(tags.map(lambda t: parsed[t][1]).to_numpy(dtype=bool))
        key = tagged.where(tagged != "", sub_account)
    department = key.map(lambda k: options.department_map.get(k, ""))
    if options.default_department:
        department = department.where(department != "", options.default_department)
    return department, key, bad


def _tag(text: str, name: str) -> tuple[str, bool]:
    """(the tag's value or "", whether the text is not a JSON object)."""
    if not text:
        return "", False
    try:
        parsed = json.loads(text)
    except ValueError:
        return "", True
    if not isinstance(parsed, dict):
        return "", True
    value = parsed.get(name)
    return ("" if value is None else str(value)), False


def _defaulted(keys: pd.Series, options: FocusOptions) -> pd.Series:
    return (
        ~keys.isin(list(options.department_map)) if options.default_department else pd.Series(False, index=keys.index)
    )


def _allocate_cents(grouped: pd.DataFrame) -> list[Decimal]:
    """Round once: the exact total to cents, its cents to vendors, each vendor's to its lines,
    each time by largest remainder (ties broken by order, so the result is deterministic)."""
    total = sum(grouped["exact"], Decimal(0))
    by_vendor: dict[str, Decimal] = defaultdict(Decimal)
    for v, x in zip(grouped["vendor"], grouped["exact"], strict=True):
        by_vendor[v] += x
    vendors = sorted(by_vendor)
    vendor_amounts = dict(
        zip(
            vendors,
            _largest_remainder([by_vendor[v] for v in vendors], total.quantize(CENT, ROUND_HALF_UP)),
            strict=True,
        )
    )
    out: list[Decimal] = [Decimal(0)] * len(grouped)
    for v in vendors:
        rows = np.flatnonzero((grouped["vendor"] == v).to_numpy())
        parts = _largest_remainder([grouped["exact"].iat[i] for i in rows], vendor_amounts[v])
        for i, amount in zip(rows, parts, strict=True):
            out[i] = amount
    return out


def _largest_remainder(exact: list[Decimal], target: Decimal) -> list[Decimal]:
    """Cents that add up to `target` (a whole number of cents), each the floor or the ceiling of
    its exact value whenever `target` is within a cent per part of the exact sum."""
    floors = [x.quantize(CENT, ROUND_FLOOR) for x in exact]
    left = int(((target - sum(floors, Decimal(0))) / CENT).to_integral_value())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    if left >= 0:
        for i in order[:left]:
            floors[i] += CENT
    else:
        for i in order[::-1][:-left]:
            floors[i] -= CENT
    return floors


def _invoice_id(row) -> str:
    """Stable across re-imports of the same month, unique per group."""
    key = "\x1f".join(
        str(x) for x in (row.sub_account, row.vendor, row.service, row.category, row.department, row.currency)
    )
    return f"{INVOICE_PREFIX}{row.month:%Y-%m}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for c in SPEND.columns:
        if c.kind == "date":
            frame[c.name] = pd.to_datetime(frame[c.name]).astype("datetime64[us]")
        elif c.kind in ("money", "number"):
            frame[c.name] = pd.to_numeric(frame[c.name]).astype("float64")
        else:
            frame[c.name] = frame[c.name].astype("string")
    return frame[list(SPEND.column_names)]


def replaces(months: list[date]):
    """The spend rows a FOCUS import of these billing months replaces: earlier FOCUS lines of
    those months. Bound parameters; finance-system invoices never match the prefix."""

    def where(table: sa.Table):
        return sa.and_(
            table.c.invoice_id.like(sa.bindparam("focus_prefix", INVOICE_PREFIX + "%")),
            table.c.date.in_(sa.bindparam("focus_months", list(months), expanding=True)),
        )

    return where


def kept_by_spend_imports(tables: Mapping[str, pd.DataFrame]) -> dict[str, Callable[[sa.Table], Any]]:
    """`replace_only` for an import of spend.csv (a folder or an upload): the lines of FOCUS bills,
    which come from their own files, stay, unless the new spend holds FOCUS lines itself (a spend
    export that includes them replaces them too, so nothing is counted twice)."""
    spend = tables.get("spend")
    if spend is None:
        return {}
    ids = spend["invoice_id"].astype("string")
    if ids.str.startswith(INVOICE_PREFIX, na=False).any():
        return {}

    def not_focus(table: sa.Table):
        return sa.or_(
            table.c.invoice_id.is_(None),
            sa.not_(table.c.invoice_id.like(sa.bindparam("focus_kept", INVOICE_PREFIX + "%"))),
        )

    return {"spend": not_focus}


def import_spend(
    engine,
    mapped: FocusImport,
    fingerprint: str,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
    actor: Actor | None = None,
) -> db.ImportResult:
    """Write the lines in one transaction, replacing earlier FOCUS lines of the same months. Lines
    billed in another currency than the reporting one are converted with the database's fx_rates
    (one line per billing currency, so a file in several currencies converts each)."""
    return db.import_tables(
        engine,
        {"spend": mapped.spend},
        source=f"focus:{mapped.file}",
        fingerprint=fingerprint,
        findings=mapped.report().finding_dicts(),
        replace_only={"spend": replaces(mapped.months)},
        reporting_currency=reporting_currency,
        actor=actor,
    )


def load(
    path: str | Path,
    url: str,
    options: FocusOptions | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> tuple[FocusImport, db.ImportResult]:
    path = Path(path)
    data = path.read_bytes()
    mapped = read_focus(data, path.name, options)
    engine = db.make_engine(url)
    try:
        result = import_spend(engine, mapped, "focus:" + hashlib.sha256(data).hexdigest(), reporting_currency)
    finally:
        engine.dispose()
    return mapped, result
