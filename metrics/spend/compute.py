"""Tech spend definitions: the split, marketing share, budget variance and fiscal-year landing,
vendor overlap, redundant tools, shadow IT, the Run / Grow / Transform mix and the drill-down.

Every function here is pure: small aggregated frames in (from `metrics.spend.queries`), a small
typed result out, None meaning "no data". Each result's ``sentence`` is the one shown above its
chart, worded in `metrics.spend.wording`; `metrics.spend.load` runs the queries and calls these.

Conventions:
- `departments` is the sidebar's department scope; an empty tuple means all of them.
- Money is net of credits (negative lines) everywhere and rounded to the cent.
- A "period frame" is `queries.period_spend` joined to the vendor directory: one row per
  department, category, vendor spelling and investment type, with `vendor_key`, `vendor_name`,
  `in_catalogue` and `it_approved`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from metrics.contract import DEPARTMENTS, INVESTMENT_TYPES
from metrics.fiscal import FiscalQuarter
from metrics.spend import wording
from metrics.spend.wording import NEAR_MATCH_THRESHOLD, verdict
from metrics.vendors import VendorCatalogue

DEPARTMENT_ORDER = tuple(DEPARTMENTS)  # Marketing, IT, Joint
UNMAPPED = "Unmapped"
INVESTMENT_ORDER = (*INVESTMENT_TYPES, UNMAPPED)
BUDGET, FORECAST = "Budget", "Forecast"
SHADOW_DEPARTMENTS = ("Marketing", "Joint")  # whose spend can be shadow IT

# At most this many invoice lines are fetched and shown behind one drill-down selection.
LINE_CAP = 500


def _covers(departments: Sequence[str], *needed: str) -> bool:
    return not departments or all(d in departments for d in needed)


def _r(value: float) -> float:
    return round(float(value), 2)


def _pct_or_none(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _department_sort(frame: pd.DataFrame) -> pd.Series:
    return frame["department"].map({d: i for i, d in enumerate(DEPARTMENT_ORDER)})


# --- Spend split and marketing share ------------------------------------------------------


@dataclass(frozen=True)
class SpendSplit:
    quarter: FiscalQuarter
    total: float
    by_department: dict[str, float]  # every department, 0.0 where it had no lines
    shares: dict[str, float | None]  # None when the total is zero (a share of nothing)
    previous_total: float | None  # None: no spend lines in the previous quarter (no data)

    def total_delta_label(self, *, currency: str = "$") -> str | None:
        return wording.total_delta_label(self, currency=currency)

    def sentence(self, *, currency: str = "$") -> str:
        return wording.spend_split_sentence(self, currency=currency)


def spend_split(by_quarter: pd.DataFrame, quarter: FiscalQuarter | None) -> SpendSplit | None:
    """Split of one quarter's spend by department, from `queries.spend_by_quarter` output.

    Returns None when the quarter has no spend lines ("no data", not zero).
    """
    if quarter is None or by_quarter.empty:
        return None
    this = by_quarter[by_quarter["quarter"] == quarter.label]
    if this.empty:
        return None
    by_dept = {d: float(this.loc[this["department"] == d, "spend"].sum()) for d in DEPARTMENTS}
    total = round(sum(by_dept.values()), 2)
    shares = {d: (v / total if total else None) for d, v in by_dept.items()}
    prev = by_quarter[by_quarter["quarter"] == quarter.previous().label]
    previous_total = round(float(prev["spend"].sum()), 2) if not prev.empty else None
    return SpendSplit(quarter, total, by_dept, shares, previous_total)


def quarterly_split(by_quarter: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter with spend: quarter (FiscalQuarter), label, Marketing, IT, Joint, total,
    marketing_share. Input: `queries.spend_by_quarter` output."""
    cols = ["quarter", "label", *DEPARTMENT_ORDER, "total", "marketing_share"]
    if by_quarter.empty:
        return pd.DataFrame(columns=cols)
    wide = (
        by_quarter.pivot_table(
            index=["fiscal_year", "fiscal_quarter"], columns="department", values="spend", aggfunc="sum", fill_value=0.0
        )
        .reindex(columns=list(DEPARTMENT_ORDER), fill_value=0.0)
        .reset_index()
    )
    wide["quarter"] = [FiscalQuarter(int(y), int(q)) for y, q in zip(wide["fiscal_year"], wide["fiscal_quarter"])]
    wide["label"] = [q.label for q in wide["quarter"]]
    wide["total"] = wide[list(DEPARTMENT_ORDER)].sum(axis=1).round(2)
    wide["marketing_share"] = [m / t if t > 0 else np.nan for m, t in zip(wide["Marketing"], wide["total"])]
    return wide.sort_values("quarter").reset_index(drop=True)[cols]


