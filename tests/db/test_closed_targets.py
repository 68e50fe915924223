"""A closed quarter's targets are read-only, on DuckDB, SQLite and a real PostgreSQL: every write
of `metrics.targets.store` (a proposal, either agreement, a first target) is refused with the
quarter's closing in words, nothing is written (versions, audit), the check runs in the saving
transaction, and the same changes go through once the quarter is reopened."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from metrics import closing, db, review, targets
from metrics.fiscal import FiscalQuarter
from metrics.review.store import set_quarter_closed
from metrics.targets import Actor, StaleTargetError, TargetError
from metrics.targets import queries as target_queries
from tests.db.test_targets import _tables

Q1 = FiscalQuarter(2026, 1)
CIO, CMO, CFO = Actor("CIO", "CIO"), Actor("CMO", "CMO"), Actor("CFO", "CFO")
MONDAY = datetime(2026, 4, 6, 9, 15, 0)
TUESDAY = datetime(2026, 4, 7, 17, 40, 0)
CLOSED = (
    "FY2026 Q1 was closed by CFO at 2026-04-07 17:40 UTC: its targets are read-only until the quarter is "
    "reopened. Reopen it on the Quarterly review page to change them."
)


@pytest.fixture
def loaded(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    return engine


def _close(engine, quarter=Q1, version=0):
    return set_quarter_closed(
        engine,
        quarter,
        closed=True,
        snapshot={"quarter": quarter.label},
        actor=CFO,
        expected_version=version,
        now=TUESDAY,
    )


def _written(engine):
    """Everything a target write touches: the effective targets, the audit, the version count."""
    return targets.effective_targets(engine), targets.audit_history(engine), targets.targets_version(engine)


def _unchanged(before, after) -> bool:
    return before[0].equals(after[0]) and before[1].equals(after[1]) and before[2] == after[2]


def test_every_write_to_a_closed_quarters_targets_is_refused_and_nothing_is_written(loaded):
    targets.propose_target(
        loaded, "nps", Q1, target=45, at_risk_threshold=2, note="Before", actor=CIO, expected_version=0, now=MONDAY
    )
    _close(loaded)
    before = _written(loaded)
    refusals = {
        "a proposal": lambda: targets.propose_target(
            loaded, "nps", Q1, target=47, at_risk_threshold=2, note="After", actor=CIO, expected_version=1
        ),
        "the CIO's agreement": lambda: targets.record_agreement(
            loaded, "nps", Q1, side="CIO", actor=CIO, expected_version=1
        ),
        "the CMO's agreement": lambda: targets.record_agreement(
            loaded, "nps", Q1, side="CMO", actor=CMO, expected_version=1
        ),
        "a first target": lambda: targets.propose_target(
            loaded, "load", Q1, target=2.0, at_risk_threshold=None, note=None, actor=CIO, expected_version=0
        ),
        "an imported target changed": lambda: targets.propose_target(
            loaded, "churn", Q1, target=3.0, at_risk_threshold=None, note=None, actor=CMO, expected_version=0
        ),
        # Closed first: a stale version is told the quarter is closed, not to reload and try again.
        "a stale proposal": lambda: targets.propose_target(
            loaded, "nps", Q1, target=47, at_risk_threshold=2, note=None, actor=CIO, expected_version=0
        ),
    }
    for what, write in refusals.items():
        with pytest.raises(TargetError) as refused:
            write()
        assert not isinstance(refused.value, StaleTargetError), what
        assert str(refused.value) == CLOSED, what
    assert _unchanged(before, _written(loaded))  # no version, no audit row
    # The review's record of the closing is untouched by the refusals.
    assert [(r["entity"], r["version"], r["new_value"]) for r in review.audit_rows(loaded)] == [
        ("quarter", 1, "closed")
    ]
    # Another quarter stays open.
    other = targets.propose_target(
        loaded, "nps", Q1.next(), target=46, at_risk_threshold=None, note=None, actor=CIO, expected_version=0
    )
    assert other.version == 1


def test_reopened_the_same_changes_go_through(loaded):
    state = _close(loaded)
    with pytest.raises(TargetError, match="read-only"):
        targets.propose_target(
            loaded, "tickets", Q1, target=38, at_risk_threshold=None, note=None, actor=CIO, expected_version=0
        )
    review.reopen_quarter(loaded, Q1, actor=CIO, expected_version=state.version)
    saved = targets.propose_target(
        loaded, "tickets", Q1, target=38, at_risk_threshold=None, note="Reopened", actor=CIO, expected_version=0
    )
    agreed = targets.record_agreement(loaded, "tickets", Q1, side="CMO", actor=CMO, expected_version=1, now=MONDAY)
    assert (saved.version, agreed.version, agreed.agreed_by_cmo_on) == (1, 2, date(2026, 4, 6))
    assert set(targets.audit_history(loaded)["version"]) == {1, 2}
    # Closed again: read-only again.
    _close(loaded, version=2)
    with pytest.raises(TargetError, match="read-only"):
        targets.record_agreement(loaded, "tickets", Q1, side="CIO", actor=CIO, expected_version=2)
    assert targets.effective_target(loaded, "tickets", Q1).version == 2


def test_the_closing_is_checked_in_the_saving_transaction(loaded, monkeypatch):
    """The state is read on the connection that then checks the version and writes: a closing
    committed before the save began is always seen, and the write never runs outside it."""
    seen = []
    real_state, real_effective = closing.read_quarter_state, target_queries.read_effective

    def state_on(conn, quarter):
        seen.append(("state", id(conn), conn.in_transaction()))
        return real_state(conn, quarter)

    def effective_on(conn, first, last, kpi=None):
        seen.append(("effective", id(conn), conn.in_transaction()))
        return real_effective(conn, first, last, kpi)

    monkeypatch.setattr(closing, "read_quarter_state", state_on)
    monkeypatch.setattr(target_queries, "read_effective", effective_on)
    targets.propose_target(loaded, "nps", Q1, target=45, at_risk_threshold=2, note=None, actor=CIO, expected_version=0)
    (state, conn, in_tx), (effective, same_conn, still_in_tx) = seen
    assert (state, effective) == ("state", "effective")
    assert conn == same_conn and in_tx and still_in_tx


def test_reads_work_before_the_closing_table_exists(loaded):
    """A database without the closing table (the migrations create it; one whose user may not create
    tables can lack it): every quarter is open, and saving a target does not need it."""
    with loaded.begin() as conn:
        conn.execute(sa.text("DROP TABLE app_review_quarter_versions"))
    assert not closing.quarter_state(loaded, Q1).closed
    saved = targets.propose_target(
        loaded, "nps", Q1, target=45, at_risk_threshold=2, note=None, actor=CIO, expected_version=0
    )
    assert saved.version == 1
    assert "app_review_quarter_versions" not in db.user_tables(loaded)
