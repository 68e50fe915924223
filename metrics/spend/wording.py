"""The spend area's words: the verdict on a budget variance and its symbol, the one wording of a
variance ("$40.0K (3.0%) under budget"), the sentence above each chart, and the glossary. The Tech spend
page, the Overview tiles and story, the board pack (PDF and slides), the charts and the command line
all take their words from here, so one budget variance reads the same everywhere.

The sentence functions take the results of `metrics.spend.compute`; each result's ``sentence``
property calls them. This module imports nothing from the rest of the area, so compute can.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from metrics.fiscal import FiscalQuarter
from metrics.formatting import money, money_apart, share

if TYPE_CHECKING:  # the results described here; imported for type hints only (compute imports this module)
    from metrics.spend.compute import (
        BudgetVariance,
        DrillLevel,
        FiscalYearLanding,
        InvestmentMix,
        LineSelection,
        MarketingShare,
        RedundantTools,
        ShadowIT,
        SpendSplit,
        VendorOverlap,
    )

# Near-matches are scored with rapidfuzz's WRatio (0-100) on the normalised keys: it rates typos
# ("tablau" / "tableau" 92) and a name inside a longer one ("salesforce" / "salesforce emea" 90)
# highly, and unrelated names low ("aws" / "azure" 45). At 90 the review list catches those and
# pairs like "hub spot" / "hubspot" (93) while leaving "figma" / "figjam" (73) alone. It is a
# review list, so it errs towards recall; nothing is ever merged on a score. Defined here because
# the glossary states it; `compute.possible_duplicates` applies it.
NEAR_MATCH_THRESHOLD = 90

GLOSSARY = {
    "Spend": "The sum of `amount` of the spend lines dated in the period; credits (negative lines) net off.",
    "Marketing share": "Marketing spend / total technology spend of all departments. Joint (jointly funded) "
    "spend is its own slice, never split between Marketing and IT.",
    "Budget variance": "Actual - budget, per department and category, and as a % of budget. Under budget is "
    "favourable, over budget unfavourable. Spend in a category with no budget counts against "
    "its department's total budget; a budgeted line with no spend is an actual of 0.",
    "Fiscal-year landing": "Where forecasts exist: actual spend of the fiscal year's quarters that have spend, "
    "plus the forecast of the quarters that have none yet, against the full-year budget.",
    "Vendor normalisation": "Case, accents, punctuation, web domains and legal suffixes (Inc, Ltd, LLC, GmbH, "
    "Corp, PLC, SA, AG, BV, Limited, Corporation, Company...) removed, then the vendor "
    "catalogue's names and aliases applied. Names that still look alike (rapidfuzz WRatio "
    f'>= {NEAR_MATCH_THRESHOLD}) are listed as "possibly the same vendor", never merged.',
    "Vendor overlap": "A normalised vendor that both Marketing and IT paid (net of credits) in the period. "
    "At stake = the smaller of the Marketing and IT amounts: what one side pays for something "
    "the other already buys.",
    "Redundant tools": "A capability category in which Marketing and IT both spend but pay different vendors in "
    "the period; sized by the smaller department's spend in that category.",
    "Shadow IT": "Marketing and Joint spend with vendors that IT's catalogue does not mark `it_approved`, or "
    "that are missing from it; shown as an amount and as a share of Marketing and Joint spend.",
    "Run / Grow / Transform": "Each department's spend by `investment_type`; lines without one are shown as "
    "their own Unmapped slice.",
}


# --- Budget variance: the verdict, its symbol, the one wording -----------------------------

# The word carries the meaning; the arrow repeats it for a reader who cannot tell the colours apart.
VERDICT_SYMBOLS = {"favourable": "▼", "unfavourable": "▲", "on budget": "●", "no budget": "○"}
VERDICT_LABELS = {v: f"{s} {v}" for v, s in VERDICT_SYMBOLS.items()}


def verdict(variance: float | None) -> str:
    """For spend, under budget is favourable."""
    if variance is None or pd.isna(variance):
        return "no budget"
    if round(variance, 2) < 0:
        return "favourable"
    if round(variance, 2) > 0:
        return "unfavourable"
    return "on budget"


def with_verdict_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A variance table for display: the verdict with its arrow."""
    return frame.assign(verdict=frame["verdict"].map(VERDICT_LABELS))


