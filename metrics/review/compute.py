"""The quarterly review as values: notes (commentary), decisions and actions, what is overdue, the
agenda and the minutes. No engine, no SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

# A quarter's state lives in metrics.closing (targets read it too); re-exported for the review's callers.
from metrics.closing import QuarterState as QuarterState
from metrics.closing import open_quarter as open_quarter
from metrics.closing import quarter_of
from metrics.closing import quarter_state_from_row as quarter_state_from_row
from metrics.fiscal import FiscalQuarter
from metrics.sql import as_date

# The pages a note can be about, in the order of the walk-through, with their display names.
PAGES = {
    "overview": "Overview",
    "tech_spend": "Tech spend",
    "customer_experience": "Customer experience",
    "request_turnaround": "Request turnaround",
}
PAGE, KPI = "page", "kpi"  # what a note is about
SIDES = ("CIO", "CMO", "CFO")  # whose note it is; only that role writes it
SPEND_PAGE = "tech_spend"  # the one page the CFO comments on
NOTE_MAX_CHARS = 2000

KINDS = ("decision", "action")
OWNERS = ("CIO", "CMO", "CFO", "Joint")
STATUSES = ("open", "done", "dropped")
# What a decision or action is about: a typed reference to something the pages show.
SUBJECT_KINDS = {
    "": "General",
    "kpi": "KPI",
    "vendor": "Vendor",
    "request_type": "Request type",
    "budget_line": "Budget line",
}
TEXT_MAX_CHARS = 500
ACTION_FIELDS = ("kind", "text", "owner", "due_on", "status", "subject_kind", "subject")


def sides_for(kind: str, subject: str) -> tuple[str, ...]:
    """Who writes a note on this subject: the CIO and the CMO, and the CFO on spend."""
    return SIDES if (kind, subject) == (PAGE, SPEND_PAGE) else SIDES[:2]


@dataclass(frozen=True)
class Note:
    quarter: FiscalQuarter
    kind: str  # PAGE or KPI
    subject: str  # a PAGES key or a KPI code
    side: str  # CIO, CMO or CFO
    text: str | None  # Markdown as written; None once cleared
    version: int  # 0 = never written
    changed_by: str | None
    changed_at: datetime | None  # UTC


@dataclass(frozen=True)
class Action:
    action_id: str
    kind: str  # decision or action
    text: str
    owner: str
    due_on: date | None
    status: str
    subject_kind: str  # a SUBJECT_KINDS key
    subject: str  # the KPI code, vendor, request type or "Department / category"; "" = general
    raised: FiscalQuarter
    version: int
    changed_by: str
    changed_at: datetime  # UTC

    def fields(self) -> dict:
        return {f: getattr(self, f) for f in ACTION_FIELDS}

    def overdue(self, today: date) -> bool:
        """An open action whose due date has passed (due today is not yet overdue)."""
        return self.kind == "action" and self.status == "open" and self.due_on is not None and self.due_on < today


def empty_note(quarter: FiscalQuarter, kind: str, subject: str, side: str) -> Note:
    return Note(quarter, kind, subject, side, None, 0, None, None)


def note_from_row(row: Mapping) -> Note:
    return Note(
        quarter=quarter_of(row["fiscal_year"], row["quarter"]),
        kind=row["subject_kind"],
        subject=row["subject"],
        side=row["side"],
        text=row["text"] or None,
        version=int(row["version"]),
        changed_by=row["changed_by"],
        changed_at=row["changed_at"],
    )


def action_from_row(row: Mapping) -> Action:
    return Action(
        action_id=row["action_id"],
        kind=row["kind"],
        text=row["text"],
        owner=row["owner"],
        due_on=as_date(row["due_on"]),
        status=row["status"],
        subject_kind=row["subject_kind"] or "",
        subject=row["subject"] or "",
        raised=quarter_of(row["raised_fiscal_year"], row["raised_quarter"]),
        version=int(row["version"]),
        changed_by=row["changed_by"],
        changed_at=row["changed_at"],
    )


def notes_on(notes: Iterable[Note], kind: str, subject: str) -> list[Note]:
    """The written notes on one subject, in the order of SIDES."""
    found = {n.side: n for n in notes if n.kind == kind and n.subject == subject and n.text}
    return [found[s] for s in SIDES if s in found]


def sorted_actions(actions: Iterable[Action], today: date) -> list[Action]:
    """Overdue first, then open by due date, then the rest; decisions among them by quarter."""

    def key(a: Action):
        rank = 0 if a.overdue(today) else 1 if a.status == "open" else 2
        return (rank, a.due_on or date.max, a.raised, a.changed_at)

    return sorted(actions, key=key)


def open_actions_on(actions: Iterable[Action], subject_kind: str, subject: str) -> list[Action]:
    """The open actions about one thing (the KPI card shows its own)."""
    return [
        a
        for a in actions
        if a.kind == "action" and a.status == "open" and a.subject_kind == subject_kind and a.subject == subject
    ]


def open_actions_about(actions: Iterable[Action], subject_kind: str, subjects: Collection[str] = ()) -> list[Action]:
    """The open actions about things of one kind (vendors, budget lines, request types), those
    about `subjects` only when some are given (a page's filter), soonest due first (so the overdue
    ones lead). Decisions stay in the log: they have nothing left to do."""
    chosen = set(subjects)
    found = [
        a
        for a in actions
        if a.kind == "action"
        and a.status == "open"
        and a.subject_kind == subject_kind
        and (not chosen or a.subject in chosen)
    ]
    return sorted(found, key=lambda a: (a.due_on or date.max, a.raised, a.changed_at, a.action_id))


def budget_line(department: str, category: str) -> str:
    """How an action names a budget line: 'Marketing / Martech'."""
    return f"{department} / {category}"


def budget_line_department(subject: str) -> str:
    """'Marketing / Martech' -> 'Marketing'."""
    return subject.partition(" / ")[0]


def open_actions_on_budget_lines(actions: Iterable[Action], departments: Collection[str] = ()) -> list[Action]:
    """The open actions about budget lines of `departments` (every department when none given:
    the Tech spend page's scope)."""
    about = open_actions_about(actions, "budget_line")
    return [a for a in about if not departments or budget_line_department(a.subject) in departments]


def overdue_actions(actions: Iterable[Action], today: date) -> list[Action]:
    return sorted((a for a in actions if a.overdue(today)), key=lambda a: (a.due_on or date.max, a.changed_at))


def of_quarter(actions: Iterable[Action], quarter: FiscalQuarter) -> list[Action]:
    return [a for a in actions if a.raised == quarter]


def filter_actions(
    actions: Iterable[Action],
    *,
    kinds: Sequence[str] = (),
    owners: Sequence[str] = (),
    statuses: Sequence[str] = (),
    subject_kinds: Sequence[str] = (),
    quarter: FiscalQuarter | None = None,
    overdue_only: bool = False,
    today: date | None = None,
) -> list[Action]:
    """Each empty filter lets everything through."""
    out = []
    for a in actions:
        if kinds and a.kind not in kinds:
            continue
        if owners and a.owner not in owners:
            continue
        if statuses and a.status not in statuses:
            continue
        if subject_kinds and a.subject_kind not in subject_kinds:
            continue
        if quarter is not None and a.raised != quarter:
            continue
        if overdue_only and not (today is not None and a.overdue(today)):
            continue
        out.append(a)
    return out


LOG_COLUMNS = ["Kind", "Text", "Owner", "Due", "Status", "Overdue", "About", "Raised", "Changed by", "Changed (UTC)"]


def subject_label(kind: str, subject: str, kpi_names: Mapping[str, str] | None = None) -> str:
    """'KPI: Net Promoter Score', 'Vendor: Salesforce', 'General'."""
    if not kind or not subject:
        return "General"
    shown = (kpi_names or {}).get(subject, subject) if kind == "kpi" else subject
    return f"{SUBJECT_KINDS.get(kind, kind)}: {shown}"


def log_frame(actions: Iterable[Action], today: date, kpi_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The decisions and actions log as the page shows it and its downloads hold it."""
    rows = [
        {
            "Kind": a.kind,
            "Text": a.text,
            "Owner": a.owner,
            "Due": a.due_on,
            "Status": a.status,
            "Overdue": "yes" if a.overdue(today) else "",
            "About": subject_label(a.subject_kind, a.subject, kpi_names),
            "Raised": a.raised.label,
            "Changed by": a.changed_by,
            "Changed (UTC)": f"{a.changed_at:%Y-%m-%d %H:%M}",
        }
        for a in actions
    ]
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


@dataclass(frozen=True)
class AgendaItem:
    title: str
    page: str | None  # a PAGES key, or None for the actions item
    points: tuple[str, ...]


def agenda(
    off_target: Sequence[str],
    at_risk: Sequence[str],
    actions: Iterable[Action],
    notes: Iterable[Note],
    today: date,
    restated: Sequence[str] = (),
) -> tuple[AgendaItem, ...]:
    """The meeting's order: what later imports restated in the quarters already closed (`restated`:
    their sentences), the pages as the walk-through goes (on Customer experience the KPIs off target
    first, then at risk), then the overdue and the open actions. Each page says whose commentary
    is still missing."""
    notes = list(notes)
    items = [AgendaItem("Restated since the last review", None, tuple(restated))] if restated else []
    for key, name in PAGES.items():
        written = {n.side for n in notes if n.kind == PAGE and n.subject == key and n.text}
        missing = [s for s in sides_for(PAGE, key) if s not in written]
        points = []
        if key == "customer_experience":
            points += [f"Off target: {k}" for k in off_target]
            points += [f"At risk: {k}" for k in at_risk]
        points.append(f"Commentary still to write: {', '.join(missing)}" if missing else "Commentary written")
        items.append(AgendaItem(name, key, tuple(points)))
    actions = [a for a in actions if a.kind == "action"]
    overdue = overdue_actions(actions, today)
    still_open = [a for a in sorted_actions(actions, today) if a.status == "open" and not a.overdue(today)]
    points = [f"Overdue since {a.due_on:%d %b %Y}: {a.text} ({a.owner})" for a in overdue if a.due_on]
    points += [
        f"Open, due {a.due_on:%d %b %Y}: {a.text} ({a.owner})" if a.due_on else f"Open: {a.text} ({a.owner})"
        for a in still_open
    ]
    items.append(AgendaItem("Actions", None, tuple(points) or ("No open actions.",)))
    return tuple(items)


# --- Restatements: a closed quarter's money figures against the same figures now ---------------

# The money figures of `summary` a closed quarter keeps, and how a sentence names them.
RESTATED_FIGURES = {
    "total_spend": "spend",
    "budget_total": "budget",
    "overlap_at_stake": "overlap at stake",
    "shadow_it_spend": "shadow IT spend",
}


@dataclass(frozen=True)
class Restatement:
    """A figure of a closed quarter that later imports changed: money to the cent, other figures
    (KPI actuals, lead times, rates, counts) to six decimals."""

    figure: str  # in words: "spend", "Marketing spend", "Marketing spend on Cloud"...
    then: float | None  # as the quarter was closed with (None: no data then)
    now: float | None
    page: str = "overview"  # a PAGES key: where the figure is shown
    kind: str = "money"  # see metrics.review.figures: money, number, days, rate, count
    unit: str = ""  # a KPI's unit
    status_then: str | None = None  # a KPI's status against its target, then and now
    status_now: str | None = None

    @property
    def change(self) -> float | None:
        if self.then is None or self.now is None:
            return None
        return round(self.now - self.then, 2 if self.kind == "money" else 6)


def _cents(value) -> float | None:
    return None if value is None else round(float(value), 2)


def restatements(snapshot: Mapping, current: Mapping) -> list[Restatement]:
    """The money figures that differ between a closed quarter's snapshot and the same figures now
    (both `metrics.summary.summary_figures`), in the order `summary` lists them. Figures in another
    currency than the snapshot's are not compared (the figures would differ by the rate)."""
    if snapshot.get("currency", "USD") != current.get("currency", "USD"):
        return []
    out: list[Restatement] = []
    for key, words in RESTATED_FIGURES.items():
        then, now = _cents(snapshot.get(key)), _cents(current.get(key))
        if then != now:
            out.append(Restatement(words, then, now))
        if key == "total_spend":
            before, after = snapshot.get("spend_by_department") or {}, current.get("spend_by_department") or {}
            for department in sorted(set(before) | set(after)):
                d_then, d_now = _cents(before.get(department)), _cents(after.get(department))
                if d_then != d_now:
                    out.append(Restatement(f"{department} spend", d_then, d_now))
    return out
