"""Vendor names: spellings of one supplier share a key; the catalogue maps them to IT's name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics import vendors
from metrics.vendors import VendorCatalogue, normalise_vendor


@pytest.mark.parametrize(
    "name",
    [
        "Salesforce.com, Inc.",
        "SALESFORCE",
        "Salesforce UK Ltd",
        "salesforce",
        "  Salesforce Inc  ",
        "www.salesforce.com",
        "https://salesforce.com/",
        "Salesforce.com Limited",
        "Salesforce Deutschland GmbH",
        "Salesforce, Inc",
    ],
)
def test_spellings_of_salesforce_share_one_key(name: str) -> None:
    assert normalise_vendor(name) == "salesforce"


@pytest.mark.parametrize(
    "name, key",
    [
        ("Société Générale S.A.", "societe generale"),  # accents; dotted legal form
        ("Straße AG", "strasse"),  # case folding
        ("The Trade Desk, Inc.", "trade desk"),  # leading "the"
        ("SAP Deutschland SE & Co. KG", "sap"),  # several legal words, then the country
        ("Smith & Co", "smith"),
        ("Marks & Spencer plc", "marks and spencer"),
        ("Marks and Spencer", "marks and spencer"),
        ("McDonald's Corp", "mcdonalds"),  # apostrophes do not split words
        ("monday.co.uk", "monday"),
        ("Amazon Web Services EMEA SARL", "amazon web services"),
        ("Google LLC", "google"),
        ("HubSpot Holdings", "hubspot"),
        ("Air France", "air france"),  # no legal form: the country word stays
        ("Bank of America", "bank of america"),
        ("Salesforce Community", "salesforce community"),  # not a domain ending
        ("Co", "co"),  # a name of legal words keeps them
        ("Inc.", "inc"),
        ("  ", ""),
        ("", ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normalisation_rules(name, key: str) -> None:
    assert normalise_vendor(name) == key


def catalogue() -> VendorCatalogue:
    return VendorCatalogue(
        pd.DataFrame(
            {
                "vendor": ["Salesforce", "Amazon Web Services", "Zoom", None],
                "aliases": ["SFDC|Salesforce.com", "AWS| Amazon.com ", np.nan, "Orphan"],
                "it_approved": [True, True, False, True],
            }
        )
    )


def test_resolve_by_name_alias_and_spelling() -> None:
    cat = catalogue()
    assert cat.resolve("Salesforce UK Ltd") == "Salesforce"
    assert cat.resolve("sfdc") == "Salesforce"
    assert cat.resolve("AWS EMEA SARL") == "Amazon Web Services"
    assert cat.resolve("amazon.com, inc.") == "Amazon Web Services"
    assert cat.resolve("ZOOM VIDEO") is None
    assert cat.resolve("Acme") is None and cat.resolve(None) is None and cat.resolve("") is None
    assert "Zoom Inc" in cat and "Acme" not in cat
    assert len(cat) == 3 and cat.vendors == ["Amazon Web Services", "Salesforce", "Zoom"]


def test_canonical_key_groups_catalogued_and_unknown_names() -> None:
    cat = catalogue()
    assert cat.canonical_key("SFDC") == cat.canonical_key("Salesforce.com, Inc.") == "salesforce"
    assert cat.canonical_key("Acme Ltd") == cat.canonical_key("ACME") == "acme"


def test_conflicting_spellings_keep_the_first_vendor() -> None:
    cat = VendorCatalogue(pd.DataFrame({"vendor": ["Oracle", "NetSuite"], "aliases": ["", "Oracle Corp"]}))
    assert cat.resolve("Oracle Corporation") == "Oracle"
    assert cat.conflicts == [("Oracle Corp", "Oracle", "NetSuite")]


def test_catalogue_without_aliases_column_or_rows() -> None:
    assert VendorCatalogue(pd.DataFrame({"vendor": ["Zoom"]})).resolve("zoom inc") == "Zoom"
    assert VendorCatalogue(None).resolve("Zoom") is None
    assert VendorCatalogue(pd.DataFrame({"name": ["Zoom"]})).resolve("Zoom") is None


def test_resolve_many_keeps_order_index_and_missing(monkeypatch) -> None:
    cat = catalogue()
    calls = []
    real = vendors.normalise_vendor
    monkeypatch.setattr(vendors, "normalise_vendor", lambda n: calls.append(n) or real(n))
    names = pd.Series(["SFDC", None, "Acme", "SFDC", "aws"] * 1000, index=range(10, 5010), dtype="str")
    resolved = cat.resolve_many(names)
    assert resolved.index.equals(names.index)
    assert resolved.iloc[:5].tolist()[0] == "Salesforce" and pd.isna(resolved.iloc[1]) and pd.isna(resolved.iloc[2])
    assert resolved.iloc[4] == "Amazon Web Services"
    assert len(calls) == 3  # once per distinct name, not per row
    assert cat.canonical_keys(["Acme Ltd", "SFDC"]).tolist() == ["acme", "salesforce"]
