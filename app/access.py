"""Sign-in and roles in the app: the gate every page passes through (`page_setup` calls `gate`),
who is signed in, the side a change is recorded for, and the `Actor` the stores check.

With `[auth]` configured in `.streamlit/secrets.toml`, every page (a deep link included: each page
calls `page_setup`) requires `st.user.is_logged_in`, else it shows the sign-in screen and stops.
The role is derived once per session from the claims and the mapping under `[bridgeboard]`
(`metrics.access.roles_for`) and kept in the session with the identity it was derived for.
Without `[auth]`, the app is one local user who chooses the side acted for ("Acting as"), unless
the deployment requires sign-in (`Settings.require_sign_in`): then every page refuses to run.

Caches and roles: every role that may open a page sees the same figures on it (roles differ in
which pages they open and what they may change, never in which rows they see), so the cached
adapters (`app/data.py`, `app/spend.py`, `app/kpis.py`, `app/review.py`, the board pack) are
keyed by the data, never by the role, and an entry is the same whoever computed it. What only some
roles see is decided when drawing, outside the caches: the Data page's full source description
(for who may import), the write forms, the pages themselves. A future role that sees fewer rows
must add its visibility to the keys of the adapters it reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from app.navigation import DATA, OVERVIEW, Page
from app.text import plain
from metrics import access
from metrics.access import Actor, Permissions
from metrics.settings import Settings

SIGNED_IN = "bb_signed_in"  # the SignedIn of this session, derived once
SAVED_ROLE = "bb_saved_role"  # the side acted for, kept across pages (widget state is per page)
DEFAULT_SIDE = "Analyst"


@dataclass(frozen=True)
class SignedIn:
    """Who uses this session. `role` None: sign-in is not configured, one local user."""

    identity: str = ""  # the e-mail address (else the subject id): recorded in the audit
    name: str = ""
    role: str | None = None

    @property
    def local(self) -> bool:
        return self.role is None

    @property
    def permissions(self) -> Permissions:
        return access.permissions(self.role)


LOCAL_USER = SignedIn()


def current() -> SignedIn:
    return st.session_state.get(SIGNED_IN) or LOCAL_USER


def may_open(perms: Permissions, page: Page, presenting: bool) -> bool:
    """The board opens the Overview, and the walk-through's pages in presentation mode; every
    other role opens every page."""
    if perms.pages == access.ALL_PAGES:
        return True
    return page == OVERVIEW or (presenting and page.presented)


def data_page_link(label: str, icon: str) -> None:
    """A link to the Data page from a banner or a message, for the roles that open it (not the board,
    whose page would refuse it)."""
    if may_open(current().permissions, DATA, False):
        st.page_link(DATA.path, label=label, icon=icon)


def acting_side() -> str:
    """The side a change is recorded for: the one chosen under "Acting as" among those the role
    acts for (without sign-in: any side)."""
    sides = current().permissions.sides
    saved = st.session_state.get(SAVED_ROLE, DEFAULT_SIDE)
    if saved in sides:
        return saved
    return sides[0] if sides else DEFAULT_SIDE


def actor() -> Actor:
    """Who makes a change: the signed-in identity and role, or the local user's side."""
    who = current()
    side = acting_side()
    if who.local:
        return Actor(name=side, role=side)
    return Actor(name=who.identity, role=side, access=who.role)


def may(action: str, side: str | None = None) -> bool:
    """Whether this session may do `action` (for `side`), to hide what it may not."""
    return current().permissions.may(action, side)


def _sign_out() -> None:
    st.session_state.pop(SIGNED_IN, None)
    st.logout()


def sign_out_button(key: str) -> None:
    st.button("Sign out", icon=":material/logout:", key=key, on_click=_sign_out)


def _sign_in_screen(provider: str | None) -> None:
    st.title("Bridgeboard")
    st.markdown("Sign in to see the dashboard. Your organisation's sign-in page opens and brings you back here.")
    st.button(
        "Sign in",
        type="primary",
        icon=":material/login:",
        key="bb_sign_in",
        on_click=st.login,
        args=(provider,) if provider else (),
    )


