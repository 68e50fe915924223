"""Commentary is Markdown written by people: rendered safely, and read as plain text in the pack.

`safe_markdown(text)` is what a page passes to `st.markdown` (never with `unsafe_allow_html`):

- raw HTML is removed (tags, comments, and the content of script, style and similar blocks);
- images are replaced by their alt text (an image would load from any host when the page opens);
- links keep their text and lose their target unless it is http(s) (`javascript:`, `data:`,
  `file:`... are dropped); reference definitions (`[x]: url`) are removed, so a reference-style
  link or image reads as its text;
- Streamlit's own syntax is made literal: colour and badge directives (`:red[...]`,
  `:blue-background[...]`), Material icons and emoji shortcodes (`:material/x:`), and KaTeX
  (`$...$`, `$$...$$`), by escaping every `:` (outside http(s) link targets) and every `$`;
- control, escape and bidirectional-override characters are removed.

`plain_text(text)` is the same note as words for the board pack: no Markdown markers, a link as
"text (https://...)".
"""

from __future__ import annotations

import re

from metrics.exports import inert

_BLOCKS = re.compile(
    r"<(script|style|iframe|object|embed|template|noscript|textarea|svg|math)\b.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENTS = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAGS = re.compile(r"</?[A-Za-z][^<>]*>?|<![A-Za-z][^<>]*>?|<\?[^<>]*>?")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^<>\s]*)>")
# ![alt](target "title") and ![alt][ref] / ![alt]
_IMAGE = re.compile(r"!\[((?:[^\[\]\\]|\\.)*)\](?:\([^)]*\)|\[[^\]]*\])?")
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S.*$", re.MULTILINE)
_SAFE_SCHEME = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
# Every ':' outside link targets: directives (`:red[`), icons and emoji (`:material/x:`) start
# or end with one, and a backslash-escaped colon still reads as a colon.
_DIRECTIVE_COLON = re.compile(r"(?<!\\):")
_DOLLAR = re.compile(r"(?<!\\)\$")


def _safe_target(url: str) -> bool:
    return bool(_SAFE_SCHEME.match(url))


def _without_html(text: str) -> str:
    text = _COMMENTS.sub("", text)
    text = _BLOCKS.sub("", text)
    text = _AUTOLINK.sub(lambda m: m.group(1) if _safe_target(m.group(1)) else "", text)
    text = _TAGS.sub("", text)
    return text


def _links(text: str, keep) -> str:
    return _LINK.sub(lambda m: keep(m.group(1), m.group(2)) if _safe_target(m.group(2)) else m.group(1), text)


def _protect_urls(text: str) -> tuple[str, dict[str, str]]:
    """Stand-ins for link targets while directive colons are escaped (their 'https:' must stay)."""
    kept: dict[str, str] = {}

    def hold(m: re.Match) -> str:
        key = f"\x00{len(kept)}\x00"
        kept[key] = m.group(0)
        return key

    return re.sub(r"https?://[^\s)\]>]+", hold, text, flags=re.IGNORECASE), kept


def _common(text: str | None) -> str:
    text = inert(text or "", limit=None, formulas=False).replace("\r\n", "\n").replace("\r", "\n")
    text = _without_html(text)
    text = _REFERENCE.sub("", text)
    return _IMAGE.sub(lambda m: m.group(1), text)


def safe_markdown(text: str | None) -> str:
    """A note as Markdown that Streamlit renders without HTML, images, unsafe links, colours,
    icons or maths. Idempotent: sanitising twice gives the same text."""
    text = _links(_common(text), lambda label, url: f"[{label}]({url})")
    text, kept = _protect_urls(text)
    text = _DIRECTIVE_COLON.sub(r"\\:", text)
    text = _DOLLAR.sub(r"\\$", text)
    # Any '<' left (not a tag: '3 < 4') stays literal text.
    text = re.sub(r"(?<!\\)<", r"\\<", text)
    for key, url in kept.items():
        text = text.replace(key, url)
    return text.strip()


_EMPHASIS = re.compile(r"(\*\*|__|~~|`+)")
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6}[ \t]+|>[ \t]?)", re.MULTILINE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>$:~=&])")


def plain_text(text: str | None) -> str:
    """A note as plain words (the board pack): no HTML, images as their alt text, a safe link as
    'text (url)', an unsafe one as its text, Markdown markers removed."""
    text = _links(_common(text), lambda label, url: label if label == url else f"{label} ({url})")
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def short(text: str | None, limit: int = 160) -> str:
    """The first paragraph of a note as plain words, cut at a word with '…' past `limit`."""
    words = plain_text(text).split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(words) <= limit:
        return words
    cut = words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"
