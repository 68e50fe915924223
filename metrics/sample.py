"""Seeded sample data: Northwind Outfitters, FY2024 Q1 to FY2026 Q3.

``write_sample(out_dir)`` writes the seven canonical tables (see ``metrics.contract``) for a fictional
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
Spend is generated and appended a month (or part of a month) at a time, about ``CHUNK_ROWS`` lines at
most, so ``spend_rows=5_000_000`` runs in bounded memory. Total money does not depend on ``spend_rows``: more rows
means smaller invoice lines, so every sample size tells the same story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.contract import TABLES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import SAMPLE_COMPANY

DEFAULT_SEED = 20261123
DEFAULT_SPEND_ROWS = 20000  # the committed sample; keeps sample_data/ well under 3 MB
CHUNK_ROWS = 200_000  # most spend rows held in memory at once

# ----------------------------------------------------------------------------------------------------
# The story
# ----------------------------------------------------------------------------------------------------

COMPANY = SAMPLE_COMPANY
CURRENCY = "USD"
CALENDAR = FiscalCalendar(start_month=1)  # fiscal year = calendar year
FIRST_YEAR = 2024
PLAN_MONTHS = 36  # Jan 2024 .. Dec 2026: budgets and targets run to FY2026 Q4
ACTUAL_MONTHS = 33  # Jan 2024 .. Sep 2026: spend, KPI actuals and requests stop at FY2026 Q3
LAST_DAY = date(2026, 9, 30)  # the data's "today"
JOINT_TEAM_FROM = np.datetime64("2025-07-01T00:00")  # marketing and IT form one delivery team

# Total technology spend: about $9.4M in FY2024 Q1, growing ~3.7% a quarter to ~$13.5M in FY2026 Q3.
FIRST_QUARTER_TOTAL = 9_400_000.0
QUARTERLY_GROWTH = 1.037
# Shares move linearly from the centre of FY2024 Q1 to the centre of FY2026 Q3 (and carry on into Q4).
MARKETING_SHARE = (0.25, 0.455)  # just above IT (~44.7%) in FY2026 Q3, never before
JOINT_SHARE = (0.08, 0.098)
SHADOW_SHARE = (0.04, 0.12)  # of marketing's spend, with vendors IT has not approved

# Budgets: IT plans a little above what it spends; marketing's budget lags its growth more and more.
IT_BUDGET_HEADROOM = 1.035
MARKETING_OVERSPEND = (1.01, 0.006)  # actual / budget = 1.01 + 0.006 * quarter index
UNBUDGETED = (FiscalQuarter(2024, 1), "Marketing", "Data platform")  # marketing's Snowflake, unplanned

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Spend pools: who pays. "Shadow" is marketing money spent with vendors IT has not approved (or that are
# not in its catalogue); it is kept apart so its share of marketing spend follows SHADOW_SHARE.
POOLS = ("IT", "Joint", "Marketing", "Shadow")
POOL_DEPARTMENT = {"IT": "IT", "Joint": "Joint", "Marketing": "Marketing", "Shadow": "Marketing"}
DEPARTMENTS = ("Marketing", "IT", "Joint")

# Cost centres keep their leading zeros; GL accounts distinguish what was bought.
CC = {"infra": "00210", "apps": "00220", "security": "00230", "data": "00240",
      "mops": "00410", "digital": "00420", "brand": "00430", "cx": "00500"}
GL_SAAS, GL_CLOUD, GL_SERVICES, GL_ADTECH, GL_CAPEX_SOFTWARE, GL_CAPEX_HARDWARE = (
    "6410", "6420", "6430", "6450", "1720", "1710")


@dataclass(frozen=True)
class Stream:
    """One recurring way money goes to a vendor (a subscription, a cloud account, usage lines...).

    billing:
      "subscription": one invoice a month on the first working day, fixed for the calendar year
                      (rounded to $100), sized at ``weight`` of its pool's spend that year;
      "cloud":        one bill a quarter, dated the quarter's last day, ``weight`` of the pool's
                      spend that quarter with +-15% swings (usage is lumpy);
      "usage":        the many variable lines (add-ons, consumption, services, card payments). Usage
                      streams share what is left of the pool after subscriptions and cloud bills, in
                      proportion to ``weight``; ``line_size`` is the relative size of a typical line,
                      ``rounding`` the granularity of amounts and ``spread`` their log-normal sigma.
    """

    pool: str
    vendor: str
    category: str
    billing: str
    weight: float
    investment: str
    cost_center: str
    gl: str
    descriptions: tuple[str, ...]
    expense: str = "OpEx"
    line_size: float = 1.0
    rounding: float = 0.01
    spread: float = 0.7
    start: str = "2024-01"
    end: str = "2026-12"

    @property
    def department(self) -> str:
        return POOL_DEPARTMENT[self.pool]


_S = Stream
# Descriptions may use {month} ("Mar 2024") and {quarter} ("FY2024 Q1"). ASCII only, so the CSV reads
# the same in any spreadsheet.
STREAMS: tuple[Stream, ...] = (
    # --- IT: infrastructure, security, ERP, data platform, collaboration, analytics, CRM -------------
    _S("IT", "Amazon Web Services", "Cloud infrastructure", "cloud", 0.17, "Run", CC["infra"], GL_CLOUD,
       ("AWS consolidated bill - production accounts, {quarter}",)),
    _S("IT", "Microsoft", "Cloud infrastructure", "cloud", 0.06, "Run", CC["infra"], GL_CLOUD,
       ("Azure consumption, {quarter}",)),
    # The data centre is vacated at the end of 2025 (the cloud migration).
    _S("IT", "Equinix", "Cloud infrastructure", "subscription", 0.03, "Run", CC["infra"], GL_CLOUD,
       ("Colocation, 2 cages, {month}",), end="2025-12"),
    _S("IT", "Datadog", "Cloud infrastructure", "subscription", 0.025, "Run", CC["infra"], GL_SAAS,
       ("Infrastructure & APM monitoring, {month}",)),
    _S("IT", "Microsoft", "Collaboration", "subscription", 0.09, "Run", CC["apps"], GL_SAAS,
       ("Microsoft 365 E5 licences, {month}",)),
    _S("IT", "Atlassian", "Collaboration", "subscription", 0.021, "Run", CC["apps"], GL_SAAS,
       ("Jira Software Cloud Premium, {month}",)),
    _S("IT", "Atlassian", "Content management", "subscription", 0.012, "Run", CC["apps"], GL_SAAS,
       ("Confluence Cloud Premium, {month}",)),
    _S("IT", "Adobe", "Collaboration", "subscription", 0.008, "Run", CC["apps"], GL_SAAS,
       ("Acrobat Pro & Acrobat Sign enterprise licences, {month}",)),
    _S("IT", "CrowdStrike", "Security", "subscription", 0.032, "Run", CC["security"], GL_SAAS,
       ("Falcon endpoint protection, {month}",)),
    _S("IT", "Okta", "Security", "subscription", 0.018, "Run", CC["security"], GL_SAAS,
       ("Workforce Identity Cloud, {month}",)),
    _S("IT", "SAP", "ERP", "subscription", 0.07, "Run", CC["apps"], GL_SAAS,
       ("S/4HANA Cloud subscription, {month}",)),
    _S("IT", "Workday", "ERP", "subscription", 0.035, "Run", CC["apps"], GL_SAAS,
       ("HCM & Financials subscription, {month}",)),
    _S("IT", "Tableau", "Analytics", "subscription", 0.023, "Run", CC["data"], GL_SAAS,
       ("Tableau Cloud Creator & Viewer licences, {month}",)),
    _S("IT", "Salesforce", "CRM", "subscription", 0.045, "Run", CC["apps"], GL_SAAS,
       ("Service Cloud Enterprise licences, {month}",)),
    _S("IT", "Amazon Web Services", "Cloud infrastructure", "usage", 0.06, "Run", CC["infra"], GL_CLOUD,
       ("AWS Enterprise Support, {month}", "AWS Marketplace subscription", "Reserved instances purchase"),
       line_size=3.0),
    _S("IT", "Snowflake", "Data platform", "usage", 0.09, "Grow", CC["data"], GL_CLOUD,
       ("Snowflake compute credits, {month}", "Snowflake storage, {month}"), line_size=1.5),
    _S("IT", "Databricks", "Data platform", "usage", 0.05, "Grow", CC["data"], GL_CLOUD,
       ("Databricks DBU consumption, {month}",), line_size=1.5, start="2025-01"),
    _S("IT", "SAP", "ERP", "usage", 0.09, "Transform", CC["apps"], GL_CAPEX_SOFTWARE,
       ("S/4HANA migration - implementation services", "Finance data migration sprint",
        "Order-to-cash integration build"), expense="CapEx", line_size=8.0, rounding=250.0, spread=0.5,
       start="2024-04", end="2026-06"),
    _S("IT", "Palo Alto Networks", "Security", "usage", 0.05, "Run", CC["security"], GL_CAPEX_HARDWARE,
       ("Next-generation firewall appliances", "Firewall hardware refresh - stores",
        "Prisma Access capacity"), expense="CapEx", line_size=5.0, rounding=100.0, spread=0.6),
    _S("IT", "CrowdStrike", "Security", "usage", 0.02, "Run", CC["security"], GL_SERVICES,
       ("Incident response retainer hours", "Falcon OverWatch add-on"), line_size=3.0, rounding=250.0),
    _S("IT", "Salesforce", "CRM", "usage", 0.03, "Grow", CC["apps"], GL_SAAS,
       ("Service Cloud additional licences", "Salesforce Shield add-on", "Premier Success plan"),
       line_size=2.0, rounding=10.0),
    _S("IT", "Microsoft", "Collaboration", "usage", 0.03, "Run", CC["apps"], GL_SAAS,
       ("Microsoft 365 additional seats", "Teams Phone add-on licences", "Power Platform capacity add-on"),
       rounding=10.0),
    _S("IT", "Atlassian", "Collaboration", "usage", 0.01, "Run", CC["apps"], GL_SAAS,
       ("Atlassian Marketplace apps", "Additional Jira seats"), line_size=0.5, rounding=10.0),
    _S("IT", "Tableau", "Analytics", "usage", 0.008, "Run", CC["data"], GL_SAAS,
       ("Additional Tableau Viewer licences", "Tableau Pulse add-on"), line_size=0.5, rounding=10.0),
    # --- Marketing: martech, adtech, content, analytics, CRM and its own cloud ---------------------
    _S("Marketing", "Salesforce", "CRM", "subscription", 0.10, "Grow", CC["mops"], GL_SAAS,
       ("Marketing Cloud & Sales Cloud licences, {month}",)),
    _S("Marketing", "HubSpot", "Marketing automation", "subscription", 0.05, "Run", CC["mops"], GL_SAAS,
       ("Marketing Hub Enterprise, {month}",)),
    _S("Marketing", "Adobe", "Content management", "subscription", 0.07, "Run", CC["digital"], GL_SAAS,
       ("Adobe Experience Manager Sites, {month}",)),
    _S("Marketing", "Adobe", "Analytics", "subscription", 0.03, "Run", CC["digital"], GL_SAAS,
       ("Adobe Analytics Prime, {month}",)),
    _S("Marketing", "Contentful", "Content management", "subscription", 0.025, "Grow", CC["digital"], GL_SAAS,
       ("Contentful Premium, {month}",), start="2024-04"),
    _S("Marketing", "Looker", "Analytics", "subscription", 0.02, "Grow", CC["mops"], GL_SAAS,
       ("Looker platform licences, {month}",)),
    _S("Marketing", "Slack", "Collaboration", "subscription", 0.012, "Run", CC["mops"], GL_SAAS,
       ("Slack Business+, {month}",)),
    _S("Marketing", "Asana", "Collaboration", "subscription", 0.008, "Run", CC["mops"], GL_SAAS,
       ("Asana Enterprise, {month}",)),
    _S("Marketing", "Atlassian", "Collaboration", "subscription", 0.005, "Run", CC["mops"], GL_SAAS,
       ("Jira Work Management, {month}",)),
    _S("Marketing", "Microsoft", "Analytics", "subscription", 0.004, "Run", CC["mops"], GL_SAAS,
       ("Power BI Pro licences, {month}",)),
    # Marketing runs its own AWS account for the web shop's campaign microsites.
    _S("Marketing", "Amazon Web Services", "Cloud infrastructure", "cloud", 0.07, "Grow", CC["digital"],
       GL_CLOUD, ("AWS bill - marketing web & campaign account, {quarter}",)),
    _S("Marketing", "Google", "Advertising technology", "usage", 0.14, "Grow", CC["digital"], GL_ADTECH,
       ("Display & Video 360 platform fees, {month}", "Campaign Manager 360 ad serving, {month}",
        "Search Ads 360 platform fees, {month}"), line_size=3.0),
    _S("Marketing", "The Trade Desk", "Advertising technology", "usage", 0.10, "Grow", CC["digital"],
       GL_ADTECH, ("Platform fees, {month}", "Data marketplace fees, {month}"), line_size=3.0),
    _S("Marketing", "Braze", "Marketing automation", "usage", 0.06, "Grow", CC["mops"], GL_SAAS,
       ("Messaging volume, {month}", "Braze Canvas add-on"), line_size=1.5, start="2024-10"),
    _S("Marketing", "Snowflake", "Data platform", "usage", 0.06, "Grow", CC["mops"], GL_CLOUD,
       ("Snowflake credits - marketing account, {month}",), line_size=1.5),
    _S("Marketing", "Salesforce", "CRM", "usage", 0.05, "Grow", CC["mops"], GL_SAAS,
       ("Marketing Cloud extra contacts", "Sales Cloud additional licences", "Salesforce professional services"),
       line_size=2.0, rounding=10.0),
    _S("Marketing", "Adobe", "Content management", "usage", 0.03, "Run", CC["brand"], GL_SAAS,
       ("Adobe Stock credits", "Creative Cloud for teams seats", "AEM Assets add-on"), rounding=10.0),
    _S("Marketing", "Optimizely", "Content management", "usage", 0.04, "Grow", CC["digital"], GL_SAAS,
       ("Web Experimentation impressions block", "Feature Experimentation"), line_size=2.0, rounding=50.0,
       start="2024-07"),
    _S("Marketing", "HubSpot", "Marketing automation", "usage", 0.02, "Run", CC["mops"], GL_SAAS,
       ("Additional marketing contacts", "Operations Hub add-on"), rounding=10.0),
    # --- Shadow IT: marketing buys from vendors IT has not approved (or never heard of) -------------
    _S("Shadow", "Hypergrowth Analytics Ltd", "Analytics", "usage", 0.55, "Grow", CC["brand"], GL_SERVICES,
       ("Audience insights retainer, {month}", "Attribution model build", "Customer segmentation sprint"),
       line_size=6.0, rounding=250.0, spread=0.5, start="2025-01"),
    _S("Shadow", "Canva", "Content management", "usage", 0.10, "Run", CC["brand"], GL_SAAS,
       ("Canva Teams seats", "Canva Pro seats"), line_size=0.2),
    _S("Shadow", "Semrush", "Advertising technology", "usage", 0.09, "Run", CC["digital"], GL_SAAS,
       ("Semrush Guru plan", "Semrush additional users"), line_size=0.3),
    _S("Shadow", "Hotjar", "Analytics", "usage", 0.07, "Run", CC["digital"], GL_SAAS,
       ("Hotjar Business plan", "Hotjar Surveys add-on"), line_size=0.2),
    _S("Shadow", "Airtable", "Collaboration", "usage", 0.08, "Run", CC["mops"], GL_SAAS,
       ("Airtable Team seats", "Airtable Business seats"), line_size=0.2),
    _S("Shadow", "Zapier", "Data platform", "usage", 0.06, "Run", CC["mops"], GL_SAAS,
       ("Zapier Team plan", "Zapier task top-up"), line_size=0.2),
    _S("Shadow", "Jasper", "Content management", "usage", 0.12, "Grow", CC["brand"], GL_SAAS,
       ("Jasper Business seats", "Jasper API usage"), line_size=0.4, start="2025-04"),
    _S("Shadow", "Clay", "Data platform", "usage", 0.10, "Grow", CC["mops"], GL_SAAS,
       ("Clay enrichment credits", "Clay Pro plan"), line_size=0.4, start="2025-07"),
    # --- Joint: the customer-experience programme both sides fund -----------------------------------
    _S("Joint", "Twilio", "Data platform", "subscription", 0.22, "Grow", CC["cx"], GL_SAAS,
       ("Segment Business (customer data platform), {month}",)),
    _S("Joint", "Qualtrics", "Analytics", "subscription", 0.12, "Run", CC["cx"], GL_SAAS,
       ("CustomerXM licence, {month}",)),
    _S("Joint", "Cloudflare", "Security", "subscription", 0.10, "Run", CC["cx"], GL_SAAS,
       ("Enterprise plan - WAF & CDN, {month}",)),
    _S("Joint", "Accenture", "CRM", "usage", 0.45, "Transform", CC["cx"], GL_CAPEX_SOFTWARE,
       ("CRM consolidation programme - professional services", "CRM consolidation - data migration",
        "CRM consolidation - integration testing"), expense="CapEx", line_size=10.0, rounding=250.0,
       spread=0.5),
    _S("Joint", "Twilio", "Data platform", "usage", 0.06, "Grow", CC["cx"], GL_SAAS,
       ("Segment MTU overage, {month}",)),
    _S("Joint", "Salesforce", "CRM", "usage", 0.10, "Transform", CC["cx"], GL_SAAS,
       ("Data Cloud credits, {month}",), start="2025-07"),
)

# Planted spend lines: Salesforce invoiced under other spellings (vendor-name variants) and credit
# notes. (date, pool, vendor as invoiced, catalogue vendor, category, amount, description)
PLANTED_SPEND: tuple[tuple[str, str, str, str, str, float, str], ...] = (
    ("2024-02-12", "IT", "Salesforce.com, Inc.", "Salesforce", "CRM", 14_850.00, "Service Cloud sandbox licences"),
    ("2024-05-20", "IT", "Salesforce.com, Inc.", "Salesforce", "CRM", 9_600.00, "Shield platform encryption"),
    ("2024-09-03", "Marketing", "SALESFORCE", "Salesforce", "CRM", 7_200.00, "Marketing Cloud extra contacts"),
    ("2025-03-17", "Marketing", "SALESFORCE", "Salesforce", "CRM", 12_000.00, "Sales Cloud additional licences"),
    ("2025-06-09", "Marketing", "Salesforce UK Ltd", "Salesforce", "CRM", 18_250.00,
     "Marketing Cloud - UK business unit"),
    ("2026-02-02", "Marketing", "Salesforce UK Ltd", "Salesforce", "CRM", 18_250.00,
     "Marketing Cloud - UK business unit"),
    ("2024-04-30", "IT", "Amazon Web Services", "Amazon Web Services", "Cloud infrastructure", -25_000.00,
     "Credit note - commitment credit"),
    ("2024-08-14", "Marketing", "Adobe", "Adobe", "Content management", -8_400.00,
     "Credit note - unused AEM licences"),
    ("2024-11-05", "Marketing", "Salesforce", "Salesforce", "CRM", -6_150.00, "Credit note - duplicate invoice"),
    ("2025-01-22", "IT", "Microsoft", "Microsoft", "Collaboration", -11_280.00,
     "Credit note - Microsoft 365 licence true-down"),
    ("2025-04-09", "Marketing", "Google", "Google", "Advertising technology", -3_912.55,
     "Credit note - billing adjustment"),
    ("2025-09-18", "IT", "Snowflake", "Snowflake", "Data platform", -15_000.00, "Credit note - capacity rollover"),
    ("2026-01-13", "IT", "Atlassian", "Atlassian", "Collaboration", -2_340.00, "Credit note - seat reduction"),
    ("2026-05-27", "Marketing", "The Trade Desk", "The Trade Desk", "Advertising technology", -4_718.20,
     "Credit note - invalid traffic refund"),
)
UNMAPPED_INVESTMENT_SHARE = 0.03  # lines nobody tagged Run/Grow/Transform

# IT's vendor catalogue: (vendor, it_approved, aliases, category, contract_end, owner).
# "Hypergrowth Analytics Ltd" is deliberately missing.
VENDORS: tuple[tuple[str, bool, str, str, str, str], ...] = (
    ("Salesforce", True, "SFDC|Salesforce.com", "CRM", "2027-01-31", "IT procurement"),
    ("Adobe", True, "Adobe Inc.|Adobe Systems", "Content management", "2026-11-30", "Marketing operations"),
    ("Amazon Web Services", True, "AWS|Amazon Web Services EMEA SARL", "Cloud infrastructure", "2027-12-31",
     "Cloud platform team"),
    ("Microsoft", True, "Microsoft Corporation|MSFT", "Collaboration", "2027-06-30", "IT procurement"),
    ("Snowflake", True, "Snowflake Inc.", "Data platform", "2026-10-31", "Data platform team"),
    ("Atlassian", True, "Atlassian Pty Ltd", "Collaboration", "2027-03-31", "IT procurement"),
    ("Tableau", True, "Tableau Software", "Analytics", "2026-12-31", "Data platform team"),
    ("Looker", True, "Google Looker", "Analytics", "2027-02-28", "Marketing operations"),
    ("Contentful", True, "Contentful GmbH", "Content management", "2027-03-31", "Digital marketing"),
    ("Slack", True, "Slack Technologies", "Collaboration", "2026-12-31", "Marketing operations"),
    ("Asana", True, "", "Collaboration", "2026-11-30", "Marketing operations"),
    ("HubSpot", True, "HubSpot Inc.", "Marketing automation", "2027-01-31", "Marketing operations"),
    ("Braze", True, "", "Marketing automation", "2027-09-30", "Marketing operations"),
    ("Optimizely", True, "", "Content management", "2027-06-30", "Digital marketing"),
    ("Google", True, "Google LLC|Google Ireland Ltd", "Advertising technology", "2027-12-31", "Digital marketing"),
    ("The Trade Desk", True, "TTD", "Advertising technology", "2027-03-31", "Digital marketing"),
    ("SAP", True, "SAP SE|SAP America", "ERP", "2029-12-31", "Finance systems"),
    ("Workday", True, "", "ERP", "2028-06-30", "Finance systems"),
    ("CrowdStrike", True, "", "Security", "2027-04-30", "Security"),
    ("Okta", True, "", "Security", "2026-12-31", "Security"),
    ("Palo Alto Networks", True, "PANW", "Security", "2028-01-31", "Security"),
    ("Datadog", True, "", "Cloud infrastructure", "2027-05-31", "Cloud platform team"),
    ("Equinix", True, "", "Cloud infrastructure", "2025-12-31", "Cloud platform team"),
    ("Databricks", True, "", "Data platform", "2027-12-31", "Data platform team"),
    ("Cloudflare", True, "", "Security", "2027-08-31", "Cloud platform team"),
    ("Twilio", True, "Segment|Twilio Segment", "Data platform", "2027-06-30", "Data platform team"),
    ("Qualtrics", True, "", "Analytics", "2027-01-31", "Customer experience office"),
    ("Accenture", True, "Accenture LLP", "CRM", "2026-12-31", "IT procurement"),
    # Reviewed by IT and not approved (security or data-protection concerns); bought on cards anyway.
    ("Canva", False, "", "Content management", "", "Unassigned"),
    ("Semrush", False, "", "Advertising technology", "", "Unassigned"),
    ("Hotjar", False, "", "Analytics", "", "Unassigned"),
    ("Airtable", False, "", "Collaboration", "", "Unassigned"),
    ("Zapier", False, "", "Data platform", "", "Unassigned"),
    ("Jasper", False, "", "Content management", "", "Unassigned"),
    ("Clay", False, "", "Data platform", "", "Unassigned"),
)


@dataclass(frozen=True)
class KpiSpec:
    """A KPI's glossary entry plus how its sample values behave.

    Targets are given for FY2024 Q1 .. FY2026 Q4 (12 quarters). Simulated KPIs follow the targets,
    offset by ``offset`` (in the KPI's unit) moving linearly from the first to the last actual quarter:
    an offset on the wrong side of the target is a miss.
    """

    kpi: str
    name: str
    unit: str
    direction: str
    owner: str
    definition: str
    formula: str
    source: str
    aggregation: str
    targets: tuple[float, ...]
    at_risk: float | None
    decimals: int
    offset: tuple[float, float] = (0.0, 0.0)
    noise: float = 0.0


KPI_SPECS: tuple[KpiSpec, ...] = (
    KpiSpec("nps", "Net Promoter Score", "points", "higher", "Joint",
            "Share of customers who would recommend us (score 9-10) minus the share who would not (0-6), "
            "from the survey sent after each purchase.",
            "% promoters - % detractors", "Qualtrics post-purchase survey", "mean",
            (30, 31, 32, 33, 35, 36, 37, 38, 40, 41, 42, 43), 3.0, 1, (-4.0, 1.5), 1.2),
    KpiSpec("csat", "Customer satisfaction", "%", "higher", "CMO",
            "Share of customers answering 4 or 5 out of 5 when asked how satisfied they were with their "
            "order or support contact. Reported per channel (online and stores).",
            "satisfied answers / all answers x 100", "Qualtrics CSAT survey", "mean",
            (80, 80, 81, 81, 82, 82, 83, 84, 84, 85, 85, 86), 2.0, 1, (-3.0, 0.5), 0.7),
    KpiSpec("churn", "Loyalty member churn", "% per month", "lower", "CMO",
            "Share of paying loyalty-club members at the start of the month who cancelled during the month.",
            "members who cancelled / members at start of month x 100", "Salesforce (loyalty club)", "mean",
            (2.4, 2.35, 2.3, 2.25, 2.2, 2.15, 2.1, 2.05, 2.0, 1.95, 1.9, 1.8), 0.2, 2, (0.45, 0.35), 0.07),
    KpiSpec("conversion", "Website conversion rate", "%", "higher", "CMO",
            "Share of website visits that end in an order.",
            "orders / sessions x 100", "Google Analytics 4", "mean",
            (2.2, 2.25, 2.3, 2.35, 2.4, 2.45, 2.5, 2.6, 2.65, 2.7, 2.8, 2.9), 0.2, 2, (-0.3, 0.05), 0.05),
    KpiSpec("page_speed", "Page load time (LCP, p75)", "seconds", "lower", "CIO",
            "Time until the main content of a page is visible, for the slowest quarter of visits "
            "(75th percentile of Largest Contentful Paint), measured every week.",
            "75th percentile of LCP over all page views in the week", "Datadog real-user monitoring", "mean",
            (3.2, 3.1, 3.0, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4, 2.3, 2.2, 2.1), 0.3, 2, (0.55, 0.55), 0.12),
    KpiSpec("uptime", "Online store availability", "%", "higher", "CIO",
            "Share of minutes in the month in which the online store served customers normally. A quarter "
            "counts its worst month.",
            "available minutes / all minutes x 100", "Datadog synthetic checks", "min",
            (99.9,) * 4 + (99.93,) * 4 + (99.95,) * 4, 0.05, 3),
    KpiSpec("request_cycle_time", "Request cycle time", "days", "lower", "Joint",
            "Median number of days from marketing raising a request with IT until it is delivered, over the "
            "requests delivered in the month.",
            "median(delivered_at - requested_at)", "Jira (MKT project)", "mean",
            (20, 20, 19, 19, 18, 18, 16, 16, 16, 16, 16, 15), 3.0, 1),
    KpiSpec("spend_variance", "Technology spend vs budget", "% over budget", "lower", "Joint",
            "How far technology spend so far in the quarter is above (positive) or below (negative) the "
            "budget for the same months, for Marketing, IT and Joint together.",
            "(actual to date / budget to date - 1) x 100", "Finance ledger and budget", "last",
            (0.0,) * 12, 2.0, 1),
    KpiSpec("lead_response_time", "Lead response time", "hours", "lower", "CMO",
            "Median hours from a lead arriving from the website to the first contact by sales or service.",
            "median(first contact - lead created)", "Salesforce", "mean",
            (24, 22, 20, 18, 16, 14, 12, 10, 8, 7, 6, 5), 2.0, 1, (10.0, -1.0), 0.6),
    KpiSpec("customer_incidents", "Customer-facing incidents", "incidents", "lower", "CIO",
            "Number of incidents customers noticed (checkout, website, app or email down or broken).",
            "count of P1 and P2 incidents with customer impact", "IT incident log", "sum",
            (24, 22, 21, 20, 18, 16, 15, 14, 12, 11, 10, 9), None, 0),
)
# FY2026 Q4 targets not yet agreed by one side, and notes explaining targets.
AWAITING_CMO = ("conversion", "lead_response_time")
AWAITING_CIO = ("page_speed",)
# In the latest reported quarter one re-set target still waits for the CMO, so the review sees it.
AWAITING_CMO_LATEST = ("churn",)
TARGET_NOTES = {
    ("uptime", 2025, 1): "Raised after the August 2024 checkout outage",
    ("request_cycle_time", 2025, 3): "Joint delivery team from 1 July 2025",
    ("nps", 2026, 1): "Stretch after the CRM consolidation",
    ("churn", 2025, 1): "Loyalty relaunch expected to lower churn",
    ("page_speed", 2025, 1): "Assumes the image CDN is live by March",
    ("spend_variance", 2024, 1): "Land on budget; under budget counts as met",
    ("conversion", 2026, 4): "Awaiting CMO sign-off: depends on the holiday campaign plan",
    ("lead_response_time", 2026, 4): "Awaiting CMO sign-off: sales staffing for peak not settled",
    ("page_speed", 2026, 4): "CIO asked to revisit: storefront re-platforming moved to FY2027",
    ("churn", 2026, 3): "Re-set after the pricing change; awaiting CMO sign-off",
}
UPTIME_BASE = (99.93, 99.985)  # typical month, first to last quarter
UPTIME_OUTAGES = {7: 99.62, 13: 99.81, 22: 99.88}  # month index -> worst months (Aug 2024 checkout outage)
INCIDENTS_PER_MONTH = (9.0, 2.5)

# Requests from marketing to IT.
REQUESTS_PER_MONTH = (20.0, 27.0)
PRIORITIES = ("Critical", "High", "Medium", "Low")
PRIORITY_P = (0.05, 0.25, 0.50, 0.20)
REQUEST_TYPES = ("Campaign", "Data", "Integration", "Website", "Reporting", "Access")
REQUEST_TYPE_P = (0.25, 0.18, 0.14, 0.18, 0.15, 0.10)
TEAMS = ("Demand generation", "Brand", "Digital", "Marketing operations", "Product marketing",
         "Customer marketing", "E-commerce", "Events")
MARKETING_WAIT_DAYS = 3.5  # median requested -> ready; the same before and after the joint team
IT_QUEUE_DAYS = (10.0, 2.0)  # median ready -> started, before / after the joint team
QUEUE_PRIORITY = {"Critical": 0.15, "High": 0.5, "Medium": 1.0, "Low": 1.6}
DELIVERY_DAYS = {"Campaign": 6.0, "Data": 9.0, "Integration": 15.0, "Website": 8.0, "Reporting": 5.0, "Access": 1.0}
DELIVERY_PRIORITY = {"Critical": 0.5, "High": 0.8, "Medium": 1.0, "Low": 1.1}
SLA_DAYS = {"Critical": 3, "High": 10, "Medium": 20, "Low": 40}
SLA_SET_SHARE = 0.2  # most rows leave sla_days empty: defaults by priority apply
N_MISSING_READY, N_MISSING_STARTED = 8, 6  # "unknown stage" rows
N_DELIVERED_BEFORE_REQUESTED = 5  # planted defect
N_STALE_TODO, N_STUCK_IN_PROGRESS = 10, 5  # old open requests for the backlog-ageing view
CAMPAIGNS = ("Spring Trail", "Summer Sale", "Back to School", "Black Friday", "Holiday Gift Guide",
             "New Year Reset", "Alpine Collection", "Trail Running launch", "Loyalty relaunch")
TOOLS = ("HubSpot", "Braze", "Optimizely", "Contentful", "Looker", "Segment", "The Trade Desk", "Salesforce")
TITLES = {
    "Campaign": ("Landing page for {campaign}", "Email journey for {campaign}", "Promo codes for {campaign}",
                 "Tracking pixels for {campaign} launch"),
    "Data": ("Customer segment export for {campaign}", "Fix duplicate contacts in CRM",
             "Add loyalty tier to customer table", "Nightly feed of web leads to Snowflake",
             "Consent flags in the CDP"),
    "Integration": ("Connect {tool} to CRM", "Sync {tool} audiences with Segment",
                    "Route web-form leads to Salesforce", "Single sign-on for {tool}"),
    "Website": ("Speed up product listing pages", "New store locator page", "Add UTM fields to CRM lead form",
                "Cookie banner update", "Redirects for retired product pages"),
    "Reporting": ("Weekly campaign ROI dashboard", "Attribution report by channel",
                  "Looker access to web analytics data", "Monthly NPS by region report"),
    "Access": ("Access to {tool} for new agency", "Admin rights on {tool}", "Onboard contractors to {tool}"),
}


# ----------------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------------

def write_sample(out_dir: str | Path, seed: int = DEFAULT_SEED, spend_rows: int = DEFAULT_SPEND_ROWS) -> dict[str, int]:
    """Write the seven sample tables as CSV files into ``out_dir``; return the rows written per table."""
    if spend_rows < 1:
        raise ValueError("spend_rows must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # One independent random stream per part, so e.g. the number of spend rows does not change the
    # budget, the requests or the KPIs.
    plan_rng, spend_rng, budget_rng, request_rng, kpi_rng = np.random.default_rng(seed).spawn(5)

    pools = _pool_plan(plan_rng)
    fixed, cells = _spend_plan(pools, plan_rng)
    budget = _budget(fixed, cells, budget_rng)
    spent = _write_spend(out / "spend.csv", fixed, cells, spend_rows, spend_rng)
    requests = _requests(request_rng)
    kpis = _kpis()
    targets = _kpi_targets(kpi_rng)
    actuals = _kpi_actuals(requests, spent, budget, _budget_phasing(fixed, cells), kpi_rng)

    counts = {"spend": int(spent.attrs["rows"])}
    for name, df in (("budget", budget), ("vendors", _vendors()), ("kpis", kpis), ("kpi_targets", targets),
                     ("kpi_actuals", actuals), ("requests", requests)):
        _write_csv(df, out / f"{name}.csv", name)
        counts[name] = len(df)
    return {name: counts[name] for name in TABLES}


# ----------------------------------------------------------------------------------------------------
# Calendar helpers (month index t = 0 is January 2024)
# ----------------------------------------------------------------------------------------------------

def _month_start(t: int) -> date:
    return date(FIRST_YEAR + t // 12, t % 12 + 1, 1)


def _month_index(yyyy_mm: str) -> int:
    y, m = (int(p) for p in yyyy_mm[:7].split("-"))
    return (y - FIRST_YEAR) * 12 + m - 1


def _month_label(t: int) -> str:
    return f"{MONTH_NAMES[t % 12]} {FIRST_YEAR + t // 12}"


def _quarter(t: int) -> FiscalQuarter:
    d = _month_start(t)
    return CALENDAR.quarter_of_month(d.year, d.month)


def _working_days(t: int) -> list[date]:
    d, out = _month_start(t), []
    while d.month == _month_start(t).month:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def _month_end(t: int) -> date:
    return _month_start(t + 1) - timedelta(days=1)


def _lerp(ends: tuple[float, float], x):
    return ends[0] + (ends[1] - ends[0]) * x


# Month index -> x, where x = 0 at the centre of FY2024 Q1 and 1 at the centre of FY2026 Q3.
def _story_x(t):
    return (np.asarray(t, dtype=float) - 1.0) / 30.0


# ----------------------------------------------------------------------------------------------------
# Spend: plan the money, then write the lines
# ----------------------------------------------------------------------------------------------------

def _pool_plan(rng: np.random.Generator) -> np.ndarray:
    """Planned spend per month (rows, 36) and pool (columns, in POOLS order)."""
    t = np.arange(PLAN_MONTHS)
    x = _story_x(t)
    total = FIRST_QUARTER_TOTAL / 3 * QUARTERLY_GROWTH ** ((t - 1) / 3) * rng.lognormal(0.0, 0.02, PLAN_MONTHS)
    # Month-to-month wobble, so the trends look measured rather than drawn with a ruler.
    marketing = _lerp(MARKETING_SHARE, x) * rng.lognormal(0.0, 0.015, PLAN_MONTHS)
    joint = _lerp(JOINT_SHARE, x) * rng.lognormal(0.0, 0.03, PLAN_MONTHS)
    shadow = _lerp(SHADOW_SHARE, x) * rng.lognormal(0.0, 0.08, PLAN_MONTHS)
    return np.column_stack([total * (1 - marketing - joint), total * joint,
                            total * marketing * (1 - shadow), total * marketing * shadow])


def _active(stream: Stream) -> np.ndarray:
    t = np.arange(PLAN_MONTHS)
    return (t >= _month_index(stream.start)) & (t <= _month_index(stream.end))


def _spend_plan(pools: np.ndarray, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the planned money into fixed invoices and variable "usage" money per stream and month.

    Returns ``fixed`` (one row per subscription invoice, cloud bill or planted line, with its amount
    and day) and ``cells`` (usage money per stream and month, to be cut into lines later). Both cover
    all 36 plan months; only the first 33 become spend lines, the rest feed the FY2026 Q4 budget.
    Within each pool and quarter, usage money is what remains after the fixed invoices, so each pool
    lands on its planned total whatever the subscriptions and cloud bills come to.
    """
    pool_of = {p: i for i, p in enumerate(POOLS)}
    fixed_rows: list[dict] = []
    fixed_by_pool = np.zeros_like(pools)
    for k, s in enumerate(STREAMS):
        active, p = _active(s), pool_of[s.pool]
        if s.billing == "subscription":
            for year in range(PLAN_MONTHS // 12):
                months = [t for t in range(12 * year, 12 * year + 12) if active[t]]
                if not months:
                    continue
                monthly = round(s.weight * pools[months, p].mean() / 100) * 100.0
                for t in months:
                    fixed_rows.append(dict(t=t, day=_working_days(t)[0], k=k, vendor=s.vendor, amount=monthly,
                                           description=None, kind="subscription"))
                    fixed_by_pool[t, p] += monthly
        elif s.billing == "cloud":
            for q in range(PLAN_MONTHS // 3):
                months = [t for t in range(3 * q, 3 * q + 3) if active[t]]
                if not months:
                    continue
                amount = round(s.weight * pools[months, p].sum() * rng.lognormal(0.0, 0.15), 2)
                t = 3 * q + 2
                fixed_rows.append(dict(t=t, day=_month_end(t), k=k, vendor=s.vendor, amount=amount,
                                       description=None, kind="cloud"))
                fixed_by_pool[t, p] += amount
    for day, pool, invoiced_as, vendor, category, amount, description in PLANTED_SPEND:
        d = date.fromisoformat(day)
        t = _month_index(day)
        k = _stream_for(pool, vendor, category)
        fixed_rows.append(dict(t=t, day=d, k=k, vendor=invoiced_as, amount=amount, description=description,
                               kind="planted"))
        fixed_by_pool[t, pool_of[pool]] += amount
    fixed = pd.DataFrame(fixed_rows).sort_values(["t", "day", "k"], kind="stable").reset_index(drop=True)

    cells: list[dict] = []
    for p, pool in enumerate(POOLS):
        usage = [(k, s) for k, s in enumerate(STREAMS) if s.pool == pool and s.billing == "usage"]
        for q in range(PLAN_MONTHS // 3):
            months = list(range(3 * q, 3 * q + 3))
            remainder = pools[months, p].sum() - fixed_by_pool[months, p].sum()
            if remainder < 0.1 * pools[months, p].sum():
                raise AssertionError(f"story constants leave too little usage money in {pool} {_quarter(3 * q)}")
            for t in months:
                month_money = remainder * pools[t, p] / pools[months, p].sum()
                weights = np.array([s.weight if _active(s)[t] else 0.0 for _, s in usage])
                for (k, s), w in zip(usage, weights):
                    if w > 0:
                        cells.append(dict(t=t, k=k, dollars=month_money * w / weights.sum()))
    cells_df = pd.DataFrame(cells).sort_values(["t", "k"], kind="stable").reset_index(drop=True)
    return fixed, cells_df


def _stream_for(pool: str, vendor: str, category: str) -> int:
    """The stream whose cost centre, GL account and tags a planted line borrows."""
    for k, s in enumerate(STREAMS):
        if s.pool == pool and s.vendor == vendor and s.category == category:
            return k
    raise KeyError((pool, vendor, category))


def _lines_plan(fixed: pd.DataFrame, cells: pd.DataFrame, spend_rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decide how many lines each usage cell gets so that exactly ``spend_rows`` lines are written.

    Large samples bill subscriptions monthly; smaller ones bill them quarterly (one invoice for three
    months) so that usage lines still dominate; very small ones (fewer rows than the fixed invoices)
    turn everything into usage cells and drop the planted defects.
    """
    fixed = fixed[fixed.t < ACTUAL_MONTHS].copy()
    cells = cells[cells.t < ACTUAL_MONTHS].copy()
    pool_month = 4 * ACTUAL_MONTHS
    if spend_rows < 8 * len(fixed):
        # Quarterly invoicing: fold each subscription's three monthly invoices into the first month.
        subs = fixed[fixed.kind == "subscription"].copy()
        subs["q"] = subs.t // 3
        folded = subs.groupby(["k", "q"], sort=True).agg(t=("t", "min"), amount=("amount", "sum"),
                                                        vendor=("vendor", "first")).reset_index()
        folded["day"] = [_working_days(t)[0] for t in folded.t]
        folded["description"] = None
        folded["kind"] = "subscription-quarterly"
        fixed = pd.concat([fixed[fixed.kind != "subscription"], folded.drop(columns="q")], ignore_index=True)
    if spend_rows < len(fixed) + pool_month:
        # Too few lines for invoices: every stream becomes usage money; planted defects are dropped.
        keep = fixed[fixed.kind != "planted"]
        extra = keep.rename(columns={"amount": "dollars"})[["t", "k", "dollars"]]
        cells = pd.concat([cells, extra], ignore_index=True).groupby(["t", "k"], sort=True).dollars.sum().reset_index()
        fixed = fixed.iloc[0:0]
    fixed = fixed.sort_values(["t", "day", "k"], kind="stable").reset_index(drop=True)

    n = spend_rows - len(fixed)
    cells["pool"] = [STREAMS[k].pool for k in cells.k]
    rows = np.zeros(len(cells), dtype=np.int64)
    if n >= pool_month:
        # Every pool gets at least one line a month (on its biggest cell), so no money goes missing.
        rows[cells.groupby(["t", "pool"], sort=True).dollars.idxmax().to_numpy()] = 1
    line_size = np.array([STREAMS[k].line_size for k in cells.k])
    share = cells.dollars.to_numpy() / line_size
    expected = (n - rows.sum()) * share / share.sum()
    extra = np.floor(expected).astype(np.int64)
    order = np.argsort(-(expected - extra), kind="stable")  # largest remainders first
    extra[order[:n - rows.sum() - extra.sum()]] += 1
    cells["rows"] = rows + extra
    # Money of cells that got no line moves to the busiest cell of the same pool and month.
    for (t, pool), g in cells.groupby(["t", "pool"], sort=True):
        empty = g.index[g.rows == 0]
        if len(empty) and (g.rows > 0).any():
            cells.loc[g.rows.idxmax(), "dollars"] += cells.loc[empty, "dollars"].sum()
            cells.loc[empty, "dollars"] = 0.0
    cells = cells[cells.rows > 0].reset_index(drop=True)
    assert cells.rows.sum() + len(fixed) == spend_rows
    return fixed, cells


class _SpendTables:
    """Per-stream lookup arrays, so a chunk of lines is built with vectorised takes."""

    def __init__(self) -> None:
        self.department = np.array([s.department for s in STREAMS], dtype=object)
        self.vendor = np.array([s.vendor for s in STREAMS], dtype=object)
        self.category = np.array([s.category for s in STREAMS], dtype=object)
        self.cost_center = np.array([s.cost_center for s in STREAMS], dtype=object)
        self.gl = np.array([s.gl for s in STREAMS], dtype=object)
        self.investment = np.array([s.investment for s in STREAMS], dtype=object)
        self.expense = np.array([s.expense for s in STREAMS], dtype=object)
        self.rounding = np.array([s.rounding for s in STREAMS])
        self.spread = np.array([s.spread for s in STREAMS])
        self.n_desc = np.array([len(s.descriptions) for s in STREAMS])
        width = int(self.n_desc.max())
        # description[k, j, t]: the j-th description of stream k for month t
        self.description = np.empty((len(STREAMS), width, PLAN_MONTHS), dtype=object)
        for k, s in enumerate(STREAMS):
            for j in range(width):
                template = s.descriptions[j % len(s.descriptions)]
                for t in range(PLAN_MONTHS):
                    self.description[k, j, t] = template.format(month=_month_label(t), quarter=_quarter(t).label)
        self.first_day = date(FIRST_YEAR, 1, 1).toordinal()
        n_days = _month_start(PLAN_MONTHS).toordinal() - self.first_day
        self.day_text = np.array([date.fromordinal(self.first_day + i).isoformat() for i in range(n_days)],
                                 dtype=object)
        self.working_days = [np.array([d.toordinal() - self.first_day for d in _working_days(t)])
                             for t in range(PLAN_MONTHS)]


def _write_spend(path: Path, fixed: pd.DataFrame, cells: pd.DataFrame, spend_rows: int,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Write spend.csv, sorted by date, in batches of about CHUNK_ROWS lines or fewer.

    Returns the money written per month (rows) and department (columns), summed in cents, with the
    number of lines in ``attrs["rows"]``.
    """
    fixed, cells = _lines_plan(fixed, cells, spend_rows)
    tables = _SpendTables()
    columns = list(TABLES["spend"].column_names)
    cents = np.zeros((ACTUAL_MONTHS, len(DEPARTMENTS)), dtype=np.int64)
    dept_of_stream = np.array([DEPARTMENTS.index(s.department) for s in STREAMS])
    next_invoice = 1
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for t in range(ACTUAL_MONTHS):
            for parts, days, batch_fixed in _batches(t, cells[cells.t == t], fixed[fixed.t == t], tables):
                lines = _spend_lines(t, parts, days, batch_fixed, tables, rng)
                if lines.empty:
                    continue
                lines["invoice_id"] = [f"INV-{n:07d}" for n in range(next_invoice, next_invoice + len(lines))]
                next_invoice += len(lines)
                amount = lines["amount"].to_numpy()
                np.add.at(cents[t], dept_of_stream[lines["_k"].to_numpy()], np.rint(amount * 100).astype(np.int64))
                lines["amount"] = ["%.2f" % a for a in amount]  # much faster than to_csv's float_format
                lines[columns].to_csv(f, header=False, index=False, lineterminator="\n")
    spent = pd.DataFrame(cents / 100.0, columns=list(DEPARTMENTS))
    spent.attrs["rows"] = next_invoice - 1
    assert spent.attrs["rows"] == spend_rows, (spent.attrs["rows"], spend_rows)
    return spent


def _batches(t: int, month_cells: pd.DataFrame, month_fixed: pd.DataFrame, tables: _SpendTables):
    """Cut one month into batches of about CHUNK_ROWS lines or fewer, each covering a run of days.

    Yields (parts, working days, fixed invoices) per batch, where parts are (stream, lines, money).
    A month too big for one batch is split by day ranges, each cell's lines and money shared in
    proportion to the working days, so the file stays sorted by date at any size.
    """
    days = tables.working_days[t]
    total = int(month_cells.rows.sum())
    n_batches = min(len(days), max(1, -(-total // CHUNK_ROWS)))
    groups = np.array_split(days, n_batches)
    cum = np.cumsum([len(g) for g in groups]) / len(days)
    fixed_day = np.array([d.toordinal() - tables.first_day for d in month_fixed.day], dtype=np.int64)
    for b, group in enumerate(groups):
        parts = []
        for k, n, dollars in zip(month_cells.k, month_cells.rows, month_cells.dollars):
            lo = int(np.floor(int(n) * (cum[b - 1] if b else 0.0) + 1e-9))
            hi = int(np.floor(int(n) * cum[b] + 1e-9))
            if hi > lo:
                parts.append((int(k), hi - lo, float(dollars) * (hi - lo) / int(n)))
        first = group[0] if b else -1
        last = groups[b + 1][0] if b + 1 < n_batches else 1 << 40
        yield parts, group, month_fixed[(fixed_day >= first) & (fixed_day < last)]


def _spend_lines(t: int, batch: list[tuple[int, int, float]], days: np.ndarray, month_fixed: pd.DataFrame,
                 tables: _SpendTables, rng: np.random.Generator) -> pd.DataFrame:
    """The lines of one batch: usage lines cut from the cells, plus the batch's fixed invoices."""
    k_cell = np.array([b[0] for b in batch], dtype=np.int64)
    n_cell = np.array([b[1] for b in batch], dtype=np.int64)
    dollars = np.array([b[2] for b in batch], dtype=float)
    k = np.repeat(k_cell, n_cell)
    n = len(k)
    if n:
        # Log-normal weights, normalised so each cell's lines add up to its money, then rounded to
        # the stream's granularity (whole $10 for licences, $250 for services...) unless lines are
        # so small (large samples) that rounding would distort the money: then to the cent.
        w = rng.lognormal(0.0, tables.spread[k])
        sums = np.add.reduceat(w, np.concatenate([[0], np.cumsum(n_cell)[:-1]]))
        raw = np.repeat(dollars / sums, n_cell) * w
        mean_line = np.repeat(dollars / n_cell, n_cell)
        step = np.where(mean_line >= 20 * tables.rounding[k], tables.rounding[k], 0.01)
        amount = np.round(np.maximum(np.round(raw / step) * step, step), 2)
        day = days[rng.integers(0, len(days), n)]
        description = tables.description[k, rng.integers(0, tables.n_desc[k]), t]
    else:
        amount, day, description = np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)

    fk = month_fixed.k.to_numpy(dtype=np.int64)
    f_day = np.array([d.toordinal() - tables.first_day for d in month_fixed.day], dtype=np.int64)
    f_desc = np.array([d if isinstance(d, str) else tables.description[kk, 0, t]
                       for d, kk in zip(month_fixed.description, fk)], dtype=object)

    all_k = np.concatenate([fk, k])
    all_day = np.concatenate([f_day, day])
    out = pd.DataFrame({
        "_k": all_k,
        "date": tables.day_text[all_day],
        "department": tables.department[all_k],
        "vendor": np.concatenate([month_fixed.vendor.to_numpy(dtype=object), tables.vendor[k]]),
        "category": tables.category[all_k],
        "amount": np.concatenate([month_fixed.amount.to_numpy(dtype=float), amount]),
        "cost_center": tables.cost_center[all_k],
        "gl_account": tables.gl[all_k],
        "investment_type": tables.investment[all_k],
        "expense_type": tables.expense[all_k],
        "currency": CURRENCY,
        "description": np.concatenate([f_desc, description]),
    })
    unmapped = rng.random(len(out)) < UNMAPPED_INVESTMENT_SHARE
    out.loc[unmapped, "investment_type"] = ""
    # By date; within a day fixed invoices first, then by stream (a stable, deterministic order).
    order = np.lexsort((np.arange(len(out)), all_k, all_day))
    return out.iloc[order].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Budget
# ----------------------------------------------------------------------------------------------------

def _planned_by_category(fixed: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Planned money per quarter index, department and category (planted lines are not planned)."""
    planned = pd.concat([fixed[fixed.kind != "planted"][["t", "k", "amount"]].rename(columns={"amount": "dollars"}),
                         cells[["t", "k", "dollars"]]], ignore_index=True)
    planned["q"] = planned.t // 3
    planned["department"] = [STREAMS[k].department for k in planned.k]
    planned["category"] = [STREAMS[k].category for k in planned.k]
    return planned.groupby(["q", "department", "category"], sort=True).dollars.sum()


def _round_budget(amount: float, small: float) -> float:
    step = 5000.0 if amount >= 100_000 else small
    return float(round(amount / step) * step)


def _budget(fixed: pd.DataFrame, cells: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Budget per quarter, department and category for FY2024-FY2026, plus a FY2026 Q4 forecast."""
    planned = _planned_by_category(fixed, cells)
    rows = []
    for q in range(PLAN_MONTHS // 3):
        fq = _quarter(3 * q)
        for dept in DEPARTMENTS:
            if dept == "IT":
                factor = IT_BUDGET_HEADROOM
            elif dept == "Marketing":
                factor = 1.0 / (MARKETING_OVERSPEND[0] + MARKETING_OVERSPEND[1] * q)
            else:
                factor = 1.0
            for category, dollars in planned.loc[q, dept].items():
                amount = _round_budget(dollars * factor * rng.lognormal(0.0, 0.05), 1000.0)
                if (fq, dept, category) == UNBUDGETED:
                    continue
                rows.append((fq.fiscal_year, fq.q, dept, category, amount, "Budget"))
    # The forecast for the quarter still to come, so a fiscal-year landing can be shown.
    last = PLAN_MONTHS // 3 - 1
    fq = _quarter(3 * last)
    for dept in DEPARTMENTS:
        for category, dollars in planned.loc[last, dept].items():
            rows.append((fq.fiscal_year, fq.q, dept, category,
                         _round_budget(dollars * rng.lognormal(0.0, 0.03), 1000.0), "Forecast"))
    return pd.DataFrame(rows, columns=list(TABLES["budget"].column_names))


# ----------------------------------------------------------------------------------------------------
# Vendors and the KPI glossary
# ----------------------------------------------------------------------------------------------------

def _vendors() -> pd.DataFrame:
    return pd.DataFrame([(v, "yes" if ok else "no", aliases, category, end, owner)
                         for v, ok, aliases, category, end, owner in VENDORS],
                        columns=list(TABLES["vendors"].column_names))


def _kpis() -> pd.DataFrame:
    return pd.DataFrame([(s.kpi, s.name, s.unit, s.direction, s.owner, s.definition, s.formula, s.source,
                          s.aggregation) for s in KPI_SPECS], columns=list(TABLES["kpis"].column_names))


def _num(value: float | None, decimals: int) -> str:
    """Fixed-decimal text; empty for missing values; never '-0.0'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


# ----------------------------------------------------------------------------------------------------
# KPI targets and actuals
# ----------------------------------------------------------------------------------------------------

def _kpi_targets(rng: np.random.Generator) -> pd.DataFrame:
    """Targets per KPI and quarter, with who agreed them when (at the review before the quarter)."""
    rows = []
    for q in range(PLAN_MONTHS // 3):
        fq = _quarter(3 * q)
        start = CALENDAR.quarter_start(fq)
        for s in KPI_SPECS:
            cio = start - timedelta(days=int(rng.integers(10, 22)))
            cmo = min(cio + timedelta(days=int(rng.integers(-3, 7))), start - timedelta(days=1), LAST_DAY)
            open_quarter = q == PLAN_MONTHS // 3 - 1
            latest_quarter = q == PLAN_MONTHS // 3 - 2
            rows.append((s.kpi, fq.fiscal_year, fq.q, _num(s.targets[q], s.decimals),
                         _num(s.at_risk, s.decimals if s.decimals else 1),
                         "" if open_quarter and s.kpi in AWAITING_CIO else cio.isoformat(),
                         "" if (open_quarter and s.kpi in AWAITING_CMO)
                         or (latest_quarter and s.kpi in AWAITING_CMO_LATEST) else cmo.isoformat(),
                         TARGET_NOTES.get((s.kpi, fq.fiscal_year, fq.quarter), "")))
    return pd.DataFrame(rows, columns=list(TABLES["kpi_targets"].column_names))


def _target_path(spec: KpiSpec, month_pos: np.ndarray) -> np.ndarray:
    """Targets interpolated between quarter centres (month position 3q+1), for smooth actuals."""
    centres = np.arange(len(spec.targets)) * 3 + 1.0
    return np.interp(month_pos, centres, np.asarray(spec.targets, dtype=float))


def _kpi_actuals(requests: pd.DataFrame, spent: pd.DataFrame, budget: pd.DataFrame, phasing: np.ndarray,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Monthly observations (weekly for page speed; per channel for CSAT) up to 2026-09-30."""
    months = np.arange(ACTUAL_MONTHS)
    month_ends = [_month_end(t).isoformat() for t in months]
    rows: list[tuple[str, str, str, str]] = []
    for s in KPI_SPECS:
        if s.kpi == "page_speed":
            mondays = [date(FIRST_YEAR, 1, 1) + timedelta(weeks=w) for w in range(200)]
            mondays = [d for d in mondays if d <= LAST_DAY]
            # Position of each week in "months since January 2024", for the target path.
            pos = np.array([(d.year - FIRST_YEAR) * 12 + d.month - 1 + (d.day - 1) / 31 for d in mondays])
            values = _simulated(s, pos, rng)
            rows += [(d.isoformat(), s.kpi, _num(v, s.decimals), "") for d, v in zip(mondays, values)]
        elif s.kpi == "csat":
            for segment, shift in (("Online", -1.2), ("Stores", 1.2)):
                values = _simulated(s, months.astype(float), rng) + shift
                rows += [(d, s.kpi, _num(v, s.decimals), segment) for d, v in zip(month_ends, values)]
        elif s.kpi == "uptime":
            base = _lerp(UPTIME_BASE, _story_x(months)) - np.abs(rng.normal(0.0, 0.01, ACTUAL_MONTHS))
            for t, worst in UPTIME_OUTAGES.items():
                base[t] = worst
            rows += [(d, s.kpi, _num(min(v, 99.999), s.decimals), "") for d, v in zip(month_ends, base)]
        elif s.kpi == "customer_incidents":
            counts = rng.poisson(_lerp(INCIDENTS_PER_MONTH, np.clip(_story_x(months), 0, 1)))
            rows += [(d, s.kpi, str(int(c)), "") for d, c in zip(month_ends, counts)]
        elif s.kpi == "request_cycle_time":
            for t, v in _cycle_time_by_month(requests).items():
                rows.append((month_ends[t], s.kpi, _num(v, s.decimals), ""))
        elif s.kpi == "spend_variance":
            for t, v in enumerate(_spend_variance_to_date(spent, budget, phasing)):
                rows.append((month_ends[t], s.kpi, _num(v, s.decimals), ""))
        else:
            values = _simulated(s, months.astype(float), rng)
            rows += [(d, s.kpi, _num(v, s.decimals), "") for d, v in zip(month_ends, values)]
    order = {s.kpi: i for i, s in enumerate(KPI_SPECS)}
    df = pd.DataFrame(rows, columns=list(TABLES["kpi_actuals"].column_names))
    df["_order"] = df.kpi.map(order)
    return df.sort_values(["date", "_order", "segment"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _simulated(spec: KpiSpec, month_pos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    offset = _lerp(spec.offset, _story_x(month_pos))
    return _target_path(spec, month_pos) + offset + rng.normal(0.0, spec.noise, len(month_pos))


def _cycle_time_by_month(requests: pd.DataFrame) -> dict[int, float]:
    """Median days requested -> delivered, over requests delivered in each month (defects excluded)."""
    requested = pd.to_datetime(requests.requested_at)
    delivered = pd.to_datetime(requests.delivered_at.replace("", None))
    days = (delivered - requested).dt.total_seconds() / 86400
    ok = delivered.notna() & (days >= 0)
    month = (delivered.dt.year - FIRST_YEAR) * 12 + delivered.dt.month - 1
    medians = days[ok].groupby(month[ok].astype(int)).median()
    return {int(t): float(v) for t, v in medians.items() if 0 <= t < ACTUAL_MONTHS}


def _budget_phasing(fixed: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """Share of its quarter's planned money that falls in each month (quarterly cloud bills land in
    the third month, so finance phases the budget rather than splitting it in thirds)."""
    planned = np.zeros(PLAN_MONTHS)
    regular = fixed[fixed.kind != "planted"]
    np.add.at(planned, regular.t.to_numpy(), regular.amount.to_numpy())
    np.add.at(planned, cells.t.to_numpy(), cells.dollars.to_numpy())
    per_quarter = planned.reshape(-1, 3).sum(axis=1)
    return planned / np.repeat(per_quarter, 3)


def _spend_variance_to_date(spent: pd.DataFrame, budget: pd.DataFrame, phasing: np.ndarray) -> list[float]:
    """Per month: quarter-to-date spend vs the phased budget for the same months, in %."""
    plan = budget[budget.scenario == "Budget"].groupby(["fiscal_year", "quarter"]).amount.sum()
    total = spent.sum(axis=1).to_numpy()
    out = []
    for t in range(ACTUAL_MONTHS):
        fq = _quarter(t)
        first = t - t % 3
        budget_to_date = plan.loc[(fq.fiscal_year, fq.q)] * phasing[first:t + 1].sum()
        out.append((total[first:t + 1].sum() / budget_to_date - 1) * 100)
    return out


# ----------------------------------------------------------------------------------------------------
# Requests from marketing to IT
# ----------------------------------------------------------------------------------------------------

def _working_time(ts: np.ndarray) -> np.ndarray:
    """Move timestamps (datetime64[m]) into working hours: 08:00-18:00, weekends to Monday 08:00.

    The mapping never reverses the order of two timestamps, so stages stay in sequence.
    """
    day = ts.astype("datetime64[D]")
    minute = (ts - day.astype("datetime64[m]")).astype(np.int64)
    minute = 8 * 60 + minute * 600 // 1440
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    minute = np.where(shift > 0, 8 * 60, minute)
    return (day + shift).astype("datetime64[m]") + minute.astype("timedelta64[m]")


def _days(days: np.ndarray) -> np.ndarray:
    return np.rint(days * 1440).astype(np.int64).astype("timedelta64[m]")


def _requests(rng: np.random.Generator) -> pd.DataFrame:
    """About 750 requests; IT's queue shrinks once the joint team forms, marketing's wait does not."""
    requested = []
    for t in range(ACTUAL_MONTHS):
        wd = _working_days(t)
        n = rng.poisson(_lerp(REQUESTS_PER_MONTH, t / (ACTUAL_MONTHS - 1)))
        days = rng.integers(0, len(wd), n)
        minutes = rng.integers(8 * 60, 18 * 60, n)
        requested += [np.datetime64(wd[d].isoformat(), "m") + np.timedelta64(int(m), "m") for d, m in zip(days, minutes)]
    requested = np.sort(np.array(requested, dtype="datetime64[m]"), kind="stable")
    n = len(requested)
    priority = rng.choice(np.array(PRIORITIES, dtype=object), n, p=PRIORITY_P)
    kind = rng.choice(np.array(REQUEST_TYPES, dtype=object), n, p=REQUEST_TYPE_P)
    team = rng.choice(np.array(TEAMS, dtype=object), n)
    title = [rng.choice(np.array(TITLES[k], dtype=object)).format(
        campaign=CAMPAIGNS[rng.integers(len(CAMPAIGNS))], tool=TOOLS[rng.integers(len(TOOLS))]) for k in kind]

    wait = rng.lognormal(np.log(MARKETING_WAIT_DAYS), 0.8, n)
    ready = _working_time(requested + _days(wait))
    queue_median = np.where(ready < JOINT_TEAM_FROM, IT_QUEUE_DAYS[0], IT_QUEUE_DAYS[1]) * \
        np.array([QUEUE_PRIORITY[p] for p in priority])
    started = _working_time(ready + _days(rng.lognormal(np.log(queue_median), 0.7)))
    delivery_median = np.array([DELIVERY_DAYS[k] * DELIVERY_PRIORITY[p] for k, p in zip(kind, priority)]) * \
        np.where(started >= JOINT_TEAM_FROM, 0.9, 1.0)
    delivered = _working_time(started + _days(rng.lognormal(np.log(delivery_median), 0.6)))

    # Nothing has happened after the data's "today": later stages are still open.
    end = np.datetime64(LAST_DAY + timedelta(days=1), "m")
    nat = np.datetime64("NaT", "m")
    ready = np.where(ready < end, ready, nat)
    started = np.where((started < end) & ~np.isnat(ready), started, nat)
    delivered = np.where((delivered < end) & ~np.isnat(started), delivered, nat)

    taken = np.zeros(n, dtype=bool)

    def pick(mask: np.ndarray, size: int) -> np.ndarray:
        candidates = np.flatnonzero(mask & ~taken)
        chosen = np.sort(rng.choice(candidates, size=min(size, len(candidates)), replace=False))
        taken[chosen] = True
        return chosen

    done = ~np.isnat(delivered)
    # Backlog: a few old low-priority requests never started, a few big ones stuck in progress.
    stale = pick(done & np.isin(priority, ["Low", "Medium"]) & (requested >= np.datetime64("2025-10-01T00:00"))
                 & (requested < np.datetime64("2026-07-01T00:00")), N_STALE_TODO)
    started[stale] = nat
    delivered[stale] = nat
    ready[stale[:2]] = nat  # still waiting on marketing's requirements
    stuck = pick(done & np.isin(kind, ["Integration", "Data"]) & (requested >= np.datetime64("2026-03-01T00:00"))
                 & (requested < np.datetime64("2026-08-01T00:00")), N_STUCK_IN_PROGRESS)
    delivered[stuck] = nat
    # Unknown stages: the workflow step was skipped in the tool.
    ready[pick(done, N_MISSING_READY)] = nat
    started[pick(done, N_MISSING_STARTED)] = nat
    # Planted defect: delivered dates typed before the request was raised.
    wrong = pick(done & ~np.isnat(ready) & ~np.isnat(started), N_DELIVERED_BEFORE_REQUESTED)
    delivered[wrong] = requested[wrong] - _days(rng.integers(1, 20, len(wrong)).astype(float))

    status = np.where(~np.isnat(delivered), "Done", np.where(~np.isnat(started), "In progress", "To do"))
    sla = np.where(rng.random(n) < SLA_SET_SHARE, [str(SLA_DAYS[p]) for p in priority], "")
    return pd.DataFrame({
        "request_id": [f"MKT-{1001 + i}" for i in range(n)],
        "title": title,
        "requested_at": _stamp(requested),
        "priority": priority,
        "type": kind,
        "requested_by": team,
        "ready_at": _stamp(ready),
        "started_at": _stamp(started),
        "delivered_at": _stamp(delivered),
        "status": status,
        "sla_days": sla,
    })[list(TABLES["requests"].column_names)]


def _stamp(ts: np.ndarray) -> list[str]:
    """'YYYY-MM-DD HH:MM', empty for NaT."""
    return ["" if np.isnat(v) else str(v).replace("T", " ") for v in ts]


# ----------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------

def _write_csv(df: pd.DataFrame, path: Path, table: str) -> None:
    """UTF-8 without BOM, '\\n' line ends, contract column order, money with two decimals."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        df[list(TABLES[table].column_names)].to_csv(f, index=False, lineterminator="\n", float_format="%.2f")
