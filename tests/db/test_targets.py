"""KPI values and target management on DuckDB, SQLite and a real PostgreSQL: hand-computed
values per aggregation, effective targets, proposals, agreements, the audit history, optimistic
locking (including two saves racing) and edits surviving a re-import."""

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from metrics import db, kpis, targets
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.targets import Actor, StaleTargetError, TargetError
from metrics.targets import queries as target_queries
from tests.conftest import frame

CAL = FiscalCalendar(1)
Q1 = FiscalQuarter(2026, 1)
CIO, CMO, ANALYST = Actor("CIO", "CIO"), Actor("CMO", "CMO"), Actor("Analyst", "Analyst")
MONDAY = datetime(2026, 8, 3, 14, 2, 11)

KPIS = [
    {
        "kpi": "nps",
        "name": "Net Promoter Score",
        "unit": "points",
        "direction": "higher",
        "owner": "Joint",
        "definition": "Promoters minus detractors",
        "aggregation": "mean",
    },
    {
        "kpi": "churn",
        "name": "Churn",
        "unit": "%",
        "direction": "lower",
        "owner": "CMO",
        "definition": "Members lost",
        "aggregation": "last",
    },
    {
        "kpi": "tickets",
        "name": "Support tickets",
        "unit": "tickets",
        "direction": "lower",
        "owner": "CIO",
        "definition": "Tickets opened",
        "aggregation": "sum",
    },
    {
        "kpi": "uptime",
        "name": "Uptime",
        "unit": "%",
        "direction": "higher",
        "owner": "CIO",
        "definition": "Available minutes",
        "aggregation": "min",
    },
    {
        "kpi": "load",
        "name": "Page load",
        "unit": "seconds",
        "direction": "lower",
        "owner": "CIO",
        "definition": "LCP p75",
        "aggregation": "max",
    },
    {
        "kpi": "csat",
        "name": "CSAT",
        "unit": "%",
        "direction": "higher",
        "owner": "CMO",
        "definition": "Satisfied share",
    },  # aggregation left empty: mean
]
# Values chosen to be exact in binary, so every engine stores them exactly.
ACTUALS = [
    {"date": "2025-12-31", "kpi": "nps", "value": 30.0},  # FY2025 Q4: outside FY2026 Q1
    {"date": "2026-01-05", "kpi": "nps", "value": 40.0, "segment": "EMEA"},
    {"date": "2026-01-05", "kpi": "nps", "value": 42.0, "segment": "US"},
    {"date": "2026-02-05", "kpi": "nps", "value": 45.0},
    {"date": "2026-04-01", "kpi": "nps", "value": 50.0},  # FY2026 Q2
    {"date": "2026-01-31", "kpi": "churn", "value": 5.0},
    {"date": "2026-02-28", "kpi": "churn", "value": 6.0},
    {"date": "2026-03-15", "kpi": "churn", "value": 4.5, "segment": "EMEA"},
    {"date": "2026-03-15", "kpi": "churn", "value": 3.5, "segment": "US"},
    {"date": "2026-01-31", "kpi": "tickets", "value": 10.0},
    {"date": "2026-02-28", "kpi": "tickets", "value": 20.0},
    {"date": "2026-03-31", "kpi": "tickets", "value": 12.5},
    {"date": "2026-01-31", "kpi": "uptime", "value": 99.5},
    {"date": "2026-02-28", "kpi": "uptime", "value": 98.75},
    {"date": "2026-03-31", "kpi": "uptime", "value": 99.25},
    {"date": "2026-01-31", "kpi": "load", "value": 1.5},
    {"date": "2026-03-31", "kpi": "load", "value": 2.25},
]
TARGETS = [
    # nps 42.33 vs 44 (threshold 2): a miss of 1.67 -> at risk. Agreed by the CIO only.
    {
        "kpi": "nps",
        "fiscal_year": 2026,
        "quarter": "Q1",
        "target": 44.0,
        "at_risk_threshold": 2.0,
        "agreed_by_cio_on": "2025-12-01",
    },
    # churn 4.0 vs 4.0 -> on target (meeting it exactly).
    {
        "kpi": "churn",
        "fiscal_year": 2026,
        "quarter": "Q1",
        "target": 4.0,
        "at_risk_threshold": 0.5,
        "agreed_by_cio_on": "2025-12-01",
        "agreed_by_cmo_on": "2025-12-03",
    },
    # tickets 42.5 vs 40, default threshold 5% of 40 = 2: a miss of 2.5 -> off target.
    {"kpi": "tickets", "fiscal_year": 2026, "quarter": "Q1", "target": 40.0},
    # uptime 98.75 vs 99, threshold 0.25: a miss of exactly 0.25 -> at risk (the boundary).
    {"kpi": "uptime", "fiscal_year": 2026, "quarter": "Q1", "target": 99.0, "at_risk_threshold": 0.25},
    # load: no target. csat: a target but no observations.
    {"kpi": "csat", "fiscal_year": 2026, "quarter": "Q1", "target": 85.0},
]


