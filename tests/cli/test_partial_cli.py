"""`python -m metrics load` and `summary` with a folder of some of the tables, on DuckDB and a real
PostgreSQL: the tables loaded give their figures, the others "no data" (null), never an error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.settings import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.slow  # every test spawns the command line


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True, env=dict(os.environ)
    )


@pytest.fixture(params=["duckdb", "postgresql"])
def url(request, tmp_path):
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'new.duckdb'}"
    return request.getfixturevalue("postgres_url")  # a new, empty database


def folder_with(tmp_path: Path, *tables: str) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for table in tables:
        shutil.copy(SAMPLE_DIR / f"{table}.csv", folder / f"{table}.csv")
    return folder


def test_a_spend_only_folder_loads_and_summarises(url, tmp_path):
    loaded = cli("load", str(folder_with(tmp_path, "spend", "budget", "vendors")), "--db", url)
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    assert "spend 20,000" in loaded.stdout and "kpis" not in loaded.stdout.splitlines()[-1]

    result = cli("summary", "--db", url, "--format", "json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["quarter"] == "FY2026 Q3"  # the latest quarter with spend
    assert figures["total_spend"] > 0 and figures["budget_total"] > 0
    assert all(v is not None for v in figures["spend_by_department"].values())
    for key in ("kpis_on_target", "kpis_with_target", "lead_time_p50_days", "lead_time_p85_days", "open_requests"):
        assert figures[key] is None, key

    text = cli("summary", "--db", url)
    assert text.returncode == 0 and "Traceback" not in text.stderr
    assert "KPIs on target            no data" in text.stdout
    assert "Request lead time (p85)   no data" in text.stdout


def test_a_requests_only_database_gives_turnaround(url, tmp_path):
    loaded = cli("load", str(folder_with(tmp_path, "requests")), "--db", url)
    assert loaded.returncode == 0, loaded.stderr + loaded.stdout
    result = cli("summary", "--db", url, "--format", "json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["quarter"] == "FY2026 Q3"  # from the request dates: there is no spend
    assert figures["lead_time_p85_days"] > 0 and figures["sla_breach_rate"] is not None
    assert figures["total_spend"] is None and figures["kpis_with_target"] is None


def test_load_keeps_the_tables_the_folder_does_not_bring(url, tmp_path):
    assert cli("load", str(SAMPLE_DIR), "--db", url).returncode == 0
    before = json.loads(cli("summary", "--db", url, "--format", "json").stdout)
    loaded = cli("load", str(folder_with(tmp_path, "spend")), "--db", url)
    assert loaded.returncode == 0, loaded.stderr
    after = json.loads(cli("summary", "--db", url, "--format", "json").stdout)
    before.pop("as_of"), after.pop("as_of")
    assert after == before  # the same spend again, and the KPIs and requests kept


def test_load_checks_targets_against_the_database(url, tmp_path):
    assert cli("load", str(folder_with(tmp_path, "kpis")), "--db", url).returncode == 0
    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "kpi_targets.csv").write_text("kpi,fiscal_year,quarter,target\nnps,2027,Q1,50\nnope,2027,Q1,1\n")
    refused = cli("load", str(folder), "--db", url)
    assert refused.returncode == 1
    assert "kpi_targets.csv line 3, column kpi" in refused.stdout and "'nope'" in refused.stdout
    assert "the database was not changed" in refused.stdout
