"""Presentation mode as a deck, under AppTest on the sample data: one slide at a time, its number,
the Overview's slides the board pack's story, every other slide's title a sentence the page itself
writes, no filters, help or pills, the slide kept in the link, and leaving it back on the same page
with the same filters."""

from __future__ import annotations

import re
from datetime import date

import pytest

from boardpack.content import gather, slides
from metrics import sources
from metrics.fiscal import FiscalCalendar, parse_quarter
from metrics.settings import settings_from_env

QUARTER = "FY2026 Q2"
SPEND, CX, TURNAROUND = "pages/1_Tech_spend.py", "pages/2_Customer_experience.py", "pages/3_Request_turnaround.py"
NUMBER = re.compile(r"^\*\*(\d+) / (\d+)\*\*$")


def _unescaped(text: str) -> str:
    return text.replace("\\", "")


def _number(at) -> tuple[int, int]:
    found = [NUMBER.match(m.value) for m in at.markdown]
    matches = [m for m in found if m]
    assert len(matches) == 1, "one slide number"
    return int(matches[0][1]), int(matches[0][2])


def _title(at) -> str:
    assert len(at.subheader) == 1, "one title per slide"
    return _unescaped(at.subheader[0].value)


def _walk(at) -> list[str]:
    """Every slide's title, pressing Next until the last slide."""
    titles = [_title(at)]
    shown, count = _number(at)
    assert shown == 1
    while shown < count:
        at.button(key="bb_next_0").click().run()
        assert not at.exception
        assert _number(at) == (shown + 1, count), "Next shows the next slide and says which"
        shown += 1
        titles.append(_title(at))
    return titles


def test_the_overviews_slides_are_the_board_packs_story(app):
    at = app(None, query={"present": "1", "quarter": QUARTER})
    assert not at.exception
    titles = _walk(at)
    settings = settings_from_env()
    engine = sources.embedded_engine(settings)
    try:
        pack = gather(
            engine,
            FiscalCalendar(settings.fiscal_start_month),
            parse_quarter(QUARTER),
            source="sample",
            today=date.today(),
        )
    finally:
        engine.dispose()
    assert titles == [s.title for s in slides(pack)]
    assert titles[0] == "Technology, marketing and customer experience"
    assert titles[2].startswith("Marketing paid 43% of technology spend in FY2026 Q2")
    assert at.button(key="bb_next_page_0").label == "Next: Tech spend", "the last slide leads to the next page"


@pytest.mark.parametrize("page", [SPEND, CX, TURNAROUND])
def test_every_slide_states_a_finding_the_page_itself_writes(app, page):
    """A slide's title is one of the page's own sentences: the same claim, from the same wording."""
    on_screen = app(page, query={"quarter": QUARTER})
    written = {_unescaped(m.value) for m in on_screen.markdown} | {_unescaped(s.value) for s in on_screen.subheader}
    at = app(page, query={"present": "1", "quarter": QUARTER})
    titles = _walk(at)
    assert len(titles) >= 3
    assert [t for t in titles if t not in written] == []


@pytest.mark.parametrize("page", [None, SPEND, CX, TURNAROUND])
def test_a_slide_has_no_filter_help_pill_or_data_quality_box(app, page):
    at = app(page, query={"present": "1", "quarter": QUARTER})
    assert not at.exception
    for _ in range(_number(at)[1]):
        assert len(at.sidebar) == 0
        assert not at.selectbox and not at.multiselect and not at.toggle and not at.get("button_group")
        assert not at.expander and not at.warning and not at.info and not at.get("download_button")
        assert not [m for m in at.metric if m.proto.help], "no help icons"
        assert not [m for m in at.markdown if "sidebar" in m.value.lower()], "no word about hidden controls"
        assert len(at.get("plotly_chart")) + len(at.table) <= 1, "one chart or table"
        if _number(at)[0] < _number(at)[1]:
            at.button(key="bb_next_0").click().run()


def test_the_link_keeps_the_slide(app):
    at = app(SPEND, query={"present": "1", "quarter": QUARTER, "slide": "3"})
    assert _number(at)[0] == 3, "a shared link lands on its slide"
    at.button(key="bb_next_0").click().run()
    assert at.query_params["slide"] == "4"
    at.button(key="bb_prev_0").click().run()
    assert _number(at)[0] == 3 and at.query_params["slide"] == "3"
    at = app(SPEND, query={"present": "1", "quarter": QUARTER, "slide": "99"})
    shown, count = _number(at)
    assert shown == count, "past the end: the last slide"


def test_previous_from_the_first_slide_opens_the_previous_pages_last(app):
    at = app(SPEND, query={"present": "1", "quarter": QUARTER})
    assert at.button(key="bb_prev_page_0").label == "Previous: Overview"
    at.button(key="bb_prev_page_0").click().run()
    assert not at.exception
    shown, count = _number(at)
    assert shown == count > 1, "the Overview's last slide"
    assert at.button(key="bb_next_page_0").label == "Next: Tech spend"


def test_the_other_keys_repeat_next_and_previous(app):
    at = app(CX, query={"present": "1", "quarter": QUARTER, "slide": "2"})
    shortcuts = {b.key: b.proto.shortcut for b in at.button if b.key.startswith(("bb_next", "bb_prev"))}
    assert shortcuts == {
        "bb_prev_0": "pageup",
        "bb_prev_1": "left",
        "bb_next_0": "pagedown",
        "bb_next_1": "right",
        "bb_next_2": "space",
    }
    at.button(key="bb_next_1").click().run()
    assert _number(at)[0] == 3
    at.button(key="bb_prev_1").click().run()
    assert _number(at)[0] == 2


def test_leaving_returns_to_the_same_page_and_filters(app):
    at = app(SPEND, query={"quarter": "FY2026 Q1", "department": "Marketing"})
    assert at.sidebar.selectbox(key="bb_quarter").value.label == "FY2026 Q1"
    assert at.sidebar.multiselect(key="bb_departments").value == ["Marketing"]
    at.sidebar.toggle(key="bb_present_switch").set_value(True).run()
    assert len(at.sidebar) == 0 and _number(at)[0] == 1, "the deck opens on its first slide"
    at.button(key="bb_next_0").click().run()
    at.button(key="bb_next_0").click().run()
    assert _number(at)[0] == 3
    at.button(key="bb_exit").click().run()
    assert not at.exception
    assert at.title[0].value == "Tech spend"
    assert at.sidebar.selectbox(key="bb_quarter").value.label == "FY2026 Q1"
    assert at.sidebar.multiselect(key="bb_departments").value == ["Marketing"]
    assert "slide" not in at.query_params and "present" not in at.query_params
