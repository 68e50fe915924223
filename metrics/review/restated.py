"""What later imports changed in a closed quarter: its headline figures, every figure of its pages
and its lines, in one value that the pages, `summary` and the pack read alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from metrics.currency import DEFAULT_REPORTING_CURRENCY
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.review import figures as figs
from metrics.review import lines as closed_lines
from metrics.review.compute import PAGES, QuarterState, Restatement, restatements
from metrics.review.queries import quarter_state
from metrics.review.wording import page_restatements_sentence, restatement_item, restatement_sentence

# The lines behind each page's figures (the Overview's are those of Tech spend).
PAGE_LINES = {
    "overview": ("spend", "budget"),
    "tech_spend": ("spend", "budget"),
    "customer_experience": ("kpi_actuals",),
    "request_turnaround": ("requests",),
}


@dataclass(frozen=True)
class Restated:
    """A closed quarter against its data now."""

    state: QuarterState
    headline: tuple[Restatement, ...]  # the Overview's money figures (those of `summary`)
    figures: tuple[Restatement, ...]  # every other page's figures
    lines: Mapping[str, closed_lines.ChangedLines] | None  # per table; None: the closing kept none

    @property
    def any(self) -> bool:
        return bool(self.headline or self.figures or self.changed_lines())

    def on_page(self, page: str) -> tuple[Restatement, ...]:
        return self.headline if page == "overview" else tuple(r for r in self.figures if r.page == page)

    def changed_lines(self, page: str | None = None) -> list[closed_lines.ChangedLines]:
        """The tables with lines that differ, of one page (or all)."""
        tables = PAGE_LINES[page] if page else tuple(closed_lines.LINE_TABLES)
        return [self.lines[t] for t in tables if self.lines and t in self.lines and self.lines[t].any]

    def page_counts(self) -> dict[str, int]:
        return {p: len(self.on_page(p)) for p in PAGES if p != "overview" and self.on_page(p)}

    def sentences(self, currency: str = "$") -> list[str]:
        """For `summary` and the pack: a sentence per restated headline figure, how many figures
        each page restates, and the lines that differ."""
        out = [restatement_sentence(r, self.state, currency) for r in self.headline]
        pages = page_restatements_sentence(self.page_counts())
        if pages:
            out.append(pages)
        out += [c.sentence() for c in self.changed_lines()]
        return out

    def groups(self, currency: str = "$", per_page: int = 8) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
        """For the pack's restatements slide: the headline sentences, then each page's restated
        figures (then and now; beyond `per_page` counted), then the lines that differ."""
        out: list[tuple[str | None, tuple[str, ...]]] = []
        if self.headline:
            out.append((None, tuple(restatement_sentence(r, self.state, currency) for r in self.headline)))
        for page, name in PAGES.items():
            items = self.on_page(page) if page != "overview" else ()
            if items:
                shown = [restatement_item(r, currency) for r in items[:per_page]]
                if len(items) > per_page:
                    shown.append(f"and {len(items) - per_page} more (on the {name} page)")
                out.append((name, tuple(shown)))
        changed = self.changed_lines()
        if changed:
            out.append(("Lines that differ", tuple(c.sentence() for c in changed)))
        return tuple(out)

    def as_json(self) -> dict:
        """`summary`'s "restated" key."""
        return {
            "closed_at": self.state.changed_at.isoformat() if self.state.changed_at else None,
            "closed_by": self.state.changed_by,
            "figures": [
                {
                    "page": r.page,
                    "figure": r.figure,
                    "then": r.then,
                    "now": r.now,
                    "change": r.change,
                    **(
                        {"status_then": r.status_then, "status_now": r.status_now}
                        if r.status_then or r.status_now
                        else {}
                    ),
                }
                for r in (*self.headline, *self.figures)
            ],
            "lines": (
                None
                if self.lines is None
                else {t: {"changed": c.changed, "added": c.added, "removed": c.removed} for t, c in self.lines.items()}
            ),
        }


def restated(
    state: QuarterState,
    current_summary: Mapping | None,
    current_figures: Mapping[str, figs.Figure] | None,
    lines: Mapping[str, closed_lines.ChangedLines] | None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> Restated | None:
    """None while the quarter is open. `current_summary`: the quarter's `summary` figures now (None:
    the headline is not compared, as on the pages other than the Overview). Figures kept in another
    currency than `reporting_currency` are not compared (they would differ by the rate)."""
    if not state.closed or not state.snapshot:
        return None
    snapshot = state.snapshot
    if snapshot.get("currency", DEFAULT_REPORTING_CURRENCY) != reporting_currency:
        return Restated(state, (), (), lines)
    headline = restatements(snapshot, current_summary) if current_summary is not None else []
    figures: list[Restatement] = []
    if "figures" in snapshot and current_figures is not None:
        figures = figs.figure_restatements(figs.from_json(snapshot["figures"]), current_figures)
    return Restated(state, tuple(headline), tuple(figures), lines)


def load_restated(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    current_summary: Mapping | None,
    today: date | None = None,
    *,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> Restated | None:
    """The restatements of `quarter` if it is closed (None while open)."""
    state = quarter_state(engine, quarter)
    if not state.closed or not state.snapshot:
        return None
    current = figs.quarter_figures(engine, calendar, quarter, today) if "figures" in state.snapshot else None
    found = closed_lines.changed_lines(engine, calendar, quarter, state.version)
    return restated(state, current_summary, current, found, reporting_currency)