def overtake_quarters(split: pd.DataFrame) -> list[FiscalQuarter]:
    """Quarters in which Marketing spent more than IT after spending no more than IT in the
    quarter before (the previous quarter with spend)."""
    out = []
    for prev, this in zip(split.itertuples(), split.iloc[1:].itertuples()):
        if this.Marketing > this.IT and prev.Marketing <= prev.IT:
            out.append(this.quarter)
    return out


@dataclass(frozen=True)
class MarketingShare:
    quarter: FiscalQuarter
    share: float | None  # None: no spend at all in the quarter
    previous_share: float | None  # None: no spend in the previous quarter
    marketing: float
    it: float
    overtaken_in: FiscalQuarter | None  # the latest overtaking at or before `quarter`

    @property
    def delta(self) -> float | None:
        if self.share is None or self.previous_share is None:
            return None
        return self.share - self.previous_share

    def sentence(self, *, currency: str = "$") -> str:
        return wording.marketing_share_sentence(self, currency=currency)


def marketing_share(split: pd.DataFrame, quarter: FiscalQuarter | None) -> MarketingShare | None:
    """Marketing's share of all technology spend in `quarter`, from `quarterly_split` (unscoped)."""
    if quarter is None or split.empty or quarter not in set(split["quarter"]):
        return None
    rows = split.set_index("quarter")
    this = rows.loc[quarter]
    prev = rows.loc[quarter.previous()] if quarter.previous() in rows.index else None
    previous_share = None if prev is None or pd.isna(prev["marketing_share"]) else float(prev["marketing_share"])
    overtakes = [q for q in overtake_quarters(split) if q <= quarter]
    return MarketingShare(
        quarter,
        None if pd.isna(this["marketing_share"]) else float(this["marketing_share"]),
        previous_share,
        float(this["Marketing"]),
        float(this["IT"]),
        overtakes[-1] if overtakes else None,
    )


# --- Budget against actual ----------------------------------------------------------------


def _variance_columns(frame: pd.DataFrame, actual: str, budget: str = "budget") -> pd.DataFrame:
    frame["variance"] = (frame[actual] - frame[budget]).round(2)
    frame["variance_pct"] = [
        v / b if pd.notna(b) and b > 0 else np.nan for v, b in zip(frame["variance"], frame[budget])
    ]
    frame["verdict"] = [verdict(v) for v in frame["variance"]]
    return frame


@dataclass(frozen=True)
class BudgetVariance:
    quarter: FiscalQuarter
    lines: pd.DataFrame  # department, category, actual, budget (NaN: none), variance, variance_pct, verdict
    by_department: pd.DataFrame  # department, actual, budget, variance, variance_pct, verdict
    actual: float
    budget: float | None  # None: no budget recorded for the quarter in scope

    @property
    def variance(self) -> float | None:
        return None if self.budget is None else _r(self.actual - self.budget)

    @property
    def variance_pct(self) -> float | None:
        variance = self.variance
        if variance is None or self.budget is None or self.budget <= 0:
            return None
        return variance / self.budget

    @property
    def verdict(self) -> str:
        return verdict(self.variance)

    @property
    def unbudgeted(self) -> float:
        """Spend in categories that have no budget line."""
        return _r(self.lines.loc[self.lines["budget"].isna(), "actual"].sum())

    def sentence(self, *, currency: str = "$") -> str:
        return wording.budget_variance_sentence(self, currency=currency)


def _budget_of(budget: pd.DataFrame, scenario: str, quarters: Collection[FiscalQuarter]) -> pd.DataFrame:
    if budget.empty:
        return budget
    return budget[(budget["scenario"] == scenario) & budget["quarter"].isin(list(quarters))]


