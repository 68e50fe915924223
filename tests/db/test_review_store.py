"""The quarterly review's store on DuckDB, SQLite and a real PostgreSQL: notes and actions saved
with versions and audit rows, who may write which note, stale saves refused naming who changed
what and when, two saves racing, and everything intact after the sample CSVs are imported again."""

from __future__ import annotations

import shutil
import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from metrics import db, kpis, review, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.review import ReviewError, StaleReviewError
from metrics.review.figures import as_json
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import data_as_of, summary_figures
from metrics.targets import Actor
from tests.conftest import frame
from tests.db.test_targets import KPIS

Q3 = FiscalQuarter(2026, 3)
CIO, CMO, CFO, ANALYST = (Actor(r, r) for r in ("CIO", "CMO", "CFO", "Analyst"))
MONDAY = datetime(2026, 10, 5, 9, 30, 0)
TUESDAY = datetime(2026, 10, 6, 16, 45, 0)


@pytest.fixture
def loaded(engine):
    db.import_tables(engine, {"kpis": frame("kpis", KPIS)}, source="test", fingerprint="f1")
    return engine


def _audit(engine):
    return [
        (r["entity"], r["ref"], r["version"], r["field"], r["role"], r["old_value"], r["new_value"])
        for r in review.audit_rows(engine)
    ]


def test_reads_work_before_any_review_table_exists(loaded):
    assert review.quarter_notes(loaded, Q3) == ()
    assert review.actions(loaded) == ()
    assert review.review_version(loaded) == "0.0.0"
    assert review.audit_rows(loaded) == []


def test_a_note_is_saved_versioned_and_audited(loaded):
    first = review.save_note(
        loaded, Q3, "page", "tech_spend", "CFO", " Spend is **on plan**. ", actor=CFO, expected_version=0, now=MONDAY
    )
    assert (first.text, first.version, first.changed_by) == ("Spend is **on plan**.", 1, "CFO")
    review.save_note(loaded, Q3, "page", "tech_spend", "CFO", "Revised.", actor=CFO, expected_version=1, now=TUESDAY)
    notes = review.quarter_notes(loaded, Q3)
    assert [(n.subject, n.side, n.text, n.version, n.changed_at) for n in notes] == [
        ("tech_spend", "CFO", "Revised.", 2, TUESDAY)
    ]
    assert review.quarter_notes(loaded, FiscalQuarter(2026, 2)) == ()  # another quarter has none
    assert _audit(loaded) == [
        ("note", "FY2026 Q3|page|tech_spend|CFO", 2, "text", "CFO", "Spend is **on plan**.", "Revised."),
        ("note", "FY2026 Q3|page|tech_spend|CFO", 1, "text", "CFO", None, "Spend is **on plan**."),
    ]
    assert review.review_version(loaded) == "2.0.0"


def test_kpi_notes_by_each_side(loaded):
    review.save_note(loaded, Q3, "kpi", "nps", "CIO", "Survey tool changed.", actor=CIO, expected_version=0)
    review.save_note(loaded, Q3, "kpi", "nps", "CMO", "Campaign ended.", actor=CMO, expected_version=0)
    on_nps = review.notes_on(review.quarter_notes(loaded, Q3), "kpi", "nps")
    assert [(n.side, n.text) for n in on_nps] == [("CIO", "Survey tool changed."), ("CMO", "Campaign ended.")]


@pytest.mark.parametrize(
    ("kind", "subject", "side", "actor", "message"),
    [
        ("page", "overview", "CIO", CMO, "Only the CIO writes the CIO's note; you are acting as CMO."),
        ("page", "overview", "CMO", ANALYST, "Only the CMO writes the CMO's note; you are acting as Analyst."),
        ("page", "request_turnaround", "CFO", CFO, "The CFO writes no note on this subject"),
        ("kpi", "nps", "CFO", CFO, "The CFO writes no note on this subject"),
        ("kpi", "no_such_kpi", "CIO", CIO, "There is no KPI 'no_such_kpi' in the glossary."),
        ("page", "data", "CIO", CIO, "There is no page 'data' to comment on."),
    ],
)
def test_who_may_write_which_note(loaded, kind, subject, side, actor, message):
    with pytest.raises(ReviewError, match=message.replace("(", r"\(").replace(")", r"\)")):
        review.save_note(loaded, Q3, kind, subject, side, "text", actor=actor, expected_version=0)
    assert review.quarter_notes(loaded, Q3) == ()


