"""The board pack: the quarter's headline and key charts as PowerPoint (native charts) or PDF.

    content = gather(engine, calendar, quarter, source=..., company=...)   # figures and sentences
    content = masked(content, load_vendor_mask(engine))                    # optional
    build_pptx(content) / build_pdf(content, renderer)                     # bytes

`build_pack` does the three steps; the command line and the app both call it. The company on the
title slide is `Settings.board_company`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from boardpack.content import PackContent, gather, masked
from metrics.currency import DEFAULT_REPORTING_CURRENCY
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import NO_MASK, load_vendor_mask

FORMATS = {"pptx": "PowerPoint", "pdf": "PDF"}
MIMES = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Pack:
    data: bytes
    format: str  # "pptx" or "pdf"
    content: PackContent
    charts_note: str | None = None  # PDF only: why its charts are missing, when they are


def pack_file_name(quarter: FiscalQuarter, fmt: str, masked: bool) -> str:
    """'bridgeboard-board-pack-FY2026-Q3-masked.pptx'."""
    return f"bridgeboard-board-pack-{quarter.label.replace(' ', '-')}{'-masked' if masked else ''}.{fmt}"


def build_pack(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    fmt: str,
    *,
    source: str,
    company: str | None = None,
    mask_vendors: bool = False,
    today: date | None = None,
    renderer=None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> Pack:
    """The pack of `quarter` as `fmt` ("pptx" or "pdf"). `renderer`: the PDF's chart renderer
    (default: the process's shared one)."""
    if fmt not in FORMATS:
        raise ValueError(f"a board pack is one of {', '.join(FORMATS)}, not {fmt!r}")
    content = gather(
        engine, calendar, quarter, source=source, company=company, today=today, reporting_currency=reporting_currency
    )
    content = masked(content, load_vendor_mask(engine) if mask_vendors else NO_MASK)
    if fmt == "pptx":
        from boardpack.pptx import build_pptx

        return Pack(build_pptx(content), fmt, content)
    from boardpack.images import shared_renderer
    from boardpack.pdf import build_pdf

    data, note = build_pdf(content, renderer or shared_renderer())
    return Pack(data, fmt, content, note)
