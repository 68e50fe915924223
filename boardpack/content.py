"""What a board pack says, gathered once and rendered twice (PowerPoint and PDF).

Everything comes from `metrics.headline` (the Overview's figures and sentences) and the small
frames behind the pages' charts. A pack is company-wide: all departments. Masking vendor names
happens here, once, on every text and table of the content, so neither renderer can forget it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from metrics import kpis, review, sources, spend
from metrics import turnaround as ta
from metrics.currency import DEFAULT_REPORTING_CURRENCY, symbol
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import Headline, Note, Tile, load_headline
from metrics.masking import VendorMask
from metrics.summary import data_as_of, summary_figures

SPLIT_QUARTERS = 12  # quarters of history on the spend chart
OVERLAP_VENDORS = 8  # vendors on the overlap chart (the table lists them all)
TITLE = "Technology, marketing and customer experience"


@dataclass(frozen=True)
class SpendSection:
    sentence: str
    split: pd.DataFrame  # spend.quarterly_split of all departments, up to the quarter
    overtakes: tuple[FiscalQuarter, ...]


@dataclass(frozen=True)
class BudgetSection:
    sentence: str
    by_department: pd.DataFrame  # department, actual, budget, variance, variance_pct, verdict
    lines: pd.DataFrame  # department, category, actual, budget, variance, variance_pct, verdict


@dataclass(frozen=True)
class VendorSection:
    sentence: str
    overlap: pd.DataFrame  # vendor, spellings, categories, Marketing, IT, Joint, total, at_stake
    shadow_trend: pd.DataFrame  # quarter, label, spend, shadow, share
    shadow_vendors: pd.DataFrame  # vendor, reason, spend, lines


def _change(change: kpis.Change) -> str:
    """'+1.12 pts, better' / 'no data': the change in the KPI's unit and what it means."""
    if change.delta is None:
        return "no data"
    return f"{change.kpi.show(change.delta, signed=True)}, {change.sentiment}"


@dataclass(frozen=True)
class KpiSection:
    sentence: str
    cards: tuple[kpis.KpiCard, ...]

    @property
    def status_counts(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.cards)
        return {s: counts[s] for s in kpis.STATUSES}

    @property
    def table(self) -> pd.DataFrame:
        rows = [
            {
                "KPI": c.kpi.name,
                "Owner": c.kpi.owner,
                "Value": c.value_label,
                "Target": c.kpi.show(c.target.target) if c.target else "no target",
                "Status": c.status,
                "Change": _change(c.vs_previous),
            }
            for c in self.cards
        ]
        return pd.DataFrame(rows, columns=["KPI", "Owner", "Value", "Target", "Status", "Change"])


@dataclass(frozen=True)
class TurnaroundSection:
    sentence: str
    lead_times: pd.DataFrame  # turnaround.lead_time_by_quarter over the trend window
    breaches: pd.DataFrame  # turnaround.breach_rate_by_priority of the quarter


@dataclass(frozen=True)
class ReviewSection:
    """The quarterly review's minutes: plain words (commentary is Markdown made plain)."""

    decisions: tuple[str, ...]
    actions: tuple[str, ...]  # the quarter's, and those still open from earlier quarters
    commentary: tuple[str, ...]  # "Tech spend · CFO: ..." page by page, then KPI by KPI
    sides: tuple[str, ...]  # who commented, in the order CIO, CMO, CFO
    overdue: int
    closing: str | None = None  # "Closed by CFO on 14 Oct 2026: ..." once the quarter is closed

    @property
    def empty(self) -> bool:
        return not (self.decisions or self.actions or self.commentary)


NO_REVIEW = ReviewSection((), (), (), (), 0)


def _restated(
    engine: Engine, calendar: FiscalCalendar, h: Headline, reporting_currency: str, today: date | None
) -> review.Restated | None:
    """A closed quarter that later imports changed: its restated headline figures, how many
    figures each page restates, and the lines that differ (None while the quarter is open)."""
    current = summary_figures(h, data_as_of(engine), reporting_currency)
    found = review.load_restated(engine, calendar, h.quarter, current, today, reporting_currency=reporting_currency)
    return found if found is not None and found.any else None


def review_section(engine: Engine, quarter: FiscalQuarter, today: date, kpi_names: dict[str, str]) -> ReviewSection:
    notes, actions = review.quarter_notes(engine, quarter), review.actions(engine)
    sections = dict(review.minutes(notes, actions, quarter, today, kpi_names).sections)
    written = {n.side for n in notes if n.text}
    overdue = [a for a in review.overdue_actions(actions, today) if a.raised <= quarter]
    return ReviewSection(
        sections.get("Decisions", ()),
        sections.get("Actions", ()),
        sections.get("Commentary", ()),
        tuple(s for s in review.SIDES if s in written),
        len(overdue),
        review.closing_line(review.quarter_state(engine, quarter)),
    )


