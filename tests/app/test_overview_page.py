"""The Overview under AppTest, on the sample data: its five figures are `python -m metrics summary`'s,
the story and the small key charts with links carrying the filters, the board-pack buttons, and
presentation mode (no sidebar, no filter widgets, previous / next, masked vendors)."""

from __future__ import annotations

import io
import json
import math

from cli import main
from metrics.formatting import money, share
from metrics.turnaround import days_label

SALESFORCE = "Salesforce"


def _summary(sample_env, quarter: str | None = None) -> dict:
    out = io.StringIO()
    args = ["summary", "--db", f"duckdb:///{sample_env}", "--format", "json"]
    assert main(args + (["--quarter", quarter] if quarter else []), out=out) == 0
    return json.loads(out.getvalue())


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected_tiles(s: dict) -> dict[str, str]:
    """What the Overview must show, worked out from the JSON alone. On the sample no overlapping
    vendor is also shadow IT, so money at stake is simply overlap + shadow IT."""
    return {
        "Total technology spend": money(s["total_spend"]),
        "Marketing share": share(s["marketing_share"]),
        "Money at stake": money(s["overlap_at_stake"] + s["shadow_it_spend"]),
        "KPIs on target": f"{s['kpis_on_target']} of {s['kpis_with_target']}",
        "Request lead time (p85)": days_label(math.ceil(round(s["lead_time_p85_days"], 6))),
        **{f"{d} spend": money(v) for d, v in s["spend_by_department"].items()},
    }


def _markdown(at) -> str:
    return "\n".join(m.value.replace("\\", "") for m in at.markdown)


def test_overview_figures_match_the_summary_command(app, sample_env):
    at = app(None)
    assert not at.exception
    summary = _summary(sample_env)
    assert at.sidebar.selectbox(key="bb_quarter").value.label == summary["quarter"] == "FY2026 Q3"
    assert _tiles(at) == _expected_tiles(summary)
    assert summary["as_of"][:16].replace("T", " ") in at.caption[0].value, "the data's as-of stamp"


def test_an_earlier_quarter_from_the_link_matches_too(app, sample_env):
    at = app(None, query={"quarter": "FY2025 Q2"})
    assert not at.exception
    assert _tiles(at) == _expected_tiles(_summary(sample_env, "FY2025 Q2"))
    assert "FY2025 Q2 (01 Apr 2025 – 30 Jun 2025)" in at.caption[0].value


def test_each_figure_has_its_change_and_its_verdict(app):
    at = app(None)
    deltas = {m.label: m.delta for m in at.metric}
    for label in (
        "Total technology spend",
        "Marketing share",
        "Money at stake",
        "KPIs on target",
        "Request lead time (p85)",
    ):
        assert deltas[label].endswith("vs FY2026 Q2"), label
    text = _markdown(at)
    assert "over the $13.2M budget" in text or "under the $13.2M budget" in text
    assert "Off target: Loyalty member churn" in text, "the KPIs off target are named"
    assert "85% were delivered" in text and "their own SLA" in text, "the lead time against each request's own SLA"


def test_story_and_small_charts_with_links_to_their_pages(app):
    at = app(None, query={"quarter": "FY2026 Q2", "department": ["Marketing", "IT"]})
    assert not at.exception
    story = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert 3 <= story.count("\n- ") + 1 <= 5
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 4 and all(c["data"] for c in charts)
    assert all(c["layout"]["height"] <= 300 for c in charts), "small versions"
    links = {link.proto.label: link.proto for link in at.get("page_link") if link.proto.label.startswith("Open ")}
    assert set(links) == {"Open Tech spend", "Open Customer experience", "Open Request turnaround"}
    query = links["Open Customer experience"].query_string
    assert "quarter=FY2026+Q2" in query and "department=Marketing" in query and "department=IT" in query


def test_board_pack_buttons_on_every_page(app):
    for page in (None, "pages/1_Tech_spend.py", "pages/9_Data.py"):
        at = app(page)
        assert [b.proto.label for b in at.get("download_button") if b.proto.label in ("PowerPoint", "PDF")] == [
            "PowerPoint",
            "PDF",
        ], page


def test_presentation_mode_from_the_link(app):
    """A deck (tests/app/test_presentation_deck.py): the title slide, then the five numbers."""
    at = app(None, query={"present": "1", "quarter": "FY2026 Q2"})
    assert not at.exception
    assert len(at.sidebar) == 0, "no sidebar at all"
    assert not at.selectbox and not at.multiselect and not at.toggle, "no filter widgets"
    assert [b.label for b in at.button if not b.key.endswith(("_1", "_2"))] == ["Next", "Exit presentation"]
    assert "FY2026 Q2 (01 Apr 2026 – 30 Jun 2026)" in at.caption[0].value, "the period stays in view"
    at.button(key="bb_next_0").click().run()
    assert "$13.1M" in [h.value.replace("\\", "") for h in at.header], "the quarter from the link"


def test_presentation_walks_the_pages_in_order_and_exits(app):
    at = app("pages/1_Tech_spend.py", query={"present": "1"})
    assert at.button(key="bb_prev_page_0").label == "Previous: Overview"
    at = app("pages/1_Tech_spend.py", query={"present": "1", "slide": "99"})
    assert at.button(key="bb_next_page_0").label == "Next: Customer experience"
    at.button(key="bb_exit").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="bb_quarter").value is not None, "the sidebar and its filters are back"
    assert at.sidebar.toggle(key="bb_present_switch").value is False


def test_the_sidebar_switch_starts_presentation_mode(app):
    at = app(None)
    at.sidebar.toggle(key="bb_present_switch").set_value(True).run()
    assert not at.exception
    assert len(at.sidebar) == 0 and at.button(key="bb_next_0").label == "Next"


def test_masked_overview_names_no_vendor(app):
    plain = app(None)
    assert SALESFORCE in _markdown(plain)
    at = app(None, query={"mask": "1"})
    text = _markdown(at)
    assert SALESFORCE not in text and "(the most with Vendor " in text
    assert at.sidebar.toggle(key="bb_mask_switch").value is True
