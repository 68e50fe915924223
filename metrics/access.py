"""Who may do what: the signed-in roles, their permissions, the mapping of identities to roles,
and who makes a change (`Actor`). Pure Python: the app, the stores and the importers ask here.

Two words, kept apart
    - a **role** is what a signed-in person is: admin, CFO, CIO, CMO, viewer or board
      (`ACCESS_ROLES`), from the mapping in `.streamlit/secrets.toml` (see `roles_for`);
    - a **side** is whom a change is recorded for: the CIO, the CMO, the CFO or the Analyst
      (`SIDES`): the CIO's note, the CMO's agreement, a proposal made by the CFO.

The permission table (`PERMISSIONS`, in the README's "Sign-in and roles")

    role     pages                       import  sides it acts for          log  close
    admin    all                         yes     CIO, CMO, CFO, Analyst     yes  yes
    CFO      all                         yes     CFO                        yes  yes
    CIO      all                         no      CIO                        yes  yes
    CMO      all                         no      CMO                        yes  yes
    viewer   all, read-only              no      none                       no   no
    board    Overview, presentation      no      none                       no   no
             mode and the board pack

"Acts for" covers the side's target proposals and agreements and its commentary; "log" is
recording decisions and actions; "close" is closing and reopening a quarter. Without sign-in
configured the app is one local user (`access=None` on the `Actor`), who may do everything and
chooses the side acted for, as before sign-in existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The sides a change is recorded for (the "Acting as" choices). The CFO agrees no target.
SIDES = ("CIO", "CMO", "CFO", "Analyst")

ADMIN, CFO, CIO, CMO, VIEWER, BOARD = "admin", "CFO", "CIO", "CMO", "viewer", "board"
# The signed-in roles, most permissive first: a person mapped to several gets the first.
ACCESS_ROLES = (ADMIN, CFO, CIO, CMO, VIEWER, BOARD)

# What may be done (the actions the stores and the importers check).
IMPORT = "import"  # import data: the Data page's uploads and importers, `load_folder`, `import_tables`
TARGETS = "targets"  # propose a target or record an agreement, for a side
COMMENTARY = "commentary"  # write a side's note
LOG = "log"  # record or change a decision or action
CLOSE = "close"  # close or reopen a quarter
ACTIONS = (IMPORT, TARGETS, COMMENTARY, LOG, CLOSE)

ALL_PAGES, BOARD_PAGES = "all", "board"
UNKNOWN_VIEWER, UNKNOWN_REFUSED = "viewer", "refuse"  # `unknown = ...` under [bridgeboard]


@dataclass(frozen=True)
class Permissions:
    role: str
    pages: str  # ALL_PAGES, or BOARD_PAGES: the Overview, presentation mode and the board pack
    may_import: bool
    sides: tuple[str, ...]  # the sides it acts for: their proposals, agreements and commentary
    may_log: bool  # record and change decisions and actions
    may_close: bool  # close and reopen a quarter

    @property
    def writes(self) -> bool:
        """Whether the role changes anything at all (a viewer and the board read only)."""
        return self.may_import or bool(self.sides) or self.may_log or self.may_close

    def may(self, action: str, side: str | None = None) -> bool:
        if action == IMPORT:
            return self.may_import
        if action in (TARGETS, COMMENTARY):
            return side in self.sides
        if action == LOG:
            return self.may_log and (side is None or side in self.sides)
        if action == CLOSE:
            return self.may_close and (side is None or side in self.sides)
        raise ValueError(f"unknown action {action!r}")


PERMISSIONS: dict[str, Permissions] = {
    ADMIN: Permissions(ADMIN, ALL_PAGES, True, SIDES, True, True),
    CFO: Permissions(CFO, ALL_PAGES, True, (CFO,), True, True),
    CIO: Permissions(CIO, ALL_PAGES, False, (CIO,), True, True),
    CMO: Permissions(CMO, ALL_PAGES, False, (CMO,), True, True),
    VIEWER: Permissions(VIEWER, ALL_PAGES, False, (), False, False),
    BOARD: Permissions(BOARD, BOARD_PAGES, False, (), False, False),
}
# No sign-in configured: the one local user does everything, for any side.
LOCAL = Permissions("local", ALL_PAGES, True, SIDES, True, True)


def permissions(role: str | None) -> Permissions:
    """The permissions of a signed-in role; None is the one local user (no sign-in)."""
    if role is None:
        return LOCAL
    if role not in PERMISSIONS:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ACCESS_ROLES)}")
    return PERMISSIONS[role]


@dataclass(frozen=True)
class Actor:
    """Who makes a change: recorded with every version and audit row.

    ``name``: the signed-in identity (the e-mail address); without sign-in, the side acted for.
    ``role``: the side the change is recorded for, one of `SIDES`.
    ``access``: the signed-in role (`ACCESS_ROLES`) the stores check; None without sign-in.
    """

    name: str
    role: str
    access: str | None = None

    @property
    def permissions(self) -> Permissions:
        return permissions(self.access)


def _the(role: str) -> str:
    return "a viewer" if role == VIEWER else "a board member" if role == BOARD else f"the {role}"


def refusal(actor: Actor, action: str, side: str | None = None) -> str | None:
    """Why `actor` may not do `action` (for `side`: by default the side it acts for), in words;
    None when it may."""
    if actor.access is None:  # the one local user: the stores' own rules still apply
        return None
    side = actor.role if side is None else side
    perms = actor.permissions
    if perms.may(action, side):
        return None
    who = f"Signed in as {_the(perms.role)}"
    if action == IMPORT:
        importers = " and the ".join(r for r in ACCESS_ROLES if PERMISSIONS[r].may_import)
        return f"{who}, you cannot import data: imports are for the {importers}. Nothing was imported."
    if not perms.writes:
        reads = "the Overview, presentation mode and the board pack" if perms.pages == BOARD_PAGES else "the pages"
        return f"{who}, you read {reads} and change nothing. Nothing was saved."
    if action in (TARGETS, COMMENTARY):
        own = " or ".join(f"the {s}'s" for s in perms.sides)
        what = "agreements and proposals" if action == TARGETS else "commentary"
        return f"{who}, you record only {own} {what}, not the {side}'s. Nothing was saved."
    own = " or the ".join(perms.sides)
    return f"{who}, you act only for the {own}, not the {side}. Nothing was saved."  # LOG or CLOSE


# --- Who is who: the mapping of identities and claims to roles -----------------------------------


@dataclass(frozen=True)
class RoleMapping:
    """The mapping in `.streamlit/secrets.toml` under ``[bridgeboard]`` (see `role_mapping`)."""

    by_email: Mapping[str, tuple[str, ...]]  # lower-case e-mail -> roles
    claim: str | None = None  # a claim holding role names (a text or a list), e.g. "groups" or "role"
    claim_values: Mapping[str, str] | None = None  # claim value -> role, when the IdP's names differ
    unknown: str = UNKNOWN_VIEWER  # who is not mapped: a viewer, or refused


class MappingError(ValueError):
    """The role mapping in the secrets cannot be used; the message says what to fix."""


def _role_name(value: object, where: str) -> str:
    text = str(value).strip()
    for role in ACCESS_ROLES:
        if text.lower() == role.lower():
            return role
    raise MappingError(f"{where}: '{text}' is not a role; use one of {', '.join(ACCESS_ROLES)}")


def _as_list(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def role_mapping(section: Mapping | None) -> RoleMapping:
    """The mapping from the ``[bridgeboard]`` table of the secrets::

    [bridgeboard]
    role_claim = "groups"      # optional: a claim whose values name roles
    unknown = "viewer"         # or "refuse": who is not mapped is not let in

    [bridgeboard.roles]        # by e-mail address (any case)
    "cfo@example.com" = "CFO"
    "chair@example.com" = ["board"]

    [bridgeboard.claim_roles]  # optional: the claim's values as the IdP names them
    "bb-finance" = "CFO"
    """
    section = section or {}
    by_email = {
        str(email).strip().lower(): tuple(_role_name(r, f"[bridgeboard.roles] '{email}'") for r in _as_list(roles))
        for email, roles in (section.get("roles") or {}).items()
    }
    claim = str(section.get("role_claim") or "").strip() or None
    claim_values = {
        str(value).strip().lower(): _role_name(role, f"[bridgeboard.claim_roles] '{value}'")
        for value, role in (section.get("claim_roles") or {}).items()
    }
    unknown = str(section.get("unknown") or UNKNOWN_VIEWER).strip().lower()
    if unknown not in (UNKNOWN_VIEWER, UNKNOWN_REFUSED):
        raise MappingError(f"[bridgeboard] unknown must be '{UNKNOWN_VIEWER}' or '{UNKNOWN_REFUSED}', not '{unknown}'")
    return RoleMapping(by_email, claim, claim_values or None, unknown)


def roles_for(claims: Mapping, mapping: RoleMapping) -> frozenset[str]:
    """The roles of a signed-in person, from their claims: the e-mail address listed under
    ``[bridgeboard.roles]`` (only when the provider does not say it is unverified), and the values
    of the ``role_claim`` claim (role names, or values listed under ``[bridgeboard.claim_roles]``;
    values naming no role are ignored). Nobody mapped: {viewer}, or no role at all (refused) when
    ``unknown = "refuse"``."""
    found: set[str] = set()
    email = str(claims.get("email") or "").strip().lower()
    if email and claims.get("email_verified") is not False:
        found.update(mapping.by_email.get(email, ()))
    if mapping.claim:
        for value in _as_list(claims.get(mapping.claim)):
            text = str(value).strip()
            if mapping.claim_values and text.lower() in mapping.claim_values:
                found.add(mapping.claim_values[text.lower()])
                continue
            found.update(r for r in ACCESS_ROLES if r.lower() == text.lower())
    if not found and mapping.unknown == UNKNOWN_VIEWER:
        found.add(VIEWER)
    return frozenset(found)


def session_role(roles: Iterable[str]) -> str | None:
    """The one role a session acts in: the most permissive of `roles`; None when there is none."""
    held = set(roles)
    return next((r for r in ACCESS_ROLES if r in held), None)


def identity(claims: Mapping) -> str:
    """Who a signed-in person is in the audit: their e-mail address, else the subject id."""
    return str(claims.get("email") or claims.get("sub") or claims.get("name") or "").strip()


# Said by every page and by the start command when a shared deployment lacks sign-in.
SIGN_IN_REQUIRED = "This deployment requires sign-in, and sign-in is not configured."
SIGN_IN_REQUIRED_FIX = (
    "Bridgeboard does not run without it: add the `[auth]` section to `.streamlit/secrets.toml` (see the "
    'README\'s "Sign-in and roles"), or unset the setting that requires sign-in for a one-user install.'
)


def start_refusal(require_sign_in: bool, secrets: Mapping) -> str | None:
    """Why Bridgeboard must not run (a deployment that requires sign-in without `[auth]`), or None."""
    if require_sign_in and not sign_in_configured(secrets):
        return f"{SIGN_IN_REQUIRED} {SIGN_IN_REQUIRED_FIX}"
    return None


def sign_in_configured(secrets: Mapping) -> bool:
    """Whether `[auth]` in the secrets configures sign-in: `redirect_uri` and `cookie_secret`, and
    a provider (`client_id` at the top, or a `[auth.<provider>]` table)."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return False
    return bool(auth.get("client_id")) or any(isinstance(v, Mapping) and v.get("client_id") for v in auth.values())


def sign_in_provider(secrets: Mapping) -> str | None:
    """The provider `st.login` is called with: None for `[auth]`'s own, else the first named one."""
    auth = secrets.get("auth") or {}
    if auth.get("client_id"):
        return None
    return next((k for k, v in auth.items() if isinstance(v, Mapping) and v.get("client_id")), None)