def _tables():
    return {
        "kpis": frame("kpis", KPIS),
        "kpi_actuals": frame("kpi_actuals", ACTUALS),
        "kpi_targets": frame("kpi_targets", TARGETS),
    }


@pytest.fixture
def loaded(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    return engine


def _values(engine, first=Q1, last=Q1):
    got = kpis.kpi_quarter_values(engine, CAL, first, last)
    return {(r.kpi, r.quarter): (r.value, r.observations) for r in got.itertuples()}


def _cards(engine, quarter=Q1):
    first = kpis.window(quarter)[0]
    return {
        c.kpi.kpi: c
        for c in kpis.scorecard(
            kpis.kpi_glossary(engine),
            kpis.kpi_quarter_values(engine, CAL, first, quarter),
            targets.effective_targets(engine, first, quarter),
            quarter,
        )
    }


def test_values_by_aggregation_hand_computed(loaded):
    got = _values(loaded)
    assert got[("nps", "FY2026 Q1")][0] == pytest.approx((40 + 42 + 45) / 3)  # mean of every observation: 42.33
    assert got[("nps", "FY2026 Q1")][1] == 3
    assert got[("churn", "FY2026 Q1")] == (4.0, 4)  # last day (15 March): mean of its two segments, (4.5 + 3.5) / 2
    assert got[("tickets", "FY2026 Q1")] == (42.5, 3)  # sum: 10 + 20 + 12.5
    assert got[("uptime", "FY2026 Q1")] == (98.75, 3)  # min
    assert got[("load", "FY2026 Q1")] == (2.25, 2)  # max
    assert ("csat", "FY2026 Q1") not in got  # no observations: no data, not zero
    assert len(got) == 5
    wider = _values(loaded, FiscalQuarter(2025, 4), FiscalQuarter(2026, 2))
    assert wider[("nps", "FY2025 Q4")] == (30.0, 1) and wider[("nps", "FY2026 Q2")] == (50.0, 1)


def test_statuses_hand_computed(loaded):
    cards = _cards(loaded)
    assert {k: c.status for k, c in cards.items()} == {
        "nps": "at risk",
        "churn": "on target",
        "tickets": "off target",
        "uptime": "at risk",
        "load": "no target",
        "csat": "no data",
    }
    assert {k: c.agreement for k, c in cards.items()} == {
        "nps": "awaiting CMO",
        "churn": "agreed",
        "tickets": "awaiting both",
        "uptime": "awaiting both",
        "load": None,
        "csat": "awaiting both",
    }
    assert cards["tickets"].threshold == pytest.approx(2.0)  # the default: 5% of 40


def test_effective_targets_start_as_the_imported_rows(loaded):
    t = targets.effective_target(loaded, "nps", Q1)
    assert (t.target, t.at_risk_threshold, t.version, t.source) == (44.0, 2.0, 0, "imported")
    assert (t.agreed_by_cio_on, t.agreed_by_cmo_on) == (date(2025, 12, 1), None)
    assert targets.effective_target(loaded, "load", Q1) is None
    assert targets.effective_targets(loaded, FiscalQuarter(2026, 2), FiscalQuarter(2026, 4)).empty
    assert targets.targets_version(loaded) == "0"
    assert targets.audit_history(loaded).empty


def test_proposal_clears_agreements_and_is_audited(loaded):
    saved = targets.propose_target(
        loaded,
        "churn",
        Q1,
        target=3.5,
        at_risk_threshold=None,
        note="Stretch",
        actor=CIO,
        expected_version=0,
        now=MONDAY,
    )
    assert (saved.target, saved.at_risk_threshold, saved.version, saved.source) == (3.5, None, 1, "in app")
    assert (saved.agreed_by_cio_on, saved.agreed_by_cmo_on) == (None, None)  # both agreements cleared
    assert targets.effective_target(loaded, "churn", Q1) == saved
    audit = targets.audit_history(loaded)
    assert audit[["field", "old_value", "new_value"]].values.tolist() == [
        ["Target", "4", "3.5"],
        ["At-risk threshold", "0.5", None],
        ["Note", None, "Stretch"],
        ["CIO agreement", "2025-12-01", None],
        ["CMO agreement", "2025-12-03", None],
    ]
    assert set(audit["changed_by"]) == {"CIO"} and set(audit["quarter"]) == {"FY2026 Q1"}
    assert set(audit["changed_at"]) == {MONDAY} and set(audit["version"]) == {1}
    # Churn 4.0 against the new 3.5 (default threshold 5% of 3.5 = 0.175): a miss of 0.5 -> off target.
    card = _cards(loaded)["churn"]
    assert (card.status, card.agreement, card.value) == ("off target", "awaiting both", 4.0)


def test_agreements_from_both_sides(loaded):
    first = targets.record_agreement(loaded, "tickets", Q1, side="CMO", actor=CMO, expected_version=0, now=MONDAY)
    assert (first.agreed_by_cmo_on, first.agreed_by_cio_on, first.version) == (date(2026, 8, 3), None, 1)
    assert first.target == 40.0  # agreeing changes nothing else
    assert _cards(loaded)["tickets"].agreement == "awaiting CIO"
    both = targets.record_agreement(loaded, "tickets", Q1, side="CIO", actor=CIO, expected_version=1, now=MONDAY)
    assert both.version == 2 and _cards(loaded)["tickets"].agreement == "agreed"
    audit = targets.audit_history(loaded)
    assert audit[["role", "field", "old_value", "new_value", "version"]].values.tolist() == [
        ["CIO", "CIO agreement", None, "2026-08-03", 2],
        ["CMO", "CMO agreement", None, "2026-08-03", 1],
    ]
    with pytest.raises(TargetError, match="already agreed"):
        targets.record_agreement(loaded, "tickets", Q1, side="CIO", actor=CIO, expected_version=2)


def test_refusals_say_why(loaded):
    with pytest.raises(TargetError, match="Only the CIO can record the CIO's agreement; you are acting as CMO"):
        targets.record_agreement(loaded, "nps", Q1, side="CIO", actor=CMO, expected_version=0)
    with pytest.raises(TargetError, match="Only the CIO and the CMO agree targets"):
        targets.record_agreement(loaded, "nps", Q1, side="Analyst", actor=ANALYST, expected_version=0)
    with pytest.raises(TargetError, match="no FY2026 Q1 target for Page load to agree"):
        targets.record_agreement(loaded, "load", Q1, side="CIO", actor=CIO, expected_version=0)
    with pytest.raises(TargetError, match="no KPI 'nope'"):
        targets.propose_target(
            loaded, "nope", Q1, target=1, at_risk_threshold=None, note=None, actor=CIO, expected_version=0
        )
    with pytest.raises(TargetError, match="cannot be negative"):
        targets.propose_target(
            loaded, "nps", Q1, target=45, at_risk_threshold=-1, note=None, actor=CIO, expected_version=0
        )
    with pytest.raises(TargetError, match="finite"):
        targets.propose_target(
            loaded, "nps", Q1, target=float("nan"), at_risk_threshold=None, note=None, actor=CIO, expected_version=0
        )
    with pytest.raises(TargetError, match="Nothing to change"):
        targets.propose_target(
            loaded, "tickets", Q1, target=40, at_risk_threshold=None, note=None, actor=ANALYST, expected_version=0
        )
    assert targets.targets_version(loaded) == "0" and targets.audit_history(loaded).empty  # nothing written


def test_an_analyst_proposes_a_target_for_a_kpi_without_one(loaded):
    next_quarter = Q1.next()
    saved = targets.propose_target(
        loaded,
        "load",
        next_quarter,
        target=2.0,
        at_risk_threshold=0.25,
        note='=HYPERLINK("x")',
        actor=ANALYST,
        expected_version=0,
    )
    assert (saved.version, saved.note) == (1, '=HYPERLINK("x")')  # stored as typed; exports neutralise it
    assert targets.audit_history(loaded)[["field", "old_value"]].values.tolist() == [
        ["Target", None],
        ["At-risk threshold", None],
        ["Note", None],
    ]  # unchanged agreements are not listed


def test_stale_save_is_refused_with_who_and_when(loaded):
    # Two people open the same target (version 0). The CMO saves first.
    targets.propose_target(
        loaded, "nps", Q1, target=46, at_risk_threshold=2, note=None, actor=CMO, expected_version=0, now=MONDAY
    )
    with pytest.raises(StaleTargetError) as refused:
        targets.propose_target(
            loaded, "nps", Q1, target=43, at_risk_threshold=2, note=None, actor=CIO, expected_version=0
        )
    assert str(refused.value) == (
        "The FY2026 Q1 target for Net Promoter Score was changed by CMO at "
        "2026-08-03 14:02 UTC after you opened it; reload and try again."
    )
    with pytest.raises(StaleTargetError):
        targets.record_agreement(loaded, "nps", Q1, side="CIO", actor=CIO, expected_version=0)
    kept = targets.effective_target(loaded, "nps", Q1)
    assert (kept.target, kept.version, kept.changed_by) == (46.0, 1, "CMO")  # not overwritten
    assert set(targets.audit_history(loaded)["version"]) == {1}
    # After reloading (version 1) the CIO's save goes through.
    assert (
        targets.propose_target(
            loaded, "nps", Q1, target=43, at_risk_threshold=2, note=None, actor=CIO, expected_version=1
        ).version
        == 2
    )


def test_two_saves_that_both_checked_first_cannot_both_win(loaded, monkeypatch):
    """Both savers' version checks passed (they read before either wrote): the primary key on
    (kpi, fiscal_year, quarter, version) still lets only one of them insert version 1."""
    as_opened = targets.effective_target(loaded, "nps", Q1)  # version 0, what both people saw
    targets.propose_target(
        loaded, "nps", Q1, target=46, at_risk_threshold=2, note=None, actor=CMO, expected_version=0, now=MONDAY
    )
    real, checks = target_queries.read_effective, []

    def check_that_ran_before_the_other_save(conn, first, last, kpi=None):
        if not checks:  # the second saver's check, in its transaction
            checks.append(kpi)
            return {(kpi, Q1): as_opened}
        return real(conn, first, last, kpi)

    monkeypatch.setattr(target_queries, "read_effective", check_that_ran_before_the_other_save)
    with pytest.raises(StaleTargetError, match="changed by CMO at 2026-08-03 14:02 UTC"):
        targets.propose_target(
            loaded, "nps", Q1, target=43, at_risk_threshold=2, note=None, actor=CIO, expected_version=0
        )
    assert checks == ["nps"]
    kept = targets.effective_target(loaded, "nps", Q1)
    assert (kept.target, kept.version, kept.changed_by) == (46.0, 1, "CMO")
    assert set(targets.audit_history(loaded)["changed_by"]) == {"CMO"}  # no audit row from the loser


def test_concurrent_saves_exactly_one_wins(loaded):
    results = []
    start = threading.Barrier(4)

    def save(i):
        start.wait()
        try:
            targets.propose_target(
                loaded,
                "uptime",
                Q1,
                target=99.5 + i / 100,
                at_risk_threshold=0.25,
                note=None,
                actor=CIO if i % 2 else CMO,
                expected_version=0,
            )
            results.append("saved")
        except StaleTargetError:
            results.append("refused")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "refused", "refused", "saved"]
    assert targets.effective_target(loaded, "uptime", Q1).version == 1
    assert targets.targets_version(loaded) == "1"
    assert set(targets.audit_history(loaded)["version"]) == {1}


