"""Vendor names masked as "Vendor A", "Vendor B"... for a pack or a screen shown outside the
company (``--mask-vendors``, the app's switch, ``?mask=1``).

One letter per supplier, however it is spelled: every spelling as invoiced, the catalogue's name
and aliases, and the normalised key all map to the same letter, so "Salesforce.com, Inc.",
"SALESFORCE" and "Salesforce" are one vendor in a masked pack. Letters follow all-time spend,
largest first (then the key), so they say nothing about the names and are the same in every pack
made from the same data. Free text (sentences, titles, table cells) is masked too: any known
name standing as a whole word is replaced, longest names first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import overload

import pandas as pd
from sqlalchemy.engine import Engine

from metrics import db, spend
from metrics.vendors import normalise_vendor

PREFIX = "Vendor"
# Phrases that contain a vendor's name but are not about the vendor ("Largest Contentful Paint" is
# a web metric, not Contentful the CMS). Kept as they are when masking.
PROTECTED_PHRASES = ("Largest Contentful Paint",)


def letters(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', 27 -> 'AB' (spreadsheet columns)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


class VendorMask:
    """Replaces vendor names; `VendorMask()` with no names is the identity (masking off)."""

    def __init__(self, names_by_key: dict[str, Iterable[str]] | None = None, order: Iterable[str] = ()):
        """`names_by_key`: every known spelling of each supplier, by its key; `order`: the keys,
        first letter first (keys not listed follow in key order)."""
        names_by_key = names_by_key or {}
        ranked = list(dict.fromkeys([k for k in order if k in names_by_key] + sorted(names_by_key)))
        self._label = {key: f"{PREFIX} {letters(i)}" for i, key in enumerate(ranked)}
        self._key_of: dict[str, str] = {}
        for key in ranked:
            for name in (key, *names_by_key[key]):
                text = str(name).strip()
                if len(text) >= 2:
                    self._key_of.setdefault(text.casefold(), key)
        alternatives = sorted(self._key_of, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<![0-9A-Za-z])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![0-9A-Za-z])", re.IGNORECASE
            )
            if alternatives
            else None
        )

    @property
    def enabled(self) -> bool:
        return self._pattern is not None

    @property
    def labels(self) -> dict[str, str]:
        """Supplier key -> 'Vendor X'."""
        return dict(self._label)

    @overload
    def text(self, value: str) -> str: ...
    @overload
    def text(self, value: None) -> None: ...
    def text(self, value: str | None) -> str | None:
        """`value` with every known vendor name replaced by its label."""
        if value is None or self._pattern is None:
            return value
        text = str(value)
        kept = {}
        for i, phrase in enumerate(PROTECTED_PHRASES):
            if phrase in text:
                kept[f"\x00{i}\x00"] = phrase
                text = text.replace(phrase, f"\x00{i}\x00")
        text = self._pattern.sub(lambda m: self._label[self._key_of[m.group(0).casefold()]], text)
        for token, phrase in kept.items():
            text = text.replace(token, phrase)
        return text

    def frame(self, frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        """A copy of `frame` with the text of `columns` masked."""
        if self._pattern is None or frame.empty:
            return frame
        out = frame.copy()
        for column in columns:
            if column in out:
                out[column] = [self.text(v) if isinstance(v, str) else v for v in out[column]]
        return out


NO_MASK = VendorMask()


def vendor_mask(names: pd.DataFrame, catalogue: pd.DataFrame | None) -> VendorMask:
    """The mask of a ledger: `names` is `spend.spend_by_vendor_name` (vendor as invoiced,
    spend, lines), `catalogue` the vendors table (vendor, aliases) or None."""
    directory = spend.vendor_directory(names, catalogue)
    spellings: dict[str, set[str]] = {}
    for spelling, key, name in zip(directory["vendor"], directory["vendor_key"], directory["vendor_name"]):
        spellings.setdefault(key, set()).update((spelling, name))
    if catalogue is not None and not catalogue.empty:
        aliases = catalogue["aliases"] if "aliases" in catalogue else pd.Series([None] * len(catalogue))
        for vendor, cell in zip(catalogue["vendor"], aliases):
            if not isinstance(vendor, str) or not vendor.strip():
                continue
            key = normalise_vendor(vendor)
            spellings.setdefault(key, set()).add(vendor)
            if isinstance(cell, str):
                spellings[key].update(a for a in cell.split("|") if a.strip())
    spend_by_key = (
        names.assign(key=list(directory["vendor_key"])).groupby("key")["spend"].sum()
        if not names.empty
        else pd.Series(dtype=float)
    )
    order = sorted(spend_by_key.index, key=lambda k: (-float(spend_by_key[k]), k))
    return VendorMask({k: sorted(v) for k, v in spellings.items()}, order)


def load_vendor_mask(engine: Engine) -> VendorMask:
    return vendor_mask(spend.spend_by_vendor_name(engine), db.read_small_table(engine, "vendors"))
