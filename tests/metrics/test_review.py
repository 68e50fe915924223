"""The review's pure computations: what is overdue (the day after the due date, open actions
only), the KPI card's and the pages' open actions, the log's filters and table, and the agenda's
order."""

from __future__ import annotations

from datetime import date, datetime

from metrics import review
from metrics.fiscal import FiscalQuarter
from metrics.review import Action, Note

Q2, Q3 = FiscalQuarter(2026, 2), FiscalQuarter(2026, 3)
TODAY = date(2026, 10, 10)
AT = datetime(2026, 10, 1, 12, 0)


def _action(i, kind="action", due=None, status="open", owner="CIO", subject_kind="", subject="", raised=Q3):
    return Action(f"a{i}", kind, f"Thing {i}", owner, due, status, subject_kind, subject, raised, 1, "CIO", AT)


def test_overdue_is_an_open_action_past_its_due_date():
    assert _action(1, due=date(2026, 10, 9)).overdue(TODAY)
    assert not _action(2, due=TODAY).overdue(TODAY)  # due today: not yet
    assert not _action(3, due=date(2026, 10, 1), status="done").overdue(TODAY)
    assert not _action(4, due=date(2026, 10, 1), status="dropped").overdue(TODAY)
    assert not _action(5, kind="decision", due=date(2026, 10, 1)).overdue(TODAY)


def test_the_kpi_card_gets_only_its_open_actions():
    actions = [
        _action(1, due=TODAY, subject_kind="kpi", subject="nps"),
        _action(2, due=TODAY, subject_kind="kpi", subject="nps", status="done"),
        _action(3, due=TODAY, subject_kind="kpi", subject="csat"),
        _action(4, kind="decision", subject_kind="kpi", subject="nps"),
        _action(5, due=TODAY, subject_kind="vendor", subject="nps"),
    ]
    assert [a.action_id for a in review.open_actions_on(actions, "kpi", "nps")] == ["a1"]


def test_the_pages_get_the_open_actions_about_their_subjects_soonest_due_first():
    actions = [
        _action(1, due=date(2026, 12, 1), subject_kind="vendor", subject="Segment"),
        _action(2, due=date(2026, 10, 2), subject_kind="vendor", subject="HubSpot"),  # overdue: first
        _action(3, due=date(2026, 9, 1), subject_kind="vendor", subject="Segment", status="done"),
        _action(4, due=date(2026, 9, 1), subject_kind="vendor", subject="Segment", status="dropped"),
        _action(5, kind="decision", subject_kind="vendor", subject="Segment"),  # a decision: in the log only
        _action(6, due=TODAY, subject_kind="kpi", subject="Segment"),
        _action(7, due=TODAY, subject_kind="request_type", subject="Campaign"),
        _action(8, due=TODAY, subject_kind="request_type", subject="Data fix"),
        _action(9, due=TODAY),  # general
    ]
    ids = lambda found: [a.action_id for a in found]  # noqa: E731
    assert ids(review.open_actions_about(actions, "vendor")) == ["a2", "a1"]
    assert ids(review.open_actions_about(actions, "vendor", ["Segment"])) == ["a1"]
    assert ids(review.open_actions_about(actions, "request_type")) == ["a7", "a8"]
    assert ids(review.open_actions_about(actions, "request_type", ("Data fix",))) == ["a8"]
    assert review.open_actions_about(actions, "budget_line") == []
    # Each open action about a kind is listed once, whatever the filter: the kinds partition them.
    open_ones = [a for a in actions if a.kind == "action" and a.status == "open"]
    by_kind = [a for kind in review.SUBJECT_KINDS for a in review.open_actions_about(actions, kind)]
    assert sorted(ids(by_kind)) == sorted(ids(open_ones))


