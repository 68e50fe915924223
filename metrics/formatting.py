"""Number formats shared by the pages, charts and exports."""

from __future__ import annotations

import math


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