def budget_variance(period: pd.DataFrame, budget: pd.DataFrame, quarter: FiscalQuarter) -> BudgetVariance | None:
    """Actual against budget per department and category for `quarter`.

    `period`: a period frame (or `queries.period_spend`) already in scope; `budget`:
    `queries.budget_by_line` for the quarter's fiscal year, in scope. None when the quarter
    has neither spend nor budget in scope.
    """
    planned = _budget_of(budget, BUDGET, [quarter])
    if period.empty and planned.empty:
        return None
    keys = ["department", "category"]
    actual = period.groupby(keys, as_index=False)["spend"].sum().rename(columns={"spend": "actual"})
    planned = planned.groupby(keys, as_index=False)["amount"].sum().rename(columns={"amount": "budget"})
    lines = actual.merge(planned, on=keys, how="outer")
    lines["actual"] = lines["actual"].fillna(0.0).round(2)  # budgeted, nothing spent: an actual of 0
    lines = _variance_columns(lines, "actual")
    lines = lines.assign(_o=_department_sort(lines)).sort_values(["_o", "category"]).drop(columns="_o")
    by_dept = lines.groupby("department", as_index=False).agg(
        actual=("actual", "sum"), budget=("budget", lambda s: s.sum(min_count=1))
    )
    by_dept["actual"] = by_dept["actual"].round(2)
    by_dept = _variance_columns(by_dept, "actual")
    by_dept = by_dept.assign(_o=_department_sort(by_dept)).sort_values("_o").drop(columns="_o")
    total_budget = None if planned.empty else _r(planned["budget"].sum())
    return BudgetVariance(
        quarter, lines.reset_index(drop=True), by_dept.reset_index(drop=True), _r(lines["actual"].sum()), total_budget
    )


@dataclass(frozen=True)
class FiscalYearLanding:
    fiscal_year: int
    actual_quarters: tuple[FiscalQuarter, ...]
    forecast_quarters: tuple[FiscalQuarter, ...]
    missing_forecast: tuple[FiscalQuarter, ...]  # quarters with neither spend nor a forecast
    # department, actual_to_date, forecast, landing, budget, variance, variance_pct, verdict
    by_department: pd.DataFrame

    @property
    def landing(self) -> float | None:
        return None if self.missing_forecast else _r(self.by_department["landing"].sum())

    @property
    def budget(self) -> float | None:
        b = self.by_department["budget"]
        return None if b.isna().all() else _r(b.sum())

    @property
    def variance(self) -> float | None:
        return None if self.landing is None or self.budget is None else _r(self.landing - self.budget)

    def sentence(self, *, currency: str = "$") -> str:
        return wording.landing_sentence(self, currency=currency)


def fiscal_year_landing(
    by_quarter: pd.DataFrame, budget: pd.DataFrame, fiscal_year: int, quarters_with_spend: Collection[FiscalQuarter]
) -> FiscalYearLanding | None:
    """Actuals to date plus forecast for the rest of the fiscal year, against its budget.

    `by_quarter`: `queries.spend_by_quarter` in scope; `budget`: `budget_by_line` for the year in
    scope; `quarters_with_spend`: quarters with any spend (all departments), which decides whether
    a quarter counts as actual or still needs its forecast. None when the year has no forecast.
    """
    if budget.empty or not (budget["scenario"] == FORECAST).any():
        return None
    year = [FiscalQuarter(fiscal_year, q) for q in range(1, 5)]
    actual_q = tuple(q for q in year if q in quarters_with_spend)
    remaining = [q for q in year if q not in quarters_with_spend]
    forecast = _budget_of(budget, FORECAST, remaining)
    forecast_q = tuple(q for q in remaining if q in set(forecast["quarter"]))
    missing = tuple(q for q in remaining if q not in forecast_q)
    actual = by_quarter[
        (by_quarter["fiscal_year"] == fiscal_year) & by_quarter["fiscal_quarter"].isin([q.quarter for q in actual_q])
    ]
    full_year_budget = _budget_of(budget, BUDGET, year)
    frames = [
        actual.groupby("department")["spend"].sum().rename("actual_to_date"),
        forecast.groupby("department")["amount"].sum().rename("forecast"),
        full_year_budget.groupby("department")["amount"].sum().rename("budget"),
    ]
    table = pd.concat(frames, axis=1).reindex([d for d in DEPARTMENT_ORDER if any(d in f.index for f in frames)])
    table[["actual_to_date", "forecast"]] = table[["actual_to_date", "forecast"]].fillna(0.0)
    table["landing"] = np.nan if missing else (table["actual_to_date"] + table["forecast"]).round(2)
    table = _variance_columns(table.rename_axis("department").reset_index(), "landing")
    cols = ["department", "actual_to_date", "forecast", "landing", "budget", "variance", "variance_pct", "verdict"]
    return FiscalYearLanding(fiscal_year, actual_q, forecast_q, missing, table[cols])