def variance_percent(frac: float, signed: bool = False, decimals: int | None = None) -> str:
    """Variance as a % of budget: by default one decimal under 10% (so 0.4% never reads as 0%),
    whole percents above. '+1.4%', '-29%'. Tables and slide labels that need a fixed width pass
    `decimals`."""
    if decimals is None:
        decimals = 1 if abs(frac) < 0.1 else 0
    return f"{frac * 100:{'+' if signed else ''}.{decimals}f}%"


def variance_words(
    variance: float | None,
    pct: float | None = None,
    *,
    against: str = "",
    with_verdict: bool = False,
    symbol: bool = False,
    short: bool = False,
    percent_decimals: int | None = None,
    zero: str | None = "exactly on budget",
    missing: str = "no budget",
    currency: str = "$",
) -> str:
    """The one wording of a budget variance (actual - budget; `pct` = variance / budget).

    Bare, it reads '$40.0K (3.0%) under'; each place asks for the parts its space allows, so the same
    variance reads alike everywhere:

    - `against`: what it is over or under: 'budget' (sentences), 'the $6.2K budget' (the tile);
    - `with_verdict`: ', favourable' / ', unfavourable' after it (the Tech spend sentences);
    - `symbol`: '▲' (over, unfavourable) / '▼' (under, favourable) before it (notes, labels);
    - `short`: the symbol and the percent only, '▲ 9%' beside a bar ('' without a percent);
    - `percent_decimals`: fixed decimals of the percent (default: one under 10%, else whole);
    - `zero`: the words for a variance that rounds to 0 cents (None: no special case, '$0 under');
    - `missing`: the words when there is no variance (no budget).
    """
    if pct is not None and pd.isna(pct):
        pct = None
    if variance is None or pd.isna(variance) or (short and pct is None):
        return missing
    if zero is not None and round(variance, 2) == 0:
        return zero
    over = variance > 0
    sign = VERDICT_SYMBOLS["unfavourable" if over else "favourable"] + " " if symbol else ""
    if short:
        assert pct is not None  # short with no pct returned `missing` above
        return f"{sign}{variance_percent(abs(pct), decimals=percent_decimals)}"
    pct_text = f" ({variance_percent(abs(pct), decimals=percent_decimals)})" if pct is not None else ""
    text = f"{sign}{money(abs(variance), currency=currency)}{pct_text} {'over' if over else 'under'}"
    if against:
        text += f" {against}"
    if with_verdict:
        text += f", {verdict(variance)}"
    return text


# --- Sentences above the charts ------------------------------------------------------------


def change_in_points(delta: float, previous: FiscalQuarter) -> str:
    """'up 4 points on FY2026 Q1' / 'down 1 point on ...' / 'unchanged on ...' (whole points)."""
    whole = round(delta * 100)
    if whole == 0:
        return f"unchanged on {previous.label}"
    return f"{'up' if whole > 0 else 'down'} {abs(whole)} point{'s' if abs(whole) != 1 else ''} on {previous.label}"


def total_delta_label(split: SpendSplit, *, currency: str = "$") -> str | None:
    if split.previous_total is None:
        return None
    return f"{money(split.total - split.previous_total, currency=currency)} vs {split.quarter.previous().label}"


def spend_split_sentence(split: SpendSplit, *, currency: str = "$") -> str:
    mk = split.shares.get("Marketing")
    base = f"{split.quarter.label}: {money(split.total, currency=currency)} of technology spend"
    if mk is None:
        return base + "."
    return base + f", of which Marketing paid {share(mk)}."


def marketing_share_sentence(ms: MarketingShare, *, currency: str = "$") -> str:
    if ms.share is None:
        return f"No technology spend is dated in {ms.quarter.label}."
    text = f"Marketing paid {share(ms.share)} of technology spend in {ms.quarter.label}"
    if ms.delta is not None:
        text += ", " + change_in_points(ms.delta, ms.quarter.previous())
    text += "."
    if ms.overtaken_in is not None and ms.marketing > ms.it:
        # The claim carries the two amounts, with the precision that shows the order.
        marketing, it = money_apart(ms.marketing, ms.it, currency=currency)
        if ms.overtaken_in == ms.quarter:
            text += f" Its technology spend ({marketing}) overtook IT's ({it}) this quarter."
        else:
            text += f" Its technology spend ({marketing}) has been above IT's ({it}) since {ms.overtaken_in.label}."
    return text


