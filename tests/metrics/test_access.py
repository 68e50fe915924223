"""Who may do what (`metrics.access`): the permission table, the refusals in words, and the
mapping of identities and claims to roles."""

from __future__ import annotations

import pytest

from metrics import access
from metrics.access import (
    ACCESS_ROLES,
    CLOSE,
    COMMENTARY,
    IMPORT,
    LOG,
    SIDES,
    TARGETS,
    Actor,
    MappingError,
    refusal,
    role_mapping,
    roles_for,
    session_role,
)


def _may(role: str | None, action: str, side: str | None = None) -> bool:
    return access.permissions(role).may(action, side)


def test_the_permission_table():
    assert [(r, _may(r, IMPORT)) for r in ACCESS_ROLES] == [
        ("admin", True),
        ("CFO", True),
        ("CIO", False),
        ("CMO", False),
        ("viewer", False),
        ("board", False),
    ]
    assert {r: access.PERMISSIONS[r].sides for r in ACCESS_ROLES} == {
        "admin": SIDES,
        "CFO": ("CFO",),
        "CIO": ("CIO",),
        "CMO": ("CMO",),
        "viewer": (),
        "board": (),
    }
    for action in (TARGETS, COMMENTARY):
        assert _may("CMO", action, "CMO") and not _may("CMO", action, "CIO")
        assert _may("CIO", action, "CIO") and not _may("CIO", action, "CMO")
        assert all(_may("admin", action, s) for s in SIDES)
        assert not any(_may(r, action, s) for r in ("viewer", "board") for s in SIDES)
    for action in (LOG, CLOSE):
        assert [r for r in ACCESS_ROLES if _may(r, action)] == ["admin", "CFO", "CIO", "CMO"]
    assert [r for r in ACCESS_ROLES if access.PERMISSIONS[r].pages == access.BOARD_PAGES] == ["board"]
    assert [r for r in ACCESS_ROLES if not access.PERMISSIONS[r].writes] == ["viewer", "board"]


def test_without_sign_in_the_local_user_may_do_everything():
    local = Actor("CIO", "CIO")
    assert local.access is None and local.permissions is access.LOCAL
    assert all(refusal(local, a, s) is None for a in access.ACTIONS for s in SIDES)


def test_refusals_say_why_in_words():
    cmo = Actor("cmo@example.com", "CMO", "CMO")
    assert refusal(cmo, TARGETS) is None and refusal(cmo, COMMENTARY) is None
    assert refusal(cmo, TARGETS, "CIO") == (
        "Signed in as the CMO, you record only the CMO's agreements and proposals, not the CIO's. Nothing was saved."
    )
    assert refusal(cmo, COMMENTARY, "CIO") == (
        "Signed in as the CMO, you record only the CMO's commentary, not the CIO's. Nothing was saved."
    )
    assert refusal(cmo, IMPORT) == (
        "Signed in as the CMO, you cannot import data: imports are for the admin and the CFO. Nothing was imported."
    )
    viewer = Actor("v@example.com", "viewer", "viewer")
    assert refusal(viewer, LOG) == "Signed in as a viewer, you read the pages and change nothing. Nothing was saved."
    board = Actor("chair@example.com", "board", "board")
    assert refusal(board, CLOSE) == (
        "Signed in as a board member, you read the Overview, presentation mode and the board pack and change "
        "nothing. Nothing was saved."
    )
    assert "cannot import" in (refusal(board, IMPORT) or "")
    assert refusal(Actor("cio@example.com", "CMO", "CIO"), CLOSE) == (
        "Signed in as the CIO, you act only for the CIO, not the CMO. Nothing was saved."
    )
    assert refusal(Actor("a@example.com", "Analyst", "admin"), CLOSE) is None


MAPPING = role_mapping(
    {
        "role_claim": "groups",
        "roles": {"CFO@Example.com": "cfo", "chair@example.com": ["board"], "both@example.com": ["CMO", "admin"]},
        "claim_roles": {"bb-marketing": "CMO"},
    }
)


@pytest.mark.parametrize(
    ("claims", "roles"),
    [
        ({"email": "cfo@example.com"}, {"CFO"}),  # e-mail in any case, role names in any case
        ({"email": "chair@example.com", "groups": []}, {"board"}),
        ({"email": "x@example.com", "groups": ["bb-marketing", "staff"]}, {"CMO"}),  # the IdP's own name
        ({"email": "x@example.com", "groups": "CIO"}, {"CIO"}),  # a claim naming the role itself
        ({"email": "both@example.com", "groups": ["viewer"]}, {"CMO", "admin", "viewer"}),
        ({"email": "nobody@example.com"}, {"viewer"}),  # unknown: a viewer by default
        ({"email": "cfo@example.com", "email_verified": False}, {"viewer"}),  # an unverified address counts not
        ({}, {"viewer"}),
    ],
)
def test_roles_for(claims, roles):
    assert roles_for(claims, MAPPING) == frozenset(roles)


def test_unknown_identities_can_be_refused():
    refusing = role_mapping({"unknown": "refuse", "roles": {"cio@example.com": "CIO"}})
    assert roles_for({"email": "stranger@example.com"}, refusing) == frozenset()
    assert roles_for({"email": "cio@example.com"}, refusing) == {"CIO"}
    assert session_role(frozenset()) is None


def test_a_session_acts_in_the_most_permissive_role():
    assert session_role({"CMO", "admin", "viewer"}) == "admin"
    assert session_role({"board", "viewer"}) == "viewer"
    assert session_role({"CIO"}) == "CIO"


def test_no_mapping_makes_everyone_a_viewer():
    assert roles_for({"email": "cio@example.com", "role": "CIO"}, role_mapping(None)) == {"viewer"}


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ({"roles": {"a@example.com": "boss"}}, "'boss' is not a role"),
        ({"claim_roles": {"g": "root"}}, "'root' is not a role"),
        ({"unknown": "admin"}, "unknown must be 'viewer' or 'refuse'"),
    ],
)
def test_a_wrong_mapping_says_what_to_fix(section, words):
    with pytest.raises(MappingError, match=words):
        role_mapping(section)


def test_identity_is_the_email_else_the_subject():
    assert access.identity({"email": "cmo@example.com", "sub": "cmo", "name": "Pat"}) == "cmo@example.com"
    assert access.identity({"sub": "cmo"}) == "cmo"


def test_sign_in_is_configured_by_auth():
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32}
    assert not access.sign_in_configured({})
    assert not access.sign_in_configured({"auth": auth})  # no provider
    assert access.sign_in_configured({"auth": {**auth, "client_id": "bb"}})
    assert access.sign_in_provider({"auth": {**auth, "client_id": "bb"}}) is None
    named = {"auth": {**auth, "okta": {"client_id": "bb"}}}
    assert access.sign_in_configured(named) and access.sign_in_provider(named) == "okta"
    assert not access.sign_in_configured({"auth": {"client_id": "bb", "cookie_secret": "s" * 32}})