def test_a_stale_note_is_refused_naming_who_and_when(loaded):
    review.save_note(loaded, Q3, "page", "overview", "CMO", "First.", actor=CMO, expected_version=0, now=MONDAY)
    # A second CMO session opened the note at version 0 and saves after the first.
    with pytest.raises(StaleReviewError) as refused:
        review.save_note(loaded, Q3, "page", "overview", "CMO", "Mine.", actor=CMO, expected_version=0)
    assert str(refused.value) == (
        "The CMO's note on the Overview page, FY2026 Q3 was changed by CMO at 2026-10-05 09:30 UTC after you "
        "opened it; your text was not saved. Copy it, reload and try again."
    )
    assert [n.text for n in review.quarter_notes(loaded, Q3)] == ["First."]


def test_an_unchanged_note_is_not_a_new_version_and_an_empty_one_clears(loaded):
    review.save_note(loaded, Q3, "page", "overview", "CIO", "Same.", actor=CIO, expected_version=0)
    with pytest.raises(ReviewError, match="Nothing to change"):
        review.save_note(loaded, Q3, "page", "overview", "CIO", "Same. ", actor=CIO, expected_version=1)
    cleared = review.save_note(loaded, Q3, "page", "overview", "CIO", "  ", actor=CIO, expected_version=1)
    assert (cleared.text, cleared.version) == (None, 2)
    assert review.notes_on(review.quarter_notes(loaded, Q3), "page", "overview") == []


def test_actions_are_saved_changed_and_audited_field_by_field(loaded):
    made = review.save_action(
        loaded,
        None,
        kind="action",
        text="Consolidate the two CDPs",
        owner="Joint",
        due_on=date(2026, 12, 15),
        subject_kind="vendor",
        subject="Segment",
        raised=Q3,
        actor=CMO,
        now=MONDAY,
    )
    done = review.save_action(
        loaded,
        made.action_id,
        kind="action",
        text="Consolidate the two CDPs",
        owner="Joint",
        due_on=date(2026, 12, 15),
        status="done",
        subject_kind="vendor",
        subject="Segment",
        raised=FiscalQuarter(2027, 1),  # ignored on a change: an action keeps the quarter it was raised in
        actor=CIO,
        expected_version=1,
        now=TUESDAY,
    )
    assert (done.version, done.status, done.raised, done.changed_by) == (2, "done", Q3, "CIO")
    [stored] = review.actions(loaded)
    assert stored == done
    audit = _audit(loaded)
    assert audit[0] == ("action", made.action_id, 2, "status", "CIO", "open", "done")
    assert len(audit) == 1 + 7  # the change of status; then the seven fields of the new action
    assert {(f, new) for (_, _, v, f, _, _, new) in audit if v == 1} == {
        ("kind", "action"),
        ("text", "Consolidate the two CDPs"),
        ("owner", "Joint"),
        ("due_on", "2026-12-15"),
        ("status", "open"),
        ("subject_kind", "vendor"),
        ("subject", "Segment"),
    }