def test_changing_a_target_never_changes_a_value(loaded):
    before = _values(loaded, FiscalQuarter(2025, 4), FiscalQuarter(2026, 2))
    version = 0
    for target in (10.0, 42.0, 45.0, 99.0):
        version = targets.propose_target(
            loaded, "nps", Q1, target=target, at_risk_threshold=1.0, note=None, actor=CIO, expected_version=version
        ).version
        assert _values(loaded, FiscalQuarter(2025, 4), FiscalQuarter(2026, 2)) == before
        assert _cards(loaded)["nps"].value == pytest.approx(127 / 3)


def test_edits_and_audit_survive_a_reimport(loaded):
    targets.propose_target(
        loaded, "nps", Q1, target=47, at_risk_threshold=1.5, note="Board ask", actor=CIO, expected_version=0, now=MONDAY
    )
    targets.record_agreement(loaded, "nps", Q1, side="CMO", actor=CMO, expected_version=1, now=MONDAY)
    audit_before = targets.audit_history(loaded)
    # The same CSVs imported again: canonical tables replaced, app tables untouched.
    db.import_tables(loaded, _tables(), source="test", fingerprint="f2")
    kept = targets.effective_target(loaded, "nps", Q1)
    assert (kept.target, kept.at_risk_threshold, kept.note, kept.version) == (47.0, 1.5, "Board ask", 2)
    assert (kept.agreed_by_cio_on, kept.agreed_by_cmo_on) == (None, date(2026, 8, 3))
    assert targets.audit_history(loaded).equals(audit_before)
    # Target, threshold, note and the CIO's cleared agreement (the CMO had none), then the CMO's.
    assert len(audit_before) == 5
    assert {"app_kpi_target_audit", "app_kpi_target_versions"} <= set(db.user_tables(loaded))
    # 42.33 against 47 with a 1.5 threshold: off target, and still awaiting the CIO.
    assert (_cards(loaded)["nps"].status, _cards(loaded)["nps"].agreement) == ("off target", "awaiting CIO")
    # Other targets still come from the import.
    assert targets.effective_target(loaded, "churn", Q1).source == "imported"


