"""A KPI off target or at risk is never drawn or badged in the favourable (green) colour, even when
it improved on the previous quarter or the same quarter last year, or was on target earlier: over
every status x direction x change, the tone, the st.metric delta (and its sparkline), the badge, the
bullet bar and the trend panel.

Each card has three quarters: FY2025 Q4 on target, FY2026 Q1 (the change's "then") and FY2026 Q2
(now). Target 100, at-risk threshold 10. Now, higher is better: on target 105, at risk 95, off target
80; lower is better: on target 95, at risk 105, off target 120; no target: 90 without a target; no
data: no value. "Then" is 5 worse (better), 5 better (worse), the same (unchanged) or absent (none).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from app import kpis as kx
from charts.kpis import bullet_chart, kpi_colour, trend_chart
from charts.theme import FAVOURABLE, STATUS_COLOURS
from metrics import kpis
from metrics.fiscal import FiscalQuarter
from metrics.headline import Headline, KpiTally
from metrics.kpis import AT_RISK, MISSING, NO_DATA, NO_TARGET, OFF_TARGET, ON_TARGET
from metrics.targets.compute import EffectiveTarget

Q4_25, Q1, Q2 = FiscalQuarter(2025, 4), FiscalQuarter(2026, 1), FiscalQuarter(2026, 2)
STATUSES = (ON_TARGET, AT_RISK, OFF_TARGET, NO_TARGET, NO_DATA)
CHANGES = ("better", "worse", "unchanged", "none")
NOW = {
    "higher": {ON_TARGET: 105.0, AT_RISK: 95.0, OFF_TARGET: 80.0, NO_TARGET: 90.0, NO_DATA: None},
    "lower": {ON_TARGET: 95.0, AT_RISK: 105.0, OFF_TARGET: 120.0, NO_TARGET: 90.0, NO_DATA: None},
}
GREEN_RGB = "{},{},{}".format(*(int(FAVOURABLE[i : i + 2], 16) for i in (1, 3, 5)))


def _target(quarter: FiscalQuarter) -> EffectiveTarget:
    return EffectiveTarget("k", quarter, 100.0, 10.0, None, None, None, 0, "imported", None, None)


def card(status: str, direction: str, change: str) -> kpis.KpiCard:
    kpi = kpis.Kpi("k", "Conversion", "points", direction, "Joint", "A KPI")
    now = NOW[direction][status]
    good_step = 5.0 if direction == "higher" else -5.0
    then = {
        "better": None if now is None else now - good_step,
        "worse": None if now is None else now + good_step,
        "unchanged": now,
        "none": None,
    }[change]
    trend = (
        kpis.QuarterPoint(Q4_25, NOW[direction][ON_TARGET], _target(Q4_25)),  # on target earlier
        kpis.QuarterPoint(Q1, then, _target(Q1)),
        kpis.QuarterPoint(Q2, now, None if status == NO_TARGET else _target(Q2)),
    )

    def delta(earlier: float | None) -> float | None:
        return None if now is None or earlier is None else now - earlier

    return kpis.KpiCard(kpi, Q2, trend, kpis.Change(kpi, Q1, delta(then)), kpis.Change(kpi, Q1, delta(then)))


CASES = list(itertools.product(STATUSES, ("higher", "lower"), CHANGES))


def _colours(figure) -> list[str]:
    """Every colour a figure draws, as text: bars, bands, the target line, markers, lines."""
    out = []
    for trace in figure.data:
        if trace.type == "indicator":
            gauge = trace.gauge
            out += [gauge.bar.color, gauge.threshold.line.color] + [step.color for step in gauge.steps or ()]
        elif trace.x is not None and list(trace.x) == [None]:
            continue  # the legend's status entries, shared by every KPI
        else:
            colours = trace.marker.color if trace.marker is not None else None
            out += list(colours) if isinstance(colours, (list, tuple)) else [colours]
            out.append(trace.line.color if trace.line is not None else None)
    return [str(c).upper().replace(" ", "") for c in out if c is not None]


def _is_green(colour: str) -> bool:
    return colour == FAVOURABLE.upper() or GREEN_RGB in colour


@pytest.mark.parametrize("status, direction, change", CASES)
def test_nothing_green_for_a_kpi_off_target_or_at_risk(status, direction, change):
    c = card(status, direction, change)
    assert c.status == status and c.vs_previous.sentiment == (
        None if change == "none" or status == NO_DATA else change
    ), "the card is the case it names"
    tone = kpis.change_tone(c.status, c.vs_previous)
    delta = kx.metric_delta(c.vs_previous, c.status)
    badge = kx.change_badge(c.vs_last_year, c.status)[0] if c.vs_last_year.sentiment else "gray"
    drawn = _colours(bullet_chart([c])) + _colours(trend_chart([c]))
    if status in MISSING:
        assert tone != kpis.FAVOURABLE
        assert delta["delta_color"] not in ("green", "normal", "inverse"), "never green, never by sign"
        assert badge != "green"
        assert not [colour for colour in drawn if _is_green(colour)], drawn
        assert kx.STATUS_BADGES[status] != "green"
    # The change itself stays visible: worse is red on every KPI, an improvement is green only on
    # target (or without a target), and the arrow and the word say which way it went.
    expected = {
        "better": kpis.NEUTRAL if status in MISSING else kpis.FAVOURABLE,
        "worse": kpis.UNFAVOURABLE,
        "unchanged": kpis.NEUTRAL,
    }.get(c.vs_previous.sentiment or "", kpis.NEUTRAL)
    assert tone == expected
    if c.vs_previous.sentiment is not None:
        assert delta["delta_color"] == kx.TONE_COLOURS[tone]
        assert delta["delta_description"].endswith(c.vs_previous.sentiment)
        assert badge == kx.TONE_COLOURS[tone]
    else:
        assert delta["delta_color"] == "off"


def test_on_target_keeps_its_green():
    c = card(ON_TARGET, "lower", "better")
    assert kx.metric_delta(c.vs_previous, c.status)["delta_color"] == "green"
    assert any(_is_green(colour) for colour in _colours(bullet_chart([c])))
    assert kpi_colour(ON_TARGET, ON_TARGET) == STATUS_COLOURS[ON_TARGET]
    # An earlier on-target quarter of a KPI missing now is neutral, its misses in their own colours.
    assert kpi_colour(ON_TARGET, OFF_TARGET) != FAVOURABLE
    assert kpi_colour(AT_RISK, OFF_TARGET) == STATUS_COLOURS[AT_RISK]
    assert kpi_colour(OFF_TARGET, AT_RISK) == STATUS_COLOURS[OFF_TARGET]


@pytest.mark.parametrize(
    "now, before, higher_is_better",
    [
        (KpiTally(2, 3, ("Uptime",), (), ()), KpiTally(1, 3, ("Uptime", "Churn"), (), ()), None),  # better, one off
        (KpiTally(2, 3, (), ("Churn",), ()), KpiTally(1, 3, ("Uptime",), ("Churn",), ()), None),  # better, at risk
        (KpiTally(3, 3, (), (), ()), KpiTally(1, 3, ("Uptime",), ("Churn",), ()), True),  # better, all met: good
        (KpiTally(1, 3, ("Uptime",), ("Churn",), ()), KpiTally(3, 3, (), (), ()), True),  # worse: red by sign
    ],
)
def test_overview_kpi_tile_improvement_is_neutral_while_kpis_miss(now, before, higher_is_better):
    fake = SimpleNamespace(kpis=now, previous_kpis=before, previous=Q1, _versus=lambda: "vs FY2026 Q1")
    tile = Headline._kpi_tile(fake)  # type: ignore[arg-type]
    assert tile.delta is not None and tile.delta.higher_is_better is higher_is_better
    # The misses keep their own colour below the number.
    assert all(n.tone != "good" for n in tile.notes if now.off_target or now.at_risk)


def test_cases_cover_every_status_direction_and_change():
    assert len(CASES) == 5 * 2 * 4
