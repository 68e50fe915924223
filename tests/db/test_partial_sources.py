"""Bring your own data: an empty or new database is a normal state, and a folder may bring any
subset of the seven tables. Run on DuckDB, SQLite and a real PostgreSQL (`engine` fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from boardpack import build_pack
from metrics import db, inventory, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import data_as_of, summary_figures

CAL = FiscalCalendar(1)
Q = FiscalQuarter(2026, 3)
OPTIONS = sources.read_options(Settings())


def folder_with(tmp_path: Path, name: str, *tables: str) -> Path:
    """A folder holding only the sample's files of `tables`."""
    folder = tmp_path / name
    folder.mkdir()
    for table in tables:
        shutil.copy(SAMPLE_DIR / f"{table}.csv", folder / f"{table}.csv")
    return folder


def rows(engine) -> dict[str, int | None]:
    counts = inventory.table_row_counts(engine)
    return dict(zip(counts["table"], counts["rows"], strict=True))


def test_an_empty_database_gives_no_data_not_errors(engine):
    db.ensure_schema(engine)  # what the app and the command line do on first use
    assert inventory.quarters_with_data(engine, CAL) == []
    assert set(rows(engine).values()) == {0}
    headline = load_headline(engine, CAL, Q)
    assert {t.value for t in headline.tiles()} == {"no data"}, "every tile says no data, none says zero"
    figures = summary_figures(headline, data_as_of(engine))
    assert figures["as_of"] is None
    assert figures["currency"] == "USD"
    assert {k: v for k, v in figures.items() if k not in ("quarter", "currency", "spend_by_department")} == {
        k: None for k in figures if k not in ("quarter", "currency", "spend_by_department")
    }
    assert set(figures["spend_by_department"].values()) == {None}


def test_a_new_database_without_tables_lists_them_as_missing(engine):
    # Before the schema exists (a brand-new PostgreSQL database): no error, nothing there.
    assert inventory.quarters_with_data(engine, CAL) == []
    assert set(rows(engine).values()) == {None}
    assert db.table_imports(engine) == {}


def test_a_spend_only_folder_keeps_the_kpi_tables(engine, tmp_path):
    full = sources.load_folder(SAMPLE_DIR, engine, OPTIONS, source="sample")
    assert full.report is not None and full.report.ok
    before = rows(engine)

    # This quarter's finance export: spend only, with one line fewer.
    spend_only = folder_with(tmp_path, "finance", "spend")
    lines = (spend_only / "spend.csv").read_text().splitlines()
    (spend_only / "spend.csv").write_text("\n".join(lines[:-1]) + "\n")
    outcome = sources.load_folder(spend_only, engine, OPTIONS, source="finance")
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    assert outcome.imported is not None and list(outcome.imported.row_counts) == ["spend"]

    after = rows(engine)
    assert after["spend"] == before["spend"] - 1
    assert {t: after[t] for t in after if t != "spend"} == {t: before[t] for t in before if t != "spend"}
    # Each table says where it came from: spend from this folder, the rest from the sample.
    imports = db.table_imports(engine)
    assert imports["spend"].source == "finance"
    assert {imports[t].source for t in ("budget", "vendors", "kpis", "kpi_targets", "kpi_actuals", "requests")} == {
        "sample"
    }
    # Every page's figures are still there.
    figures = summary_figures(load_headline(engine, CAL, Q), data_as_of(engine))
    assert figures["total_spend"] is not None and figures["kpis_with_target"] and figures["lead_time_p85_days"]


def test_spend_only_into_an_empty_database_then_the_rest_is_no_data(engine, tmp_path):
    folder = folder_with(tmp_path, "cfo", "spend", "budget", "vendors")
    outcome = sources.load_folder(folder, engine, OPTIONS, source="cfo")
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    assert inventory.quarters_with_data(engine, CAL)[-1] == Q
    figures = summary_figures(load_headline(engine, CAL, Q), data_as_of(engine))
    assert figures["total_spend"] > 0 and figures["budget_total"] > 0 and figures["marketing_share"] is not None
    assert figures["kpis_on_target"] is None and figures["kpis_with_target"] is None
    assert figures["lead_time_p85_days"] is None and figures["open_requests"] is None
    # The board pack shows what exists and says "no data" for the rest.
    assert build_pack(engine, CAL, Q, "pptx", source="cfo").data[:2] == b"PK"


def test_a_requests_only_database_has_quarters_and_turnaround(engine, tmp_path):
    outcome = sources.load_folder(folder_with(tmp_path, "jira", "requests"), engine, OPTIONS, source="jira")
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    quarters = inventory.quarters_with_data(engine, CAL)
    assert quarters[0] == FiscalQuarter(2024, 1) and quarters[-1] == Q
    figures = summary_figures(load_headline(engine, CAL, Q), data_as_of(engine))
    assert figures["lead_time_p85_days"] > 0 and figures["open_requests"] is not None
    assert figures["total_spend"] is None and figures["kpis_with_target"] is None


def test_targets_are_checked_against_the_database_glossary(engine, tmp_path):
    assert sources.load_folder(SAMPLE_DIR, engine, OPTIONS, source="sample").report.ok
    before = rows(engine)
    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "kpi_targets.csv").write_text("kpi,fiscal_year,quarter,target\nnps,2027,Q1,50\nnps_typo,2027,Q1,40\n")
    outcome = sources.load_folder(folder, engine, OPTIONS, source="targets")
    assert outcome.report is not None and not outcome.report.ok
    [error] = outcome.errors
    assert error["file"] == "kpi_targets.csv" and error["line"] == 3 and "nps_typo" in error["problem"]
    assert rows(engine) == before  # refused: nothing written

    (folder / "kpi_targets.csv").write_text("kpi,fiscal_year,quarter,target\nnps,2027,Q1,50\n")
    outcome = sources.load_folder(folder, engine, OPTIONS, source="targets")
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    assert rows(engine)["kpi_targets"] == 1 and rows(engine)["kpis"] == before["kpis"]


def test_targets_into_a_database_without_a_glossary_are_refused(engine, tmp_path):
    folder = folder_with(tmp_path, "targets", "kpi_targets")
    outcome = sources.load_folder(folder, engine, OPTIONS, source="targets")
    assert outcome.report is not None and not outcome.report.ok
    assert all("unknown KPI" in e["problem"] and "kpis.csv" in e["fix"] for e in outcome.errors)
    assert rows(engine)["kpi_targets"] == 0


@pytest.mark.parametrize("content", [None, "notes.csv"])
def test_a_folder_with_no_table_file_is_refused(engine, tmp_path, content):
    folder = tmp_path / "nothing"
    folder.mkdir()
    if content:
        (folder / content).write_text("a,b\n1,2\n")
    outcome = sources.load_folder(folder, engine, OPTIONS)
    assert outcome.report is not None and not outcome.report.ok
    assert "none of the table files" in outcome.errors[0]["problem"]
    assert outcome.imported is None
