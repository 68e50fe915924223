"""Sign-in and roles in AppTest (`at.user` set per role, `[auth]` given through `at.secrets`):
every page asks to sign in, each role sees what the permission table gives it and no more, the
audit records who signed in, and without `[auth]` the app says it is one local user (or, when the
deployment requires sign-in, refuses to run)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.text import plain
from metrics import db, targets
from tests.app.conftest import ENTRYPOINT, open_page

SPEND, CX, TURNAROUND, REVIEW, DATA = (
    "pages/1_Tech_spend.py",
    "pages/2_Customer_experience.py",
    "pages/3_Request_turnaround.py",
    "pages/4_Quarterly_review.py",
    "pages/9_Data.py",
)
ALL_PAGES = (None, SPEND, CX, TURNAROUND, REVIEW, DATA)
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-secret-for-the-tests-only",
    "client_id": "bridgeboard",
    "client_secret": "unused",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
PEOPLE = {
    "admin": "ada.admin@example.com",
    "CFO": "lee.cfo@example.com",
    "CIO": "sam.cio@example.com",
    "CMO": "pat.cmo@example.com",
    "board": "chair@example.com",
}
SECRETS = {"auth": AUTH, "bridgeboard": {"roles": {email: role for role, email in PEOPLE.items()}}}
VIEWER = "val.anyone@example.com"  # not in the mapping: a viewer


@pytest.fixture
def private_db(sample_env, tmp_path, monkeypatch):
    path = tmp_path / "bridgeboard.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    return path


def open_as(email: str | None, page: str | None = None, *, secrets: dict | None = None, session=None) -> AppTest:
    user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]} if email else {"is_logged_in": False}
    at = open_page(page, session=session, user=user, secrets=SECRETS if secrets is None else secrets)
    assert not at.exception, at.exception
    return at


def _texts(at) -> str:
    parts = [
        e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def _acting_as_widgets(at) -> list[str]:
    return [s.key for s in at.selectbox if s.label == "Acting as"]


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_asks_to_sign_in(sample_env, page):
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.secrets = dict(SECRETS)
    at.user = {"is_logged_in": False}
    at.run()
    if page:
        at.switch_page(page).run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox  # nothing of the data shown


def test_the_signed_in_person_is_named_with_a_way_out(sample_env):
    at = open_as(PEOPLE["CIO"])
    shown = f"Signed in as {plain('sam.cio (sam.cio@example.com)')} · role: CIO"
    assert shown in [c.value for c in at.sidebar.caption]
    assert at.sidebar.button(key="bb_sign_out").label == "Sign out"
    at.sidebar.button(key="bb_sign_out").click().run()
    assert at.user["is_logged_in"] is False


def test_without_sign_in_one_local_user_acts_as_before(app):
    at = app()
    assert "Sign-in is not configured: one local user, acting as Analyst." in [c.value for c in at.sidebar.caption]
    at = app(SPEND)
    at.selectbox(key="rv_role_page_tech_spend").set_value("CIO").run()
    assert "Sign-in is not configured: one local user, acting as CIO." in [c.value for c in at.sidebar.caption]


def test_a_deployment_that_requires_sign_in_refuses_to_run_without_it(sample_env, monkeypatch):
    monkeypatch.setenv("BRIDGEBOARD_REQUIRE_SIGN_IN", "1")
    for page in (None, DATA):
        at = open_as(None, page, secrets={"bridgeboard": {}})
        assert "This deployment requires sign-in, and sign-in is not configured." in at.error[0].value
        assert not at.dataframe and not at.metric
    monkeypatch.delenv("BRIDGEBOARD_REQUIRE_SIGN_IN")
    at = open_as(None, secrets={"bridgeboard": {"require_sign_in": True}})
    assert "requires sign-in" in at.error[0].value


def test_the_board_sees_the_overview_presentation_mode_and_the_pack_only(sample_env):
    at = open_as(PEOPLE["board"])
    assert [p.label for p in at.sidebar.get("page_link")] == ["Overview"]
    assert at.metric  # the five numbers
    assert [b.key for b in at.sidebar.get("download_button")] == ["bb_pack_pptx", "bb_pack_pdf"]
    for page in (SPEND, CX, TURNAROUND, REVIEW, DATA):
        at = open_as(PEOPLE["board"], page)
        assert "Board members see the Overview, presentation mode and the board pack." in at.warning[0].value
        assert not at.dataframe and not at.metric
    # Presentation mode walks through the pages it presents, read-only.
    at = open_as(PEOPLE["board"], CX, session={"bb_present": True, "bb_modes_seeded": True})
    assert not at.warning and at.table and not at.text_area and not at.get("form")  # the scorecard slide
    at = open_as(PEOPLE["board"], REVIEW, session={"bb_present": True, "bb_modes_seeded": True})
    assert "Board members see the Overview" in at.warning[0].value


def test_a_viewer_sees_every_page_with_no_write_control(sample_env):
    for page in ALL_PAGES:
        at = open_as(VIEWER, page)
        assert not at.warning or "Board members" not in at.warning[0].value
        assert not at.text_area and not at.number_input and not at.file_uploader, page
        assert not [b for b in at.button if b.key and b.key != "bb_sign_out"], page
        assert not _acting_as_widgets(at)
    at = open_as(VIEWER, CX)
    assert "Signed in as a viewer, you read the targets and their history" in _texts(at)
    at = open_as(VIEWER, DATA)
    assert plain("Signed in as a viewer, you cannot import data: imports are for the admin and the CFO.") in _texts(at)


@pytest.mark.parametrize("role", ["CIO", "CMO"])
def test_the_cio_and_the_cmo_act_for_their_own_side_and_do_not_import(sample_env, role):
    at = open_as(PEOPLE[role], CX)
    assert not _acting_as_widgets(at)  # no choice: the side is the role
    assert f"Acting as the {role}, signed in as {plain(PEOPLE[role])}." in [c.value for c in at.caption]
    assert at.button(key="cx_agree").label == f"Record the {role}'s agreement to this target"
    at = open_as(PEOPLE[role], DATA)
    assert not at.file_uploader
    assert f"Signed in as the {role}, you cannot import data" in _texts(at)


@pytest.mark.parametrize("role", ["admin", "CFO"])
def test_the_admin_and_the_cfo_import(sample_env, role):
    at = open_as(PEOPLE[role], DATA)
    assert at.file_uploader


def test_only_the_admin_chooses_the_side(sample_env):
    at = open_as(PEOPLE["admin"], CX)
    assert at.selectbox(key="cx_role").options == ["CIO", "CMO", "CFO", "Analyst"]
    at = open_as(PEOPLE["CFO"], CX)
    assert not _acting_as_widgets(at) and "Only the CIO and the CMO record agreement." in [c.value for c in at.caption]


def test_the_audit_records_who_signed_in(private_db):
    at = open_as(PEOPLE["CMO"], CX)
    kpi = at.selectbox(key="cx_target_kpi").value
    at.number_input[0].set_value(at.number_input[0].value + 1)  # the target: a new proposal
    at.button(key="cx_propose_submit").click().run()
    assert [s.value for s in at.success][0].startswith("New target proposed")
    at.button(key="cx_agree").click().run()
    assert not at.exception and [s.value for s in at.success][0].startswith("CMO agreement recorded")
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        audit = targets.audit_history(engine)
    finally:
        engine.dispose()
    assert set(zip(audit["changed_by"], audit["role"], audit["kpi"], strict=True)) == {(PEOPLE["CMO"], "CMO", kpi)}


def test_an_unknown_identity_is_refused_when_the_mapping_says_so(sample_env):
    secrets = {**SECRETS, "bridgeboard": {**SECRETS["bridgeboard"], "unknown": "refuse"}}
    at = open_as("stranger@example.com", secrets=secrets)
    assert f"**{plain('stranger@example.com')} has no role in Bridgeboard.**" in at.error[0].value
    assert not at.metric
    assert at.button(key="bb_sign_out_refused")


def test_sign_out_is_reachable_in_presentation_mode(sample_env):
    """The sidebar (with its Sign out) is not drawn in presentation mode: the bar offers it."""
    presenting = {"bb_present": True, "bb_modes_seeded": True}
    at = open_as(PEOPLE["CMO"], CX, session=presenting)
    assert not at.sidebar.button, "no sidebar in presentation mode"
    sign_out = at.button(key="bb_present_sign_out")
    assert sign_out.label == "Sign out"
    sign_out.click().run()
    assert at.user["is_logged_in"] is False
    # Without sign-in there is nobody to sign out.
    local = open_page(CX, session=presenting)
    assert "bb_present_sign_out" not in [b.key for b in local.button]


def _links_to_data(at) -> list[str]:
    from app.navigation import DATA as DATA_PAGE

    return [link.proto.label for link in at.get("page_link") if link.proto.page == DATA_PAGE.url_path]


def test_the_board_is_not_sent_to_the_data_page_it_may_not_open(sample_env, tmp_path, monkeypatch):
    """An empty database: the pages say what to load and link to the Data page, except for the
    board, whose Data page would refuse it."""
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(tmp_path / "empty.duckdb"))
    cio = open_as(PEOPLE["CIO"])
    assert "The database is empty." in _texts(cio)
    assert "Open the Data page to upload files" in _links_to_data(cio)
    board = open_as(PEOPLE["board"])
    assert "The database is empty." in _texts(board)
    assert _links_to_data(board) == []
    presenting = open_as(PEOPLE["board"], session={"bb_present": True, "bb_modes_seeded": True})
    assert _links_to_data(presenting) == []
