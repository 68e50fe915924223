"""The data contract: the canonical tables, defined once.

Validation, loading (database schema), the README's contract section and the sample
generator all read these definitions, so a column is described in exactly one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "id", "date", "datetime", "money", "number", "int", "enum", "bool"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool
    description: str
    example: str
    aliases: tuple[str, ...] = ()
    # For kind == "enum": canonical value -> accepted spellings (matched ignoring case/space).
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Optional columns that must be non-empty on every row when the column is present.
    nonempty: bool = False
    # Value used for empty cells (and when the optional column is absent).
    default: str | None = None
    # Dates expected to lie ahead (no "date in the future" warning).
    future_ok: bool = False

    @property
    def canonical_values(self) -> tuple[str, ...]:
        return tuple(self.allowed)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # Natural key: rows must be unique on these columns (only enforced when all are present).
    key: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# Money is stored as NUMERIC(18, 2) (exact cents): at most 16 digits before the decimal point, so a
# larger amount is refused when read rather than failing the import inside the database.
MONEY_PRECISION, MONEY_SCALE = 18, 2
MAX_AMOUNT = 10 ** (MONEY_PRECISION - MONEY_SCALE)

DEPARTMENTS = {
    "Marketing": ("marketing", "mktg", "mkt"),
    "IT": ("it", "information technology", "technology"),
    "Joint": ("joint", "shared", "marketing & it", "marketing and it", "both"),
}
OWNERS = {
    "CIO": ("cio", "it"),
    "CMO": ("cmo", "marketing"),
    "Joint": ("joint", "shared", "both"),
}
DIRECTIONS = {
    "higher": ("higher", "higher is better", "up", "increase", "max"),
    "lower": ("lower", "lower is better", "down", "decrease", "min"),
}
PRIORITIES = {
    "Critical": ("critical", "blocker", "highest", "urgent", "p1"),
    "High": ("high", "major", "p2"),
    "Medium": ("medium", "normal", "p3"),
    "Low": ("low", "minor", "lowest", "trivial", "p4"),
}
QUARTERS = {
    "Q1": ("q1", "1"),
    "Q2": ("q2", "2"),
    "Q3": ("q3", "3"),
    "Q4": ("q4", "4"),
}
INVESTMENT_TYPES = {"Run": ("run",), "Grow": ("grow",), "Transform": ("transform",)}
EXPENSE_TYPES = {"OpEx": ("opex", "operating"), "CapEx": ("capex", "capital")}
SCENARIOS = {"Budget": ("budget", "plan"), "Forecast": ("forecast", "fcst")}
AGGREGATIONS = {
    "mean": ("mean", "average", "avg"),
    "last": ("last", "latest", "end of period"),
    "sum": ("sum", "total"),
    "min": ("min", "minimum"),
    "max": ("max", "maximum"),
}

_C = Column

SPEND = Table(
    "spend",
    "Actual technology spend lines (invoices, card payments, cloud bills). Credits are negative amounts.",
    (
        _C(
            "date",
            "date",
            True,
            "Date the cost was incurred (invoice or service date).",
            "2026-02-14",
            aliases=("invoice_date", "posting_date", "transaction_date", "txn_date"),
        ),
        _C(
            "department",
            "enum",
            True,
            "Who paid: Marketing, IT or Joint (a jointly funded budget).",
            "Marketing",
            aliases=("dept", "paid_by", "business_unit"),
            allowed=DEPARTMENTS,
        ),
        _C(
            "vendor",
            "text",
            True,
            "Supplier name as invoiced; normalised before overlap is measured.",
            "Salesforce",
            aliases=("supplier", "vendor_name", "supplier_name", "payee"),
        ),
        _C(
            "category",
            "text",
            True,
            "Capability bought, e.g. CRM, Analytics, Cloud infrastructure.",
            "CRM",
            aliases=("capability", "spend_category"),
        ),
        _C(
            "amount",
            "money",
            True,
            "Amount in the line's currency (the reporting currency unless `currency` says otherwise); "
            "negative for credits.",
            "12500.00",
            aliases=("cost", "value", "net_amount", "amount_usd"),
        ),
        _C(
            "invoice_id",
            "id",
            False,
            "Natural key of the line; must be unique when present.",
            "INV-000123",
            aliases=("invoice", "invoice_number", "invoice_no", "line_id"),
            nonempty=True,
        ),
        _C(
            "cost_center",
            "id",
            False,
            "Cost centre code (kept as text: leading zeros matter).",
            "00420",
            aliases=("cost_centre", "cc"),
        ),
        _C("gl_account", "id", False, "General-ledger account.", "6420", aliases=("gl", "account")),
        _C(
            "investment_type",
            "enum",
            False,
            "Run, Grow or Transform.",
            "Run",
            aliases=("rgt", "investment"),
            allowed=INVESTMENT_TYPES,
        ),
        _C("expense_type", "enum", False, "OpEx or CapEx.", "OpEx", allowed=EXPENSE_TYPES),
        _C(
            "currency",
            "text",
            False,
            "ISO currency code of the amount; the reporting currency if absent. Other currencies are "
            "converted at the rate of the line's month in fx_rates.",
            "USD",
        ),
        _C("description", "text", False, "Free text from the invoice line.", "Sales Cloud licences"),
    ),
    key=("invoice_id",),
)

BUDGET = Table(
    "budget",
    "Budget (and optionally forecast) per fiscal quarter, department and category.",
    (
        _C(
            "fiscal_year",
            "int",
            True,
            "Fiscal year, named by the calendar year in which it ends.",
            "2026",
            aliases=("fy", "year"),
        ),
        _C(
            "quarter",
            "enum",
            True,
            "Fiscal quarter: Q1 to Q4 (or 1 to 4).",
            "Q2",
            aliases=("fiscal_quarter", "qtr"),
            allowed=QUARTERS,
        ),
        _C("department", "enum", True, "Marketing, IT or Joint.", "IT", aliases=("dept",), allowed=DEPARTMENTS),
        _C(
            "category",
            "text",
            True,
            "Capability category, as in spend.",
            "Cloud infrastructure",
            aliases=("capability",),
        ),
        _C(
            "amount",
            "money",
            True,
            "Budgeted (or forecast) amount for the quarter.",
            "250000",
            aliases=("budget", "budget_amount", "value"),
        ),
        _C("scenario", "enum", False, "Budget (default) or Forecast.", "Budget", allowed=SCENARIOS, default="Budget"),
        _C(
            "currency",
            "text",
            False,
            "ISO currency code of the amount; the reporting currency if absent. Converted at the rate of "
            "the quarter's first month.",
            "EUR",
        ),
    ),
    key=("fiscal_year", "quarter", "department", "category", "scenario"),
)

VENDORS = Table(
    "vendors",
    "IT's vendor catalogue: which suppliers IT has approved.",
    (
        _C("vendor", "text", True, "Canonical vendor name.", "Salesforce", aliases=("supplier", "vendor_name")),
        _C(
            "it_approved",
            "bool",
            True,
            "Whether IT has approved the vendor (yes/no, true/false, 1/0).",
            "yes",
            aliases=("approved", "is_approved"),
        ),
        _C(
            "aliases",
            "text",
            False,
            "Other spellings, separated by '|' (e.g. 'SFDC|Salesforce.com').",
            "SFDC|Salesforce.com",
            aliases=("alias", "also_known_as"),
        ),
        _C("category", "text", False, "Main capability the vendor supplies.", "CRM"),
        _C("contract_end", "date", False, "End date of the current contract.", "2027-06-30", future_ok=True),
        _C("owner", "text", False, "Person or team that owns the relationship.", "IT procurement"),
    ),
    key=("vendor",),
)

KPIS = Table(
    "kpis",
    "The shared glossary: every KPI both sides report on, with its definition.",
    (
        _C("kpi", "id", True, "Short identifier used by targets and actuals.", "nps", aliases=("kpi_id", "code")),
        _C("name", "text", True, "Display name.", "Net Promoter Score", aliases=("kpi_name", "title")),
        _C("unit", "text", True, "Unit of measure: %, points, days, seconds...", "points"),
        _C(
            "direction",
            "enum",
            True,
            "Whether higher or lower is better.",
            "higher",
            aliases=("better", "polarity"),
            allowed=DIRECTIONS,
        ),
        _C("owner", "enum", True, "Who owns the KPI: CIO, CMO or Joint.", "Joint", allowed=OWNERS),
        _C(
            "definition",
            "text",
            True,
            "Plain-language definition both sides agreed.",
            "Promoters minus detractors, in points",
            aliases=("description",),
        ),
        _C("formula", "text", False, "How it is calculated.", "%promoters - %detractors"),
        _C("source", "text", False, "System the value comes from.", "Survey tool"),
        _C(
            "aggregation",
            "enum",
            False,
            "How observations combine into a quarter: mean (default), last, sum, min, max.",
            "mean",
            allowed=AGGREGATIONS,
        ),
    ),
    key=("kpi",),
)

KPI_TARGETS = Table(
    "kpi_targets",
    "Targets per KPI and fiscal quarter, and who agreed them when.",
    (
        _C("kpi", "id", True, "KPI identifier from kpis.", "nps", aliases=("kpi_id",)),
        _C("fiscal_year", "int", True, "Fiscal year.", "2026", aliases=("fy", "year")),
        _C(
            "quarter",
            "enum",
            True,
            "Fiscal quarter Q1 to Q4.",
            "Q3",
            aliases=("fiscal_quarter", "qtr"),
            allowed=QUARTERS,
        ),
        _C("target", "number", True, "Target value, in the KPI's unit.", "45", aliases=("target_value", "goal")),
        _C(
            "at_risk_threshold",
            "number",
            False,
            "How far (in the KPI's unit) a value may miss and still be 'at risk' rather than 'off target'.",
            "3",
            aliases=("tolerance", "threshold"),
        ),
        _C(
            "agreed_by_cio_on",
            "date",
            False,
            "Date the CIO agreed the target.",
            "2026-06-20",
            aliases=("cio_agreed_on", "cio_agreed"),
        ),
        _C(
            "agreed_by_cmo_on",
            "date",
            False,
            "Date the CMO agreed the target.",
            "2026-06-22",
            aliases=("cmo_agreed_on", "cmo_agreed"),
        ),
        _C(
            "note",
            "text",
            False,
            "Why the target is what it is.",
            "Stretch after the CRM consolidation",
            aliases=("notes", "comment"),
        ),
    ),
    key=("kpi", "fiscal_year", "quarter"),
)

KPI_ACTUALS = Table(
    "kpi_actuals",
    "Observed KPI values; several observations in a quarter are combined by the KPI's aggregation.",
    (
        _C("date", "date", True, "Date of the observation.", "2026-08-31", aliases=("as_of", "measured_on")),
        _C("kpi", "id", True, "KPI identifier from kpis.", "nps", aliases=("kpi_id",)),
        _C("value", "number", True, "Observed value in the KPI's unit.", "41.5", aliases=("actual", "measure")),
        _C("segment", "text", False, "Optional segment (region, channel...).", "EMEA"),
    ),
    key=("date", "kpi", "segment"),
)

REQUESTS = Table(
    "requests",
    "Marketing's requests to IT, with the timestamps of each stage.",
    (
        _C("request_id", "id", True, "Ticket key.", "MKT-1042", aliases=("id", "key", "issue_key", "ticket")),
        _C("title", "text", True, "Short summary.", "Add UTM fields to CRM lead form", aliases=("summary", "name")),
        _C(
            "requested_at",
            "datetime",
            True,
            "When marketing raised the request.",
            "2026-03-02",
            aliases=("created", "created_at", "opened_at"),
        ),
        _C("priority", "enum", True, "Critical, High, Medium or Low.", "High", allowed=PRIORITIES),
        _C(
            "type",
            "text",
            True,
            "Kind of work: Campaign, Data, Integration, Website...",
            "Integration",
            aliases=("request_type", "issue_type"),
        ),
        _C(
            "requested_by",
            "text",
            False,
            "Requesting team or person.",
            "Demand generation",
            aliases=("requester", "reporter", "team"),
        ),
        _C(
            "ready_at",
            "datetime",
            False,
            "When requirements were complete (ends waiting on marketing).",
            "2026-03-09",
            aliases=("requirements_complete_at", "ready"),
        ),
        _C(
            "started_at",
            "datetime",
            False,
            "When IT started work (ends IT's queue).",
            "2026-03-16",
            aliases=("in_progress_at", "started"),
        ),
        _C(
            "delivered_at",
            "datetime",
            False,
            "When delivered; empty while open.",
            "2026-03-30",
            aliases=("resolved", "resolved_at", "done_at", "closed_at", "delivered"),
        ),
        _C("status", "text", False, "Workflow status as exported.", "Done"),
        _C("sla_days", "number", False, "Agreed turnaround in days for this request.", "20", aliases=("sla",)),
    ),
    key=("request_id",),
)

FX_RATES = Table(
    "fx_rates",
    "Exchange rates that convert spend and budget lines in other currencies to the reporting currency.",
    (
        _C("currency", "text", True, "ISO code of the currency converted from.", "EUR", aliases=("from_currency",)),
        _C(
            "month",
            "date",
            True,
            "The calendar month the rate applies to: its first day (any day of the month means that month).",
            "2026-02-01",
            aliases=("period", "rate_month", "date"),
            future_ok=True,  # planning rates for the budget's coming quarters
        ),
        _C(
            "rate",
            "number",
            True,
            "Units of the reporting currency for one unit of the currency (1 EUR = 1.0832 USD: 1.0832).",
            "1.0832",
            aliases=("fx_rate", "exchange_rate", "rate_to_reporting"),
        ),
    ),
    key=("currency", "month"),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (SPEND, BUDGET, VENDORS, KPIS, KPI_TARGETS, KPI_ACTUALS, REQUESTS, FX_RATES)
}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

# Prefix of tables holding what users enter in the app (targets, agreements, commentary, audit).
# Imports never touch them.
USER_TABLE_PREFIX = "app_"


def normalise_header(header: str) -> str:
    """'  Invoice ID ' -> 'invoice_id'; zero-width characters and BOMs removed."""
    h = header.replace("\ufeff", "").replace("\u200b", "").replace("\xa0", " ").strip().lower()
    h = re.sub(r"[\s\-./]+", "_", h)
    return h.strip("_")


def header_map(table: Table) -> dict[str, str]:
    """Every accepted (normalised) header spelling -> canonical column name."""
    out: dict[str, str] = {}
    for c in table.columns:
        out[normalise_header(c.name)] = c.name
        for a in c.aliases:
            out.setdefault(normalise_header(a), c.name)
    return out


def enum_lookup(column: Column) -> dict[str, str]:
    """Accepted spelling (lower-cased; spaces, underscores and hyphens as one space) -> canonical value."""
    out: dict[str, str] = {}
    for canonical, spellings in column.allowed.items():
        out[_fold(canonical)] = canonical
        for s in spellings:
            out[_fold(s)] = canonical
    return out


def _fold(value: str) -> str:
    # Exports spell one value many ways: "higher_is_better", "higher-is-better", "Higher is  better".
    return re.sub(r"[\s_\-]+", " ", value.strip().lower()).strip()


def fold_enum(value: str) -> str:
    return _fold(value)
