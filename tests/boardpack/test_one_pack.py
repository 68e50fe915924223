"""One pack, two formats: the PowerPoint and the PDF of a quarter carry the same slides in the same
order, each with a real title (PowerPoint's title placeholder, the PDF's outline), and every PDF
page has a heading."""

from __future__ import annotations

import io

from pptx import Presentation
from pypdf import PdfReader

from boardpack import build_pack
from boardpack.content import gather, slides
from tests.boardpack.test_boardpack import CAL, SOURCE, TODAY, NoChromium, Q, sample  # noqa: F401


def test_pptx_and_pdf_list_the_same_slide_titles_in_the_same_order(sample):  # noqa: F811
    pptx = build_pack(sample, CAL, Q, "pptx", source=SOURCE, today=TODAY)
    pdf = build_pack(sample, CAL, Q, "pdf", source=SOURCE, today=TODAY, renderer=NoChromium())
    deck_titles = [slide.shapes.title.text for slide in Presentation(io.BytesIO(pptx.data)).slides]
    outline_titles = [entry.title for entry in PdfReader(io.BytesIO(pdf.data)).outline]
    expected = [s.title for s in slides(gather(sample, CAL, Q, source=SOURCE, today=TODAY))]
    assert deck_titles == expected
    assert outline_titles == expected
    assert len(expected) == 7 and expected[1] == "FY2026 Q3 at a glance"


def test_every_pdf_page_has_a_heading(sample):  # noqa: F811
    pdf = build_pack(sample, CAL, Q, "pdf", source=SOURCE, today=TODAY, renderer=NoChromium())
    content = gather(sample, CAL, Q, source=SOURCE, today=TODAY)
    kickers = [s.kicker.upper() for s in slides(content)[1:]]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    assert len(pages) > len(kickers), "the sample's tables run onto further pages"
    for number, text in enumerate(pages[1:], start=2):
        first_line = text.strip().splitlines()[0]
        assert any(first_line.startswith(k) for k in kickers), f"page {number} starts with {first_line!r}"
