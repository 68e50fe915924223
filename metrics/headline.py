"""The quarter's headline: five figures and the story of a quarter, for the Overview page, the
board pack and ``python -m metrics summary``.

Nothing is computed twice: every figure comes from the functions behind the pages
(`metrics.spend`, `metrics.kpis` with `metrics.targets`,
`metrics.turnaround`), fed the same small frames the pages' cached adapters load. This module
only gathers them, combines two of them and puts them into words.

The five figures and how each is defined are in `DEFINITIONS` below: the tiles' help, the
Overview's "How these figures are defined" and the README's "The Overview's five numbers" (generated
by ``python -m metrics.docs headline``) all read them.

Every absent figure is None ("no data"), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from metrics import kpis, spend, turnaround
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import and_join, money, money_apart, points, share

# Headline's fields `spend` and `turnaround` hide those modules inside its class body, so its
# annotations name the classes directly.
from metrics.spend import BudgetVariance, MarketingShare, ShadowIT, SpendSplit, VendorOverlap
from metrics.turnaround import Backlog, QuarterTurnaround

# Tones of a note under a figure. The word and the symbol carry the meaning; colour repeats it.
GOOD, BAD, WARNING, NEUTRAL = "good", "bad", "warning", "neutral"
TILE_KEYS = ("spend", "share", "at_stake", "kpis", "lead_time")

# The one wording of what each tile shows, for the selected fiscal quarter and department scope.
DEFINITIONS: dict[str, tuple[str, str]] = {
    "spend": (
        "Total technology spend",
        "The sum of the spend lines dated in the quarter for the departments in scope, credits netted; the "
        "change since the previous quarter; the variance against the quarter's budget for the same "
        "departments (actual - budget: under budget is favourable).",
    ),
    "share": (
        "Marketing share",
        "Marketing spend / technology spend of all departments (the department filter does not apply, as "
        "on the Tech spend page), with the change in percentage points. Joint spend is its own slice.",
    ),
    "at_stake": (
        "Money at stake",
        "Vendor overlap at stake (for each vendor both Marketing and IT paid, the smaller of the two "
        "amounts) plus shadow IT (Marketing and Joint spend with vendors IT has not approved). An "
        "overlapping vendor IT has not approved is already inside shadow IT, so it is counted once.",
    ),
    "kpis": (
        "KPIs on target",
        "n of m, where m counts the KPIs with both a value and a target for the quarter (targets edited in "
        "the app included) and n those that meet it (equal counts as met); the KPIs off target and at risk "
        "are named. Company-wide: the department filter does not apply.",
    ),
    "lead_time": (
        "Request lead time (p85)",
        "85% of the requests delivered in the quarter took at most this many days from request to "
        "delivery (the p85, rounded up to whole days); against each request's own SLA, the p85 of the days "
        "past it (lead time - SLA, rounded up: within n days of their own SLA, or at least n days inside "
        "it); also the SLA breach rate and the requests open at the quarter's end (or today, for the quarter in "
        "progress). All requests: the department filter does not apply.",
    ),
}


# --- The inputs: what the pages load -------------------------------------------------------


@dataclass(frozen=True)
class QuarterData:
    """The small aggregated frames and results the headline is computed from, loaded exactly as
    the pages load them (the app through its cached adapters, the command line directly)."""

    quarter: FiscalQuarter
    departments: tuple[str, ...]  # the department scope; empty = all
    spend_by_quarter: pd.DataFrame  # spend.spend_by_quarter, every quarter, in scope
    all_spend_by_quarter: pd.DataFrame  # the same for all departments (marketing share)
    period: pd.DataFrame  # spend.load_period of the quarter, in scope
    previous_period: pd.DataFrame  # the same for the previous quarter
    budget: pd.DataFrame  # spend.budget_by_line of the quarter's fiscal year, in scope
    shadow_trend: pd.DataFrame  # spend.load_shadow_trend, in scope
    kpi_cards: tuple[kpis.KpiCard, ...]  # the scorecard of the quarter
    previous_kpi_cards: tuple[kpis.KpiCard, ...]  # the scorecard of the previous quarter
    lead_times: pd.DataFrame  # turnaround.lead_time_by_quarter, every quarter, all requests
    backlog: turnaround.Backlog | None  # turnaround.backlog_ageing of the quarter


def load_quarter_data(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    departments: Sequence[str] = (),
    today: date | None = None,
) -> QuarterData:
    """Everything the headline needs, by the named queries the pages use."""
    scope = tuple(departments)
    directory = spend.load_vendor_directory(engine)
    return QuarterData(
        quarter=quarter,
        departments=scope,
        spend_by_quarter=spend.spend_by_quarter(engine, calendar, departments=scope or None),
        all_spend_by_quarter=spend.spend_by_quarter(engine, calendar),
        period=spend.load_period(engine, calendar, quarter, scope, directory),
        previous_period=spend.load_period(engine, calendar, quarter.previous(), scope, directory),
        budget=spend.budget_by_line(engine, quarter.fiscal_year, scope or None),
        shadow_trend=spend.load_shadow_trend(engine, calendar, directory, scope),
        kpi_cards=tuple(kpis.load_scorecard(engine, calendar, quarter)),
        previous_kpi_cards=tuple(kpis.load_scorecard(engine, calendar, quarter.previous())),
        lead_times=turnaround.lead_time_by_quarter(engine, calendar),
        backlog=turnaround.backlog_ageing(engine, calendar, quarter, today or date.today()),
    )


# --- Combined figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class AtStake:
    """Vendor overlap plus shadow IT, each vendor's money counted once."""

    overlap: float | None  # None: Marketing and IT are not both in scope
    overlap_vendors: int
    top_overlap_vendor: str | None
    shadow: float | None  # None: neither Marketing nor Joint in scope, or no spend of theirs
    shadow_share: float | None  # of Marketing and Joint spend
    counted_twice: float  # overlap at stake with vendors that are also shadow IT

    @property
    def total(self) -> float | None:
        if self.overlap is None and self.shadow is None:
            return None
        return round((self.overlap or 0.0) + (self.shadow or 0.0) - self.counted_twice, 2)


