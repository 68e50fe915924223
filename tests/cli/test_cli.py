"""The command line: exit codes, findings text and JSON, all-or-nothing load."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from cli import main
from metrics import db
from metrics import turnaround as ta

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
JIRA_CSV = ROOT / "tests" / "fixtures" / "real-data" / "agile-project-dataset" / "jira.csv"


def run(*args):
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True)


def test_check_sample_passes_with_planted_warnings(capsys):
    assert main(["check", str(SAMPLE), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is True and payload["errors"] == 0
    problems = " ".join(f["problem"] for f in payload["findings"]).lower()
    # The sample's planted defects: a vendor missing from the catalogue, credits, and
    # requests delivered before they were requested.
    assert payload["warnings"] >= 3
    assert "catalogue" in problems
    assert any(f["file"] == "spend.csv" and f["column"] == "amount" for f in payload["findings"])
    assert any(f["file"] == "requests.csv" and f["column"] == "delivered_at" for f in payload["findings"])
    # The three planted spellings of Salesforce are each reported, and counted as Salesforce.
    variants = {f["value"] for f in payload["findings"] if "spelled differently" in f["problem"]}
    assert variants == {"Salesforce.com, Inc.", "SALESFORCE", "Salesforce UK Ltd"}


@pytest.fixture
def broken(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLE, folder)
    spend = (folder / "spend.csv").read_text().splitlines()
    header = spend[0].split(",")
    row = spend[3].split(",")
    row[header.index("amount")] = "twelve"
    spend[3] = ",".join(row)  # line 4 of the file as the user sees it
    (folder / "spend.csv").write_text("\n".join(spend) + "\n")
    (folder / "kpis.csv").unlink()
    return folder


def test_check_broken_folder_names_file_line_column_and_fix(broken, capsys):
    assert main(["check", str(broken)]) == 1
    out = capsys.readouterr().out
    line = next(t for t in out.splitlines() if "twelve" in t)
    assert "spend.csv" in line and "4" in line and "amount" in line and "Fix" in line
    # Any subset of the tables may be loaded: without kpis.csv the KPI ids are not checked here
    # (the import checks them against the database's glossary), which the report says.
    assert any("kpis.csv" in t for t in out.splitlines() if t.startswith("WARNING"))


def test_check_json_for_machines(broken, capsys):
    assert main(["check", str(broken), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    bad = next(f for f in payload["findings"] if f["value"] == "twelve")
    assert (bad["severity"], bad["file"], bad["line"], bad["column"]) == ("error", "spend.csv", 4, "amount")
    assert bad["fix"]


@pytest.mark.slow  # spawns the command line
def test_usage_errors_exit_2(tmp_path):
    assert run("check").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("check", str(tmp_path / "missing")).returncode == 2
    r = run("load", str(SAMPLE))  # --db missing
    assert r.returncode == 2 and "--db" in r.stderr


@pytest.mark.slow  # spawns the command line
@pytest.mark.parametrize("cmd", ["check", "load", "sample"])
def test_every_command_has_help(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0 and "usage:" in r.stdout


@pytest.mark.slow  # spawns the command line
def test_load_refuses_broken_folder_and_changes_nothing(broken, tmp_path):
    url = f"duckdb:///{tmp_path / 'x.duckdb'}"
    assert run("load", str(SAMPLE), "--db", url).returncode == 0
    eng = sa.create_engine(url)
    with eng.connect() as c:
        before = c.execute(sa.text("select count(*), sum(amount) from spend")).one()
    eng.dispose()
    r = run("load", str(broken), "--db", url)
    assert r.returncode == 1 and "refused" in r.stdout.lower()
    eng = sa.create_engine(url)
    with eng.connect() as c:
        assert c.execute(sa.text("select count(*), sum(amount) from spend")).one() == before
        assert c.execute(sa.text("select count(*) from import_batches")).scalar() == 1
    eng.dispose()


def test_load_twice_gives_identical_counts_on_postgres(postgres_url):
    assert run("load", str(SAMPLE), "--db", postgres_url).returncode == 0
    eng = sa.create_engine(postgres_url)
    q = sa.text("select (select count(*) from spend), (select count(*) from requests), (select sum(amount) from spend)")
    with eng.connect() as c:
        first = c.execute(q).one()
    r = run("load", str(SAMPLE), "--db", postgres_url)
    assert r.returncode == 0, r.stderr
    with eng.connect() as c:
        assert c.execute(q).one() == first
    eng.dispose()


@pytest.mark.slow  # spawns the command line
def test_bad_database_url_is_reported_without_password(tmp_path):
    r = run("load", str(SAMPLE), "--db", "postgresql+psycopg://u:hunter2@127.0.0.1:1/x")
    assert r.returncode == 1
    assert "hunter2" not in r.stdout + r.stderr
    assert "rolled back" in r.stderr


@pytest.mark.slow  # spawns the command line
def test_sample_command_writes_every_table_but_fx_rates(tmp_path):
    r = run("sample", "--out", str(tmp_path / "s"), "--spend-rows", "500")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "s").glob("*.csv")) == sorted(
        f"{t}.csv" for t in ("spend", "budget", "vendors", "kpis", "kpi_targets", "kpi_actuals", "requests")
    )


def test_import_jira_loads_the_agile_dataset(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'jira.duckdb'}"
    assert main(["import", "jira", str(JIRA_CSV), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "4,123 issues: 4,123 delivered, 0 open; 1,662 finished before they were created (40% of delivered)" in out
    assert "requests 4,123" in out
    engine = db.make_engine(url)
    try:
        assert ta.request_counts(engine).delivered_before_requested == 1662
        batch = db.latest_batch(engine)
        assert batch.row_counts == {"requests": 4123}
        # The 1,662 exclusions are findings of the batch, so the Data page lists them.
        before = [f for f in batch.findings if "resolved before it was created" in f["problem"]]
        assert len(before) == 21 and before[-1]["problem"].startswith("... and 1,642 more rows like this")
        assert all(f["severity"] == "warning" for f in before)
    finally:
        engine.dispose()
