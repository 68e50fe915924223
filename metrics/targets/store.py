"""Changing targets in the app: proposals, the CIO's and the CMO's agreement, the audit rows, and
optimistic locking.

Rules
    - A proposal (value, at-risk threshold, note) clears both agreements: the other side has not
      seen the new figure.
    - Only the CIO records the CIO's agreement and only the CMO the CMO's; the date recorded is
      today's date in UTC.
    - Who signed in may write only what their role allows (`metrics.access`): a viewer or a board
      member nothing, the CIO only as the CIO, the CMO only as the CMO. A refusal writes nothing.
      The audit records the actor's name: the signed-in identity (without sign-in, the side).
    - Every change names the version it was based on and writes version + 1. The primary key
      (kpi, fiscal_year, quarter, version) turns that into a conditional insert: of two saves
      based on the same version exactly one can insert version + 1, on every engine, even when
      both checked before either wrote. The loser gets `StaleTargetError` saying who changed the
      target and when; nothing is silently overwritten. The version rows and their audit rows
      are written in one transaction.
    - A closed quarter's targets are read-only until the quarter is reopened (on the Quarterly
      review page): every change is refused with `TargetError`, the state being read in the same
      transaction as the write (`metrics.closing`), and nothing is written.
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import access, closing
from metrics.access import Actor
from metrics.fiscal import FiscalQuarter
from metrics.targets import queries
from metrics.targets.compute import AGREEING_ROLES, NOTE_MAX_CHARS, ROLES, EffectiveTarget
from metrics.targets.queries import app_metadata, target_audit, target_versions
from metrics.targets.wording import FIELDS, closed_message, stale_message


class TargetError(ValueError):
    """A change to a target was refused; the message says why, in words for the user."""


class StaleTargetError(TargetError):
    """The target changed since the user loaded it; their save was refused."""


_creating = threading.Lock()


def ensure_tables(engine: Engine) -> None:
    """Create the app's target tables if they do not exist yet (idempotent).

    Sessions of one app process take turns (concurrent CREATEs conflict on DuckDB and
    PostgreSQL); a conflict with another process is settled by checking again once it is done.
    """
    with _creating:
        try:
            app_metadata.create_all(engine, checkfirst=True)
        except sa.exc.DBAPIError:
            app_metadata.create_all(engine, checkfirst=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _text(value) -> str | None:
    """How a field's value reads in the audit history."""
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _finite(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TargetError(f"The {what} must be a number.") from None
    if not math.isfinite(number):
        raise TargetError(f"The {what} must be a finite number.")
    return number


def _stale(name: str, quarter: FiscalQuarter, current: EffectiveTarget | None) -> StaleTargetError:
    return StaleTargetError(
        stale_message(name, quarter, current.changed_by if current else None, current.changed_at if current else None)
    )


def _check_actor(actor: Actor, side: str | None = None) -> None:
    """Refuses a change the actor may not make (`metrics.access`: a viewer, or a CMO recording the
    CIO's agreement), before anything is read or written."""
    refused = access.refusal(actor, access.TARGETS, side)
    if refused:
        raise TargetError(refused)
    if actor.role not in ROLES:
        raise TargetError(f"Unknown role '{actor.role}': act as one of {', '.join(ROLES)}.")
    if not actor.name.strip():
        raise TargetError("Say who is making the change.")


def _save(
    engine: Engine, kpi: str, quarter: FiscalQuarter, expected_version: int, actor: Actor, change, now: datetime | None
) -> EffectiveTarget:
    """Write version expected_version + 1 of the target, with `change(name, current)` giving the
    new fields, and one audit row per changed field, in one transaction."""
    _check_actor(actor)
    ensure_tables(engine)
    when = now or _now()
    name = kpi
    try:
        with engine.begin() as conn:
            glossary_name = queries.kpi_name(conn, kpi)
            if glossary_name is None:
                raise TargetError(f"There is no KPI '{kpi}' in the glossary.")
            name = glossary_name
            state = closing.read_quarter_state(conn, quarter)
            if state.closed:
                raise TargetError(closed_message(state))
            # Looked up on the module at call time, so that a test can stand in for the check.
            current = queries.read_effective(conn, quarter, quarter, kpi).get((kpi, quarter))
            if (current.version if current else 0) != expected_version:
                raise _stale(name, quarter, current)
            fields = change(name, current)
            old = current.fields() if current else dict.fromkeys(FIELDS)
            changed = [f for f in FIELDS if fields[f] != old[f]]
            if not changed:
                raise TargetError(f"Nothing to change: the {quarter.label} target for {name} already reads so.")
            key = {
                "kpi": kpi,
                "fiscal_year": quarter.fiscal_year,
                "quarter": quarter.q,
                "version": expected_version + 1,
            }
            who = {"changed_at": when, "changed_by": actor.name, "role": actor.role}
            conn.execute(target_versions.insert().values(**key, **fields, **who))
            conn.execute(
                target_audit.insert(),
                [
                    {**key, **who, "field": f, "old_value": _text(old[f]), "new_value": _text(fields[f])}
                    for f in changed
                ],
            )
            saved = EffectiveTarget(
                kpi=kpi,
                quarter=quarter,
                **fields,
                version=expected_version + 1,
                source="in app",
                changed_by=actor.name,
                changed_at=when,
            )
    except sa.exc.DBAPIError:
        # Lost a race: another save inserted the same version first (a key violation, or on
        # DuckDB a conflict at commit). If the version has moved on, say so; else it is a real fault.
        latest = queries.effective_target(engine, kpi, quarter)
        if (latest.version if latest else 0) != expected_version:
            raise _stale(name, quarter, latest) from None
        raise
    return saved


def propose_target(
    engine: Engine,
    kpi: str,
    quarter: FiscalQuarter,
    *,
    target: float,
    at_risk_threshold: float | None,
    note: str | None,
    actor: Actor,
    expected_version: int,
    now: datetime | None = None,
) -> EffectiveTarget:
    """Propose a new target for a KPI and quarter. Clears both agreements.

    `at_risk_threshold` None means the default (5% of the target). Raises TargetError (or
    StaleTargetError) with a message for the user when the change is refused.
    """
    value = _finite(target, "target")
    threshold = None if at_risk_threshold is None else _finite(at_risk_threshold, "at-risk threshold")
    if threshold is not None and threshold < 0:
        raise TargetError("The at-risk threshold is a distance from the target: it cannot be negative.")
    text = (note or "").strip() or None
    if text and len(text) > NOTE_MAX_CHARS:
        raise TargetError(f"Keep the note under {NOTE_MAX_CHARS} characters.")

    def proposal(_name: str, _current: EffectiveTarget | None) -> dict:
        return {
            "target": value,
            "at_risk_threshold": threshold,
            "note": text,
            "agreed_by_cio_on": None,
            "agreed_by_cmo_on": None,
        }

    return _save(engine, kpi, quarter, expected_version, actor, proposal, now)


def record_agreement(
    engine: Engine,
    kpi: str,
    quarter: FiscalQuarter,
    *,
    side: str,
    actor: Actor,
    expected_version: int,
    now: datetime | None = None,
) -> EffectiveTarget:
    """Record the CIO's or the CMO's agreement to the current target, dated today (UTC)."""
    if side not in AGREEING_ROLES:
        raise TargetError(f"Only the CIO and the CMO agree targets, not '{side}'.")
    _check_actor(actor, side)
    if actor.role != side:
        raise TargetError(f"Only the {side} can record the {side}'s agreement; you are acting as {actor.role}.")
    when = now or _now()
    field = f"agreed_by_{side.lower()}_on"

    def agreement(name: str, current: EffectiveTarget | None) -> dict:
        if current is None:
            raise TargetError(f"There is no {quarter.label} target for {name} to agree; propose one first.")
        if getattr(current, field) is not None:
            raise TargetError(
                f"The {side} already agreed the {quarter.label} target for {name} "
                f"on {getattr(current, field):%Y-%m-%d}."
            )
        agreed: dict[str, Any] = {field: when.date()}  # the field is chosen at run time
        return replace(current, **agreed).fields()

    return _save(engine, kpi, quarter, expected_version, actor, agreement, when)