def _derive(claims: Mapping, section: Mapping | None) -> SignedIn:
    mapping = access.role_mapping(section)
    role = access.session_role(access.roles_for(claims, mapping))
    return SignedIn(access.identity(claims), str(claims.get("name") or ""), role)


def gate(page: Page, settings: Settings, secrets: Mapping, presenting: bool) -> SignedIn:
    """Let the session in, or say why not and stop the page."""
    if not access.sign_in_configured(secrets):
        if settings.require_sign_in:
            st.error(f"**{access.SIGN_IN_REQUIRED}** {access.SIGN_IN_REQUIRED_FIX}", icon=":material/lock:")
            st.stop()
        st.session_state[SIGNED_IN] = LOCAL_USER
        return LOCAL_USER
    if not st.user.is_logged_in:
        st.session_state.pop(SIGNED_IN, None)
        _sign_in_screen(access.sign_in_provider(secrets))
        st.stop()
    claims = {k: v for k, v in st.user.to_dict().items() if k != "is_logged_in"}
    held = st.session_state.get(SIGNED_IN)
    if not isinstance(held, SignedIn) or held.local or held.identity != access.identity(claims):
        try:
            held = _derive(claims, secrets.get("bridgeboard"))
        except access.MappingError as exc:
            st.error(f"Bridgeboard's role mapping cannot be used: {plain(str(exc))}.", icon=":material/settings:")
            st.stop()
        st.session_state[SIGNED_IN] = held
    if held.role is None:
        st.error(
            f"**{plain(held.identity or 'This account')} has no role in Bridgeboard.** Ask whoever runs it to add "
            "you to the role mapping.",
            icon=":material/no_accounts:",
        )
        sign_out_button("bb_sign_out_refused")
        st.stop()
    if not may_open(held.permissions, page, presenting):
        st.warning(
            "**Board members see the Overview, presentation mode and the board pack.** This page is not one of them.",
            icon=":material/lock:",
        )
        st.page_link(OVERVIEW.path, label="Open the Overview", icon=OVERVIEW.icon)
        st.stop()
    return held


def sidebar_user(who: SignedIn) -> None:
    """Who is signed in, in which role, and the way out; or, without sign-in, that there is none."""
    with st.sidebar:
        st.divider()
        if who.local:
            st.caption(f"Sign-in is not configured: one local user, acting as {plain(acting_side())}.")
            return
        name = f"{who.name} ({who.identity})" if who.name and who.name != who.identity else who.identity
        st.caption(f"Signed in as {plain(name)} · role: {plain(who.role or '')}")
        sign_out_button("bb_sign_out")


def acting_role(key: str, *, width: int = 220) -> str:
    """'Acting as': the side recorded with each change, the same on every page once chosen. Signed
    in, the choices are the sides the role acts for; with one, it is said, not asked."""
    who = current()
    sides = who.permissions.sides
    if not who.local and len(sides) <= 1:
        side = acting_side()
        st.caption(f"Acting as the {plain(side)}, signed in as {plain(who.identity)}.")
        return side
    if st.session_state.get(key) not in sides:
        st.session_state[key] = acting_side()
    return st.selectbox(
        "Acting as",
        sides,
        key=key,
        on_change=_keep_role,
        args=(key,),
        width=width,
        help="The side recorded with each change. Only the CIO writes the CIO's note, the CMO the CMO's, the CFO "
        "the note on spend."
        + ("" if who.local else " Signed in as admin, you act for any side; your identity is recorded with it."),
    )


# Every "Acting as" widget: the targets form's, and the review's (one per panel, "rv_role_..."),
# so that changing one changes them all.
TARGETS_ROLE_KEY, ROLE_PREFIX = "cx_role", "rv_role"


def _keep_role(key: str) -> None:
    role = st.session_state[key]
    st.session_state[SAVED_ROLE] = role
    for other in list(st.session_state.keys()):
        if other != key and (other == TARGETS_ROLE_KEY or str(other).startswith(ROLE_PREFIX)):
            st.session_state[other] = role