def test_a_stale_action_is_refused_naming_who_and_when(loaded):
    made = review.save_action(
        loaded, None, kind="decision", text="Keep one CRM", owner="CIO", due_on=None, raised=Q3, actor=CIO, now=MONDAY
    )
    review.save_action(
        loaded, made.action_id, kind="decision", text="Keep one CRM", owner="Joint", due_on=None, raised=Q3,
        actor=CMO, expected_version=1, now=TUESDAY,
    )  # fmt: skip
    with pytest.raises(StaleReviewError) as refused:
        review.save_action(
            loaded, made.action_id, kind="decision", text="Keep one CRM", owner="CFO", due_on=None, raised=Q3,
            actor=CFO, expected_version=1,
        )  # fmt: skip
    assert str(refused.value) == (
        "The decision “Keep one CRM” was changed by CMO at 2026-10-06 16:45 UTC after you opened it; reload and try again."
    )
    assert review.actions(loaded)[0].owner == "Joint"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "wish"}, "An entry is a decision or an action, not 'wish'."),
        ({"text": "  "}, "Say what the action is."),
        ({"owner": "CEO"}, "The owner is one of CIO, CMO, CFO, Joint, not 'CEO'."),
        ({"status": "later"}, "The status is one of open, done, dropped, not 'later'."),
        ({"due_on": None}, "An action needs a due date."),
        ({"subject_kind": "kpi", "subject": ""}, "Say which kpi the action is about."),
        ({"subject_kind": "kpi", "subject": "nope"}, "There is no KPI 'nope' in the glossary."),
        ({"subject_kind": "team"}, "An entry is about one of kpi, vendor, request_type, budget_line, not 'team'."),
    ],
)
def test_an_invalid_action_is_refused_and_nothing_is_written(loaded, change, message):
    fields = dict(kind="action", text="Do it", owner="CIO", due_on=date(2026, 11, 1), raised=Q3, actor=CIO)
    with pytest.raises(ReviewError, match=message.replace("(", r"\(")):
        review.save_action(loaded, None, **{**fields, **change})
    assert review.actions(loaded) == ()


def test_concurrent_note_saves_exactly_one_wins(loaded):
    results = []
    start = threading.Barrier(4)

    def save(i):
        start.wait()
        try:
            review.save_note(loaded, Q3, "page", "overview", "CIO", f"Take {i}", actor=CIO, expected_version=0)
            results.append("saved")
        except StaleReviewError:
            results.append("refused")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "refused", "refused", "saved"]
    assert [n.version for n in review.quarter_notes(loaded, Q3)] == [1]
    assert [row[2] for row in _audit(loaded)] == [1]


def test_hostile_text_is_stored_literally(loaded):
    hostile = "x'); DROP TABLE app_review_note_versions; --"
    review.save_note(loaded, Q3, "page", "overview", "CIO", hostile, actor=CIO, expected_version=0)
    assert review.quarter_notes(loaded, Q3)[0].text == hostile
    assert sa.inspect(loaded).has_table("app_review_note_versions")


def test_review_survives_a_reimport_of_corrected_sample_csvs(engine, tmp_path):
    options = sources.read_options(Settings())
    assert sources.load_folder(SAMPLE_DIR, engine, options, source=str(SAMPLE_DIR)).report.ok
    review.save_note(engine, Q3, "page", "tech_spend", "CFO", "Within budget.", actor=CFO, expected_version=0)
    kpi = "nps"
    assert kpi in set(kpis.kpi_glossary(engine)["kpi"])
    review.save_note(engine, Q3, "kpi", kpi, "CMO", "Promoters up.", actor=CMO, expected_version=0)
    review.save_action(
        engine, None, kind="action", text="Retire the duplicate CDP", owner="Joint", due_on=date(2026, 9, 1),
        subject_kind="kpi", subject=kpi, raised=Q3, actor=CIO,
    )  # fmt: skip
    notes, actions, audit = review.quarter_notes(engine, Q3), review.actions(engine), review.audit_rows(engine)
    # The sample with one spend line corrected, imported again: every canonical table is
    # replaced, the review's tables are untouched.
    corrected, _ = _corrected_sample(tmp_path, 100.0)
    again = sources.load_folder(corrected, engine, options, source=str(corrected))
    assert again.report.ok and again.imported is not None and not again.reused
    assert review.quarter_notes(engine, Q3) == notes and len(notes) == 2
    assert review.actions(engine) == actions and len(actions) == 1
    assert review.audit_rows(engine) == audit
    assert {"app_review_note_versions", "app_review_action_versions", "app_review_audit"} <= set(db.user_tables(engine))


def _load_sample(engine):
    assert sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source=str(SAMPLE_DIR)).report.ok