# --- Vendors: directory, overlap, redundant tools, near-matches ---------------------------


def vendor_directory(names: pd.DataFrame, catalogue_rows: pd.DataFrame | None) -> pd.DataFrame:
    """One row per vendor spelling as invoiced: vendor, vendor_key (normalised), vendor_name (the
    catalogue's name, else the spelling with most lines), in_catalogue, it_approved.

    `names`: `queries.spend_by_vendor_name`; `catalogue_rows`: the vendors table (or None).
    """
    catalogue = VendorCatalogue(catalogue_rows)
    approved = {}
    if catalogue_rows is not None and not catalogue_rows.empty:
        approved = {
            str(v).strip(): bool(a) if pd.notna(a) else False
            for v, a in zip(catalogue_rows["vendor"], catalogue_rows["it_approved"])
        }
    out = names[["vendor", "spend", "lines"]].copy()
    canonical = [catalogue.resolve(v) for v in out["vendor"]]
    out["vendor_key"] = list(catalogue.canonical_keys(out["vendor"]))
    out["in_catalogue"] = [c is not None for c in canonical]
    out["it_approved"] = [approved.get(c, False) if c is not None else False for c in canonical]
    # Uncatalogued suppliers are named by their most used spelling.
    most_used = (
        out.sort_values(["lines", "spend", "vendor"], ascending=[False, False, True])
        .drop_duplicates("vendor_key")
        .set_index("vendor_key")["vendor"]
    )
    out["vendor_name"] = [c if c is not None else most_used[k] for c, k in zip(canonical, out["vendor_key"])]
    return out[["vendor", "vendor_key", "vendor_name", "in_catalogue", "it_approved"]].reset_index(drop=True)


