"""`python -m metrics import jira|focus`: the report, --check, refusals without a traceback, and
the README's mapping-file example read by both importers."""

from __future__ import annotations

import re
from pathlib import Path

from cli.main import main
from metrics import db
from metrics.importers import focus, jira
from tests.metrics.test_jira_native import native_export

ROOT = Path(__file__).resolve().parents[2]
FOCUS_CSV = ROOT / "tests" / "fixtures" / "real-data" / "focus-1.0" / "focus_sample.csv"


def test_focus_import_reports_and_writes(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'f.duckdb'}"
    assert main(["import", "focus", str(FOCUS_CSV), "--db", url, "--department", "IT"]) == 0
    out = capsys.readouterr().out
    assert "billing lines read: 1,000" in out and "total: 20.52" in out and "spend 77" in out
    engine = db.make_engine(url)
    try:
        assert db.latest_batch(engine).source == "focus:focus_sample.csv"
    finally:
        engine.dispose()


def test_unmapped_focus_lines_are_refused_without_a_traceback(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'f.duckdb'}"
    mapping = tmp_path / "map.toml"
    mapping.write_text('[focus]\ndepartment_tag = "business_unit"\n[focus.department_map]\nPeoriaData = "Marketing"\n')
    assert main(["import", "focus", str(FOCUS_CSV), "--db", url, "--mapping", str(mapping)]) == 1
    err = capsys.readouterr().err
    assert "Unmapped values" in err and "nothing was written" in err and "Traceback" not in err
    assert not (tmp_path / "f.duckdb").exists() or db.latest_batch(db.make_engine(url)) is None


def test_native_jira_check_writes_nothing(tmp_path, capsys):
    path = tmp_path / "jira-cloud.csv"
    path.write_bytes(native_export("12h"))
    assert main(["import", "jira", str(path), "--check", "--team-from", "label:team:"]) == 0
    out = capsys.readouterr().out
    assert "shape: native" in out and "date style: 12h" in out and "nothing was written" in out
    assert main(["import", "jira", str(path), "--check", "--date-style", "24h"]) == 1
    assert "not a date in the 24h style" in capsys.readouterr().err


def test_readme_mapping_example_is_read_by_both_importers():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(\[jira\].*?)```", readme, re.S)
    assert example is not None
    options = jira.options_from_mapping(text=example.group(1))
    assert options.team_map["ann.lee"] == "Brand" and options.priority_map["P0"] == "Critical"
    assert focus.options_from_mapping(text=example.group(1)).department_map["LipaData"] == "Joint"
