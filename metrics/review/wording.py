"""The words of the quarterly review: what a note or an action is called, why a save was refused,
and the short lines the Overview and the pack show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from metrics.closing import read_only_message, who_when
from metrics.fiscal import FiscalQuarter
from metrics.formatting import and_join, counted, money_exact, number, share
from metrics.review.compute import (
    KPI,
    PAGE,
    PAGES,
    Action,
    Note,
    QuarterState,
    Restatement,
    notes_on,
    sorted_actions,
)
from metrics.review.figures import from_json
from metrics.review.markdown import plain_text

NOTE_FIELDS = {"text": "Note"}
OVERDUE = "OVERDUE"  # in a line of the minutes, in place of the status
ACTION_FIELD_NAMES = {
    "kind": "Kind",
    "text": "Text",
    "owner": "Owner",
    "due_on": "Due",
    "status": "Status",
    "subject_kind": "About (kind)",
    "subject": "About",
}


def subject_name(kind: str, subject: str, kpi_name: str | None = None) -> str:
    """'the Tech spend page' / 'the KPI Net Promoter Score'."""
    if kind == KPI:
        return f"the KPI {kpi_name or subject}"
    return f"the {PAGES.get(subject, subject)} page"


def note_title(side: str, kind: str, subject: str, quarter: FiscalQuarter, kpi_name: str | None = None) -> str:
    """ "The CIO's note on the Tech spend page, FY2026 Q3"."""
    return f"The {side}'s note on {subject_name(kind, subject, kpi_name)}, {quarter.label}"


def stale_note_message(title: str, changed_by: str | None, changed_at: datetime | None) -> str:
    """Why a note was not saved: someone saved it after the user opened it. Their text is kept."""
    return (
        f"{title} was changed {who_when(changed_by, changed_at)} after you opened it; "
        "your text was not saved. Copy it, reload and try again."
    )


def stale_action_message(action: Action | None) -> str:
    what = f"The {action.kind} “{action.text}”" if action else "This entry"
    by = who_when(action.changed_by, action.changed_at) if action else "elsewhere"
    return f"{what} was changed {by} after you opened it; reload and try again."


def closed_message(state: QuarterState, what: str = "commentary is") -> str:
    """Why a closed quarter's commentary (or `what`: "commentary and targets are") cannot change."""
    return read_only_message(state, what)


def closing_line(state: QuarterState) -> str | None:
    """The minutes' first line once the quarter is closed; None while it is open."""
    if not state.closed:
        return None
    by = f" by {state.changed_by}" if state.changed_by else ""
    on = f" on {state.changed_at:%d %b %Y}" if state.changed_at else ""
    return (
        f"{state.quarter.label} was closed{by}{on}: its figures were kept then, and a later import that changes "
        "one is listed as a restatement."
    )


def stale_quarter_message(state: QuarterState) -> str:
    done = "closed" if state.closed else "reopened"
    return (
        f"{state.quarter.label} was {done} {who_when(state.changed_by, state.changed_at)} after you opened it; reload."
    )


def overdue_line(action: Action, today: date) -> str:
    """'Overdue 12 days (due 01 Oct 2026): Consolidate the two CDPs. Owner: Joint.'"""
    assert action.due_on is not None
    days = (today - action.due_on).days
    return f"Overdue {counted(days, 'day')} (due {action.due_on:%d %b %Y}): {action.text}. Owner: {action.owner}."


def action_line(action: Action, today: date) -> str:
    """One line of the minutes: 'Action · Joint · due 15 Dec 2026 · open: Consolidate the CDPs',
    'Decision · CIO: Keep one CRM'."""
    parts = [action.kind.capitalize(), action.owner]
    if action.due_on:
        parts.append(f"due {action.due_on:%d %b %Y}")
    if action.overdue(today):
        parts.append(OVERDUE)
    elif action.kind == "action" or action.status != "open":  # a decision stands until done or dropped
        parts.append(action.status)
    return f"{' · '.join(parts)}: {action.text}"


def open_action_line(action: Action, today: date, *, about: bool = False) -> str:
    """An open action where its subject is shown: 'Consolidate the CDPs · Joint · due 15 Dec 2026',
    ' · overdue' added once its due date has passed; with `about`, its subject first
    ('Segment: Consolidate the CDPs · ...') for a list about several things."""
    due = f"due {action.due_on:%d %b %Y}" if action.due_on else "no due date"
    line = f"{action.text} · {action.owner} · {due}{' · overdue' if action.overdue(today) else ''}"
    return f"{action.subject}: {line}" if about and action.subject else line


