"""The words of the KPIs: the scorecard's sentences, the current target in a sentence, and the
glossary as the page lists it. Shared by the Customer experience page, the Overview and the
board pack."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from metrics.fiscal import FiscalQuarter
from metrics.formatting import and_join, counted
from metrics.kpis.compute import (
    AGREED,
    AT_RISK,
    NO_DATA,
    NO_TARGET,
    OFF_TARGET,
    ON_TARGET,
    STATUSES,
    Kpi,
    KpiCard,
    at_risk_threshold,
)
from metrics.targets import EffectiveTarget

# How each status reads in a count: "2 at risk", "1 without a target".
STATUS_PHRASES = {
    ON_TARGET: "on target",
    AT_RISK: "at risk",
    OFF_TARGET: "off target",
    NO_TARGET: "without a target",
    NO_DATA: "without data",
}


def scorecard_sentence(cards: Sequence[KpiCard], quarter: FiscalQuarter) -> str:
    """'FY2026 Q3: 4 of 9 KPIs on target, 2 at risk and 1 off target; 2 targets await agreement.'"""
    if not cards:
        return f"{quarter.label}: no KPI matches the filters."
    counts = Counter(c.status for c in cards)
    first, *rest = [s for s in STATUSES if counts[s]]
    parts = [f"{counts[first]} of {counted(len(cards), 'KPI')} {STATUS_PHRASES[first]}"]
    parts += [f"{counts[s]} {STATUS_PHRASES[s]}" for s in rest]
    pending = sum(1 for c in cards if c.agreement not in (None, AGREED))
    if pending:
        tail = f"; {counted(pending, 'target awaits', 'targets await')} agreement."
    elif any(c.target for c in cards):
        tail = "; every target shown is agreed by both sides."
    else:
        tail = "."
    return f"{quarter.label}: {and_join(parts)}{tail}"


def bullet_sentence(cards: Sequence[KpiCard], quarter: FiscalQuarter) -> str:
    """Which KPIs miss their target, and which is furthest behind (in at-risk thresholds)."""
    judged = [c for c in cards if c.status in (ON_TARGET, AT_RISK, OFF_TARGET)]
    if not judged:
        return f"No KPI shown has both a value and a target for {quarter.label}, so there is nothing to compare."
    missing = [c for c in judged if c.status != ON_TARGET]
    if not missing:
        return f"Every KPI shown with a target meets it in {quarter.label} ({len(judged)} of {len(judged)})."
    worst = max(missing, key=lambda c: c.miss_in_thresholds or 0.0)
    worst_target = worst.target
    assert worst_target is not None  # only cards with a target are judged
    verb = "misses" if len(missing) == 1 else "miss"
    return (
        f"{len(missing)} of {counted(len(judged), 'KPI')} with a target {verb} it in {quarter.label}; furthest "
        f"behind is {worst.kpi.name} at {worst.value_label} against {worst.kpi.show(worst_target.target)}."
    )


def trend_sentence(cards: Sequence[KpiCard], quarter: FiscalQuarter) -> str:
    """How the KPIs moved since the same quarter last year, naming those that worsened."""
    versus = quarter.same_quarter_last_year().label
    compared = [c for c in cards if c.vs_last_year.sentiment is not None]
    if not compared:
        return f"No KPI shown has values for both {quarter.label} and {versus} to compare."
    better = [c for c in compared if c.vs_last_year.sentiment == "better"]
    worse = [c for c in compared if c.vs_last_year.sentiment == "worse"]
    text = f"Since {versus}, {len(better)} of {counted(len(compared), 'KPI')} improved"
    if worse:
        return text + f" and {len(worse)} worsened ({and_join([c.kpi.name for c in worse])})."
    return text + " and none worsened."


def target_summary(target: EffectiveTarget, kpi: Kpi) -> str:
    """'Current target: 45 points, at risk within 2.25 points · agreed by the CIO on 20 Jun 2026,
    awaiting the CMO · version 3, changed in the app by CIO at 2026-08-03 14:02 UTC.'"""
    threshold = at_risk_threshold(target.target, target.at_risk_threshold)
    default = " (the default, 5% of the target)" if target.at_risk_threshold is None else ""
    sides = [
        f"agreed by the {side} on {day:%d %b %Y}" if day else f"awaiting the {side}"
        for side, day in (("CIO", target.agreed_by_cio_on), ("CMO", target.agreed_by_cmo_on))
    ]
    origin = (
        f"changed in the app by {target.changed_by} at {target.changed_at:%Y-%m-%d %H:%M} UTC"
        if target.changed_at
        else "as imported"
    )
    return (
        f"Current target: {kpi.show(target.target)}, at risk within {kpi.show(threshold, distance=True)}"
        f"{default} · {', '.join(sides)} · version {target.version}, {origin}."
    )


# --- glossary ------------------------------------------------------------------------------

GLOSSARY_COLUMNS = {
    "name": "KPI",
    "kpi": "Code",
    "definition": "Definition",
    "formula": "Formula",
    "unit": "Unit",
    "direction": "Direction",
    "owner": "Owner",
    "source": "Source",
    "aggregation": "Quarter value",
}
_AGGREGATION_WORDS = {"mean": "Mean", "last": "Latest", "sum": "Sum", "min": "Lowest", "max": "Highest"}


def glossary_table(glossary: pd.DataFrame, search: str = "") -> pd.DataFrame:
    """The glossary as the page lists it, keeping the KPIs where every word of `search` appears
    (case-insensitive) in any column."""
    out = glossary[list(GLOSSARY_COLUMNS)].copy()
    out["direction"] = [f"{d.capitalize()} is better" for d in out["direction"]]
    out["aggregation"] = [_AGGREGATION_WORDS.get(a, a) for a in out["aggregation"]]
    words = search.lower().split()
    if words:
        haystack = out.astype("string").fillna("").agg(" ".join, axis=1).str.lower()
        keep = pd.Series(True, index=out.index)
        for w in words:
            keep &= haystack.str.contains(w, regex=False)
        out = out[keep]
    return out.rename(columns=GLOSSARY_COLUMNS).reset_index(drop=True)
