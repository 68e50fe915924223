"""Sign-in end to end, offline: the app served with `[auth]` pointing at a local OpenID Connect
provider (`oidc-provider-mock`, started in the test on a free loopback port), driven by Chromium.
The CMO signs in, records the CMO's agreement and is offered no CIO's; a viewer sees the pages
with no write control; signing out brings the sign-in screen back. The secrets are written into a
temporary folder (never the repository), and every request that is not to the loopback address is
blocked."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from devtools.browser import ROOT, free_port, serve_app, wait_for_app
from tests.conftest import skip_or_fail
from tests.e2e.test_cx_e2e import choose

pytestmark = pytest.mark.e2e

CMO_EMAIL, VIEWER_EMAIL = "pat.cmo@example.com", "val.viewer@example.com"


@pytest.fixture(scope="module")
def provider():
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        skip_or_fail("oidc-provider-mock is not installed (pip install -r requirements-dev.txt)")
    users = [
        User(sub="cmo", claims={"email": CMO_EMAIL, "email_verified": True, "name": "Pat CMO"}),
        User(sub="viewer", claims={"email": VIEWER_EMAIL, "email_verified": True, "name": "Val Viewer"}),
    ]
    port = free_port()
    with run_server_in_thread(port=port, user_claims=users):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def signed_in_app(provider, tmp_path_factory):
    if shutil.which("streamlit") is None and not (Path(sys.executable).parent / "streamlit").exists():
        skip_or_fail("streamlit is not installed")
    folder = tmp_path_factory.mktemp("signin")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-long-random-cookie-secret-for-this-test-only"
client_id = "bridgeboard"
client_secret = "any"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[bridgeboard.roles]
"{CMO_EMAIL}" = "CMO"
""",
        encoding="utf-8",
    )
    env = {
        "BRIDGEBOARD_DATA_DIR": str(ROOT / "sample_data"),
        "BRIDGEBOARD_EMBEDDED_DB": str(folder / "bridgeboard.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with (
        open(folder / "streamlit.log", "w") as log,
        serve_app(env, log, port=port, secrets_file=secrets) as url,
    ):
        yield url
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()


@pytest.fixture
def page(page):
    """Only the loopback address: the mock's stylesheet on a CDN, or anything else, is blocked."""
    page.route(
        re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"),
        lambda route: route.abort(),
    )
    return page


def sign_in(page, app_url: str, who: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=who, exact=True).click()  # the mock's page: one button per user
    page.wait_for_url(re.compile(re.escape(app_url)))
    wait_for_app(page)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    end = page.get_by_role("button", name=re.compile("End session", re.I))
    end.click()
    wait_for_app(page)


def test_the_cmo_records_the_cmos_agreement_only_then_signs_out(page, signed_in_app):
    sign_in(page, signed_in_app, "cmo")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_contain_text("Signed in as Pat CMO")
    expect(sidebar).to_contain_text("role: CMO")
    page.goto(f"{signed_in_app}/Customer_experience")
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile("Acting as the CMO, signed in as pat")).filter(visible=True).first
    ).to_be_visible()
    # A proposal for the furthest future quarter (no other test reads it), then the CMO's agreement.
    quarter = choose(page, "cx_target_quarter")
    form = page.locator("[data-testid='stForm']").filter(has_text="Propose a new")
    form.locator("[class*='st-key-cx_target_'] input").fill("77")
    form.get_by_role("button", name=re.compile("Propose target")).click()
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile(f"New target proposed; both agreements are cleared for .*, {quarter}"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Record the CIO's agreement to this target")).to_have_count(0)
    page.get_by_role("button", name="Record the CMO's agreement to this target").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(f"CMO agreement recorded for .*, {quarter}"))).to_be_visible()
    # (the history grid is a canvas: the audit's identity is checked in tests/app and tests/db)
    # No import for the CMO.
    page.goto(f"{signed_in_app}/Data")
    wait_for_app(page)
    expect(page.get_by_text("Signed in as the CMO, you cannot import data")).to_be_visible()
    expect(page.locator("[data-testid='stFileUploader']")).to_have_count(0)
    sign_out(page)
    page.goto(signed_in_app)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("[data-testid='stMetric']")).to_have_count(0)


def test_a_viewer_sees_the_pages_with_no_write_control(page, signed_in_app):
    sign_in(page, signed_in_app, "viewer")
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("role: viewer")
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible()
    for path in ("Tech_spend", "Customer_experience", "Request_turnaround", "Quarterly_review", "Data"):
        page.goto(f"{signed_in_app}/{path}")
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        expect(main.locator("h1")).to_be_visible()
        for control in ("stForm", "stTextArea", "stFileUploader", "stNumberInput"):
            expect(main.locator(f"[data-testid='{control}']")).to_have_count(0)
        expect(main.get_by_text("Acting as", exact=True)).to_have_count(0)
        expect(main.get_by_role("button", name=re.compile("Add to the log|Close FY|Reopen FY|Import"))).to_have_count(0)
    sign_out(page)
