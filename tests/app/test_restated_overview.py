"""The Overview of a closed quarter that a corrected file changed says, above its story, what was
restated since the review, figure by figure; with a department filter (the closed figures are of
all departments) it says nothing."""

from __future__ import annotations

import shutil
from datetime import date, datetime

from metrics import db, review, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import SAMPLE_DIR, Settings
from metrics.targets import Actor
from tests.app.conftest import open_page

Q3 = FiscalQuarter(2026, 3)


def test_the_overview_shows_the_restatement_of_a_closed_quarter(tmp_path, monkeypatch, sample_env):
    url = f"duckdb:///{tmp_path / 'closed.duckdb'}"
    engine = db.make_engine(url)
    options = sources.read_options(Settings())
    sources.load_folder(SAMPLE_DIR, engine, options)
    review.close_quarter(
        engine,
        FiscalCalendar(1),
        Q3,
        actor=Actor("CFO", "CFO"),
        expected_version=0,
        today=date(2026, 11, 23),
        now=datetime(2026, 10, 14, 9),
    )
    corrected = tmp_path / "corrected"
    corrected.mkdir()
    shutil.copy(SAMPLE_DIR / "spend.csv", corrected / "spend.csv")
    with (corrected / "spend.csv").open("a") as f:
        f.write("2026-08-20,IT,Snowflake,Data platform,120400.00,INV-CORR-1,,,,,USD,Late invoice\n")
    sources.load_folder(corrected, engine, options)
    engine.dispose()
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)

    at = open_page(query={"quarter": "FY2026 Q3"})
    assert not at.exception
    restated = [w.value for w in at.warning if "restated" in w.value]
    assert len(restated) == 1
    assert "Spend restated \\+\\$120,400\\.00 since the FY2026 Q3 review \\(closed 14 Oct 2026\\)" in restated[0]
    assert "IT spend restated" in restated[0]

    at = open_page(query={"quarter": "FY2026 Q3", "department": "Marketing"})
    assert not [w for w in at.warning if "restated" in w.value]
