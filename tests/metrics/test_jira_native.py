"""Native Jira Cloud / Server exports (built here in the shape the real exports have: BOM, CRLF,
multi-line quoted Description, repeated Labels, Component/s, Resolved) imported to the minute,
with lead-time percentiles computed by hand; and their refusals, on every backend."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from metrics import db
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.importers import jira
from metrics.importers.common import ImportRefused

HEADER = (
    "Summary,Issue key,Issue id,Issue Type,Status,Status Category,Priority,Assignee,Reporter,"
    "Created,Updated,Resolved,Due date,Labels,Labels,Component/s,Description"
)
# key, created, minutes to resolution (None: open), priority, labels, component, reporter
ISSUES = [
    ("MKT-1", datetime(2024, 4, 2, 9, 5), 1470, "Highest", ("team:web", "urgent"), "Web", "ann"),  # 1 d 0 h 30 m
    ("MKT-2", datetime(2024, 4, 3, 14, 41), 3255, "Blocker", ("", "team:crm"), "CRM", "bob"),  # 2 d 6 h 15 m
    (
        "MKT-3",
        datetime(2024, 4, 10, 23, 59),
        5761,
        "Major",
        ("team:web", ""),
        "Web",
        "ann",
    ),  # 4 d 0 h 1 m: across midnight
    ("MKT-4", datetime(2024, 5, 1, 0, 0), 14400, "Lowest", ("", ""), "", "cat"),  # 10 d exactly
    ("MKT-5", datetime(2024, 5, 20, 12, 1), 299, "Trivial", ("team:data", ""), "Data", "bob"),  # 4 h 59 m
    ("MKT-6", datetime(2024, 5, 21, 8, 0), -1440, "Medium", ("", ""), "Web", "ann"),  # resolved the day before
    ("MKT-7", datetime(2024, 6, 1, 10, 30), None, "", ("", ""), "Web", "ann"),  # open, no priority
]


def _date(d: datetime, style: str) -> str:
    if style == "12h":  # Jira Cloud: 2/Apr/24 9:05 AM
        return f"{d.day}/{d:%b}/{d:%y} {d.hour % 12 or 12}:{d:%M} {d:%p}"
    return f"{d:%d/%b/%y %H:%M}"  # Jira Server: 02/Apr/24 09:05


def native_export(style: str) -> bytes:
    lines = [HEADER]
    for key, created, minutes, priority, labels, component, reporter in ISSUES:
        resolved = "" if minutes is None else _date(created + timedelta(minutes=minutes), style)
        status = "Open" if minutes is None else "Done"
        description = f'"Line one of {key}\r\nline two, with a comma and ""quotes"""'
        lines.append(
            f'"Request {key}, please",{key},{10000 + int(key[4:])},Story,{status},{status},{priority},dev,'
            f"{reporter},{_date(created, style)},{_date(created, style)},{resolved},,{labels[0]},{labels[1]},"
            f"{component},{description}"
        )
    return "\ufeff".encode() + ("\r\n".join(lines) + "\r\n").encode("utf-8")


# The five measured lead times in minutes, sorted: 299, 1470, 3255, 5761, 14400.
# p50: h = (5 - 1) * 0.50 = 2   -> 3255 minutes
# p85: h = (5 - 1) * 0.85 = 3.4 -> 5761 + 0.4 * (14400 - 5761) = 9216.6 minutes
P50_DAYS = 3255 / 1440
P85_DAYS = (5761 + 0.4 * (14400 - 5761)) / 1440


@pytest.mark.parametrize("style", ["12h", "24h"])
def test_native_export_is_read_to_the_minute(style):
    mapped = jira.read_jira(native_export(style), "jira-cloud.csv")
    assert mapped.shape == "native"
    assert f"date style: {style}" in mapped.report().notes[1]
    frame = mapped.requests.set_index("request_id")
    assert list(frame.index) == [i[0] for i in ISSUES]
    assert frame.loc["MKT-1", "requested_at"] == datetime(2024, 4, 2, 9, 5)
    assert frame.loc["MKT-1", "delivered_at"] == datetime(2024, 4, 3, 9, 35)
    assert frame.loc["MKT-3", "delivered_at"] == datetime(2024, 4, 15, 0, 0)
    assert frame.loc["MKT-1", "title"] == "Request MKT-1, please"
    assert list(frame["priority"]) == ["Critical", "Critical", "High", "Low", "Low", "Medium", "Medium"]
    assert list(frame["requested_by"].fillna("")) == ["Web", "CRM", "Web", "", "Data", "Web", "Web"]
    assert (mapped.rows, mapped.delivered, mapped.open, mapped.finished_before_created) == (7, 6, 1, 1)
    assert mapped.priority_defaulted == 1
    problems = [f.problem for f in mapped.findings]
    assert "resolved before it was created: left out of every turnaround figure" in problems
    before = next(f for f in mapped.findings if f.problem.startswith("resolved before"))
    # Line numbers are the lines seen in the file: each issue spans two (the Description's line break).
    assert (before.line, before.value, before.column) == (12, "MKT-6", "Resolved")


