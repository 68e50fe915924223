"""Vendor names: one key per supplier, however it was invoiced.

Spend lines name suppliers the way each invoice or card statement spelled them ("Salesforce.com,
Inc.", "SALESFORCE", "Salesforce UK Ltd"). Overlap and approval are measured per supplier, so every
spelling is reduced to a key by `normalise_vendor`, and `VendorCatalogue` maps keys to IT's
canonical vendor names (and their aliases).

Rules of `normalise_vendor`, applied in this order:

1. Accents are stripped and case is folded ("Société" -> "societe", "Straße" -> "strasse").
2. Web addresses lose their scheme, "www." and domain ending ("Salesforce.com" -> "salesforce",
   "monday.co.uk" -> "monday"), for the endings in `_DOMAIN_ENDINGS` only.
3. "&" reads as "and"; dots and apostrophes are dropped so abbreviations stay one word ("S.A." ->
   "sa", "McDonald's" -> "mcdonalds"); every other non-alphanumeric character separates words.
4. A leading "the" is dropped.
5. Legal-form words at the end are dropped, repeatedly ("Inc", "Ltd", "GmbH & Co. KG", "Pty Ltd",
   "Holdings"...; see `_LEGAL_SUFFIXES`).
6. Only when step 5 dropped something, one trailing country or region word left just before the
   legal form is dropped too ("Salesforce UK Ltd" -> "salesforce"; "SAP Deutschland SE" -> "sap").
   Without a legal form the word is kept ("Air France" stays "air france"). Known limitation:
   "Air France SA" becomes "air".
7. Words are joined by single spaces. A name made only of such words keeps them ("Co" -> "co"),
   so a non-blank name never has an empty key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

_DOMAIN_ENDINGS = (
    "co.uk",
    "com.au",
    "co.nz",
    "co.jp",
    "com.br",
    "com",
    "net",
    "org",
    "io",
    "co",
    "ai",
    "app",
    "dev",
    "cloud",
    "tech",
    "biz",
    "info",
    "de",
    "fr",
    "uk",
    "eu",
    "us",
    "nl",
    "es",
    "it",
    "ch",
    "se",
    "so",
    "me",
    "tv",
    "ly",
)
_DOMAIN = re.compile(
    r"(?:https?://)?(?:www\.)?([a-z0-9][a-z0-9-]*)\.(?:" + "|".join(re.escape(e) for e in _DOMAIN_ENDINGS) + r")\b/?"
)

_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "corp",
        "corporation",
        "company",
        "co",
        "holdings",
        "holding",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "se",
        "sa",
        "sas",
        "sarl",
        "sl",
        "spa",
        "srl",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "oyj",
        "aps",
        "pty",
        "pte",
        "kk",
        "ug",
    }
)
_REGIONS = frozenset(
    {
        "uk",
        "gb",
        "us",
        "usa",
        "emea",
        "apac",
        "eu",
        "europe",
        "international",
        "intl",
        "americas",
        "deutschland",
        "germany",
        "france",
        "ireland",
        "nederland",
        "netherlands",
        "espana",
        "spain",
        "italia",
        "italy",
        "canada",
        "australia",
        "india",
        "japan",
        "singapore",
        "nordics",
        "nordic",
        "benelux",
        "schweiz",
        "switzerland",
        "austria",
        "belgium",
        "sweden",
        "denmark",
        "norway",
        "finland",
        "poland",
        "brasil",
        "brazil",
        "mexico",
    }
)


def normalise_vendor(name: str | None) -> str:
    """The matching key of a supplier name (rules in the module docstring)."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _DOMAIN.sub(r"\1 ", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[.'\u2019`]", "", text)
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    if not words:
        return ""
    if words[0] == "the" and len(words) > 1:
        words = words[1:]
    core = _strip_legal_form(words)
    if len(core) < len(words) and len(core) > 1 and core[-1] in _REGIONS:
        core = _strip_legal_form(core[:-1])
    return " ".join(core or words)


def _strip_legal_form(words: list[str]) -> list[str]:
    end = len(words)
    # "and" goes too, so "Smith & Co" and "GmbH & Co. KG" lose the whole legal form.
    while end > 1 and (words[end - 1] in _LEGAL_SUFFIXES or words[end - 1] == "and"):
        end -= 1
    return words[:end]


class VendorCatalogue:
    """IT's vendor catalogue as a lookup from any spelling to the canonical vendor name.

    Built from a vendors frame (columns `vendor` and optionally `aliases`, several aliases separated
    by '|'). A name matches when its `normalise_vendor` key equals the key of a vendor or of one
    of its aliases. When two catalogue entries share a key the first one wins, and the clash is
    listed in `conflicts` as (spelling, vendor kept, vendor ignored) for review.
    """

    def __init__(self, vendors: pd.DataFrame | None = None) -> None:
        self._by_key: dict[str, str] = {}
        self.conflicts: list[tuple[str, str, str]] = []
        if vendors is None or "vendor" not in vendors:
            return
        aliases = vendors["aliases"] if "aliases" in vendors else pd.Series(index=vendors.index, dtype=object)
        for vendor, alias_cell in zip(vendors["vendor"], aliases):
            if not _is_text(vendor) or not str(vendor).strip():
                continue
            vendor = str(vendor).strip()
            self._add(vendor, vendor)
            if _is_text(alias_cell):
                for alias in str(alias_cell).split("|"):
                    self._add(alias, vendor)

    def _add(self, spelling: str, vendor: str) -> None:
        key = normalise_vendor(spelling)
        if not key:
            return
        kept = self._by_key.setdefault(key, vendor)
        if kept != vendor:
            self.conflicts.append((spelling.strip(), kept, vendor))

    def __len__(self) -> int:
        return len(set(self._by_key.values()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve(name) is not None

    @property
    def vendors(self) -> list[str]:
        return sorted(set(self._by_key.values()))

    def resolve(self, name: str | None) -> str | None:
        """The canonical catalogue name for a raw supplier name, or None if it is not catalogued."""
        return self._by_key.get(normalise_vendor(name))

    def canonical_key(self, name: str | None) -> str:
        """Grouping key: the catalogue vendor's key when catalogued, else the name's own key.

        Uncatalogued suppliers still group across spellings ("Acme Ltd" and "ACME").
        """
        vendor = self.resolve(name)
        return normalise_vendor(vendor if vendor is not None else name)

    def resolve_many(self, names: Iterable[str | None]) -> pd.Series:
        """`resolve` for a column of names; each distinct name is normalised once."""
        return self._per_unique(names, self.resolve)

    def canonical_keys(self, names: Iterable[str | None]) -> pd.Series:
        """`canonical_key` for a column of names; each distinct name is normalised once."""
        return self._per_unique(names, self.canonical_key)

    @staticmethod
    def _per_unique(names: Iterable[str | None], fn) -> pd.Series:
        series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        mapped = pd.array([fn(u) for u in uniques], dtype="str")
        return pd.Series(mapped.take(codes, allow_fill=True), index=series.index, dtype="str")


def _is_text(value: object) -> bool:
    return isinstance(value, str) or (value is not None and not (isinstance(value, float) and value != value))