def test_budget_line_actions_follow_the_department_scope():
    line = review.budget_line("Marketing", "Martech")
    assert line == "Marketing / Martech" and review.budget_line_department(line) == "Marketing"
    assert review.budget_line_department("IT / Cloud / EU") == "IT"  # a category may hold the separator
    actions = [
        _action(1, due=date(2026, 11, 1), subject_kind="budget_line", subject=line),
        _action(2, due=date(2026, 10, 1), subject_kind="budget_line", subject="IT / Cloud / EU"),
        _action(3, due=date(2026, 10, 1), subject_kind="budget_line", subject=line, status="done"),
        _action(4, due=date(2026, 10, 1), subject_kind="vendor", subject=line),
    ]
    ids = lambda found: [a.action_id for a in found]  # noqa: E731
    assert ids(review.open_actions_on_budget_lines(actions)) == ["a2", "a1"]
    assert ids(review.open_actions_on_budget_lines(actions, ("Marketing", "Joint"))) == ["a1"]
    assert ids(review.open_actions_on_budget_lines(actions, ("IT",))) == ["a2"]


def test_an_open_action_reads_with_its_subject_and_says_when_it_is_overdue():
    late = _action(1, due=date(2026, 10, 2), owner="Joint", subject_kind="vendor", subject="Segment")
    soon = _action(2, due=date(2026, 12, 15), subject_kind="vendor", subject="Segment")
    assert review.open_action_line(late, TODAY) == "Thing 1 · Joint · due 02 Oct 2026 · overdue"
    assert review.open_action_line(late, TODAY, about=True) == "Segment: Thing 1 · Joint · due 02 Oct 2026 · overdue"
    assert review.open_action_line(soon, TODAY, about=True) == "Segment: Thing 2 · CIO · due 15 Dec 2026"
    assert review.open_actions_label([late, soon], TODAY) == "2 open actions · 1 overdue"
    assert review.open_actions_label([soon], TODAY) == "1 open action"


def test_filters_and_sort_order():
    actions = [
        _action(1, due=date(2026, 12, 1), owner="CMO"),
        _action(2, due=date(2026, 9, 1), owner="Joint", raised=Q2),
        _action(3, due=date(2026, 11, 1), status="done"),
        _action(4, kind="decision", owner="CFO"),
    ]
    assert [a.action_id for a in review.sorted_actions(actions, TODAY)] == [
        "a2",
        "a1",
        "a4",
        "a3",
    ]  # overdue, open by due date, then closed
    ids = lambda found: [a.action_id for a in found]  # noqa: E731
    assert ids(review.filter_actions(actions, owners=["CMO", "CFO"])) == ["a1", "a4"]
    assert ids(review.filter_actions(actions, kinds=["decision"])) == ["a4"]
    assert ids(review.filter_actions(actions, quarter=Q2)) == ["a2"]
    assert ids(review.filter_actions(actions, overdue_only=True, today=TODAY)) == ["a2"]
    assert ids(review.filter_actions(actions)) == ["a1", "a2", "a3", "a4"]


def test_log_frame_is_what_a_reader_sees():
    frame = review.log_frame(
        [_action(1, due=date(2026, 10, 1), subject_kind="kpi", subject="nps")], TODAY, {"nps": "Net Promoter Score"}
    )
    assert frame.to_dict("records") == [
        {
            "Kind": "action",
            "Text": "Thing 1",
            "Owner": "CIO",
            "Due": date(2026, 10, 1),
            "Status": "open",
            "Overdue": "yes",
            "About": "KPI: Net Promoter Score",
            "Raised": "FY2026 Q3",
            "Changed by": "CIO",
            "Changed (UTC)": "2026-10-01 12:00",
        }
    ]


def test_overdue_line_counts_days():
    line = review.overdue_line(_action(1, due=date(2026, 10, 9), owner="Joint"), TODAY)
    assert line == "Overdue 1 day (due 09 Oct 2026): Thing 1. Owner: Joint."


def test_agenda_walks_the_pages_then_the_actions_overdue_first():
    notes = [
        Note(Q3, "page", "tech_spend", "CFO", "Fine.", 1, "CFO", AT),
        Note(Q3, "page", "overview", "CIO", None, 2, "CIO", AT),
    ]
    actions = [
        _action(1, due=date(2026, 12, 1)),
        _action(2, due=date(2026, 9, 1), owner="CMO"),
        _action(3, kind="decision"),
    ]
    items = review.agenda(["Net Promoter Score"], ["Churn"], actions, notes, TODAY)
    assert [i.title for i in items] == [
        "Overview",
        "Tech spend",
        "Customer experience",
        "Request turnaround",
        "Actions",
    ]
    assert items[0].points == ("Commentary still to write: CIO, CMO",)  # a cleared note is not written
    assert items[1].points == ("Commentary still to write: CIO, CMO",)  # the CFO's is there
    assert items[2].points[:2] == ("Off target: Net Promoter Score", "At risk: Churn")
    assert items[4].points == (
        "Overdue since 01 Sep 2026: Thing 2 (CMO)",
        "Open, due 01 Dec 2026: Thing 1 (CIO)",
    )