def with_vendors(period: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    """The period frame: `period_spend` rows joined to their vendor identity."""
    return period.merge(directory, on="vendor", how="left", validate="many_to_one")


def _spellings(frame: pd.DataFrame) -> str:
    return " | ".join(sorted(set(frame)))


@dataclass(frozen=True)
class VendorOverlap:
    quarter: FiscalQuarter
    in_scope: bool  # the department scope includes both Marketing and IT
    vendors: pd.DataFrame  # vendor, spellings, categories, Marketing, IT, Joint, total, at_stake; largest first

    @property
    def total_at_stake(self) -> float | None:
        return _r(self.vendors["at_stake"].sum()) if self.in_scope else None

    def sentence(self, *, currency: str = "$") -> str:
        return wording.vendor_overlap_sentence(self, currency=currency)


def vendor_overlap(period: pd.DataFrame, quarter: FiscalQuarter, departments: Sequence[str] = ()) -> VendorOverlap:
    """Normalised vendors paid (net) by both Marketing and IT in the period, with at stake =
    min(Marketing, IT)."""
    cols = ["vendor", "spellings", "categories", *DEPARTMENT_ORDER, "total", "at_stake"]
    if not _covers(departments, "Marketing", "IT") or period.empty:
        return VendorOverlap(quarter, _covers(departments, "Marketing", "IT"), pd.DataFrame(columns=cols))
    wide = (
        period.pivot_table(index="vendor_name", columns="department", values="spend", aggfunc="sum", fill_value=0.0)
        .reindex(columns=list(DEPARTMENT_ORDER), fill_value=0.0)
        .round(2)
    )
    both = wide[(wide["Marketing"] > 0) & (wide["IT"] > 0)].copy()
    both["total"] = both[list(DEPARTMENT_ORDER)].sum(axis=1).round(2)
    both["at_stake"] = both[["Marketing", "IT"]].min(axis=1)
    grouped = period[period["vendor_name"].isin(both.index)].groupby("vendor_name")
    both["spellings"] = grouped["vendor"].agg(_spellings)
    both["categories"] = grouped["category"].agg(lambda s: ", ".join(sorted(set(s))))
    both = (
        both.rename_axis("vendor")
        .reset_index()
        .sort_values(["at_stake", "total", "vendor"], ascending=[False, False, True])
    )
    return VendorOverlap(quarter, True, both[cols].reset_index(drop=True))


@dataclass(frozen=True)
class RedundantTools:
    quarter: FiscalQuarter
    in_scope: bool
    categories: pd.DataFrame  # category, marketing_vendors, it_vendors, Marketing, IT, at_stake; largest first

    @property
    def total(self) -> float | None:
        return _r(self.categories["at_stake"].sum()) if self.in_scope else None

    def sentence(self, *, currency: str = "$") -> str:
        return wording.redundant_tools_sentence(self, currency=currency)


def redundant_tools(period: pd.DataFrame, quarter: FiscalQuarter, departments: Sequence[str] = ()) -> RedundantTools:
    """Categories where Marketing and IT both spend (net) but not on the same set of vendors;
    sized by the smaller department's spend in the category."""
    cols = ["category", "marketing_vendors", "it_vendors", "Marketing", "IT", "at_stake"]
    if not _covers(departments, "Marketing", "IT") or period.empty:
        return RedundantTools(quarter, _covers(departments, "Marketing", "IT"), pd.DataFrame(columns=cols))
    by_vendor = (
        period[period["department"].isin(["Marketing", "IT"])]
        .groupby(["category", "department", "vendor_name"], as_index=False)["spend"]
        .sum()
    )
    by_vendor = by_vendor[by_vendor["spend"].round(2) > 0]
    rows = []
    for category, part in by_vendor.groupby("category"):
        mk = part[part["department"] == "Marketing"]
        it = part[part["department"] == "IT"]
        if mk.empty or it.empty or set(mk["vendor_name"]) == set(it["vendor_name"]):
            continue
        m_total, i_total = _r(mk["spend"].sum()), _r(it["spend"].sum())
        rows.append(
            (
                category,
                ", ".join(sorted(mk["vendor_name"])),
                ", ".join(sorted(it["vendor_name"])),
                m_total,
                i_total,
                min(m_total, i_total),
            )
        )
    out = pd.DataFrame(rows, columns=cols).sort_values(["at_stake", "category"], ascending=[False, True])
    return RedundantTools(quarter, True, out.reset_index(drop=True))


def possible_duplicates(directory: pd.DataFrame, threshold: int = NEAR_MATCH_THRESHOLD) -> pd.DataFrame:
    """Pairs of normalised vendors whose keys still look alike ("possibly the same vendor").

    Pairs where both are distinct catalogue vendors are left out: the catalogue already says
    they differ. Columns: vendor_a, vendor_b, score, spellings_a, spellings_b; best match first.
    """
    cols = ["vendor_a", "vendor_b", "score", "spellings_a", "spellings_b"]
    groups = (
        directory.groupby("vendor_key")
        .agg(name=("vendor_name", "first"), catalogued=("in_catalogue", "any"), spellings=("vendor", _spellings))
        .reset_index()
    )
    if len(groups) < 2:
        return pd.DataFrame(columns=cols)
    keys = groups["vendor_key"].tolist()
    scores = process.cdist(keys, keys, scorer=fuzz.WRatio, score_cutoff=threshold, workers=1)
    rows = []
    for i, j in zip(*np.nonzero(np.triu(scores, k=1))):
        a, b = groups.iloc[i], groups.iloc[j]
        if a["catalogued"] and b["catalogued"]:
            continue
        rows.append((a["name"], b["name"], int(round(scores[i, j])), a["spellings"], b["spellings"]))
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["score", "vendor_a", "vendor_b"], ascending=[False, True, True]).reset_index(drop=True)


# --- Shadow IT ----------------------------------------------------------------------------


def shadow_vendor_spellings(directory: pd.DataFrame) -> list[str]:
    """Spellings (as invoiced) of vendors the catalogue does not approve or does not list."""
    return sorted(directory.loc[~directory["it_approved"].astype(bool), "vendor"])


