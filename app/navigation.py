"""The one list of the app's pages: where each script is, what the menu calls it, its icon, the
URL Streamlit serves it at, and whether presentation mode walks through it.

The sidebar menu, presentation mode's previous / next, the Overview's links, the screenshots
script and the tests all read this list; a test checks it against the files in `pages/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The browser tab's icon, served by the app itself. A Material icon as page icon would make every
# viewer's browser fetch it from a font host on the internet; the menu's icons come from the font
# Streamlit ships.
APP_ICON = str(Path(__file__).resolve().parent / "static" / "bridgeboard.png")


@dataclass(frozen=True)
class Page:
    path: str  # the script, as st.page_link and st.switch_page take it
    label: str  # the menu's name and the page title
    icon: str
    url_path: str  # as Streamlit serves it: the file name without its number prefix; "" for the home page
    presented: bool = True  # a step of presentation mode's walk-through, in this order
    # The canonical tables the page cannot do without, and those that enrich it. A page whose
    # needed tables are empty says which files to load instead of drawing empty charts.
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()


# The Overview needs no one table: it shows what exists and says "no data" for the rest.
OVERVIEW = Page(
    "dashboard.py",
    "Overview",
    ":material/dashboard:",
    "",
    uses=("spend", "budget", "vendors", "kpis", "kpi_targets", "kpi_actuals", "requests"),
)
TECH_SPEND = Page(
    "pages/1_Tech_spend.py",
    "Tech spend",
    ":material/payments:",
    "Tech_spend",
    needs=("spend",),
    uses=("budget", "vendors"),
)
CUSTOMER_EXPERIENCE = Page(
    "pages/2_Customer_experience.py",
    "Customer experience",
    ":material/sentiment_satisfied:",
    "Customer_experience",
    needs=("kpis",),
    uses=("kpi_targets", "kpi_actuals"),
)
REQUEST_TURNAROUND = Page(
    "pages/3_Request_turnaround.py",
    "Request turnaround",
    ":material/schedule:",
    "Request_turnaround",
    needs=("requests",),
)
# The meeting itself: not a step of the walk-through (it holds the forms the meeting fills in).
QUARTERLY_REVIEW = Page(
    "pages/4_Quarterly_review.py",
    "Quarterly review",
    ":material/groups:",
    "Quarterly_review",
    presented=False,
    uses=("spend", "budget", "vendors", "kpis", "kpi_targets", "kpi_actuals", "requests"),
)
DATA = Page("pages/9_Data.py", "Data", ":material/database:", "Data", presented=False)

PAGES = (OVERVIEW, TECH_SPEND, CUSTOMER_EXPERIENCE, REQUEST_TURNAROUND, QUARTERLY_REVIEW, DATA)
PRESENTATION_ORDER = tuple(p for p in PAGES if p.presented)