def open_actions_label(actions: list[Action], today: date) -> str:
    """'2 open actions · 1 overdue'."""
    overdue = sum(a.overdue(today) for a in actions)
    return counted(len(actions), "open action") + (f" · {overdue} overdue" if overdue else "")


def overdue_sentence(overdue: list[Action]) -> str | None:
    if not overdue:
        return None
    owners = sorted({a.owner for a in overdue})
    return f"{counted(len(overdue), 'action')} overdue (owners: {', '.join(owners)})."


@dataclass(frozen=True)
class Minutes:
    """The minutes of a quarter's review, as headed lists of lines (pages, pack and PDF alike)."""

    quarter: FiscalQuarter
    sections: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def empty(self) -> bool:
        return not self.sections


def minutes(
    notes: Iterable[Note],
    actions: Iterable[Action],
    quarter: FiscalQuarter,
    today: date,
    kpi_names: Mapping[str, str] | None = None,
) -> Minutes:
    """Decisions of the quarter; its actions with owners and dates, and those still open from
    earlier quarters; then the commentary, page by page, then KPI by KPI. Plain words."""
    names = kpi_names or {}
    actions = sorted_actions(actions, today)
    decisions = [action_line(a, today) for a in actions if a.kind == "decision" and a.raised == quarter]
    todo = [
        action_line(a, today) + ("" if a.raised == quarter else f" (raised {a.raised.label})")
        for a in actions
        if a.kind == "action" and (a.raised == quarter or (a.status == "open" and a.raised < quarter))
    ]
    said = []
    notes = [n for n in notes if n.quarter == quarter and n.text]
    subjects = [(PAGE, key) for key in PAGES] + sorted({(KPI, n.subject) for n in notes if n.kind == KPI})
    for kind, subject in subjects:
        for n in notes_on(notes, kind, subject):
            about = PAGES[subject] if kind == PAGE else names.get(subject, subject)
            said.append(f"{about} · {n.side}: {plain_text(n.text).replace(chr(10), ' ')}")
    sections = [
        (heading, tuple(lines))
        for heading, lines in (("Decisions", decisions), ("Actions", todo), ("Commentary", said))
        if lines
    ]
    return Minutes(quarter, tuple(sections))


def minutes_title(decisions: int, actions: int, overdue: int, quarter: FiscalQuarter) -> str:
    """'2 decisions and 3 actions from the FY2026 Q3 review; 1 action overdue'."""
    parts = [
        p
        for p in (counted(decisions, "decision") if decisions else "", counted(actions, "action") if actions else "")
        if p
    ]
    title = f"{' and '.join(parts)} on the record for the {quarter.label} review"
    return title + (f"; {counted(overdue, 'action')} overdue" if overdue else "")


def commentary_title(quarter: FiscalQuarter, sides: Iterable[str]) -> str:
    """'What the CIO, the CMO and the CFO say about FY2026 Q3'."""
    names = [f"the {s}" for s in sides]
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"What {said} say{'s' if len(names) == 1 else ''} about {quarter.label}"


def restatement_sentence(r: Restatement, state: QuarterState, currency: str = "$") -> str:
    """'Spend restated +$1,234.56 since the FY2026 Q3 review (closed 03 Dec 2026): $13,600,000.00
    then, $13,601,234.56 now.'"""
    when = f"closed {state.changed_at:%d %b %Y}" if state.changed_at else "closed"
    since = f"since the {state.quarter.label} review ({when})"
    if r.change is None:
        then = money_exact(r.then, currency) if r.then is not None else "no data"
        now = money_exact(r.now, currency) if r.now is not None else "no data"
        return f"{r.figure[:1].upper()}{r.figure[1:]} restated {since}: {then} then, {now} now."
    sign = "+" if r.change > 0 else "-"
    return (
        f"{r.figure[:1].upper()}{r.figure[1:]} restated {sign}{money_exact(abs(r.change), currency)} {since}: "
        f"{money_exact(r.then, currency)} then, {money_exact(r.now, currency)} now."
    )


def restatement_lines(state: QuarterState, current: Mapping, currency: str = "$") -> list[str]:
    """One sentence per money figure a closed quarter's later imports changed; none while open."""
    from metrics.review.compute import restatements

    if not state.closed or not state.snapshot:
        return []
    return [restatement_sentence(r, state, currency) for r in restatements(state.snapshot, current)]


def restated_since(state: QuarterState) -> str:
    """'since the FY2026 Q3 review (closed 14 Oct 2026)'"""
    when = f"closed {state.changed_at:%d %b %Y}" if state.changed_at else "closed"
    return f"since the {state.quarter.label} review ({when})"


def restated_pointer(state: QuarterState) -> str:
    """The story's line when a closed quarter's figures were restated: the slide says which."""
    return f"Figures of {state.quarter.label} were restated {restated_since(state)}: see the restatements."


