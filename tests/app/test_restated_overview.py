"""The Overview of a closed quarter that a corrected file changed says, above its story, what was
restated since the review, figure by figure; with a department filter (the closed figures are of
all departments) it says nothing."""

from __future__ import annotations

from metrics import db
from tests.app.conftest import open_page
from tests.db.test_restatements_db import close_then_correct


def test_the_overview_shows_the_restatement_of_a_closed_quarter(tmp_path, monkeypatch, sample_env):
    url = f"duckdb:///{tmp_path / 'closed.duckdb'}"
    engine = db.make_engine(url)
    close_then_correct(engine, tmp_path)
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
