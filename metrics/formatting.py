"""Number formats shared by the pages, charts and exports: money, shares, points, KPI figures in
their unit, and the small helpers that put counts and lists into sentences."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence


def money(value: float | None, *, currency: str = "$", decimals: int = 1) -> str:
    """Compact money: 1234567 -> '$1.2M', -1500 -> '-$1.5K', None -> 'no data'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        scaled = round(v / limit, decimals)
        # 999,950 would read "1,000.0K": show it as "1.0M", the way a reader would say it.
        if v >= limit or (limit > 1e3 and round(v / (limit / 1000), decimals) >= 1000):
            return f"{sign}{currency}{scaled:,.{decimals}f}{suffix}"
    return f"{sign}{currency}{v:,.0f}"


def money_apart(first: float, second: float, *, currency: str = "$") -> tuple[str, str]:
    """Two amounts to be compared, in the headline style with just the precision that tells them
    apart: ($6,049,485, $5,986,406) -> ('$6.05M', '$5.99M') where one decimal would show $6.0M
    twice. Amounts equal to the cent read the same."""
    for places in (1, 2, 3):
        a, b = money(first, currency=currency, decimals=places), money(second, currency=currency, decimals=places)
        if a != b or round(first, 2) == round(second, 2):
            return a, b
    return money_exact(first, currency), money_exact(second, currency)


def money_exact(value: float | None, currency: str = "$") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(float(value)):,.2f}"


def share(value: float | None, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.384 -> '38%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    return f"{value * 100:.{decimals}f}%"


def points(delta: float | None, decimals: int = 0) -> str:
    """A change between two fractions in percentage points: 0.04 -> '+4 pts'."""
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return "no data"
    return f"{delta * 100:+.{decimals}f} pts"


def is_percentage(unit: str) -> bool:
    """'%', '% per month', '% over budget': changes and distances read in percentage points."""
    return (unit or "").strip().startswith("%")


def decimals(value: float, unit: str = "") -> int:
    """Two decimals for percentages and small numbers, one up to 1,000, none above."""
    size = abs(value)
    return 2 if (is_percentage(unit) or size < 10) else 1 if size < 1000 else 0


def _strip_zeros(text: str) -> str:
    return re.sub(r"\.?0+$", "", text) if "." in text else text


def number(value: float, unit: str = "", *, signed: bool = False, distance: bool = False) -> str:
    """A KPI figure in its unit: '42.5 points', '99.95%', '3.2 days', '$1.2M'.

    Trailing zeros are dropped (45, not 45.00). A change (`signed`) or a distance such as an
    at-risk threshold (`distance`) in a percentage unit reads in percentage points: '+0.4 pts'.
    """
    u = (unit or "").strip()
    if u.lower() in ("$", "usd", "dollars"):
        text = money(value)
        return ("+" + text) if signed and value > 0 else text
    text = _strip_zeros(f"{value:{'+' if signed else ''},.{decimals(value, u)}f}")
    text = "0" if text in ("-0", "+0") else text
    if is_percentage(u):
        return f"{text} pts" if signed or distance else f"{text}{u}"
    return f"{text} {u}" if u else text


# --- Words around figures ----------------------------------------------------------------


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 KPI', '3 KPIs', '2 targets await' (the plural given when adding 's' is wrong)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def and_join(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C' (no Oxford comma, as every sentence of the house)."""
    items = list(items)
    if len(items) <= 1:
        return items[0] if items else ""
    return ", ".join(items[:-1]) + " and " + items[-1]