def at_stake(overlap: spend.VendorOverlap, shadow: spend.ShadowIT | None, period: pd.DataFrame) -> AtStake:
    """None figures when the quarter has no spend lines in scope (no data, not zero)."""
    if period.empty:
        return AtStake(None, 0, None, None, None, 0.0)
    unapproved = set(period.loc[~period["it_approved"].astype(bool), "vendor_name"])
    both = (
        overlap.vendors[overlap.vendors["vendor"].isin(unapproved)] if shadow is not None else overlap.vendors.iloc[:0]
    )
    return AtStake(
        overlap=overlap.total_at_stake,
        overlap_vendors=len(overlap.vendors),
        top_overlap_vendor=None if overlap.vendors.empty else str(overlap.vendors["vendor"].iloc[0]),
        shadow=shadow.amount if shadow is not None else None,
        shadow_share=shadow.share if shadow is not None else None,
        counted_twice=round(float(both["at_stake"].sum()), 2),
    )


@dataclass(frozen=True)
class KpiTally:
    on_target: int
    judged: int  # KPIs with a value and a target this quarter
    off_target: tuple[str, ...]  # KPI names
    at_risk: tuple[str, ...]
    without_value: tuple[str, ...]  # a target but no value: not judged

    @property
    def label(self) -> str:
        return f"{self.on_target} of {self.judged}"


def kpi_tally(cards: Sequence[kpis.KpiCard]) -> KpiTally | None:
    """None when no KPI has both a value and a target for the quarter."""
    judged = [c for c in cards if c.status in (kpis.ON_TARGET, kpis.AT_RISK, kpis.OFF_TARGET)]
    if not judged:
        return None

    def names(status: str) -> tuple[str, ...]:
        return tuple(c.kpi.name for c in judged if c.status == status)

    return KpiTally(
        len(names(kpis.ON_TARGET)),
        len(judged),
        names(kpis.OFF_TARGET),
        names(kpis.AT_RISK),
        tuple(c.kpi.name for c in cards if c.status == kpis.NO_DATA and c.target is not None),
    )


# --- What a tile shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """The change since the previous quarter."""

    text: str  # "+$291.1K vs FY2026 Q2"
    sign: int  # -1, 0, +1
    higher_is_better: bool | None  # None: a rise is neither good nor bad


@dataclass(frozen=True)
class Note:
    """A line under a figure: against budget or target, or what the figure is made of."""

    text: str  # starts with its symbol when it judges: "▲ $188.5K (1.4%) over budget"
    tone: str  # GOOD, BAD, WARNING or NEUTRAL


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    delta: Delta | None
    notes: tuple[Note, ...]
    help: str


