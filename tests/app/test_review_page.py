"""The quarterly review in AppTest, on the sample data in a database of each test's own: each
side writes its own note beside the numbers (rendered safely), the wrong role cannot, a stale
save is refused with who and when, and an action recorded on the review page shows in the log,
on its KPI's card and, once overdue, on the Overview."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.text import plain
from metrics import db, review
from metrics.targets import Actor

SPEND, CX, REVIEW = "pages/1_Tech_spend.py", "pages/2_Customer_experience.py", "pages/4_Quarterly_review.py"


@pytest.fixture
def private_db(sample_env, tmp_path, monkeypatch):
    path = tmp_path / "bridgeboard.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    return path


def _note_box(at, quarter, kind, subject, side, version=0):
    return at.text_area(key=f"rv_note_{quarter.label}_{kind}_{subject}_{side}_{version}")


def _markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def _write(at, quarter, kind, subject, side, text, version=0):
    at.selectbox(key=f"rv_role_{kind}_{subject}").set_value(side).run()
    _note_box(at, quarter, kind, subject, side, version).set_value(text)
    at.button(key=f"rv_save_{kind}_{subject}").click().run()
    assert not at.exception


def test_the_cfo_comments_on_spend_and_the_note_is_rendered_safely(app, private_db):
    at = app(SPEND)
    quarter = at.selectbox(key="bb_quarter").value
    hostile = "**On plan**. <img src=x onerror=alert(1)> [see](javascript:alert(1)) :red[alarm] costs $5"
    _write(at, quarter, "page", "tech_spend", "CFO", hostile)
    assert [s.value for s in at.success] == [plain("The CFO's note is saved.")]
    shown = at.get_by_key("rv_shown_page_tech_spend_CFO").markdown[0].value
    assert shown == "**On plan**.  see \\:red[alarm] costs \\$5"
    # The CIO, acting next, gets a box for the CIO's own note, never the CFO's.
    at.selectbox(key="rv_role_page_tech_spend").set_value("CIO").run()
    assert _note_box(at, quarter, "page", "tech_spend", "CIO") is not None
    with pytest.raises(KeyError):
        _note_box(at, quarter, "page", "tech_spend", "CFO", 1)


def test_the_analyst_writes_no_note(app, private_db):
    at = app(SPEND)
    at.selectbox(key="rv_role_page_tech_spend").set_value("Analyst").run()
    assert any("Choose one of them under *Acting as*" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "rv_save_page_tech_spend"]


def test_a_stale_note_is_refused_and_names_who_changed_it(app, private_db):
    at = app(SPEND)
    quarter = at.selectbox(key="bb_quarter").value
    at.selectbox(key="rv_role_page_tech_spend").set_value("CIO").run()
    _note_box(at, quarter, "page", "tech_spend", "CIO").set_value("Mine")
    engine = db.make_engine(f"duckdb:///{private_db}")  # meanwhile, another CIO session saves
    try:
        review.save_note(
            engine, quarter, "page", "tech_spend", "CIO", "Theirs", actor=Actor("CIO", "CIO"), expected_version=0
        )
    finally:
        engine.dispose()
    at.button(key="rv_save_page_tech_spend").click().run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "was changed by CIO at" in errors[0] and "your text was not saved" in errors[0]
    assert at.get_by_key("rv_shown_page_tech_spend_CIO").markdown[0].value == "Theirs"
    assert [c.value for c in at.code] == ["Mine"], "what was typed is kept to copy: nothing is lost"


def test_an_action_recorded_in_the_review_shows_on_its_kpi_card_and_overdue_on_the_overview(app, private_db):
    at = app(REVIEW)
    assert not at.exception
    assert [m for m in _markdown(at) if m.startswith("**1. ")] == ["**1. Overview**"]
    at.selectbox(key="rv_role_log").set_value("CMO").run()
    due = date.today() - timedelta(days=3)
    new = "rv_act_new_0_"
    at.text_input(key=new + "text").set_value("Fix the NPS survey link")
    at.selectbox(key=new + "owner").set_value("CMO")
    at.date_input(key=new + "due_on").set_value(due)
    at.selectbox(key=new + "subject_kind").set_value("kpi").run()
    at.selectbox(key=new + "subject").set_value("nps")
    at.button(key=new + "save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [plain("The entry is added to the log.")]
    # The form is empty again for the next entry: a second click cannot record it twice.
    assert at.text_input(key=new + "text").value == ""
    assert at.date_input(key=new + "due_on").value is None
    log = next(d.value for d in at.dataframe if "Overdue" in d.value.columns)
    assert log[["Kind", "Text", "Owner", "Status", "Overdue", "About"]].to_dict("records") == [
        {
            "Kind": "action",
            "Text": "Fix the NPS survey link",
            "Owner": "CMO",
            "Status": "open",
            "Overdue": "yes",
            "About": "KPI: Net Promoter Score",
        }
    ]
    agenda_actions = at.get_by_key("rv_agenda_5").markdown[1].value
    assert agenda_actions == "- " + plain(f"Overdue since {due:%d %b %Y}: Fix the NPS survey link (CMO)")

    at.switch_page(CX).run()
    card = at.get_by_key("cx_card_nps")
    assert "1 open action · 1 overdue" in " ".join(m.value for m in card.markdown)
    assert any(c.value.startswith(plain("Fix the NPS survey link") + " · CMO · due") for c in card.caption)

    at.switch_page("dashboard.py").run()
    warnings = [w.value for w in at.warning]
    assert any(
        w.startswith(f"**{plain('1 action overdue (owners: CMO).')}**") and "NPS survey link" in w for w in warnings
    )


def test_commentary_shows_in_short_on_the_overview(app, private_db):
    at = app(REVIEW)
    quarter = at.selectbox(key="bb_quarter").value
    at.selectbox(key="rv_subject").set_value(("page", "request_turnaround")).run()
    _write(at, quarter, "page", "request_turnaround", "CMO", "Waiting on **marketing** again.\n\nSecond paragraph.")
    at.switch_page("dashboard.py").run()
    box = at.get_by_key("ov_commentary")
    assert f"- *Request turnaround*: **CMO:** {plain('Waiting on marketing again.')}" in [m.value for m in box.markdown]


def test_closing_the_quarter_keeps_its_figures_and_makes_commentary_read_only_until_reopened(app, private_db):
    at = app(REVIEW)
    quarter = at.selectbox(key="bb_quarter").value
    at.selectbox(key="rv_role_close").set_value("CIO").run()
    at.button(key="rv_close").click().run()
    assert not at.exception
    assert [i.value for i in at.info][-1].startswith(plain(f"{quarter.label} was closed by CIO at"))
    snapshot = next(d.value for d in at.dataframe if list(d.value.columns) == ["Page", "Figure", "Value"])
    figures = dict(zip(snapshot["Figure"], snapshot["Value"], strict=True))  # figure names are unique
    assert figures["Quarter"] == quarter.label and re.fullmatch(r"\$[\d,]+\.\d\d", figures["Spend"])
    assert {"IT spend", "Marketing spend", "Joint spend", "Overlap at stake", "Shadow IT spend"} <= set(figures)

    at.switch_page(SPEND).run()
    assert any("its commentary is read\\-only until the quarter is reopened" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "rv_save_page_tech_spend"]

    at.switch_page(REVIEW).run()
    at.button(key="rv_close").click().run()  # now "Reopen"
    at.switch_page(SPEND).run()
    at.selectbox(key="rv_role_page_tech_spend").set_value("CFO").run()
    assert [b for b in at.button if b.key == "rv_save_page_tech_spend"]
