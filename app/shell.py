"""The one setup call every page makes: page config, data source, sidebar filters, status,
the board pack, and presentation mode.

Pages are Streamlit's file-based `pages/` (legacy navigation on purpose: see the README's
architecture notes), so each page calls `page_setup()` itself: a deep link never skips it.

Presentation mode (the sidebar switch, or `?present=1` in a link) is for a screen-shared board
walk-through: no sidebar, toolbar or filter widgets (the filters come from the link or from the
session), larger type, the period still shown, and previous / next between the pages in a fixed
order (PageUp / PageDown, as a presentation clicker sends). `?mask=1` or the switch masks vendor
names on the pages that show them and in the board pack.
"""

from __future__ import annotations

import streamlit as st

from app import access, boardpack, data
from app.context import MASKING, PRESENTING, SLIDE, Filters, PageContext, filters_link
from app.navigation import APP_ICON, PAGES, PRESENTATION_ORDER, Page
from app.text import plain
from metrics import sources
from metrics.contract import DEPARTMENTS
from metrics.fiscal import FiscalCalendar, FiscalQuarter, parse_quarter
from metrics.formatting import and_join
from metrics.settings import Settings, SettingsError, settings_from_env

QUARTER_KEY = "bb_quarter"
DEPARTMENT_KEY = "bb_departments"
PRESENT_SWITCH, MASK_SWITCH = "bb_present_switch", "bb_mask_switch"  # their sidebar widgets

# The one stylesheet Bridgeboard injects, in presentation mode only. Streamlit has no API to
# change the size of type or hide the toolbar for one session (theme.baseFontSize and
# client.toolbarMode in config.toml apply to every user), so this constant, never built from
# data, does just that. The sidebar is not drawn at all in presentation mode (no CSS needed), and
# set_page_config(initial_sidebar_state="collapsed") keeps it shut.
#
# A presented page is a deck (app/deck.py): one slide fills the screen. The slide is the window's
# height less the header line and the previous / next bar, and its body (the chart, which
# stretches to it) takes what the subject, title and note leave: the server cannot know the
# window's size, the browser can. The buttons that repeat a move on a second key are kept off
# screen (a Streamlit button takes one shortcut).
PRESENTATION_CSS = """<style>
html { font-size: 21px; }
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stMainMenu"] { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 1rem; padding-bottom: 0.5rem; }
div:has(> .st-key-bb_slide) { height: calc(100vh - 8.5rem) !important; }
.st-key-bb_slide h3 { padding-top: 0; }
.st-key-bb_slide { height: 100% !important; }
.st-key-bb_slide > div:has(> .st-key-bb_slide_body) { flex: 1 1 0 !important; min-height: 8rem; }
.st-key-bb_slide_body { height: 100% !important; }
.st-key-bb_deck_keys { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
</style>"""


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: the embedded default needs none
        return {}


def _settings() -> Settings | None:
    try:
        return settings_from_env(secrets=_secrets())
    except SettingsError as exc:
        st.error(f"Bridgeboard is not configured correctly: {plain(str(exc))}", icon=":material/settings:")
        return None


# Widget state is dropped when the user moves to another page, so the chosen filters are
# also kept under plain session keys and put back into the widgets on the next page.
SAVED_QUARTER = "bb_saved_quarter"
SAVED_DEPARTMENTS = "bb_saved_departments"