def review_groups(content: PackContent, key: str) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """The headed lists of lines a review slide shows ("restated", "commentary" or "minutes")."""
    r = content.review
    if key == "restated":
        return content.restated
    if key == "commentary":
        return ((None, r.commentary),)
    minutes = tuple(
        (heading, lines) for heading, lines in (("Decisions", r.decisions), ("Actions", r.actions)) if lines
    )
    return (((None, (r.closing,)),) if r.closing else ()) + minutes


OVERDUE_MARK = review.OVERDUE  # in an action's line: the renderers show the line in the unfavourable colour


@dataclass(frozen=True)
class PackContent:
    company: str | None
    quarter: FiscalQuarter
    period: str  # "FY2026 Q3 (01 Jul 2026 – 30 Sep 2026)"
    as_of: str  # "2026-11-23 19:53 UTC"
    source: str  # "CSV folder sample_data"
    masked: bool
    headline: Headline  # the figures, for their numbers only: never masked, so renderers use the texts below
    tiles: tuple[Tile, ...]
    story: tuple[str, ...]
    spend: SpendSection
    budget: BudgetSection
    vendors: VendorSection
    kpis: KpiSection
    turnaround: TurnaroundSection
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY  # the ISO code every amount is in
    review: ReviewSection = NO_REVIEW
    # A closed quarter's restatements since its review: headed groups of sentences (see review_groups).
    restated: tuple[tuple[str | None, tuple[str, ...]], ...] = ()
    restated_title: str = ""  # the restatements slide's title

    @property
    def title(self) -> str:
        return TITLE

    @property
    def currency(self) -> str:
        """The reporting currency's sign, for every amount the pack writes."""
        return symbol(self.reporting_currency)

    @property
    def details(self) -> list[str]:
        """The title page's small print, the same in both formats."""
        lines = [
            f"Data as of {self.as_of}",
            f"Source: {self.source}",
            f"All departments · amounts in {self.reporting_currency}",
        ]
        if self.masked:
            lines.append("Vendor names are masked (Vendor A, Vendor B...)")
        return lines

    @property
    def footer(self) -> str:
        masked = " · vendor names masked" if self.masked else ""
        return f"{self.period} · data as of {self.as_of} · {self.source}{masked}"


@dataclass(frozen=True)
class Slide:
    """One slide of the pack, the same in the PowerPoint and the PDF: a kicker naming the subject
    and a title stating the finding (PowerPoint's title placeholder, the PDF's outline entry)."""

    key: str
    kicker: str
    title: str


def slides(content: PackContent) -> tuple[Slide, ...]:
    """The pack's slides, in order: the one list both formats render. A closed quarter that later
    imports changed has its restatements after the five numbers; the review's commentary and
    minutes follow the figures when the quarter has any."""
    figures: tuple[Slide, ...] = (
        Slide("title", f"Board pack · {content.period}", content.title),
        Slide("headline", "The quarter in five numbers", f"{content.quarter.label} at a glance"),
        Slide("spend", "Spend split and marketing share", content.spend.sentence),
        Slide("budget", "Budget vs actual", content.budget.sentence),
        Slide("vendors", "Overlap and shadow IT", content.vendors.sentence),
        Slide("kpis", "KPI scorecard", content.kpis.sentence),
        Slide("turnaround", "Request turnaround vs SLA", content.turnaround.sentence),
    )
    r, q = content.review, content.quarter
    if content.restated:  # right after the figures it restates
        figures = (*figures[:2], Slide("restated", "Restated since the review", content.restated_title), *figures[2:])
    extra = []
    if r.commentary:
        extra.append(Slide("commentary", "Commentary", review.commentary_title(q, r.sides)))
    if r.decisions or r.actions:
        extra.append(
            Slide(
                "minutes", "Decisions and actions", review.minutes_title(len(r.decisions), len(r.actions), r.overdue, q)
            )
        )
    return figures + tuple(extra)


def source_for_pack(label: str) -> str:
    """'CSV folder /srv/exports/finance' -> 'CSV folder finance': a board needs the folder, not
    the server's path; 'Database postgresql://user:***@host:5432/name' -> 'PostgreSQL database':
    nor the database's user, host, port or name."""
    prefix, database = "CSV folder ", "Database "
    if label.startswith(prefix):
        return prefix + label[len(prefix) :].rstrip("/").rsplit("/", 1)[-1]
    if label.startswith(database):
        return sources.database_kind(label[len(database) :])
    return label


def _until(split: pd.DataFrame, quarter: FiscalQuarter) -> pd.DataFrame:
    shown = split[split["quarter"] <= quarter] if not split.empty else split
    return shown.tail(SPLIT_QUARTERS).reset_index(drop=True)


