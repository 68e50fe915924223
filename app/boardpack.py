"""The board pack in the app: PowerPoint and PDF download buttons in every page's sidebar.

The pack is generated only when a button is clicked: `st.download_button(data=callable)` runs
the callable on its own thread and clicking does not rerun the page (`on_click="ignore"`).
Generation is cached by small values: the data, targets and review versions (a new import, a
target edited in the app, or a note or action saved makes a new pack), the quarter, the format, masking and the day (the backlog
of a quarter in progress is counted up to today).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app.context import PageContext
from app.data import engine_for
from boardpack import FORMATS, MIMES, build_pack, pack_file_name
from metrics import review, targets
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import Settings

ICONS = {"pptx": ":material/slideshow:", "pdf": ":material/picture_as_pdf:"}


@st.cache_data(ttl="1h", show_spinner=False, max_entries=16)
def pack_bytes(
    url: str,
    version: str,
    targets_version: str,
    review_version: str,
    fiscal_start: int,
    quarter: FiscalQuarter,
    fmt: str,
    mask: bool,
    source: str,
    company: str | None,
    today: date,
    reporting_currency: str,
) -> bytes:
    return build_pack(
        engine_for(url),
        FiscalCalendar(fiscal_start),
        quarter,
        fmt,
        source=source,
        company=company,
        mask_vendors=mask,
        today=today,
        reporting_currency=reporting_currency,
    ).data


def _generator(
    url: str,
    version: str,
    fiscal_start: int,
    quarter: FiscalQuarter,
    fmt: str,
    mask: bool,
    source: str,
    settings: Settings,
):
    """The zero-argument callable the download button runs when clicked."""

    def generate() -> bytes:
        return pack_bytes(
            url,
            version,
            targets.targets_version(engine_for(url)),
            review.review_version(engine_for(url)),
            fiscal_start,
            quarter,
            fmt,
            mask,
            source,
            settings.board_company,
            date.today(),
            settings.reporting_currency,
        )

    return generate


def download_buttons(ctx: PageContext) -> None:
    q, mask = ctx.filters.quarter, ctx.mask_vendors
    assert q is not None  # the shell shows the buttons only when a quarter is chosen
    st.caption(
        f"Board pack of {q.label}, all departments{', vendor names masked' if mask else ''}: the headline "
        "and the key charts (PowerPoint charts are editable)."
    )
    with st.container(horizontal=True, gap="small"):
        for fmt, label in FORMATS.items():
            st.download_button(
                label,
                _generator(
                    ctx.url, ctx.status.version, ctx.calendar.start_month, q, fmt, mask, ctx.status.label, ctx.settings
                ),
                file_name=pack_file_name(q, fmt, mask),
                mime=MIMES[fmt],
                key=f"bb_pack_{fmt}",
                on_click="ignore",
                icon=ICONS[fmt],
                help=f"Generates the {label} board pack of {q.label} (a few seconds).",
            )
