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
# Streamlit's Markdown (remark-gfm) links bare URLs, `www.` names and e-mail addresses *after*
# parsing, on the text that backslash escapes leave behind, so escaping cannot stop it: an
# invisible WORD JOINER (U+2060) is put inside each trigger (`http:⁠//`, `www⁠.`, `ann@⁠x.y`),
# which the autolink patterns do not match and the reader does not see.
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")


def plain(text: str | None) -> str:
    """Data text made literal for Streamlit's Markdown (sentences, labels, values, deltas, help,
    captions, badges, toasts): vendor, category, team, KPI names and units come from the data and
    must not become images, links (bare URLs included), colour directives (`:red[...]`), LaTeX
    (two `$` amounts) or emphasis. The one helper for every data-derived string shown by
    Streamlit; `tests/app/test_no_markup_from_data.py` checks every call site."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", _AUTOLINK_TRIGGERS.sub(WORD_JOINER, text or ""))


# st.badge escapes square brackets itself (its label sits inside `:blue-badge[...]`), so a badge
# takes every other special escaped: escaping the brackets twice would show the backslashes.
_BADGE_SPECIALS = re.compile(r"([\\`*_{}()#+\-.!|<>$:~=&])")


def badge_plain(text: str | None) -> str:
    """Data text made literal for `st.badge` (whose label is Markdown too)."""
    return _BADGE_SPECIALS.sub(r"\\\1", _AUTOLINK_TRIGGERS.sub(WORD_JOINER, text or ""))


def mask_frame(mask: VendorMask, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text column masked (the frame itself when masking is off).

    Every text column, not only `vendor`: spellings, descriptions, titles and sentences name
    vendors too, and the mask only replaces whole known names."""
    return mask.frame(frame, *frame.select_dtypes(include=["object", "string"]).columns)


def masked_plain(mask: VendorMask, text: str | None) -> str:
    """Data text as a page shows it in Markdown: vendors masked (when on), then made literal."""
    return plain(mask.text(text))
