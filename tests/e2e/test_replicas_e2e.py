"""Two app replicas on one PostgreSQL database (README "Scaling out"): an import made elsewhere
reaches both within their cache's time to live (the source status is cached for a minute, and every
figure is keyed by the import batch it comes from), without a restart."""

from __future__ import annotations

import shutil
import time

import pytest

from cli import main
from devtools.browser import serve_app, wait_for_app
from metrics import db, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import money
from metrics.headline import load_headline
from metrics.settings import SAMPLE_DIR, Settings

pytestmark = pytest.mark.e2e
Q = FiscalQuarter(2026, 3)
TTL_S = 60  # app.data's status cache


def overview_total(url: str) -> str:
    engine = db.make_engine(url)
    try:
        headline = load_headline(engine, FiscalCalendar(1), Q)
        assert headline.spend is not None
        return money(headline.spend.total)
    finally:
        engine.dispose()


def test_an_import_reaches_both_replicas_within_the_cache_ttl(page, postgres_url, tmp_path, browser_type_launch_args):
    engine = db.make_engine(postgres_url)
    sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()))
    engine.dispose()
    before = overview_total(postgres_url)
    env = {"BRIDGEBOARD_DATABASE_URL": postgres_url, "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path / "unused.duckdb")}
    with (
        open(tmp_path / "a.log", "w") as log_a,
        open(tmp_path / "b.log", "w") as log_b,
        serve_app(env, log_a) as replica_a,
        serve_app(env, log_b) as replica_b,
    ):
        for replica in (replica_a, replica_b):
            page.goto(f"{replica}/?quarter=FY2026%20Q3")
            wait_for_app(page)
            assert before in page.locator("[data-testid='stMain']").inner_text()

        # Finance's corrected export: one more line of $1,000,000 in August, loaded from elsewhere.
        folder = tmp_path / "corrected"
        folder.mkdir()
        shutil.copy(SAMPLE_DIR / "spend.csv", folder / "spend.csv")
        with (folder / "spend.csv").open("a") as f:
            f.write("2026-08-20,IT,Snowflake,Data platform,1000000.00,INV-REPLICA-1,,,,,USD,Correction\n")
        assert main(["load", str(folder), "--db", postgres_url]) == 0
        after = overview_total(postgres_url)
        assert after != before

        for replica in (replica_b, replica_a):
            deadline = time.monotonic() + TTL_S + 30
            while True:
                page.goto(f"{replica}/?quarter=FY2026%20Q3")
                wait_for_app(page)
                text = page.locator("[data-testid='stMain']").inner_text()
                if after in text:
                    break
                assert time.monotonic() < deadline, f"{replica} still shows {before} after {TTL_S + 30} s"
                time.sleep(5)
            assert page.locator("[data-testid='stException']").count() == 0