def budget_variance_sentence(bv: BudgetVariance, *, currency: str = "$") -> str:
    q = bv.quarter.label
    if bv.budget is None:
        return f"No budget is recorded for {q}, so its {money(bv.actual, currency=currency)} of spend cannot be compared with one."
    text = (
        f"In {q}, spend of {money(bv.actual, currency=currency)} against a budget of {money(bv.budget, currency=currency)} was "
        f"{variance_words(bv.variance, bv.variance_pct, against='budget', with_verdict=True, currency=currency)}."
    )
    worst = bv.lines.dropna(subset=["variance"]).sort_values("variance", ascending=False).head(1)
    if not worst.empty and worst["variance"].iloc[0] > 0:
        w = worst.iloc[0]
        text += f" The largest overrun is {w['department']}'s {w['category']} budget (+{money(w['variance'], currency=currency)})."
    if bv.unbudgeted:
        text += f" {money(bv.unbudgeted, currency=currency)} went to categories with no budget."
    return text


def landing_sentence(landing: FiscalYearLanding, *, currency: str = "$") -> str:
    fy = f"FY{landing.fiscal_year}"
    if landing.missing_forecast:
        missing = ", ".join(q.q for q in landing.missing_forecast)
        return f"{fy} has forecasts, but none for {missing}, so its landing cannot be projected yet."
    basis = _basis(landing.actual_quarters, landing.forecast_quarters)
    if landing.budget is None:
        return f"{fy} is on course to land at {money(landing.landing, currency=currency)} ({basis}); no full-year budget is recorded."
    variance = landing.variance
    assert variance is not None  # no missing forecast (so a landing) and a budget
    pct = variance / landing.budget if landing.budget > 0 else None
    return (
        f"{fy} is on course to land at {money(landing.landing, currency=currency)} against a full-year budget of "
        f"{money(landing.budget, currency=currency)}: {variance_words(variance, pct, against='budget', with_verdict=True, currency=currency)} "
        f"({basis})."
    )


def _basis(actual: Sequence[FiscalQuarter], forecast: Sequence[FiscalQuarter]) -> str:
    parts = []
    if actual:
        parts.append(f"actuals for {_quarter_range(actual)}")
    if forecast:
        parts.append(f"forecast for {_quarter_range(forecast)}")
    return " plus ".join(parts)


def _quarter_range(quarters: Sequence[FiscalQuarter]) -> str:
    return quarters[0].q if len(quarters) == 1 else f"{quarters[0].q}–{quarters[-1].q}"


def vendor_overlap_sentence(overlap: VendorOverlap, *, currency: str = "$") -> str:
    if not overlap.in_scope:
        return "Overlap compares Marketing with IT: include both in the department filter to see it."
    if overlap.vendors.empty:
        return f"No vendor was paid by both Marketing and IT in {overlap.quarter.label}."
    top = overlap.vendors.iloc[0]
    n = len(overlap.vendors)
    return (
        f"In {overlap.quarter.label}, {n} vendor{'s were' if n > 1 else ' was'} paid by both Marketing and IT: "
        f"{money(overlap.total_at_stake, currency=currency)} at stake, the most with {top['vendor']} ({money(top['at_stake'], currency=currency)})."
    )


def redundant_tools_sentence(tools: RedundantTools, *, currency: str = "$") -> str:
    if not tools.in_scope:
        return "Redundant tools compare Marketing with IT: include both in the department filter to see them."
    if tools.categories.empty:
        return (
            f"In {tools.quarter.label}, Marketing and IT used the same vendors wherever they bought "
            "the same capability."
        )
    top = tools.categories.iloc[0]
    n = len(tools.categories)
    return (
        f"In {n} categor{'ies' if n > 1 else 'y'}, Marketing and IT paid different vendors for the same "
        f"capability in {tools.quarter.label}, sized at {money(tools.total, currency=currency)}. The largest is {top['category']} "
        f"({money(top['at_stake'], currency=currency)}): Marketing pays {top['marketing_vendors']}; IT pays {top['it_vendors']}."
    )