def restated_title(restated, currency: str = "$") -> str:
    """The restatements slide's title, stating the finding: 'Spend restated +$78,634.56 since the
    FY2026 Q3 review' or '3 figures restated since the FY2026 Q3 review'."""
    since = f"since the {restated.state.quarter.label} review"
    spend = next((r for r in restated.headline if r.figure == "spend" and r.change is not None), None)
    if spend is not None:
        sign = "+" if spend.change > 0 else "-"
        return f"Spend restated {sign}{money_exact(abs(spend.change), currency)} {since}"
    count = len(restated.headline) + len(restated.figures)
    if count:
        return f"{counted(count, 'figure')} restated {since}"
    return f"Lines changed {since}, no figure restated"


def figure_value(value: float | None, kind: str, unit: str = "", currency: str = "$") -> str:
    """A restated figure as its page shows it, to the precision that tells then from now."""
    if value is None:
        return "no data"
    if kind == "money":
        return money_exact(value, currency)
    if kind == "days":
        return f"{value:,.2f} days"
    if kind == "rate":
        return share(value, 2)
    if kind == "count":
        return f"{value:,.0f}"
    return number(value, unit)


def restatement_item(r: Restatement, currency: str = "$") -> str:
    """'Marketing spend on Cloud: +$1,234.56 ($10,000.00 then, $11,234.56 now)'; a KPI whose
    status changed adds it: '...; on target then, at risk now'."""
    then = figure_value(r.then, r.kind, r.unit, currency)
    now = figure_value(r.now, r.kind, r.unit, currency)
    name = f"{r.figure[:1].upper()}{r.figure[1:]}"
    if r.kind == "money" and r.change is not None:
        sign = "+" if r.change > 0 else "-"
        text = f"{name}: {sign}{money_exact(abs(r.change), currency)} ({then} then, {now} now)"
    else:
        text = f"{name}: {then} then, {now} now"
    if r.status_then != r.status_now:
        text += f"; {r.status_then or 'no data'} then, {r.status_now or 'no data'} now"
    return text


def page_restatements_sentence(counts: Mapping[str, int]) -> str | None:
    """'Restated figures on other pages: 4 on Tech spend and 1 on Customer experience.'"""
    parts = [f"{n} on {PAGES[page]}" for page, n in counts.items() if n]
    return f"Restated figures on the pages: {and_join(parts)}." if parts else None


# The headline figures a closed quarter keeps (summary's keys), as a reader names them and how each
# is written, in the order `summary` lists them.
KEPT_HEADLINE = {
    "quarter": ("Quarter", "text"),
    "total_spend": ("Spend", "money"),
    "spend_by_department": ("{} spend", "money"),
    "budget_total": ("Budget", "money"),
    "budget_variance": ("Budget variance (actual - budget)", "money"),
    "marketing_share": ("Marketing share", "rate"),
    "overlap_at_stake": ("Overlap at stake", "money"),
    "shadow_it_spend": ("Shadow IT spend", "money"),
    "kpis_on_target": ("KPIs on target", "count"),
    "kpis_with_target": ("KPIs with a target", "count"),
    "lead_time_p50_days": ("Lead time, median", "days"),
    "lead_time_p85_days": ("Lead time, 85th percentile", "days"),
    "sla_breach_rate": ("Requests that missed their SLA", "rate"),
    "open_requests": ("Open requests", "count"),
    "as_of": ("Data as of", "text"),
}


def snapshot_frame(snapshot: Mapping, currency: str = "$") -> pd.DataFrame:
    """A closed quarter's figures as a reader checks them: page, figure, value as closed, in words
    and each in its format (money to the cent). The headline first, then every page figure."""

    def shown(value, how: str) -> str:
        if how == "text":
            return "no data" if value is None else str(value).replace("T", " ").replace("Z", " UTC")
        return figure_value(value, how, "", currency)

    rows = []
    for key, (label, how) in KEPT_HEADLINE.items():
        value = snapshot.get(key)
        if isinstance(value, Mapping):
            rows += [(PAGES["overview"], label.format(k), shown(v, how)) for k, v in value.items()]
        elif key in snapshot:
            rows.append((PAGES["overview"], label, shown(value, how)))
    for figure in from_json(snapshot.get("figures")).values():
        value = figure_value(figure.value, figure.kind, figure.unit, currency)
        if figure.status and figure.value is not None:
            value += f" ({figure.status})"
        rows.append((PAGES[figure.page], figure.words[:1].upper() + figure.words[1:], value))
    return pd.DataFrame(rows, columns=["Page", "Figure", "Value"])
