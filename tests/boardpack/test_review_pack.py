"""The quarterly review in the board pack: commentary and the minutes (decisions, actions with
owners and due dates, overdue flagged) appear in both the PowerPoint and the PDF, as plain words
(Markdown and injected HTML made inert), masked when vendor names are, and only when the quarter
has any."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation
from pypdf import PdfReader

from boardpack import build_pack
from boardpack.content import slides
from metrics import db, review, sources
from metrics.settings import SAMPLE_DIR, Settings
from metrics.targets import Actor
from tests.boardpack.test_boardpack import CAL, SOURCE, TODAY, NoChromium, Q, _texts

CIO, CMO, CFO = (Actor(r, r) for r in ("CIO", "CMO", "CFO"))


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    engine = db.make_engine(f"duckdb:///{tmp_path_factory.mktemp('review-pack') / 'sample.duckdb'}")
    assert sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source=str(SAMPLE_DIR)).report.ok
    note = review.save_note
    note(engine, Q, "page", "tech_spend", "CFO", "**Within** [plan](https://intranet.example/q3)<script>x()</script>",
         actor=CFO, expected_version=0)  # fmt: skip
    note(
        engine,
        Q,
        "page",
        "overview",
        "CMO",
        "Salesforce renewal is the big one :red[now]",
        actor=CMO,
        expected_version=0,
    )
    note(engine, Q, "kpi", "nps", "CIO", "Survey vendor changed mid-quarter.", actor=CIO, expected_version=0)
    act = review.save_action
    act(engine, None, kind="decision", text="Keep one CRM", owner="Joint", due_on=None, raised=Q, actor=CIO)
    act(engine, None, kind="action", text="Retire the duplicate CDP", owner="CMO", due_on=date(2026, 11, 1),
        subject_kind="kpi", subject="nps", raised=Q, actor=CMO)  # fmt: skip
    act(engine, None, kind="action", text="Renegotiate the Salesforce seats", owner="CFO", due_on=date(2027, 1, 15),
        subject_kind="vendor", subject="Salesforce", raised=Q, actor=CFO)  # fmt: skip
    yield engine
    engine.dispose()


def _deck_text(data: bytes) -> list[list[str]]:
    return [_texts(s) for s in Presentation(io.BytesIO(data)).slides]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


EXPECTED_LINES = [
    "Decision · Joint: Keep one CRM",
    "Action · CMO · due 01 Nov 2026 · OVERDUE: Retire the duplicate CDP",
    "Action · CFO · due 15 Jan 2027 · open: Renegotiate the Salesforce seats",
    "Overview · CMO: Salesforce renewal is the big one :red[now]",
    "Tech spend · CFO: Within plan (https://intranet.example/q3)",
    "Net Promoter Score · CIO: Survey vendor changed mid-quarter.",
]


def test_minutes_and_commentary_are_in_the_powerpoint(reviewed):
    deck = build_pack(reviewed, CAL, Q, "pptx", source=SOURCE, today=TODAY)
    texts = _deck_text(deck.data)
    assert len(texts) == 9  # the seven figure slides, then commentary and minutes
    commentary, minutes = texts[7], texts[8]
    assert commentary[0] == "What the CIO, the CMO and the CFO say about FY2026 Q3"
    assert minutes[0] == "1 decision and 2 actions on the record for the FY2026 Q3 review; 1 action overdue"
    body = "\n".join(commentary + minutes)
    for line in EXPECTED_LINES:
        assert f"• {line}" in body, line
    assert "script" not in body and "x()" not in body and "**" not in body
    titles = [s.title for s in slides(deck.content)]
    assert titles[-2:] == [commentary[0], minutes[0]]


def test_minutes_and_commentary_are_in_the_pdf(reviewed):
    pdf = build_pack(reviewed, CAL, Q, "pdf", source=SOURCE, today=TODAY, renderer=NoChromium())
    text = " ".join(_pdf_text(pdf.data).split())  # lines wrap in the PDF: compare as running text
    for line in EXPECTED_LINES:
        assert f"- {line}" in text, line
    assert "script" not in text
    outline = [e.title for e in PdfReader(io.BytesIO(pdf.data)).outline]
    assert outline[-2:] == [
        "What the CIO, the CMO and the CFO say about FY2026 Q3",
        "1 decision and 2 actions on the record for the FY2026 Q3 review; 1 action overdue",
    ]


def test_a_masked_pack_masks_vendors_in_the_review(reviewed):
    deck = build_pack(reviewed, CAL, Q, "pptx", source=SOURCE, mask_vendors=True, today=TODAY)
    body = "\n".join(t for slide in _deck_text(deck.data)[7:] for t in slide)
    assert "Salesforce" not in body
    assert "renewal is the big one" in body and "Vendor " in body


def test_a_quarter_without_review_has_no_review_slides(reviewed):
    deck = build_pack(reviewed, CAL, Q.previous(), "pptx", source=SOURCE, today=TODAY)
    assert len(_deck_text(deck.data)) == 7


def test_the_minutes_of_a_closed_quarter_say_so_first(tmp_path):
    from datetime import datetime

    from boardpack.content import gather, review_groups

    engine = db.make_engine(f"duckdb:///{tmp_path / 'closed.duckdb'}")
    try:
        assert sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source="s").report.ok
        review.save_action(engine, None, kind="decision", text="Keep one CRM", owner="Joint", due_on=None, raised=Q,
                           actor=CIO)  # fmt: skip
        content = gather(engine, CAL, Q, source=SOURCE, today=TODAY)
        assert review_groups(content, "minutes") == (("Decisions", ("Decision · Joint: Keep one CRM",)),)
        review.close_quarter(engine, CAL, Q, actor=CFO, expected_version=0, today=TODAY, now=datetime(2026, 10, 14, 9))
        content = gather(engine, CAL, Q, source=SOURCE, today=TODAY)
        closing, decisions = review_groups(content, "minutes")
        assert closing == (
            None,
            (
                f"{Q.label} was closed by CFO on 14 Oct 2026: its figures were kept then, and a later import that "
                "changes one is listed as a restatement.",
            ),
        )
        assert decisions[0] == "Decisions"
        deck = _deck_text(build_pack(engine, CAL, Q, "pptx", source=SOURCE, today=TODAY).data)
        assert closing[1][0] in "\n".join(deck[-1])
    finally:
        engine.dispose()
