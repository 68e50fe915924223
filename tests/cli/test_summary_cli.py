"""`python -m metrics summary` and `boardpack`: the JSON keys and figures (the headline's, on the
sample data), text for people, the latest quarter by default, and clear usage errors (exit 2)."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation

from cli import main
from metrics import db, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import money, share
from metrics.headline import load_headline
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import RESTATED_KEY, SUMMARY_KEYS
from metrics.turnaround import days_label

ROOT = Path(__file__).resolve().parents[2]
CAL = FiscalCalendar(1)


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("summary") / "sample.duckdb"
    engine = db.make_engine(f"duckdb:///{path}")
    assert sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source="sample").report.ok
    engine.dispose()
    return f"duckdb:///{path}"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def cli(*args: str, **env) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env}
    )


def test_json_has_exactly_the_issue_keys_with_the_headline_figures(sample_url):
    code, out = run("summary", "--db", sample_url, "--format", "json")
    assert code == 0
    figures = json.loads(out)
    assert list(figures) == [*SUMMARY_KEYS, RESTATED_KEY]
    assert figures[RESTATED_KEY] is None, "the quarter is not closed"
    assert figures["quarter"] == "FY2026 Q3", "without --quarter: the latest quarter with spend"
    engine = db.make_engine(sample_url)
    try:
        h = load_headline(engine, CAL, FiscalQuarter(2026, 3))
    finally:
        engine.dispose()
    assert figures["total_spend"] == h.spend.total
    assert figures["spend_by_department"] == h.spend.by_department
    assert sum(figures["spend_by_department"].values()) == pytest.approx(figures["total_spend"])
    assert (figures["budget_total"], figures["budget_variance"]) == (h.budget.budget, h.budget.variance)
    assert figures["budget_variance"] == pytest.approx(figures["total_spend"] - figures["budget_total"])
    assert figures["marketing_share"] == pytest.approx(h.share.share, abs=1e-6)
    assert figures["marketing_share"] == pytest.approx(
        figures["spend_by_department"]["Marketing"] / figures["total_spend"], abs=1e-6
    )
    assert (figures["overlap_at_stake"], figures["shadow_it_spend"]) == (h.at_stake.overlap, h.at_stake.shadow)
    assert (figures["kpis_on_target"], figures["kpis_with_target"]) == (h.kpis.on_target, h.kpis.judged)
    assert figures["lead_time_p50_days"] == pytest.approx(h.lead_time_p50, abs=1e-6)
    assert figures["lead_time_p85_days"] == pytest.approx(h.lead_time_p85, abs=1e-6)
    assert figures["sla_breach_rate"] == pytest.approx(h.breach_rate, abs=1e-6)
    assert figures["open_requests"] == h.open_requests
    assert figures["as_of"].endswith("Z")
    # What the Overview shows, from the JSON: the same words.
    tiles = {t.key: t.value for t in h.tiles()}
    assert tiles["spend"] == money(figures["total_spend"]) and tiles["share"] == share(figures["marketing_share"])
    assert tiles["kpis"] == f"{figures['kpis_on_target']} of {figures['kpis_with_target']}"
    assert tiles["lead_time"] == days_label(math.ceil(round(figures["lead_time_p85_days"], 6)))


def test_an_earlier_quarter_and_the_text_format(sample_url):
    code, out = run("summary", "--db", sample_url, "--quarter", "FY2025 Q4")
    assert code == 0
    assert out.startswith("Bridgeboard summary, FY2025 Q4 (01 Oct 2025 – 31 Dec 2025)")
    for label in (
        "Total technology spend",
        "Marketing share",
        "Money at stake",
        "KPIs on target",
        "Request lead time (p85)",
        "The quarter's story:",
    ):
        assert label in out


def test_a_csv_folder_is_validated_into_a_temporary_database(sample_url):
    code, out = run("summary", "--data", str(SAMPLE_DIR), "--format", "json", "--quarter", "FY2026 Q2")
    assert code == 0
    _, from_db = run("summary", "--db", sample_url, "--format", "json", "--quarter", "FY2026 Q2")

    def figures(text: str) -> dict:
        return {k: v for k, v in json.loads(text).items() if k != "as_of"}  # the import times differ

    assert figures(out) == figures(from_db)


@pytest.mark.parametrize(
    "args, message",
    [
        (("summary", "--quarter", "Q9"), 'write it like "FY2026 Q3"'),
        (("summary", "--data", "/no/such/folder"), "is not a folder"),
        (("summary", "--data", "sample_data", "--db", "sqlite://"), "not allowed with argument"),
        (("summary", "--db", "nonsense://x"), "cannot use database URL"),
        (("summary", "--format", "xml"), "invalid choice"),
        (("boardpack", "--out", "pack.txt"), "say --format pptx or --format pdf"),
        (("boardpack", "--out", "/no/such/folder/pack.pptx"), "does not exist"),
        (("boardpack",), "--out"),
    ],
)
@pytest.mark.slow  # spawns the command line
def test_bad_arguments_exit_2_with_a_clear_message(args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # spawns the command line
def test_a_quarter_without_data_is_a_usage_error(sample_url):
    result = cli("summary", "--db", sample_url, "--quarter", "FY2031 Q1")
    assert result.returncode == 2
    assert "FY2031 Q1 has no data; quarters with data run from FY2024 Q1 to FY2026 Q3" in result.stderr


@pytest.mark.slow  # spawns the command line
def test_an_empty_database_is_no_data_not_an_error(tmp_path):
    # A new database is a first run: its tables are created empty, and every figure is "no data".
    result = cli("summary", "--db", f"sqlite:///{tmp_path / 'empty.sqlite'}", "--format", "json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["total_spend"] is None and figures["kpis_with_target"] is None
    assert figures["lead_time_p85_days"] is None and "Traceback" not in result.stderr


@pytest.mark.slow  # spawns the command line
def test_an_embedded_database_held_by_the_app_exits_1_with_what_to_do(sample_url, tmp_path):
    held = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "c.execute('create table t (x int)'); print('ready', flush=True); time.sleep(60)",
            str(held),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = cli("summary", BRIDGEBOARD_EMBEDDED_DB=str(held), BRIDGEBOARD_DATA_DIR=str(SAMPLE_DIR))
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "could not be opened" in result.stderr and "--data DIR" in result.stderr


@pytest.mark.slow  # spawns the command line
def test_a_database_that_is_down_exits_1_without_its_password():
    result = cli("summary", "--db", "postgresql+psycopg://bb:secret-pw@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "unavailable" in result.stderr and "secret-pw" not in result.stderr


def test_boardpack_writes_the_deck(sample_url, tmp_path):
    out = tmp_path / "pack.pptx"
    code, text = run("boardpack", "--db", sample_url, "--quarter", "FY2026 Q3", "--out", str(out), "--mask-vendors")
    assert code == 0 and "Wrote the FY2026 Q3 board pack (PowerPoint, vendors masked" in text
    assert len(Presentation(out).slides) == 7


@pytest.mark.slow  # spawns the command line
def test_boardpack_pdf_without_chromium_warns_and_still_writes(sample_url, tmp_path):
    out = tmp_path / "pack.pdf"
    result = cli("boardpack", "--db", sample_url, "--format", "pdf", "--out", str(out), BROWSER_PATH="/nonexistent")
    assert result.returncode == 0, result.stderr
    assert "warning: Charts unavailable" in result.stderr and "Traceback" not in result.stderr
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.slow  # spawns the command line
@pytest.mark.parametrize("command", ["summary", "boardpack"])
def test_commands_have_help(command):
    result = cli(command, "--help")
    assert result.returncode == 0 and "--quarter" in result.stdout and "--db URL" in result.stdout


def test_summary_reads_the_database_from_secrets_toml_as_the_app_does(sample_url, tmp_path, monkeypatch):
    """One source resolver: without --db or BRIDGEBOARD_DATABASE_URL, the command line takes
    [connections.bridgeboard] url from .streamlit/secrets.toml, as the app does."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'[connections.bridgeboard]\nurl = "{sample_url}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BRIDGEBOARD_DATABASE_URL", raising=False)
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(tmp_path / "no-such-folder"))  # the fallback would fail
    code, out = run("summary", "--quarter", "FY2026 Q2", "--format", "json")
    assert code == 0
    code_db, out_db = run("summary", "--quarter", "FY2026 Q2", "--format", "json", "--db", sample_url)
    assert json.loads(out) == json.loads(out_db)
    (tmp_path / ".streamlit" / "secrets.toml").unlink()
    assert run("summary", "--quarter", "FY2026 Q2")[0] == 1, "without the secrets file: the missing CSV folder"


def test_a_broken_secrets_file_is_a_clear_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("[connections.bridgeboard\nurl = ")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    code, _ = run("summary")
    assert code == 2
    assert "secrets.toml cannot be read as TOML" in capsys.readouterr().err
