"""The one setup call every page makes: page config, data source, sidebar filters, status.

Pages are Streamlit's file-based `pages/` (legacy navigation on purpose: see the README's
architecture notes), so each page calls `page_setup()` itself: a deep link never skips it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from app import data
from metrics.contract import DEPARTMENTS
from metrics.fiscal import FiscalCalendar, FiscalQuarter, parse_quarter
from metrics.settings import Settings, SettingsError, settings_from_env

DATA_PAGE = "pages/9_Data.py"
PAGES = (
    ("dashboard.py", "Overview", ":material/dashboard:"),
    ("pages/1_Tech_spend.py", "Tech spend", ":material/payments:"),
    ("pages/2_Customer_experience.py", "Customer experience", ":material/sentiment_satisfied:"),
    ("pages/3_Request_turnaround.py", "Request turnaround", ":material/schedule:"),
    (DATA_PAGE, "Data", ":material/database:"),
)

QUARTER_KEY = "bb_quarter"
DEPARTMENT_KEY = "bb_departments"


@dataclass(frozen=True)
class Filters:
    quarter: FiscalQuarter | None
    departments: tuple[str, ...]  # empty = all departments

    @property
    def department_label(self) -> str:
        return "All departments" if not self.departments else ", ".join(self.departments)


@dataclass(frozen=True)
class PageContext:
    settings: Settings
    calendar: FiscalCalendar
    status: data.SourceStatus
    filters: Filters
    quarters: tuple[FiscalQuarter, ...]

    @property
    def has_data(self) -> bool:
        return self.status.ok

    @property
    def url(self) -> str:
        return self.status.url or ""

    @property
    def engine(self) -> Engine:
        return data.engine_for(self.url)

    @property
    def period_label(self) -> str:
        q = self.filters.quarter
        if q is None:
            return "No period selected"
        start, end = self.calendar.quarter_start(q), self.calendar.quarter_end(q)
        return f"{q.label} ({start:%d %b %Y} – {end:%d %b %Y})"


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: the embedded default needs none
        return {}


def _settings() -> Settings | None:
    try:
        return settings_from_env(secrets=_secrets())
    except SettingsError as exc:
        st.error(f"Bridgeboard is not configured correctly: {exc}", icon=":material/settings:")
        return None


# Widget state is dropped when the user moves to another page, so the chosen filters are
# also kept under plain session keys and put back into the widgets on the next page.
SAVED_QUARTER = "bb_saved_quarter"
SAVED_DEPARTMENTS = "bb_saved_departments"


def _seed_from_url(quarters: tuple[FiscalQuarter, ...]) -> None:
    """On a session's first run, take filters from the link (?quarter=FY2026 Q3&department=IT).
    Only known values are accepted; anything else is ignored."""
    if st.session_state.get("bb_seeded"):
        return
    st.session_state["bb_seeded"] = True
    qp = st.query_params
    if "quarter" in qp:
        try:
            q = parse_quarter(qp["quarter"])
            if q in quarters:
                st.session_state[SAVED_QUARTER] = q.label
        except ValueError:
            pass
    if "department" in qp:
        wanted = [d for d in qp.get_all("department") if d in DEPARTMENTS]
        if wanted:
            st.session_state[SAVED_DEPARTMENTS] = wanted


def _restore_widgets(options: list[FiscalQuarter], new_page: bool) -> None:
    """Put the saved filters back into the widgets when a page is entered (Streamlit scopes
    widget state to the page), or when the saved quarter no longer exists in the data."""
    if new_page or QUARTER_KEY not in st.session_state or st.session_state[QUARTER_KEY] not in options:
        saved = st.session_state.get(SAVED_QUARTER)
        by_label = {q.label: q for q in options}
        st.session_state[QUARTER_KEY] = by_label.get(saved, options[0]) if options else None
    if new_page or DEPARTMENT_KEY not in st.session_state:
        st.session_state[DEPARTMENT_KEY] = list(st.session_state.get(SAVED_DEPARTMENTS, []))


def _filter_params(filters: Filters) -> dict:
    params: dict = {}
    if filters.quarter is not None:
        params["quarter"] = filters.quarter.label
    if filters.departments:
        params["department"] = list(filters.departments)
    return params


def _sidebar_nav(nav, filters: Filters) -> None:
    """Our own menu (Streamlit's is switched off in config.toml) so the home page reads
    'Overview', not the file name, and links carry the filters to the next page."""
    params = _filter_params(filters)
    with nav:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon, query_params=params, width="stretch")


def _sidebar_filters(quarters: tuple[FiscalQuarter, ...], new_page: bool) -> Filters:
    with st.sidebar:
        st.subheader("Period and scope")
        if not quarters:
            st.caption("No spend dated yet, so no fiscal quarters to choose from.")
            quarter = None
        else:
            options = list(reversed(quarters))  # newest first
            _restore_widgets(options, new_page)
            quarter = st.selectbox("Fiscal quarter", options, key=QUARTER_KEY, format_func=lambda q: q.label,
                                   help="Every figure on every page is for this fiscal quarter.")
        if not quarters:
            _restore_widgets([], new_page)
        departments = st.multiselect("Department", list(DEPARTMENTS), key=DEPARTMENT_KEY,
                                     placeholder="All departments",
                                     help="Leave empty for all of Marketing, IT and Joint.")
    filters = Filters(quarter, tuple(d for d in DEPARTMENTS if d in departments))
    st.session_state[SAVED_QUARTER] = quarter.label if quarter else None
    st.session_state[SAVED_DEPARTMENTS] = list(filters.departments)
    # Keep the link shareable: it reopens on the same period and scope.
    params = _filter_params(filters)
    if dict(st.query_params.to_dict()) != {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}:
        st.query_params.from_dict(params)
    return filters


def _sidebar_status(ctx_status: data.SourceStatus) -> None:
    with st.sidebar:
        st.divider()
        st.caption("Data source")
        st.text(ctx_status.label)
        if ctx_status.ok:
            total = sum(v for v in ctx_status.row_counts.values() if v)
            as_of = ctx_status.imported_at or "not recorded"
            st.caption(f"{total:,} rows in {len(ctx_status.row_counts)} tables · loaded {as_of}")
        if ctx_status.refused:
            st.warning(f"{ctx_status.error_count} errors in the CSV files: not loaded.", icon=":material/error:")
        if ctx_status.warning_count:
            st.caption(f"{ctx_status.warning_count} data-quality warnings")
        st.page_link(DATA_PAGE, label="Data quality and imports", icon=":material/fact_check:")


def page_setup(title: str, icon: str = ":material/dashboard:", *, needs_data: bool = True) -> PageContext:
    """Page config, data source, sidebar filters and status, in that order.

    When the page needs data and none is available, explains why and stops the page.
    """
    st.set_page_config(page_title=f"{title} · Bridgeboard", page_icon=icon, layout="wide")
    settings = _settings()
    if settings is None:
        st.stop()
    calendar = FiscalCalendar(settings.fiscal_start_month)
    status = data.source_status(settings)
    quarters: tuple[FiscalQuarter, ...] = ()
    if status.ok:
        try:
            quarters = tuple(data.quarters_with_data(status.url, status.version, calendar.start_month))
        except Exception as exc:
            status = data.SourceStatus(status.label, None, False,
                                       f"The data could not be read ({type(exc).__name__}). Check the Data page.")
    _seed_from_url(quarters)
    new_page = st.session_state.get("bb_page") != title
    st.session_state["bb_page"] = title
    nav = st.sidebar.container()
    filters = _sidebar_filters(quarters, new_page)
    _sidebar_nav(nav, filters)
    _sidebar_status(status)
    ctx = PageContext(settings, calendar, status, filters, quarters)
    st.title(title)
    if needs_data and not status.ok:
        st.warning(f"**No data to show yet.** {status.message}", icon=":material/database_off:")
        st.page_link(DATA_PAGE, label="Open the Data page to see what to fix or to upload files",
                     icon=":material/arrow_forward:")
        st.stop()
    if needs_data:
        st.caption(f"{ctx.period_label} · {filters.department_label} · data as of {status.imported_at or 'the database'}")
    return ctx


def coming_soon(what: str) -> None:
    """A placeholder for a page that a later release fills; it shows no numbers."""
    st.info(f"**Coming next:** {what}", icon=":material/construction:")
