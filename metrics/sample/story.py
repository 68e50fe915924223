"""The story the sample tells, as data: the company, its calendar, how money grows and moves
between IT and marketing, the spend streams and planted lines, the vendor catalogue, the KPIs and
their targets, and the requests from marketing to IT. `writer` turns these knobs into CSV files;
change the story here, not there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import SAMPLE_COMPANY

# The story is tables of constants laid out as rows, one stream or KPI a line: the formatter
# would put every field on its own line, so it leaves this module as written.
# fmt: off

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
