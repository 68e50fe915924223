"""Seeded sample data: Northwind Outfitters, FY2024 Q1 to FY2026 Q3.

``write_sample(out_dir)`` writes the canonical tables but fx_rates (see ``metrics.contract``) for a fictional
outdoor retailer whose fiscal year is the calendar year and whose reporting currency is USD. The data
tells the story the dashboard is built to show:

* technology spend grows from about $9.4M to $13.5M a quarter, and marketing's share of it rises from
  about 25% to about 45%, just overtaking IT in FY2026 Q3 (Joint, the jointly funded budget, is 8-10%);
* both departments pay the same vendors (Salesforce, Adobe, AWS, Snowflake, Microsoft, Atlassian) and
  buy different tools for the same job (Tableau vs Looker, Confluence vs Contentful, Microsoft vs
  Slack/Asana);
* marketing's spend with vendors IT has not approved (shadow IT) grows from about 4% to about 12%;
* marketing overspends its budget more and more, IT lands a little under;
* request turnaround improves once a joint team forms on 2025-07-01: IT's queue time drops, marketing's
  own time to complete requirements does not;
* most KPIs move toward their targets; churn and page speed miss.

It also plants data-quality defects that validation must report as warnings (never errors):
Salesforce invoiced under three other spellings, credit notes (negative amounts), a vendor missing from
the catalogue, and requests "delivered" before they were requested.

The output is byte-for-byte deterministic for a given ``seed`` and ``spend_rows``: nothing depends on
today's date, the locale, dict or set ordering or the platform, and every number is formatted explicitly.
Spend is generated and appended a month (or part of a month) at a time, about ``spend.CHUNK_ROWS`` lines at
most, so ``spend_rows=5_000_000`` runs in bounded memory. Total money does not depend on ``spend_rows``: more rows
means smaller invoice lines, so every sample size tells the same story.

Layout: `story` holds the story as constants (the knobs to change), `writer` the entry point and every
table but spend, `spend` the spend plan and spend.csv, `months` the calendar helpers they share.
Only the command line's ``sample`` command, the benchmark and the tests import this package: the
dashboard never generates data (the company name it shows lives in `metrics.settings`).
"""

from __future__ import annotations

from metrics.sample.story import COMPANY, CURRENCY
from metrics.sample.writer import DEFAULT_SEED, DEFAULT_SPEND_ROWS, write_sample

__all__ = ["COMPANY", "CURRENCY", "DEFAULT_SEED", "DEFAULT_SPEND_ROWS", "write_sample"]