def shadow_it_trend(by_quarter: pd.DataFrame) -> pd.DataFrame:
    """Per quarter: spend (Marketing + Joint in scope), shadow, share. Input:
    `queries.shadow_spend_by_quarter`."""
    cols = ["quarter", "label", "spend", "shadow", "share"]
    if by_quarter.empty:
        return pd.DataFrame(columns=cols)
    out = by_quarter.groupby("quarter", as_index=False)[["spend", "shadow"]].sum().sort_values("quarter")
    out["label"] = [q.label for q in out["quarter"]]
    out[["spend", "shadow"]] = out[["spend", "shadow"]].round(2)
    out["share"] = [s / t if t > 0 else np.nan for s, t in zip(out["shadow"], out["spend"])]
    return out[cols].reset_index(drop=True)


@dataclass(frozen=True)
class ShadowIT:
    quarter: FiscalQuarter
    amount: float
    base: float  # Marketing + Joint spend in scope
    previous_share: float | None
    top_vendors: pd.DataFrame  # vendor, reason, spend, lines; largest first
    catalogued: bool  # whether any vendor of the period is in IT's catalogue at all

    @property
    def share(self) -> float | None:
        return _pct_or_none(self.amount, self.base)

    def sentence(self, *, currency: str = "$") -> str:
        return wording.shadow_it_sentence(self, currency=currency)


def shadow_in_scope(departments: Sequence[str]) -> bool:
    """Shadow IT is measured on Marketing and Joint spend: is either in the department scope?"""
    return any(_covers(departments, d) for d in SHADOW_DEPARTMENTS)


def shadow_it(
    period: pd.DataFrame, trend: pd.DataFrame, quarter: FiscalQuarter, departments: Sequence[str] = (), top: int = 10
) -> ShadowIT | None:
    """Shadow IT of the period from the period frame; the previous quarter's share from `trend`
    (`shadow_it_trend`). None when neither Marketing nor Joint is in scope or they have no spend
    lines in the period."""
    scope = period[period["department"].isin(SHADOW_DEPARTMENTS)]
    if scope.empty or not shadow_in_scope(departments):
        return None
    shadow = scope[~scope["it_approved"].astype(bool)]
    vendors = shadow.groupby("vendor_name", as_index=False).agg(
        spend=("spend", "sum"), lines=("lines", "sum"), catalogued=("in_catalogue", "any")
    )
    vendors["spend"] = vendors["spend"].round(2)
    vendors["reason"] = ["not approved by IT" if c else "not in the catalogue" for c in vendors["catalogued"]]
    vendors = (
        vendors.rename(columns={"vendor_name": "vendor"})
        .sort_values(["spend", "vendor"], ascending=[False, True])
        .head(top)
    )
    prev = trend[trend["quarter"] == quarter.previous()]["share"] if not trend.empty else pd.Series(dtype=float)
    previous_share = float(prev.iloc[0]) if len(prev) and pd.notna(prev.iloc[0]) else None
    return ShadowIT(
        quarter,
        _r(shadow["spend"].sum()),
        _r(scope["spend"].sum()),
        previous_share,
        vendors[["vendor", "reason", "spend", "lines"]].reset_index(drop=True),
        bool(period["in_catalogue"].any()),
    )


# --- Run / Grow / Transform ---------------------------------------------------------------


@dataclass(frozen=True)
class InvestmentMix:
    quarter: FiscalQuarter
    mix: pd.DataFrame  # department, investment_type (Run/Grow/Transform/Unmapped), spend, share of the department
    total: float

    @property
    def unmapped(self) -> float:
        return _r(self.mix.loc[self.mix["investment_type"] == UNMAPPED, "spend"].sum())

    @property
    def unmapped_share(self) -> float | None:
        return _pct_or_none(self.unmapped, self.total)

    def sentence(self, *, currency: str = "$") -> str:
        mapped = self.mix[self.mix["investment_type"] != UNMAPPED].dropna(subset=["share"])
        largest = mapped.sort_values("share", ascending=False).drop_duplicates("department")
        ordered = largest.assign(_o=_department_sort(largest)).sort_values("_o")
        return wording.investment_mix_sentence(self, ordered, currency=currency)