def _tile(key: str, value: str, delta: Delta | None, notes: tuple[Note, ...]) -> Tile:
    label, definition = DEFINITIONS[key]
    return Tile(key, label, value, delta, notes, definition)


def definitions_markdown() -> str:
    """The README's "The Overview's five numbers", from `DEFINITIONS`."""
    return "".join(f"{i}. **{label}**: {text}\n" for i, (label, text) in enumerate(DEFINITIONS.values(), 1))


def _signed_money(value: float, *, currency: str) -> str:
    return ("+" if round(value, 2) > 0 else "") + money(value, currency=currency)


def _sign(value: float | None, digits: int = 2) -> int:
    v = round(value or 0.0, digits)
    return (v > 0) - (v < 0)


@dataclass(frozen=True)
class Headline:
    quarter: FiscalQuarter
    data: QuarterData
    spend: SpendSplit | None  # in scope
    budget: BudgetVariance | None  # in scope
    share: MarketingShare | None  # of all departments
    overlap: VendorOverlap
    shadow: ShadowIT | None
    at_stake: AtStake
    previous_at_stake: AtStake
    kpis: KpiTally | None
    previous_kpis: KpiTally | None
    turnaround: QuarterTurnaround | None
    sla_days: float | None  # median SLA of the requests delivered in the quarter
    backlog: Backlog | None
    currency: str = "$"  # the reporting currency's sign, for every amount the tiles and sentences write

    @property
    def previous(self) -> FiscalQuarter:
        return self.quarter.previous()

    # The figures for machines (`python -m metrics summary`): numbers, None when absent.

    @property
    def lead_time_p50(self) -> float | None:
        return self.turnaround.p50 if self.turnaround else None

    @property
    def lead_time_p85(self) -> float | None:
        return self.turnaround.p85 if self.turnaround else None

    @property
    def breach_rate(self) -> float | None:
        return self.turnaround.breach_rate if self.turnaround else None

    @property
    def open_requests(self) -> int | None:
        return self.backlog.open if self.backlog is not None else None

    # The five tiles -----------------------------------------------------------------------

    def tiles(self) -> tuple[Tile, ...]:
        return (self._spend_tile(), self._share_tile(), self._at_stake_tile(), self._kpi_tile(), self._lead_time_tile())

    def _versus(self) -> str:
        return f"vs {self.previous.label}"

    def _spend_tile(self) -> Tile:
        s, b = self.spend, self.budget
        delta = None
        if s is not None and s.previous_total is not None:
            change = s.total - s.previous_total
            delta = Delta(f"{_signed_money(change, currency=self.currency)} {self._versus()}", _sign(change), None)
        if b is None or b.budget is None:
            notes = (Note(f"○ No budget recorded for {self.quarter.label}", NEUTRAL),)
        else:
            variance = b.variance
            assert variance is not None  # a budget is recorded
            notes = (
                Note(
                    spend.variance_words(
                        variance,
                        b.variance_pct,
                        symbol=True,
                        against=f"the {money(b.budget, currency=self.currency)} budget",
                        zero=f"● On budget ({money(b.budget, currency=self.currency)})",
                        currency=self.currency,
                    ),
                    BAD if round(variance, 2) > 0 else GOOD,
                ),
            )
        return _tile("spend", money(s.total, currency=self.currency) if s else "no data", delta, notes)

    def _share_tile(self) -> Tile:
        ms = self.share
        delta = None
        if ms is not None and ms.delta is not None:
            delta = Delta(f"{points(ms.delta)} {self._versus()}", _sign(ms.delta, 4), None)
        notes: tuple[Note, ...] = ()
        if ms is not None and ms.share is not None:
            marketing, it = money_apart(ms.marketing, ms.it, currency=self.currency)
            notes = (Note(f"Marketing {marketing} · IT {it}", NEUTRAL),)
        return _tile("share", share(ms.share) if ms else "no data", delta, notes)

    def _at_stake_tile(self) -> Tile:
        now, before = self.at_stake, self.previous_at_stake
        delta = None
        if now.total is not None and before.total is not None:
            change = now.total - before.total
            delta = Delta(f"{_signed_money(change, currency=self.currency)} {self._versus()}", _sign(change), False)
        parts = []
        if now.overlap is not None:
            parts.append(
                Note(
                    f"{money(now.overlap, currency=self.currency)} overlap · {now.overlap_vendors} vendor"
                    f"{'s' if now.overlap_vendors != 1 else ''} paid by both",
                    NEUTRAL,
                )
            )
        if now.shadow is not None:
            parts.append(
                Note(
                    f"{money(now.shadow, currency=self.currency)} shadow IT"
                    + (f" · {share(now.shadow_share)} of Marketing + Joint" if now.shadow_share is not None else ""),
                    NEUTRAL,
                )
            )
        if now.counted_twice:
            parts.append(
                Note(
                    f"{money(now.counted_twice, currency=self.currency)} of overlap is also shadow IT, counted once",
                    NEUTRAL,
                )
            )
        # "not in scope" only when the department filter leaves out what is measured; a scope
        # that covers it with no spend lines (an empty or spend-less database) is "no data".
        in_scope = self.overlap.in_scope or spend.shadow_in_scope(self.data.departments)
        value = (
            money(now.total, currency=self.currency)
            if now.total is not None
            else "no data"
            if in_scope
            else "not in scope"
        )
        return _tile("at_stake", value, delta, tuple(parts))

    def _kpi_tile(self) -> Tile:
        t, before = self.kpis, self.previous_kpis
        delta = None
        if t is not None and before is not None:
            change = t.on_target - before.on_target
            # More KPIs on target is good news only once none is off target or at risk: until then
            # the rise is shown neutrally and the misses in their own colour below.
            missing = bool(t.off_target or t.at_risk)
            delta = Delta(
                f"{change:+d} on target {self._versus()}" if change else f"Same count as {self.previous.label}",
                _sign(change),
                None if missing and change > 0 else True,
            )
        notes = []
        if t is not None:
            if t.off_target:
                notes.append(Note(f"■ Off target: {and_join(t.off_target)}", BAD))
            if t.at_risk:
                notes.append(Note(f"▲ At risk: {and_join(t.at_risk)}", WARNING))
            if not t.off_target and not t.at_risk:
                notes.append(Note("● Every KPI with a target meets it", GOOD))
            if t.without_value:
                notes.append(Note(f"○ No data yet: {and_join(t.without_value)}", NEUTRAL))
        return _tile("kpis", t.label if t else "no data", delta, tuple(notes))

    def _lead_time_tile(self) -> Tile:
        t = self.turnaround
        within = t.within_days if t else None
        delta = None
        change_label = turnaround.within_delta_label(t) if t is not None else None
        if t is not None and change_label is not None:
            previous = t.previous_within_days
            assert within is not None and previous is not None  # a change needs both quarters' figures
            delta = Delta(change_label, _sign(within - previous), False)
        notes = []
        own_sla = turnaround.own_sla_sentence(t)
        if t is not None and own_sla is not None:
            good = turnaround.own_sla_favourable(t)
            notes.append(Note(f"{'▼' if good else '▲'} {own_sla}", GOOD if good else BAD))
        if t is not None and t.breach_rate is not None:
            notes.append(
                Note(f"{share(t.breach_rate)} of {turnaround.requests_label(t.delivered)} missed their SLA", NEUTRAL)
            )
        if self.backlog is not None:
            notes.append(Note(f"{self.backlog.open:,} open at {self.backlog.as_of_label}", NEUTRAL))
        return _tile("lead_time", turnaround.days_label(within), delta, tuple(notes))

    # The story ----------------------------------------------------------------------------

    def story(self) -> tuple[str, ...]:
        """Three to five sentences that tell the quarter in plain words (fewer when data is missing)."""
        return tuple(
            s
            for s in (
                self.spend_sentence,
                self.share.sentence(currency=self.currency) if self.share else None,
                self.at_stake_sentence,
                self.kpi_sentence,
                self.lead_time_sentence,
            )
            if s
        )

    @property
    def spend_sentence(self) -> str | None:
        s, b = self.spend, self.budget
        if s is None:
            return None
        changes = []
        if s.previous_total is not None:
            change = s.total - s.previous_total
            changes.append(
                f"{'up' if change > 0 else 'down'} {money(abs(change), currency=self.currency)} on {self.previous.label}"
                if round(change, 2)
                else f"the same as in {self.previous.label}"
            )
        if b is not None and b.budget is not None:
            changes.append(spend.variance_words(b.variance, b.variance_pct, against="budget", currency=self.currency))
        text = f"Technology spend was {money(s.total, currency=self.currency)} in {self.quarter.label}"
        text += (", " + " and ".join(changes)) if changes else ""
        if b is None or b.budget is None:
            return text + "; no budget is recorded for the quarter."
        return text + "."

    @property
    def at_stake_sentence(self) -> str | None:
        a = self.at_stake
        if a.total is None:
            return None
        parts = []
        if a.overlap:
            parts.append(
                f"{money(a.overlap, currency=self.currency)} with {a.overlap_vendors} vendor{'s' if a.overlap_vendors != 1 else ''} "
                f"that both Marketing and IT pay (the most with {a.top_overlap_vendor})"
            )
        if a.shadow:
            parts.append(
                f"{money(a.shadow, currency=self.currency)} of shadow IT"
                + (f", {share(a.shadow_share)} of Marketing and Joint spend" if a.shadow_share is not None else "")
            )
        if not parts:
            return f"No money is at stake in vendor overlap or shadow IT in {self.quarter.label}."
        return f"{money(a.total, currency=self.currency)} is at stake: " + " and ".join(parts) + "."

    @property
    def kpi_sentence(self) -> str | None:
        t = self.kpis
        if t is None:
            return None
        text = f"{t.on_target} of {t.judged} KPIs with a target met it"
        misses = []
        if t.off_target:
            misses.append(f"{and_join(t.off_target)} {'is' if len(t.off_target) == 1 else 'are'} off target")
        if t.at_risk:
            misses.append(f"{and_join(t.at_risk)} {'is' if len(t.at_risk) == 1 else 'are'} at risk")
        return text + ("; " + " and ".join(misses) if misses else ", all of them") + "."

    @property
    def lead_time_sentence(self) -> str | None:
        t = self.turnaround
        if t is None or t.within_days is None:
            return None
        text = f"85% of requests were delivered within {turnaround.days_label(t.within_days)}"
        before = t.previous_within_days
        if before is not None and before != t.within_days:
            text += (
                f", {'down' if t.within_days < before else 'up'} from {turnaround.days_label(before)} "
                f"in {self.previous.label}"
            )
        own_sla = turnaround.own_sla_sentence(t)
        if own_sla is not None:
            text += f"; {own_sla}"
        if t.breach_rate is not None:
            text += f"{' and' if own_sla is not None else ';'} {share(t.breach_rate)} missed their SLA"
        return text + "."