def duplicates_sentence(pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return "No two vendor names look alike after normalisation: nothing to review."
    n = len(pairs)
    return (
        f"{n} pair{'s' if n > 1 else ''} of vendor names look alike after normalisation but were not merged: "
        "if they are the same supplier, add the spelling to the catalogue's aliases."
    )


def shadow_it_sentence(shadow: ShadowIT, *, currency: str = "$") -> str:
    text = (
        f"In {shadow.quarter.label}, {money(shadow.amount, currency=currency)} of Marketing and Joint spend"
        f"{f' ({share(shadow.share)})' if shadow.share is not None else ''} went to vendors IT has not approved"
    )
    if shadow.share is not None and shadow.previous_share is not None:
        text += ", " + change_in_points(shadow.share - shadow.previous_share, shadow.quarter.previous())
    text += "."
    if not shadow.top_vendors.empty:
        top = shadow.top_vendors.iloc[0]
        text += f" The largest is {top['vendor']} ({money(top['spend'], currency=currency)}, {top['reason']})."
    if not shadow.catalogued:
        text += " No vendor of this period is in IT's catalogue: check that vendors.csv is loaded."
    return text


def shadow_trend_sentence(trend: pd.DataFrame, quarter: FiscalQuarter) -> str:
    upto = trend[(trend["quarter"] <= quarter) & trend["share"].notna()] if not trend.empty else trend
    if upto.empty:
        return "There is no Marketing or Joint spend in scope to measure shadow IT on."
    first, last = upto.iloc[0], upto.iloc[-1]
    if len(upto) == 1:
        return f"Shadow IT was {share(last['share'])} of Marketing and Joint spend in {last['label']}."
    direction = "rose" if last["share"] > first["share"] else "fell" if last["share"] < first["share"] else "held"
    return (
        f"Shadow IT {direction} from {share(first['share'])} of Marketing and Joint spend in {first['label']} "
        f"to {share(last['share'])} in {last['label']}."
    )


def investment_mix_sentence(mix: InvestmentMix, largest: pd.DataFrame, *, currency: str = "$") -> str:
    """`largest`: each department's largest mapped slice (department, investment_type, share), in
    department order."""
    leaders = [f"{r.investment_type} for {r.department} ({share(r.share)})" for r in largest.itertuples()]
    if leaders:
        text = f"In {mix.quarter.label}, the largest slice is " + "; ".join(leaders) + "."
    else:
        text = f"In {mix.quarter.label}, no spend line has an investment type."
    if mix.unmapped:
        text += (
            f" {share(mix.unmapped_share)} of spend ({money(mix.unmapped, currency=currency)}) has no investment type."
        )
    return text


_LEVEL_NOUNS = {
    "department": ("department", "departments"),
    "category": ("category", "categories"),
    "vendor": ("vendor", "vendors"),
}


def drill_level_sentence(level: DrillLevel, *, currency: str = "$") -> str:
    where = " · ".join(level.path) if level.path else "Technology spend"
    if level.rows.empty:
        return f"{where}: no spend lines in {level.quarter.label}."
    top = level.rows.iloc[0]
    n = len(level.rows)
    singular, plural = _LEVEL_NOUNS[level.level]
    top_share = f" ({share(top['share'])})" if pd.notna(top["share"]) else ""
    return (
        f"{where} in {level.quarter.label}: {money(level.total, currency=currency)} across {n} {plural if n > 1 else singular}; "
        f"the largest is {top['name']} at {money(top['spend'], currency=currency)}{top_share}."
    )


def lines_caption(selection: LineSelection, shown: int, cap: int, *, currency: str = "$") -> str:
    if selection.lines > shown:
        return (
            f"Showing the {shown:,} most recent of {selection.lines:,} invoice lines ({money(selection.spend, currency=currency)} "
            f"in all); lines are capped at {cap:,}. Narrow the period to see the rest."
        )
    return f"All {selection.lines:,} invoice line{'s' if selection.lines != 1 else ''} behind {money(selection.spend, currency=currency)}."