def investment_mix(period: pd.DataFrame, quarter: FiscalQuarter) -> InvestmentMix | None:
    """Each department's spend by investment type, as shares of its spend; lines without a type
    are their own Unmapped slice. None when the period has no spend lines in scope."""
    if period.empty:
        return None
    typed = period.assign(investment_type=period["investment_type"].fillna(UNMAPPED))
    mix = typed.groupby(["department", "investment_type"], as_index=False)["spend"].sum()
    mix["spend"] = mix["spend"].round(2)
    totals = mix.groupby("department")["spend"].transform("sum")
    mix["share"] = [s / t if t > 0 else np.nan for s, t in zip(mix["spend"], totals)]
    order = {t: i for i, t in enumerate(INVESTMENT_ORDER)}
    mix = (
        mix.assign(_d=_department_sort(mix), _t=mix["investment_type"].map(order))
        .sort_values(["_d", "_t"])
        .drop(columns=["_d", "_t"])
        .reset_index(drop=True)
    )
    return InvestmentMix(quarter, mix, _r(mix["spend"].sum()))


# --- Drill-down ---------------------------------------------------------------------------

DRILL_LEVELS = ("department", "category", "vendor")


@dataclass(frozen=True)
class DrillLevel:
    quarter: FiscalQuarter
    path: tuple[str, ...]  # () / (department,) / (department, category)
    rows: pd.DataFrame  # name, department, spend, lines, share (of the level's total); largest first

    @property
    def level(self) -> str:
        return DRILL_LEVELS[len(self.path)]

    @property
    def table(self) -> pd.DataFrame:
        """What the page shows and downloads: the rows, with the path above them as columns."""
        out = self.rows.drop(columns="department").rename(columns={"name": self.level})
        for column, value in reversed(list(zip(DRILL_LEVELS, self.path))):
            out.insert(0, column, value)
        return out

    @property
    def total(self) -> float:
        return _r(self.rows["spend"].sum())

    def sentence(self, *, currency: str = "$") -> str:
        return wording.drill_level_sentence(self, currency=currency)


def drill_down(
    period: pd.DataFrame, quarter: FiscalQuarter, department: str | None = None, category: str | None = None
) -> DrillLevel:
    """The next level below a selection: departments, then categories of a department, then
    vendors (normalised) of a category."""
    path = tuple(p for p in (department, category) if p)
    part = period
    if department:
        part = part[part["department"] == department]
    if department and category:
        part = part[part["category"] == category]
    key = {0: "department", 1: "category", 2: "vendor_name"}[len(path)]
    rows = (
        part.groupby(key, as_index=False)
        .agg(spend=("spend", "sum"), lines=("lines", "sum"))
        .rename(columns={key: "name"})
    )
    rows["department"] = rows["name"] if key == "department" else department
    rows["spend"] = rows["spend"].round(2)
    total = rows["spend"].sum()
    # A tenth of a percent is the finest a reader needs, in the table as in the sentence.
    rows["share"] = [round(s / total, 3) if total > 0 else np.nan for s in rows["spend"]]
    rows = rows.sort_values(["spend", "name"], ascending=[False, True]).reset_index(drop=True)
    return DrillLevel(quarter, path, rows[["name", "department", "spend", "lines", "share"]])


@dataclass(frozen=True)
class LineSelection:
    """The invoice lines behind one department, category and vendor."""

    department: str
    category: str
    vendor: str  # normalised vendor name
    spellings: tuple[str, ...]  # as invoiced: what the lines query filters on
    spend: float
    lines: int

    def caption(self, shown: int, cap: int = LINE_CAP, *, currency: str = "$") -> str:
        return wording.lines_caption(self, shown, cap, currency=currency)


def line_selection(period: pd.DataFrame, department: str, category: str, vendor: str) -> LineSelection | None:
    part = period[
        (period["department"] == department) & (period["category"] == category) & (period["vendor_name"] == vendor)
    ]
    if part.empty:
        return None
    return LineSelection(
        department,
        category,
        vendor,
        tuple(sorted(set(part["vendor"]))),
        _r(part["spend"].sum()),
        int(part["lines"].sum()),
    )
