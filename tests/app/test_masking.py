"""Vendor masking on every page, and what presentation mode leaves out, under AppTest on the
committed sample data.

With masking on (`?mask=1`), no vendor name may reach the browser: every string of every element
the page sends is collected (Markdown, captions, metric labels and help, table cells, selectbox
options, the plotly figures' JSON, the bytes of the downloads) and searched, case-insensitively and
as whole words, for every vendor of sample_data/vendors.csv (names and aliases) and every spelling
of spend.csv. The same search on the unmasked page must find names, so the check can fail.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.message import Message
from streamlit.elements.widgets import button
from streamlit.testing.v1.element_tree import Dataframe

from app import navigation
from metrics.masking import PROTECTED_PHRASES

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
TECH_SPEND, CX, TURNAROUND, DATA = (
    p.path
    for p in (navigation.TECH_SPEND, navigation.CUSTOMER_EXPERIENCE, navigation.REQUEST_TURNAROUND, navigation.DATA)
)
MASKED = {"mask": "1"}
LABEL = re.compile(r"\bVendor [A-Z]{1,2}\b")


def _vendor_names() -> set[str]:
    catalogue = pd.read_csv(SAMPLE / "vendors.csv", dtype=str, keep_default_na=False)
    aliases = {a for cell in catalogue["aliases"] for a in cell.split("|") if a.strip()}
    spellings = set(pd.read_csv(SAMPLE / "spend.csv", usecols=["vendor"], dtype=str)["vendor"])
    return set(catalogue["vendor"]) | aliases | spellings


# Whole words, as the mask replaces them: "Salesforce.com, Inc.", "SALESFORCE", "AWS", "Segment".
VENDOR = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    + "|".join(map(re.escape, sorted(_vendor_names(), key=len, reverse=True)))
    + r")(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def _strings(message: Message, out: list[str]) -> None:
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Message):
                _strings(item, out)
            elif isinstance(item, str):
                out.append(item)


def _json_strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _json_strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _json_strings(item, out)


def page_text(block) -> str:
    """Every string the elements under `block` (the app, or `at.main`) send to the browser."""
    out: list[str] = []
    for node in block:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        _strings(proto, out)
        if isinstance(node, Dataframe):  # the cells travel as Arrow bytes
            out.append(node.value.to_csv(index=False))
        if node.type == "plotly_chart":
            _json_strings(json.loads(proto.spec), out)
    return "\n".join(out)


def vendors_in(text: str) -> set[str]:
    for phrase in PROTECTED_PHRASES:  # e.g. "Largest Contentful Paint" names a metric, not a vendor
        text = text.replace(phrase, "")
    return {m.group(0) for m in VENDOR.finditer(text)}


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The file name and bytes of every download button drawn (the board pack's are generated on
    click, so they are not here: the board pack has tests of its own)."""
    files: dict[str, bytes] = {}
    draw = button.marshall_file

    def record(coordinates, data, proto, mimetype, file_name=None, **kwargs):
        if not callable(data):
            files[file_name] = data.encode() if isinstance(data, str) else bytes(data)
        return draw(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(button, "marshall_file", record)
    return files


def file_text(name: str, data: bytes) -> str:
    """A download as text: its name and every cell."""
    frame = (
        pd.read_excel(io.BytesIO(data), dtype=str)
        if name.endswith(".xlsx")
        else pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig")
    )
    return name + "\n" + frame.to_csv(index=False)


# Where each page names vendors on the sample data, so that the unmasked page fails the check.
NAMED = {TECH_SPEND: "Salesforce", CX: "Datadog", TURNAROUND: "Salesforce", DATA: "Salesforce.com, Inc."}


@pytest.mark.parametrize("script", [TECH_SPEND, CX, TURNAROUND, DATA])  # not `page`: pytest-playwright's fixture
def test_masking_leaves_no_vendor_name_on_the_page(app, script):
    unmasked = app(script)
    assert not unmasked.exception
    assert NAMED[script] in vendors_in(page_text(unmasked._tree)), "the check finds names when masking is off"

    at = app(script, query=MASKED)
    assert not at.exception
    assert vendors_in(page_text(at._tree)) == set()
    assert LABEL.search(page_text(at.main)), "vendors are shown as Vendor A, Vendor B..."


def test_masked_tech_spend_names_vendors_by_letter(app):
    at = app(TECH_SPEND, query=MASKED)
    overlap = next(t.value for t in at.dataframe if "spellings" in t.value.columns)
    # Every spelling of one supplier is one letter: Salesforce's three spellings, all one label.
    assert all(LABEL.fullmatch(v) for v in overlap["vendor"])
    assert overlap["vendor"].is_unique
    assert "Vendor A" in page_text(at.main)
    sentence = next(m.value for m in at.markdown if "paid by both Marketing and IT" in m.value)
    assert LABEL.search(sentence) and not vendors_in(sentence)


def test_masked_drill_down_keeps_real_choices_and_masks_the_invoice_lines(app, downloads):
    # FY2026 Q1 has a line invoiced as "Salesforce UK Ltd" under Marketing · CRM.
    at = app(TECH_SPEND, query={**MASKED, "quarter": "FY2026 Q1"})
    at.selectbox(key="spend_drill_department").set_value("Marketing").run()
    at.selectbox(key="spend_drill_category").set_value("CRM").run()
    choice = at.selectbox(key="spend_drill_vendor")
    assert choice.options and all(LABEL.fullmatch(o) for o in choice.options), "labels are masked"
    vendor_level = dict(downloads)
    assert any(LABEL.search(file_text(n, d)) for n, d in vendor_level.items()), "the vendor table is downloaded"

    choice.set_value("Salesforce").run()  # the value is the real name: it queries the lines
    assert not at.exception
    lines = next(t.value for t in at.dataframe if "description" in t.value.columns)
    assert len(lines) > 1 and lines["vendor"].map(LABEL.fullmatch).all()
    assert lines["description"].str.contains(LABEL).any(), "descriptions naming the vendor are masked"
    line_files = {n: d for n, d in downloads.items() if n.endswith(("lines.csv", "lines.xlsx"))}
    assert len(line_files) == 2
    for name, data in downloads.items():
        text = file_text(name, data)
        assert vendors_in(text) == set(), name
    assert all(LABEL.search(file_text(n, d)) for n, d in line_files.items())
    assert vendors_in(page_text(at._tree)) == set()


def test_unmasked_downloads_keep_the_names(app, downloads):
    at = app(TECH_SPEND, query={"quarter": "FY2026 Q1"})
    at.selectbox(key="spend_drill_department").set_value("Marketing").run()
    at.selectbox(key="spend_drill_category").set_value("CRM").run()
    at.selectbox(key="spend_drill_vendor").set_value("Salesforce").run()
    csv = next(d for n, d in downloads.items() if n.endswith("lines.csv"))
    assert {"Salesforce", "Salesforce UK Ltd"} <= vendors_in(file_text("lines.csv", csv))


def test_masked_turnaround_masks_request_titles(app):
    at = app(TURNAROUND, query=MASKED)
    oldest = next(t.value for t in at.dataframe if "title" in t.value.columns)
    assert oldest["title"].str.contains(LABEL).any(), '"Route web-form leads to Salesforce" is masked'
    assert not oldest["title"].map(vendors_in).any()


def test_masked_kpis_and_the_target_form(app):
    at = app(CX, query=MASKED)
    glossary = next(t.value for t in at.dataframe if "Source" in t.value.columns)
    assert glossary["Source"].str.contains(LABEL).any() and not glossary["Source"].map(vendors_in).any()
    assert any(LABEL.search(m.help or "") for m in at.metric), "the KPI's source in the card's help"
    # A note shown masked could be saved back masked: targets are not edited while masking.
    assert not at.get("form") and not at.number_input
    assert any("cannot be changed while vendor names are masked" in c.value for c in at.caption)
    assert at.selectbox(key="cx_target_kpi").options, "the current target can still be looked up"


def _keys(at, kind: str) -> set[str]:
    """The user keys of the elements of `kind` ("button_group": pills and segmented controls)."""
    return {e.proto.id.rsplit("-", 1)[-1] for e in at.get(kind) if e.proto.id}


def test_presentation_mode_leaves_out_forms_downloads_and_uploads(app):
    """The presented pages are decks of slides (tests/app/test_presentation_deck.py): no control
    but previous / next; the pages that are not presented leave out what changes data."""
    for page in (TECH_SPEND, CX, TURNAROUND):
        at = app(page, query={"present": "1"})
        assert not at.exception
        assert not at.get("form") and not at.selectbox and not at.multiselect and not at.get("download_button")
        assert not _keys(at, "button_group"), "no pills or segmented controls"

    data = app(DATA, query={"present": "1"})
    assert not data.exception
    assert not data.get("file_uploader") and "Upload CSV files" not in [s.value for s in data.subheader]
