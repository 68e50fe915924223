"""Cached adapters and target actions for the Customer experience page.

Caches are keyed by small values: the URL, the data version (changes with each import) and,
for anything that depends on targets, the targets version (changes with each change made in
the app). The targets version is read on every run (one count), so an edit made in another
session shows on the next rerun; after a save in this session the target caches are also
cleared outright.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app.access import actor
from app.data import change_refused, engine_for, guarded
from app.text import plain
from metrics import kpis, targets
from metrics.fiscal import FiscalCalendar, FiscalQuarter

ROLE_KEY = "cx_role"
RESULT_KEY = "cx_target_result"  # (succeeded, message) of the last save, shown once


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def glossary(url: str, version: str) -> pd.DataFrame:
    return kpis.kpi_glossary(engine_for(url))


@guarded
def targets_version(url: str) -> str:
    """Read once per run, uncached: one count of the append-only target versions."""
    return targets.targets_version(engine_for(url))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=64)
def effective_targets(
    url: str, version: str, targets_version: str, first: FiscalQuarter, last: FiscalQuarter
) -> pd.DataFrame:
    return targets.effective_targets(engine_for(url), first, last)


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def audit_history(url: str, targets_version: str) -> pd.DataFrame:
    return targets.audit_history(engine_for(url))


def forget_targets() -> None:
    """After a save: drop everything cached that depends on targets."""
    effective_targets.clear()
    audit_history.clear()
    scorecard.clear()


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=32)
def scorecard(
    url: str, version: str, targets_version: str, fiscal_start: int, quarter: FiscalQuarter
) -> list[kpis.KpiCard]:
    """The scorecard of `quarter`, by the one loader the board pack and the command line use."""
    return kpis.load_scorecard(engine_for(url), FiscalCalendar(fiscal_start), quarter)


def current_target(
    url: str, version: str, targets_version: str, kpi: str, quarter: FiscalQuarter
) -> targets.EffectiveTarget | None:
    frame = effective_targets(url, version, targets_version, quarter, quarter)
    return targets.targets_by_quarter(frame).get((kpi, quarter))


def form_key(field: str, kpi: str, quarter: FiscalQuarter, version: int) -> str:
    """Widget key of a target-form field. It names the version shown, so a new version (saved
    here or elsewhere) gives a fresh form holding the new values."""
    return f"cx_{field}_{kpi}_{quarter.label}_{version}"


def _save(action, kpi_name: str, quarter: FiscalQuarter, done: str) -> None:
    """Run a target change and leave its outcome, in words, for the page to show once."""
    message: str | None
    try:
        saved = action()
    except targets.TargetError as exc:  # refused, stale included: the message says why
        message = str(exc)
    except SQLAlchemyError as exc:  # the database is down or refused the write
        message = change_refused(exc)
    else:
        message = None
    forget_targets()  # a save, or a refusal because of a newer version: show the latest
    st.session_state[RESULT_KEY] = (
        (False, message) if message else (True, f"{done} for {kpi_name}, {quarter.label} (version {saved.version}).")
    )


def submit_proposal(url: str, kpi: str, kpi_name: str, quarter: FiscalQuarter, seen_version: int) -> None:
    """Form callback: propose the target typed in the form, based on the version it showed."""
    state = st.session_state
    _save(
        lambda: targets.propose_target(
            engine_for(url),
            kpi,
            quarter,
            target=state[form_key("target", kpi, quarter, seen_version)],
            at_risk_threshold=state[form_key("threshold", kpi, quarter, seen_version)],
            note=state[form_key("note", kpi, quarter, seen_version)],
            actor=actor(),
            expected_version=seen_version,
        ),
        kpi_name,
        quarter,
        "New target proposed; both agreements are cleared",
    )


def submit_agreement(url: str, kpi: str, kpi_name: str, quarter: FiscalQuarter, seen_version: int, side: str) -> None:
    """Button callback: record the acting role's agreement to the version shown."""
    _save(
        lambda: targets.record_agreement(
            engine_for(url), kpi, quarter, side=side, actor=actor(), expected_version=seen_version
        ),
        kpi_name,
        quarter,
        f"{side} agreement recorded",
    )


# Streamlit's colour for each tone of a change, and for each status. The arrow, the word and the
# symbol carry the meaning; colour repeats it, and green is kept for good news only.
TONE_COLOURS = {kpis.FAVOURABLE: "green", kpis.UNFAVOURABLE: "red", kpis.NEUTRAL: "gray"}
STATUS_BADGES = {
    kpis.ON_TARGET: "green",
    kpis.AT_RISK: "orange",
    kpis.OFF_TARGET: "red",
    kpis.NO_TARGET: "gray",
    kpis.NO_DATA: "gray",
}
CHANGE_ICONS = {
    "better": ":material/thumb_up:",
    "worse": ":material/thumb_down:",
    "unchanged": ":material/trending_flat:",
}


def metric_delta(change: kpis.Change, status: str) -> dict:
    """st.metric's delta arguments for a change of a KPI whose status is `status`: the arrow follows
    the change, the colour (of the delta and the sparkline) its tone (`kpis.change_tone`): green only
    for an improvement of a KPI not off target or at risk, red when it worsened, grey otherwise. A
    zero change is the number 0; a missing one says so."""
    if change.delta is None:
        return {
            "delta": "no data",
            "delta_color": "off",
            "delta_arrow": "off",
            "delta_description": f"for {change.versus.label}",
        }
    return {
        "delta": 0 if change.delta == 0 else plain(change.kpi.show(change.delta, signed=True)),  # unit: data
        "delta_color": TONE_COLOURS[kpis.change_tone(status, change)],
        "delta_description": f"vs {change.versus.label} · {change.sentiment}",
    }


def change_badge(change: kpis.Change, status: str) -> tuple[str, str]:
    """(colour, icon) of the badge of a change with a value then and now: the icon says better or
    worse, the colour its tone (never green for a KPI off target or at risk)."""
    assert change.sentiment is not None  # the caller shows "No data for ..." instead
    return TONE_COLOURS[kpis.change_tone(status, change)], CHANGE_ICONS[change.sentiment]


def audit_table(audit: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The audit history as the page and its CSV download show it."""
    out = audit.assign(
        kpi=[names.get(k, k) for k in audit["kpi"]], changed_at=[f"{t:%Y-%m-%d %H:%M:%S}" for t in audit["changed_at"]]
    )
    return out.rename(
        columns={
            "changed_at": "When (UTC)",
            "changed_by": "Who",
            "role": "Role",
            "kpi": "KPI",
            "quarter": "Quarter",
            "field": "Field",
            "old_value": "Old",
            "new_value": "New",
            "version": "Version",
        }
    )
