"""Trust matrix G: authentication and authorisation. The stores are checked on DuckDB through
their public functions (`metrics.targets`), the gate through AppTest (`at.user`); the real OpenID
Connect flow in Chromium is tests/e2e/test_sign_in_e2e.py."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from metrics import access, db, targets
from metrics.access import Actor
from metrics.fiscal import FiscalQuarter
from metrics.targets import StaleTargetError, TargetError
from tests.app.conftest import open_page
from tests.db.test_targets import _tables

ROOT = Path(__file__).resolve().parents[2]
Q1 = FiscalQuarter(2026, 1)
CIO = Actor("sam.cio@example.com", "CIO", "CIO")
CMO = Actor("pat.cmo@example.com", "CMO", "CMO")
VIEWER = Actor("val.viewer@example.com", "Analyst", "viewer")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-secret-for-the-tests-only",
    "client_id": "bridgeboard",
    "client_secret": "unused",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def loaded(tmp_path):
    engine = db.make_engine(f"duckdb:///{tmp_path / 'bb.duckdb'}")
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    yield engine
    engine.dispose()


def propose(engine, actor: Actor, target: float, expected_version: int = 0):
    return targets.propose_target(
        engine, "nps", Q1, target=target, at_risk_threshold=2, note=None, actor=actor, expected_version=expected_version
    )


@pytest.mark.apptest
def test_G67_not_signed_in_a_deep_link_shows_only_sign_in(sample_env):
    at = open_page("pages/2_Customer_experience.py", user={"is_logged_in": False}, secrets={"auth": AUTH})
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.metric and not at.number_input  # no target, no form


def test_G68_a_viewer_cannot_edit_even_by_calling_the_store(loaded):
    perms = access.permissions("viewer")
    assert not perms.writes and not perms.may(access.TARGETS, "CIO")
    with pytest.raises(TargetError, match="Signed in as a viewer"):
        propose(loaded, VIEWER, 50)
    with pytest.raises(TargetError, match="Signed in as a viewer"):
        targets.record_agreement(loaded, "nps", Q1, side="CIO", actor=VIEWER, expected_version=0)
    assert targets.audit_history(loaded).empty and targets.effective_target(loaded, "nps", Q1).version == 0


def test_G69_an_editor_edits_and_the_audit_names_the_signed_in_person(loaded):
    assert propose(loaded, CIO, 46).version == 1
    audit = targets.audit_history(loaded)
    assert set(audit["changed_by"]) == {"sam.cio@example.com"} and set(audit["role"]) == {"CIO"}
    assert targets.effective_target(loaded, "nps", Q1).target == 46.0


def test_G70_cached_queries_are_never_keyed_or_filtered_by_role():
    """Documented rule (README "Caches and roles"): roles differ in pages and writes, never in rows,
    so a cached result is the same for every role that may open the page. A role that sees fewer
    rows would need a field here, and its visibility in the cache keys: this test then fails."""
    assert [f.name for f in dataclasses.fields(access.Permissions)] == [
        "role",
        "pages",
        "may_import",
        "sides",
        "may_log",
        "may_close",
    ]
    identity_words = {"role", "actor", "user", "access", "who", "email", "perms", "permissions"}
    cached = []
    for path in sorted((ROOT / "app").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("cache_data" in ast.unparse(d) for d in node.decorator_list):
                cached.append(node.name)
                params = {a.arg for a in node.args.args + node.args.kwonlyargs}
                assert not params & identity_words, (path.name, node.name, params)
                body = ast.unparse(node)
                assert "st.user" not in body and "access." not in body, (path.name, node.name)
    assert len(cached) >= 10  # every page's adapters were read


def test_G73_identity_never_comes_from_request_headers():
    """Sign-in is `st.login` only: a forged X-Forwarded-Email sent to the Streamlit port is not read."""
    files = [ROOT / "dashboard.py", *ROOT.glob("pages/*.py"), *ROOT.glob("app/*.py"), *ROOT.glob("metrics/*.py")]
    code = "\n".join(p.read_text(encoding="utf-8") for p in files)
    assert "context.headers" not in code and "x-forwarded" not in code.lower()
    assert "st.user" in (ROOT / "app" / "access.py").read_text(encoding="utf-8")  # where identity comes from


def test_G74_a_concurrent_edit_is_refused_and_nothing_is_lost(loaded):
    propose(loaded, CMO, 46)  # both opened version 0; the CMO saves first
    with pytest.raises(StaleTargetError, match="changed by pat.cmo@example.com at .* reload and try again"):
        propose(loaded, CIO, 43)
    kept = targets.effective_target(loaded, "nps", Q1)
    assert (kept.target, kept.version) == (46.0, 1)


def test_G75_a_double_submitted_save_is_recorded_once(loaded):
    propose(loaded, CIO, 45)
    with pytest.raises(StaleTargetError):
        propose(loaded, CIO, 45)  # the same form again (a double click or a rerun): still version 0
    assert targets.effective_target(loaded, "nps", Q1).version == 1
    assert set(targets.audit_history(loaded)["version"]) == {1}