def _corrected_sample(tmp_path, plus: float):
    """The sample with the first spend line's amount raised by `plus` (a corrected export)."""
    corrected = tmp_path / "corrected"
    shutil.copytree(SAMPLE_DIR, corrected)
    lines = (corrected / "spend.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header, first = lines[0].rstrip("\r\n").split(","), lines[1].split(",")
    amount = header.index("amount")
    first[amount] = f"{float(first[amount]) + plus:.2f}"
    lines[1] = ",".join(first)
    (corrected / "spend.csv").write_text("".join(lines), encoding="utf-8")
    return corrected, first[header.index("date")]


def test_closing_a_quarter_keeps_its_figures_and_locks_its_commentary(engine, tmp_path):
    _load_sample(engine)
    cal = FiscalCalendar(1)
    review.save_note(engine, Q3, "page", "overview", "CIO", "Before closing.", actor=CIO, expected_version=0)
    live = summary_figures(load_headline(engine, cal, Q3, (), date(2026, 11, 23)), data_as_of(engine))
    closed = review.close_quarter(engine, cal, Q3, actor=CFO, expected_version=0, today=date(2026, 11, 23), now=MONDAY)
    assert (closed.closed, closed.version, closed.changed_by) == (True, 1, "CFO")
    kept = review.quarter_state(engine, Q3).snapshot
    assert {k: v for k, v in kept.items() if k != "figures"} == live
    # Every figure of the pages is kept too, as the pages' own queries give it.
    assert kept["figures"] == as_json(review.quarter_figures(engine, cal, Q3, date(2026, 11, 23)))
    with pytest.raises(ReviewError) as refused:
        review.save_note(engine, Q3, "page", "overview", "CIO", "After closing.", actor=CIO, expected_version=1)
    assert str(refused.value) == (
        "FY2026 Q3 was closed by CFO at 2026-10-05 09:30 UTC: its commentary is read-only until the quarter is reopened."
    )
    # Another quarter is not closed; actions stay open to change.
    review.save_note(engine, Q3.previous(), "page", "overview", "CIO", "Earlier.", actor=CIO, expected_version=0)
    review.save_action(engine, None, kind="decision", text="Keep", owner="CIO", due_on=None, raised=Q3, actor=CIO)

    # A corrected export re-imported: the live figures move, the closed quarter's do not.
    corrected, _ = _corrected_sample(tmp_path, 100.0)
    assert sources.load_folder(corrected, engine, sources.read_options(Settings()), source=str(corrected)).imported
    assert review.quarter_state(engine, Q3).snapshot == kept
    assert [n.text for n in review.quarter_notes(engine, Q3)] == ["Before closing."]

    with pytest.raises(ReviewError, match="you are acting as Analyst"):
        review.reopen_quarter(engine, Q3, actor=ANALYST, expected_version=1)
    with pytest.raises(
        StaleReviewError, match="FY2026 Q3 was closed by CFO at 2026-10-05 09:30 UTC after you opened it"
    ):
        review.reopen_quarter(engine, Q3, actor=CIO, expected_version=0)
    reopened = review.reopen_quarter(engine, Q3, actor=CIO, expected_version=1, now=TUESDAY)
    assert (reopened.closed, reopened.snapshot, reopened.version) == (False, None, 2)
    review.save_note(engine, Q3, "page", "overview", "CIO", "After reopening.", actor=CIO, expected_version=1)
    assert [r[3:] for r in _audit(engine) if r[0] == "quarter"] == [
        ("closed", "CIO", "closed", "open"),
        ("closed", "CFO", "open", "closed"),
    ]


def test_a_closed_quarter_snapshot_differs_from_the_corrected_figures_by_the_correction(engine, tmp_path):
    """The snapshot is what the board saw: after a correction of +$1,234.56 to a line in the
    quarter, the live total is the snapshot's plus exactly that (an independent check)."""
    _load_sample(engine)
    cal = FiscalCalendar(1)
    corrected, line_date = _corrected_sample(tmp_path, 1234.56)
    quarter = cal.quarter_of(date.fromisoformat(line_date))
    state = review.close_quarter(engine, cal, quarter, actor=CIO, expected_version=0, today=date(2026, 11, 23))
    assert sources.load_folder(corrected, engine, sources.read_options(Settings()), source=str(corrected)).imported
    live = summary_figures(load_headline(engine, cal, quarter, (), date(2026, 11, 23)), data_as_of(engine))
    kept = review.quarter_state(engine, quarter).snapshot
    assert kept == state.snapshot
    assert round(live["total_spend"] - kept["total_spend"], 2) == 1234.56