def _seed_modes() -> None:
    """On a session's first run, take the modes from the link (?present=1&mask=1)."""
    if st.session_state.get("bb_modes_seeded"):
        return
    st.session_state["bb_modes_seeded"] = True
    st.session_state[PRESENTING] = st.query_params.get("present") == "1"
    st.session_state[MASKING] = st.query_params.get("mask") == "1"
    slide = st.query_params.get("slide", "")
    st.session_state[SLIDE] = int(slide) - 1 if slide.isdigit() and int(slide) > 0 else 0


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
    widget state to the page), or when the chosen quarter no longer exists in the data."""
    by_label = {q.label: q for q in options}
    saved = st.session_state.get(SAVED_QUARTER)
    if new_page and saved in by_label:
        st.session_state[QUARTER_KEY] = by_label[saved]
    elif st.session_state.get(QUARTER_KEY) not in options:
        st.session_state[QUARTER_KEY] = (by_label[saved] if saved in by_label else options[0]) if options else None
    if new_page and SAVED_DEPARTMENTS in st.session_state:
        st.session_state[DEPARTMENT_KEY] = list(st.session_state[SAVED_DEPARTMENTS])
    elif DEPARTMENT_KEY not in st.session_state:  # its widget was not drawn (presentation mode)
        st.session_state[DEPARTMENT_KEY] = list(st.session_state.get(SAVED_DEPARTMENTS, []))


def _keep_url(params: dict) -> None:
    """Keep the link shareable: it reopens on the same period, scope and modes."""
    if dict(st.query_params.to_dict()) != {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}:
        st.query_params.from_dict(params)


def _sidebar_nav(nav, filters: Filters) -> None:
    """Our own menu (Streamlit's is switched off in config.toml) so the home page reads
    'Overview', not the file name, and links carry the filters to the next page. Only the pages
    the signed-in role opens (the board: the Overview); each page checks again (`access.gate`)."""
    params = filters_link(filters)
    perms = access.current().permissions
    with nav:
        for page in PAGES:
            if not access.may_open(perms, page, False):
                continue
            st.page_link(page.path, label=page.label, icon=page.icon, query_params=params, width="stretch")


def _sidebar_filters(quarters: tuple[FiscalQuarter, ...], new_page: bool) -> Filters:
    with st.sidebar:
        st.subheader("Period and scope")
        if not quarters:
            st.caption("No spend, KPI observation or request is dated yet, so no fiscal quarters to choose from.")
            quarter = None
        else:
            options = list(reversed(quarters))  # newest first
            _restore_widgets(options, new_page)
            quarter = st.selectbox(
                "Fiscal quarter",
                options,
                key=QUARTER_KEY,
                format_func=lambda q: q.label,
                help="Every figure on every page is for this fiscal quarter.",
            )
        if not quarters:
            _restore_widgets([], new_page)
        departments = st.multiselect(
            "Department",
            list(DEPARTMENTS),
            key=DEPARTMENT_KEY,
            placeholder="All departments",
            help="Leave empty for all of Marketing, IT and Joint.",
        )
    filters = Filters(quarter, tuple(d for d in DEPARTMENTS if d in departments))
    st.session_state[SAVED_QUARTER] = quarter.label if quarter else None
    st.session_state[SAVED_DEPARTMENTS] = list(filters.departments)
    return filters


def _saved_filters(quarters: tuple[FiscalQuarter, ...]) -> Filters:
    """Presentation mode draws no filter widgets: the period and scope come from the link or
    from what the session chose last (the newest quarter by default)."""
    by_label = {q.label: q for q in quarters}
    saved = by_label.get(st.session_state.get(SAVED_QUARTER) or "")
    quarter = saved or (quarters[-1] if quarters else None)
    departments = st.session_state.get(SAVED_DEPARTMENTS, [])
    st.session_state[SAVED_QUARTER] = quarter.label if quarter else None
    return Filters(quarter, tuple(d for d in DEPARTMENTS if d in departments))


def _copy_switch(switch: str, mode: str) -> None:
    st.session_state[mode] = st.session_state[switch]
    if mode == PRESENTING:  # a deck opens on its first slide
        st.session_state[SLIDE] = 0


def _sidebar_modes(ctx: PageContext) -> None:
    """Presentation mode, vendor masking and the board pack of the selected quarter."""
    with st.sidebar:
        st.divider()
        st.subheader("Present and share")
        for switch, mode in ((PRESENT_SWITCH, PRESENTING), (MASK_SWITCH, MASKING)):
            st.session_state[switch] = bool(st.session_state.get(mode))  # widget state ends with each page
        st.toggle(
            "Presentation mode",
            key=PRESENT_SWITCH,
            on_change=_copy_switch,
            args=(PRESENT_SWITCH, PRESENTING),
            help="For a screen-shared review: hides this sidebar and the toolbar, enlarges the type and "
            "adds previous / next between the pages (PageUp / PageDown). A link with ?present=1 opens "
            "in it.",
        )
        st.toggle(
            "Mask vendor names",
            key=MASK_SWITCH,
            on_change=_copy_switch,
            args=(MASK_SWITCH, MASKING),
            help='Shows vendors as "Vendor A", "Vendor B"... on the pages and in the board pack.',
        )
        if ctx.has_data and ctx.filters.quarter is not None:
            boardpack.download_buttons(ctx)


def _sidebar_status(ctx_status: data.SourceStatus) -> None:
    with st.sidebar:
        st.divider()
        st.caption("Data source")
        st.text(ctx_status.label)
        if ctx_status.ok and not ctx_status.tables_with_rows:
            st.caption("The database is empty: load your files on the Data page.")
        elif ctx_status.ok:
            total = sum(v for v in ctx_status.row_counts.values() if v)
            as_of = ctx_status.imported_at or "not recorded"
            st.caption(f"{total:,} rows in {len(ctx_status.tables_with_rows)} tables · loaded {as_of}")
        if ctx_status.refused:
            st.warning(f"{ctx_status.error_count} errors in the CSV files: not loaded.", icon=":material/error:")
        if ctx_status.warning_count:
            st.caption(f"{ctx_status.warning_count} data-quality warnings")
        access.data_page_link(label="Data quality and imports", icon=":material/fact_check:")


def _refused_banner(settings: Settings, status: data.SourceStatus) -> None:
    """At the top of every page: the configured folder has errors, so what is shown is older data
    from elsewhere. Said where a reader of the figures cannot miss it, not only in the sidebar."""
    errors = f"{status.error_count:,} error{'s' if status.error_count != 1 else ''}"
    if status.imported_at:
        shown = (
            f"The figures shown are still the data imported {status.imported_at} "
            f"from {plain(sources.public_source(status.imported_from) or 'an earlier source')}, not this folder's."
        )
    else:
        shown = "Nothing has been imported yet, so there is no data to show."
    st.error(
        f"**The CSV folder '{plain(settings.data_dir.name)}' has {errors}, so it was not loaded.** {shown}",
        icon=":material/error:",
    )
    access.data_page_link(label="See the errors and how to fix them on the Data page", icon=":material/fact_check:")


def _rebuild_fault_banner(status: data.SourceStatus) -> None:
    """At the top of every page: the CSV folder changed but the embedded file could not take it (disk
    full, read-only, held by another process); the figures are the previous complete import."""
    st.warning(
        f"{status.rebuild_fault} The figures shown are still the data imported {status.imported_at}.",
        icon=":material/sync_problem:",
    )


# Each table in a few words, for the messages that say what to load.
TABLE_WORDS = {
    "spend": "the spend lines",
    "budget": "the budget",
    "vendors": "IT's vendor catalogue",
    "kpis": "the KPI glossary",
    "kpi_targets": "the KPI targets",
    "kpi_actuals": "the KPI observations",
    "requests": "marketing's requests to IT",
}


def _file_list(tables: tuple[str, ...] | list[str]) -> str:
    return and_join([f"`{name}.csv` ({TABLE_WORDS[name]})" for name in tables])


def missing_data_message(page: Page, present: frozenset[str]) -> str | None:
    """What the page lacks, in words, or None when it has what it needs. The Overview needs any
    one table; the other pages their own (see `Page.needs`)."""
    if page.needs:
        missing = [t for t in page.needs if t not in present]
        if not missing:
            return None
        optional = [t for t in page.uses if t not in present]
        more = f" It also uses {_file_list(optional)} when they are loaded." if optional else ""
        return f"**No data for this page yet.** It needs {_file_list(missing)}.{more}"
    if page.uses and not present & set(page.uses):
        return (
            "**The database is empty.** Load any of the tables you have; each page needs only its own: "
            "Tech spend needs `spend.csv` (budget and vendors enrich it), Customer experience `kpis.csv` "
            "(with `kpi_targets.csv` and `kpi_actuals.csv`), Request turnaround `requests.csv`."
        )
    return None


def _exit_presentation() -> None:
    st.session_state[PRESENTING] = False


def _presentation_bar(here: Page, params: dict, who: access.SignedIn) -> None:
    """Previous / next in the walk-through's order, where this page stands, and the way out (of the
    presentation, and, signed in, of the session: the sidebar with its *Sign out* is not drawn)."""
    order = list(PRESENTATION_ORDER)
    with st.container(horizontal=True, vertical_alignment="center", key="bb_presentation_bar"):
        if here in order:
            i = order.index(here)
            if i > 0 and st.button(
                f"Previous: {order[i - 1].label}", icon=":material/arrow_back:", shortcut="PageUp", key="bb_previous"
            ):
                st.switch_page(order[i - 1].path, query_params=params)
            st.caption(f"{i + 1} of {len(order)}", width="content")
            if i + 1 < len(order) and st.button(
                f"Next: {order[i + 1].label}",
                icon=":material/arrow_forward:",
                icon_position="right",
                shortcut="PageDown",
                key="bb_next",
            ):
                st.switch_page(order[i + 1].path, query_params=params)
        elif st.button(order[0].label, icon=order[0].icon, key="bb_to_start"):
            st.switch_page(order[0].path, query_params=params)
        if st.session_state.get(MASKING):
            st.badge("Vendor names masked", icon=":material/visibility_off:", color="gray")
        st.button(
            "Exit presentation",
            icon=":material/close_fullscreen:",
            type="tertiary",
            key="bb_exit",
            on_click=_exit_presentation,
        )
        if not who.local:
            access.sign_out_button("bb_present_sign_out")


def page_setup(page: Page, *, needs_data: bool = True) -> PageContext:
    """Page config, data source, sidebar filters and status, in that order (in presentation
    mode: no sidebar, and a previous / next bar under the period).

    When the page needs data and none is available, explains why and stops the page.
    """
    _seed_modes()
    presenting = bool(st.session_state.get(PRESENTING))
    title = page.label
    st.set_page_config(
        page_title=f"{title} · Bridgeboard",
        page_icon=APP_ICON,
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    data.set_alert_slot(None)  # until the title is drawn, a database error is told where it happens
    settings = _settings()
    if settings is None:
        st.stop()
    # Before any data is read: sign-in when configured, the role, and whether it opens this page.
    who = access.gate(page, settings, _secrets(), presenting)
    calendar = FiscalCalendar(settings.fiscal_start_month)
    status = data.source_status(settings)
    quarters: tuple[FiscalQuarter, ...] = ()
    if status.ok:
        try:
            assert status.url is not None  # an available source always has its engine URL
            quarters = tuple(data.quarters_with_data(status.url, status.version, calendar.start_month))
        except Exception as exc:
            status = data.SourceStatus(
                status.label,
                None,
                False,
                f"The data could not be read ({type(exc).__name__}). Check the Data page.",
                detail=status.detail,
            )
    _seed_from_url(quarters)
    new_page = st.session_state.get("bb_page") != title
    st.session_state["bb_page"] = title
    if presenting:
        st.html(PRESENTATION_CSS)
        filters = _saved_filters(quarters)
    else:
        nav = st.sidebar.container()
        filters = _sidebar_filters(quarters, new_page)
        _sidebar_nav(nav, filters)
    ctx = PageContext(settings, calendar, status, filters, quarters, presenting, bool(st.session_state.get(MASKING)))
    if not presenting:
        _sidebar_modes(ctx)
        _sidebar_status(status)
        access.sidebar_user(who)
    deck = presenting and page.presented  # the page shows itself as slides (app/deck.py)
    slide = st.session_state.get(SLIDE, 0)
    _keep_url({**ctx.link_params, "slide": str(slide + 1)} if deck and slide >= 0 else ctx.link_params)
    if status.refused and not presenting:
        _refused_banner(settings, status)
    elif status.refused:  # on the projector too: one line, still at the top
        st.error(f"Data shown is from {status.imported_at or 'no import'}: the CSV folder has errors.")
    if status.rebuild_fault and status.ok and status.imported_at and not presenting:
        _rebuild_fault_banner(status)
    elif status.rebuild_fault and status.ok:
        st.warning(f"Data shown is from {status.imported_at}: the newer CSV files could not be loaded.")
    if not deck:  # a slide says the page and the period in one line (below): it needs the screen
        st.title(title)
    data.set_alert_slot(st.container())  # under the title: where a database error met later is told
    if needs_data and not status.ok:
        st.warning(f"**No data to show right now.** {status.message}", icon=":material/database_off:")
        access.data_page_link(
            label="Open the Data page to see what to fix or to upload files", icon=":material/arrow_forward:"
        )
        st.stop()
    missing = missing_data_message(page, status.tables_with_rows) if needs_data else None
    if missing:
        st.info(missing, icon=":material/database_off:")
        access.data_page_link(label="Open the Data page to upload files", icon=":material/arrow_forward:")
        st.stop()
    if needs_data:
        period = f"{ctx.period_label} · {filters.department_label} · data as of {status.imported_at or 'the database'}"
        if "spend" in page.needs + page.uses:  # the pages that show money say which currency it is in
            period += f" · amounts in {settings.reporting_currency}"
        if deck:
            st.caption(f"**{title}** · {period}")
        elif presenting:  # read from the back of the room: full-size text, not a caption
            st.markdown(f"**{period}**")
        else:
            st.caption(period)
    if presenting and not deck:
        _presentation_bar(page, ctx.link_params, who)
    return ctx


def require_quarter(ctx: PageContext) -> FiscalQuarter:
    """The selected quarter; without dated data there is none, and the page says what to load."""
    if ctx.filters.quarter is None:
        st.info(
            "No spend line, KPI observation or request is dated yet, so there is no quarter to show. "
            "Load `spend.csv`, `kpi_actuals.csv` or `requests.csv` on the Data page.",
            icon=":material/database_off:",
        )
        access.data_page_link(label="Open the Data page to upload files", icon=":material/arrow_forward:")
        st.stop()
    return ctx.filters.quarter