def test_hostile_text_is_stored_literally(loaded):
    hostile = "x'); DROP TABLE app_kpi_target_versions; --"
    targets.propose_target(
        loaded, "nps", Q1, target=45, at_risk_threshold=None, note=hostile, actor=CIO, expected_version=0
    )
    assert targets.effective_target(loaded, "nps", Q1).note == hostile
    assert targets.effective_target(loaded, hostile, Q1) is None
    assert sa.inspect(loaded).has_table("app_kpi_target_versions")


def test_reads_work_before_any_app_table_exists(engine):
    db.import_tables(engine, {"kpis": frame("kpis", KPIS)}, source="test", fingerprint="f1")
    assert targets.targets_version(engine) == "0"
    assert targets.audit_history(engine).empty
    assert targets.effective_targets(engine).empty
    assert kpis.kpi_quarter_values(engine, CAL, Q1, Q1).empty
    cards = _cards(engine)
    assert {c.status for c in cards.values()} == {"no data"} and len(cards) == len(KPIS)


def test_a_double_submitted_proposal_is_saved_once(loaded):
    """The same form sent twice (a double click): both name version 0, only the first lands."""
    proposal = dict(target=45, at_risk_threshold=1.0, note="Once", actor=CIO, expected_version=0)
    targets.propose_target(loaded, "nps", Q1, **proposal)
    with pytest.raises(StaleTargetError):
        targets.propose_target(loaded, "nps", Q1, **proposal)
    assert targets.effective_target(loaded, "nps", Q1).version == 1
    assert targets.audit_history(loaded)["version"].tolist() == [1, 1, 1, 1]  # target, threshold, note, CIO


def test_the_scorecard_loader_gives_the_assembled_scorecard_with_changes_made_in_the_app(loaded):
    assert kpis.load_scorecard(loaded, CAL, Q1) == list(_cards(loaded).values())
    targets.propose_target(
        loaded, "nps", Q1, target=43, at_risk_threshold=2, note=None, actor=CIO, expected_version=0, now=MONDAY
    )
    nps = {c.kpi.kpi: c for c in kpis.load_scorecard(loaded, CAL, Q1)}["nps"]
    assert (nps.target.target, nps.target.source, nps.target.version, nps.agreement) == (
        43.0,
        "in app",
        1,
        "awaiting both",
    )
    assert kpis.load_scorecard(loaded, CAL, Q1) == list(_cards(loaded).values())