def test_restatements_open_the_agenda_and_only_when_there_are_some():
    restated = ["Spend restated +$78,634.56 since the FY2026 Q2 review (closed 14 Jul 2026): $1.00 then, $2.00 now."]
    items = review.agenda([], [], [], [], TODAY, restated)
    assert items[0].title == "Restated since the last review" and items[0].points == tuple(restated)
    assert items[0].page is None
    assert [i.title for i in review.agenda([], [], [], [], TODAY)][0] == "Overview"


def test_the_snapshot_reads_page_by_page_with_each_figure_in_its_format():
    from metrics.review.figures import Figure, as_json

    kept = {
        "quarter": "FY2026 Q3",
        "spend_by_department": {"IT": 5.5},
        "figures": as_json(
            {
                "spend|IT|Cloud": Figure("tech_spend", "IT spend on Cloud", "money", 1234.5),
                "kpi|nps": Figure("customer_experience", "Net Promoter Score", "number", 41.5, "points", "at risk"),
                "p85|all": Figure("request_turnaround", "85th-percentile lead time (all requests)", "days", 12.3456),
                "breach|all": Figure("request_turnaround", "SLA breach rate (all requests)", "rate", 0.1234),
                "kpi|csat": Figure("customer_experience", "Customer satisfaction", "number", None, "%", "no data"),
            }
        ),
    }
    frame = review.snapshot_frame(kept, "€")
    assert frame.values.tolist() == [
        ["Overview", "Quarter", "FY2026 Q3"],
        ["Overview", "IT spend", "€5.50"],
        ["Tech spend", "IT spend on Cloud", "€1,234.50"],
        ["Customer experience", "Net Promoter Score", "41.5 points (at risk)"],
        ["Request turnaround", "85th-percentile lead time (all requests)", "12.35 days"],
        ["Request turnaround", "SLA breach rate (all requests)", "12.34%"],
        ["Customer experience", "Customer satisfaction", "no data"],
    ]


def test_the_cfo_writes_on_spend_only():
    assert review.sides_for("page", "tech_spend") == ("CIO", "CMO", "CFO")
    assert review.sides_for("page", "overview") == ("CIO", "CMO")
    assert review.sides_for("kpi", "nps") == ("CIO", "CMO")


def test_the_log_downloads_are_formula_safe():
    import io

    import pandas as pd

    from metrics.exports import csv_bytes, excel_bytes

    hostile = _action(1, due=date(2026, 10, 1))
    hostile = Action(**{**hostile.__dict__, "text": '=HYPERLINK("https://evil.example","x")', "owner": "CMO"})
    frame = review.log_frame([hostile], TODAY)
    assert "'=HYPERLINK(" in csv_bytes(frame).decode("utf-8-sig")
    back = pd.read_excel(io.BytesIO(excel_bytes(frame)))
    assert back.loc[0, "Text"].startswith("'=HYPERLINK(")


def test_lines_of_the_minutes():
    assert review.action_line(_action(1, due=date(2026, 10, 1), owner="Joint"), TODAY) == (
        "Action · Joint · due 01 Oct 2026 · OVERDUE: Thing 1"
    )
    assert (
        review.action_line(_action(2, due=date(2026, 12, 1)), TODAY) == "Action · CIO · due 01 Dec 2026 · open: Thing 2"
    )
    assert review.action_line(_action(3, kind="decision"), TODAY) == "Decision · CIO: Thing 3"
    assert (
        review.action_line(_action(4, kind="decision", status="dropped"), TODAY) == "Decision · CIO · dropped: Thing 4"
    )