def gather(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    *,
    source: str,
    company: str | None = None,
    today: date | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
    departments: tuple[str, ...] = (),
) -> PackContent:
    """The pack's content for `quarter`, unmasked: all departments (the pack), or the scope of the
    Overview's presentation deck, which tells the same story."""
    h = load_headline(engine, calendar, quarter, departments, today, currency=symbol(reporting_currency))
    restated = _restated(engine, calendar, h, reporting_currency, today)
    kpi_names = {c.kpi.kpi: c.kpi.name for c in h.data.kpi_cards}
    split = spend.quarterly_split(h.data.all_spend_by_quarter)
    first, last = ta.trend_window(quarter)
    no_budget = pd.DataFrame(
        columns=["department", "category", "actual", "budget", "variance", "variance_pct", "verdict"]
    )
    return PackContent(
        reporting_currency=reporting_currency,
        company=company,
        quarter=quarter,
        period=f"{quarter.label} ({calendar.quarter_start(quarter):%d %b %Y} – {calendar.quarter_end(quarter):%d %b %Y})",
        as_of=data_as_of(engine).label,
        source=source_for_pack(source),
        masked=False,
        headline=h,
        tiles=h.tiles(),
        # A closed quarter that later imports changed says so in its story, figure by figure.
        # A closed quarter that later imports changed says so in its story, and on a slide of its own.
        story=(*h.story(), *((review.restated_pointer(restated.state),) if restated else ())),
        restated=restated.groups(symbol(reporting_currency)) if restated else (),
        restated_title=review.restated_title(restated, symbol(reporting_currency)) if restated else "",
        spend=SpendSection(
            h.share.sentence(currency=h.currency) if h.share else f"No technology spend is dated in {quarter.label}.",
            _until(split, quarter),
            tuple(q for q in spend.overtake_quarters(split) if q <= quarter),
        ),
        budget=BudgetSection(
            h.budget.sentence(currency=h.currency)
            if h.budget
            else f"Neither spend nor budget is recorded for {quarter.label}.",
            h.budget.by_department if h.budget else no_budget.drop(columns="category"),
            h.budget.lines if h.budget else no_budget,
        ),
        vendors=VendorSection(
            h.at_stake_sentence or f"No spend is dated in {quarter.label}.",
            h.overlap.vendors,
            h.data.shadow_trend[h.data.shadow_trend["quarter"] <= quarter].tail(SPLIT_QUARTERS)
            if not h.data.shadow_trend.empty
            else h.data.shadow_trend,
            h.shadow.top_vendors if h.shadow else pd.DataFrame(columns=["vendor", "reason", "spend", "lines"]),
        ),
        kpis=KpiSection(
            kpis.scorecard_sentence(list(h.data.kpi_cards), quarter) if h.data.kpi_cards else "No KPIs are loaded yet.",
            h.data.kpi_cards,
        ),
        turnaround=TurnaroundSection(
            h.lead_time_sentence or f"No requests were delivered in {quarter.label}.",
            ta.in_window(h.data.lead_times, first, last),
            ta.breach_rate_by_priority(engine, calendar, quarter, quarter),
        ),
        review=review_section(engine, quarter, today or date.today(), kpi_names),
    )


def _masked_tile(tile: Tile, mask: VendorMask) -> Tile:
    return replace(tile, value=mask.text(tile.value), notes=tuple(Note(mask.text(n.text), n.tone) for n in tile.notes))


def masked(content: PackContent, mask: VendorMask) -> PackContent:
    """The content with every vendor name replaced, in every text, table and chart label."""
    if not mask.enabled:
        return content
    t = mask.text
    return replace(
        content,
        masked=True,
        tiles=tuple(_masked_tile(tile, mask) for tile in content.tiles),
        story=tuple(t(s) for s in content.story),
        restated=tuple((heading, tuple(t(s) for s in lines)) for heading, lines in content.restated),
        spend=replace(content.spend, sentence=t(content.spend.sentence)),
        budget=replace(
            content.budget, sentence=t(content.budget.sentence), lines=mask.frame(content.budget.lines, "category")
        ),
        vendors=replace(
            content.vendors,
            sentence=t(content.vendors.sentence),
            overlap=mask.frame(content.vendors.overlap, "vendor", "spellings", "categories"),
            shadow_vendors=mask.frame(content.vendors.shadow_vendors, "vendor"),
        ),
        kpis=replace(
            content.kpis, sentence=t(content.kpis.sentence), cards=tuple(kpis.masked_cards(content.kpis.cards, mask))
        ),
        turnaround=replace(content.turnaround, sentence=t(content.turnaround.sentence)),
        review=replace(
            content.review,
            decisions=tuple(t(line) for line in content.review.decisions),
            actions=tuple(t(line) for line in content.review.actions),
            commentary=tuple(t(line) for line in content.review.commentary),
        ),
    )
