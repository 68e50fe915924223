"""The real Jira export (agile-project-dataset, MIT; tests/fixtures/real-data/agile-project-dataset/jira.csv, a copy of the shared file)
mapped to the requests table, and shown through the turnaround metrics with its defect reported.

Expected counts are computed independently from the raw file with the csv module."""

import csv
import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from metrics import db
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.importers import jira

JIRA_CSV = Path(
    os.environ.get(
        "BRIDGEBOARD_JIRA_CSV",
        Path(__file__).resolve().parents[1] / "fixtures" / "real-data" / "agile-project-dataset" / "jira.csv",
    )
)
pytestmark = pytest.mark.skipif(not JIRA_CSV.is_file(), reason=f"real Jira export not found at {JIRA_CSV}")


@pytest.fixture(scope="module")
def raw_rows() -> list[dict]:
    with JIRA_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def expected(raw_rows) -> dict:
    """Counts straight from the file: no pandas, no mapping code."""
    finished = [r for r in raw_rows if r["finished_date"].strip()]
    before = [r for r in finished if date.fromisoformat(r["finished_date"]) < date.fromisoformat(r["created_date"])]
    return {
        "rows": len(raw_rows),
        "delivered": len(finished),
        "open": len(raw_rows) - len(finished),
        "before": len(before),
    }


@pytest.fixture(scope="module")
def mapped() -> jira.JiraImport:
    return jira.read_agile_dataset(JIRA_CSV)


def test_counts_match_the_raw_file(mapped, expected):
    assert (mapped.rows, mapped.delivered, mapped.open, mapped.finished_before_created) == (
        expected["rows"],
        expected["delivered"],
        expected["open"],
        expected["before"],
    )
    # The file as published: 4,123 issues, all finished, 1,662 of them (40%) "before" they were created.
    assert (expected["rows"], expected["delivered"], expected["open"], expected["before"]) == (4123, 4123, 0, 1662)
    assert round(mapped.finished_before_created_share, 2) == 0.40
    assert mapped.rejected == 0 and mapped.cycle_time_mismatches == 0
    assert mapped.priority_defaulted == 4123  # the export has no priority column


def test_mapping_fills_the_canonical_columns(mapped, raw_rows):
    frame = mapped.requests
    assert list(frame.columns) == list(jira.REQUESTS.column_names)
    assert len(frame) == len(raw_rows) and frame["request_id"].is_unique
    first = frame.iloc[0]
    raw = raw_rows[0]
    assert first["request_id"] == raw["id"] == "P0-T5052"
    assert first["title"] == "Project 0 task 5052"
    assert first["requested_at"].date() == date.fromisoformat(raw["created_date"])
    assert first["delivered_at"].date() == date.fromisoformat(raw["finished_date"])
    assert (first["priority"], first["type"], first["requested_by"], first["status"]) == (
        "Medium",
        "Task",
        "Project 0",
        "Done",
    )
    assert frame["ready_at"].isna().all() and frame["started_at"].isna().all() and frame["sla_days"].isna().all()
    assert set(frame["requested_by"]) == {"Project 0", "Project 1"}
    assert set(jira.MAPPING) == set(jira.REQUESTS.column_names)  # every canonical column is documented


def test_turnaround_reports_the_defect_instead_of_averaging_it(engine, mapped, expected, raw_rows):
    db.import_tables(engine, {"requests": mapped.requests}, source="jira", fingerprint="jira")
    counts = ta.request_counts(engine)
    assert (counts.total, counts.delivered, counts.delivered_before_requested, counts.open) == (
        expected["rows"],
        expected["delivered"],
        expected["before"],
        expected["open"],
    )
    calendar = FiscalCalendar(1)
    by_quarter = ta.lead_time_by_quarter(engine, calendar)
    # Every delivered issue is either measured or excluded, never both.
    assert by_quarter["delivered"].sum() == expected["delivered"] - expected["before"] == 2461
    assert by_quarter["excluded"].sum() == expected["before"]
    # One quarter checked against numpy over the raw file's own dates: FY2017 Q1 = Jan-Mar 2017.
    q = FiscalQuarter(2017, 1)
    leads = [
        (date.fromisoformat(r["finished_date"]) - date.fromisoformat(r["created_date"])).days
        for r in raw_rows
        if "2017-01-01" <= r["finished_date"] < "2017-04-01"
    ]
    kept = [d for d in leads if d >= 0]
    t = ta.quarter_turnaround(by_quarter, q)
    assert (t.delivered, t.excluded) == (len(kept), len(leads) - len(kept))
    assert t.p85 == pytest.approx(float(np.percentile(kept, 85, method="linear")))
    assert t.within_days == int(np.ceil(np.percentile(kept, 85, method="linear")))
    # Medium's default SLA (20 days) applies: breaches are the kept lead times above 20.
    assert t.breaches == sum(d > 20 for d in kept)
    # No stage timestamps in the export: every stage is unknown for every measured issue.
    stages = ta.stage_medians_by_quarter(engine, calendar, q, q).iloc[0]
    assert stages["marketing_unknown"] == stages["it_queue_unknown"] == stages["delivery_unknown"] == len(kept)
    # Open at the end of FY2018 Q1: created before 1 Apr 2018, finished after it; their stage is not recorded.
    backlog = ta.backlog_ageing(engine, calendar, FiscalQuarter(2018, 1), today=date(2026, 1, 1))
    open_then = [r for r in raw_rows if r["created_date"] < "2018-04-01" <= r["finished_date"]]
    assert backlog.open == len(open_then) == 5
    assert set(backlog.oldest["waiting_on"]) == {"Not recorded"}
    assert ta.data_quality_sentence(counts, t, q).startswith(
        "1,662 of 4,123 delivered requests (40%) are recorded as delivered before they were requested."
    )


def test_priority_mapping_and_rejected_rows(tmp_path):
    path = tmp_path / "jira.csv"
    path.write_text(
        "id,project,task,created_date,finished_date,cycle_time_days,priority\n"
        "P9-T1,9,1,2024-01-01,2024-01-11,10,Blocker\n"
        "P9-T2,9,2,2024-01-01,,,Major\n"
        "P9-T3,9,3,2024-01-05,2024-01-04,-1,Minor\n"
        "P9-T4,9,4,2024-01-05,2024-01-15,3,Someday\n"  # unknown priority; cycle time disagrees
        "P9-T4,9,4,2024-01-05,2024-01-15,10,Major\n"  # duplicate id
        "P9-T6,9,6,31/01/2024,2024-02-01,1,Major\n"
    )  # unreadable created date
    got = jira.read_agile_dataset(path)
    assert got.requests["priority"].tolist() == ["Critical", "High", "Low", "Medium"]
    assert got.requests["status"].tolist() == ["Done", "Open", "Done", "Done"]
    assert (got.rows, got.delivered, got.open, got.finished_before_created) == (6, 3, 1, 1)
    assert (got.rejected, got.priority_defaulted, got.cycle_time_mismatches) == (2, 1, 1)


def test_not_the_agile_dataset_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Summary,Issue key,Created\nx,MKT-1,12/Mar/24 9:41 AM\n")
    # A native export is read by read_jira, not taken for the anonymised dataset.
    with pytest.raises(ValueError, match="not the agile-project-dataset"):
        jira.read_agile_dataset(path)