def test_team_from_a_label_prefix_and_from_reporters():
    by_label = jira.read_jira(native_export("12h"), "x.csv", jira.JiraOptions(team_from="label:team:"))
    assert list(by_label.requests["requested_by"].fillna("")) == ["web", "crm", "web", "", "data", "", ""]
    options = jira.options_from_mapping(
        text='[jira]\nteam_from = "reporter"\nteam_map = {ann = "Brand", bob = "Growth"}\n'
    )
    by_reporter = jira.read_jira(native_export("24h"), "x.csv", options)
    assert list(by_reporter.requests["requested_by"].fillna("")) == [
        "Brand",
        "Growth",
        "Brand",
        "",
        "Growth",
        "Brand",
        "Brand",
    ]
    assert by_reporter.extra_counts["no team (requested_by empty)"] == 1


def test_stage_columns_and_priority_map_from_the_mapping_file():
    data = native_export("24h").replace(b"Component/s,Description", b"Component/s,Ready date")
    options = jira.options_from_mapping(
        text='[jira]\nready_at_field = "Ready date"\n[jira.priority_map]\nHighest = "High"\n'
    )
    # The "Description" cells now sit under "Ready date": not dates, so the import is refused.
    with pytest.raises(ImportRefused, match="not a date in the 24h style"):
        jira.read_jira(data, "x.csv", options)
    mapped = jira.read_jira(native_export("24h"), "x.csv", jira.JiraOptions(priority_map={"Highest": "High"}))
    assert mapped.requests["priority"].iloc[0] == "High"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.replace(b"02/Apr/24 09:05", b"2024-13-45 09:05", 1), "not a date in the 24h style"),
        (lambda b: b.replace(b",MKT-2,", b",MKT-1,"), "this Issue key appears on an earlier row too"),
        (lambda b: b.replace(b"Issue key", b"Key"), "neither a native Jira export"),
    ],
)
def test_bad_exports_are_refused_with_the_line(mutate, message):
    with pytest.raises(ImportRefused, match=message):
        jira.read_jira(mutate(native_export("24h")), "x.csv")


def test_unknown_options_are_refused():
    with pytest.raises(ImportRefused, match="unknown date style"):
        jira.options_from_mapping(text='[jira]\ndate_style = "us"\n')
    with pytest.raises(ImportRefused, match="not a priority"):
        jira.options_from_mapping(text='[jira.priority_map]\nP0 = "Urgentest"\n')
    with pytest.raises(ImportRefused, match="unknown team source"):
        jira.options_from_mapping(team_from="assignee")


@pytest.mark.parametrize("style", ["12h", "24h"])
def test_percentiles_to_the_minute_on_every_backend(engine, style):
    mapped = jira.read_jira(native_export(style), "jira.csv")
    jira.import_requests(engine, mapped, "test")
    calendar = FiscalCalendar(1)
    t = ta.quarter_turnaround(ta.lead_time_by_quarter(engine, calendar), FiscalQuarter(2024, 2))
    assert (t.delivered, t.excluded) == (5, 1)
    assert t.p50 == pytest.approx(P50_DAYS, abs=1e-9)
    assert t.p85 == pytest.approx(P85_DAYS, abs=1e-9)
    batch = db.latest_batch(engine)
    assert batch.source == "jira:jira.csv"
    assert any(f["value"] == "MKT-6" and f["severity"] == "warning" for f in batch.findings)


def test_agile_dataset_exclusions_are_batch_findings(engine):
    from tests.metrics.test_jira import JIRA_CSV

    if not JIRA_CSV.is_file():
        pytest.skip("the agile dataset is not in the fixtures")
    jira.import_requests(engine, jira.read_agile_dataset(JIRA_CSV), "test")
    findings = db.latest_batch(engine).findings
    before = [f for f in findings if "resolved before it was created" in f["problem"]]
    listed = sum(1 for f in before if f["line"] is not None)
    more = int(before[-1]["problem"].split("and ")[1].split(" more")[0].replace(",", ""))
    assert listed + more == 1662
