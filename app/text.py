"""Text the pages show: data made literal for Streamlit's Markdown, and vendor names masked.

Masking happens here, at the last step before display, on the small aggregated results the
pages already hold: the queries and the chart builders never see the mask, and a masked value
is never used to query (drill-down choices keep their real names and only show masked labels).
"""

from __future__ import annotations

import re

import pandas as pd

from metrics.masking import VendorMask

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~=&])")


def plain(text: str | None) -> str:
    """Data text made literal for Streamlit's Markdown (sentences, labels, help, captions): vendor,
    category, team and KPI names come from the data and must not become links, colour directives
    (`:red[...]`), LaTeX (two `$` amounts) or emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text or "")


def mask_frame(mask: VendorMask, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text column masked (the frame itself when masking is off).

    Every text column, not only `vendor`: spellings, descriptions, titles and sentences name
    vendors too, and the mask only replaces whole known names."""
    return mask.frame(frame, *frame.select_dtypes(include=["object", "string"]).columns)


def masked_plain(mask: VendorMask, text: str | None) -> str:
    """Data text as a page shows it in Markdown: vendors masked (when on), then made literal."""
    return plain(mask.text(text))
