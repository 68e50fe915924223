"""A closed quarter re-imported with a corrected spend file: the restatement of each changed money
figure is computed to the cent against an independent calculation from the CSV files, on DuckDB,
SQLite and PostgreSQL (`engine` fixture), and `summary` prints it."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from cli import main
from metrics import review, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import data_as_of, summary_figures
from metrics.targets import Actor

Q3 = FiscalQuarter(2026, 3)
CFO = Actor("CFO", "CFO")
CORRECTION = "2026-08-20,IT,Snowflake,Data platform,120400.00,INV-CORR-1,,,,,USD,Late invoice\n"


def q3_spend_from_the_files(folder) -> dict[str, Decimal]:
    """Q3 spend per department and in total, computed from the CSV with pandas and Decimal alone."""
    lines = pd.read_csv(folder / "spend.csv", dtype=str)
    in_q3 = lines[(lines["date"] >= "2026-07-01") & (lines["date"] < "2026-10-01")]
    by = {d: sum((Decimal(a) for a in g["amount"]), Decimal(0)) for d, g in in_q3.groupby("department")}
    return {**by, "total": sum(by.values(), Decimal(0))}


def close_then_correct(engine, tmp_path: Path) -> Path:
    """The sample imported, FY2026 Q3 closed by the CFO on 14 Oct 2026, then a spend file with one
    late invoice (CORRECTION) imported; returns the corrected folder."""
    options = sources.read_options(Settings())
    assert sources.load_folder(SAMPLE_DIR, engine, options).imported
    review.close_quarter(
        engine,
        FiscalCalendar(1),
        Q3,
        actor=CFO,
        expected_version=0,
        today=date(2026, 11, 23),
        now=datetime(2026, 10, 14, 9),
    )
    corrected = tmp_path / "corrected"
    corrected.mkdir()
    shutil.copy(SAMPLE_DIR / "spend.csv", corrected / "spend.csv")
    with (corrected / "spend.csv").open("a") as f:
        f.write(CORRECTION)
    assert sources.load_folder(corrected, engine, options).imported
    return corrected


def test_a_corrected_file_shows_as_restatements_of_the_closed_quarter(engine, tmp_path, capsys, monkeypatch):
    calendar = FiscalCalendar(1)
    corrected = close_then_correct(engine, tmp_path)

    then, now = q3_spend_from_the_files(SAMPLE_DIR), q3_spend_from_the_files(corrected)
    assert now["total"] - then["total"] == Decimal("120400.00")
    state = review.quarter_state(engine, Q3)
    current = summary_figures(load_headline(engine, calendar, Q3, (), date(2026, 11, 23)), data_as_of(engine))
    found = review.restatements(state.snapshot, current)
    assert [(r.figure, Decimal(str(r.then)), Decimal(str(r.now))) for r in found] == [
        ("spend", then["total"], now["total"]),
        ("IT spend", then["IT"], now["IT"]),
    ]
    lines = review.restatement_lines(state, current)
    assert lines[0] == (
        f"Spend restated +$120,400.00 since the FY2026 Q3 review (closed 14 Oct 2026): "
        f"${then['total']:,.2f} then, ${now['total']:,.2f} now."
    )

    # `summary` prints the same sentences under the quarter's figures.
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "sqlite":
        assert main(["summary", "--db", url, "--quarter", "FY2026 Q3"]) == 0
        assert lines[0] in capsys.readouterr().out


def test_the_board_pack_tells_the_restatement_in_its_story(engine, tmp_path):
    from boardpack.content import gather, slides

    close_then_correct(engine, tmp_path)
    content = gather(engine, FiscalCalendar(1), Q3, source="test", today=date(2026, 11, 23))
    restated = [s for heading, lines in content.restated for s in lines if " restated " in s]
    assert [s.split(" restated ")[0] for s in restated] == ["Spend", "IT spend"]
    assert restated[0].startswith("Spend restated +$120,400.00 since the FY2026 Q3 review (closed 14 Oct 2026)")
    # The story says so in one line; the restatements have a slide of their own after the numbers.
    assert content.story[-1] == (
        "Figures of FY2026 Q3 were restated since the FY2026 Q3 review (closed 14 Oct 2026): see the restatements."
    )
    pack = slides(content)
    assert [s.key for s in pack][:3] == ["title", "headline", "restated"]
    assert pack[2].title == "Spend restated +$120,400.00 since the FY2026 Q3 review"