def _sla_days(lead_times: pd.DataFrame, quarter: FiscalQuarter) -> float | None:
    rows = lead_times[lead_times["quarter"] == quarter.label] if not lead_times.empty else lead_times
    if rows.empty or pd.isna(rows["sla_p50"].iloc[0]):
        return None
    return float(rows["sla_p50"].iloc[0])


def headline(data: QuarterData, *, currency: str = "$") -> Headline:
    """The headline of `data.quarter` from the frames the pages load."""
    q, scope = data.quarter, data.departments
    overlap = spend.vendor_overlap(data.period, q, scope)
    shadow = spend.shadow_it(data.period, data.shadow_trend, q, scope)
    previous_overlap = spend.vendor_overlap(data.previous_period, q.previous(), scope)
    previous_shadow = spend.shadow_it(data.previous_period, data.shadow_trend, q.previous(), scope)
    return Headline(
        quarter=q,
        data=data,
        spend=spend.spend_split(data.spend_by_quarter, q),
        budget=spend.budget_variance(data.period, data.budget, q),
        share=spend.marketing_share(spend.quarterly_split(data.all_spend_by_quarter), q),
        overlap=overlap,
        shadow=shadow,
        at_stake=at_stake(overlap, shadow, data.period),
        previous_at_stake=at_stake(previous_overlap, previous_shadow, data.previous_period),
        kpis=kpi_tally(data.kpi_cards),
        previous_kpis=kpi_tally(data.previous_kpi_cards),
        turnaround=turnaround.quarter_turnaround(data.lead_times, q),
        sla_days=_sla_days(data.lead_times, q),
        backlog=data.backlog,
        currency=currency,
    )


def load_headline(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    departments: Sequence[str] = (),
    today: date | None = None,
    *,
    currency: str = "$",
) -> Headline:
    return headline(load_quarter_data(engine, calendar, quarter, departments, today), currency=currency)
