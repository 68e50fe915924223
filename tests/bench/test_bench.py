"""The benchmark at a tiny size, so that it does not rot: every record it writes has the fields
the README's table and the issue's targets read."""

import json

import pytest

from bench.run import FIELDS, run

pytestmark = pytest.mark.slow


def test_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path):
    records = run([2_000], ["duckdb"], ["overview", "tech_spend"], tmp_path, log=lambda line: None)
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved["records"] == records
    assert saved["machine"]["cpus"] >= 1
    pages = {(r["engine"], r["page"]) for r in records}
    assert pages == {("duckdb", "import"), ("duckdb", "overview"), ("duckdb", "tech_spend"), ("naive", "overview")}
    for r in records:
        assert set(r) <= set(FIELDS) and r["spend_lines"] == 2_000
        assert r["cold_s"] > 0 and r["peak_rss_mb"] > 50
        if r["page"] != "import":
            assert r["warm_s"] > 0
    overview = next(r for r in records if r == {**r, "engine": "duckdb", "page": "overview"})
    assert overview["payload_kb"] > 1, "the Overview sends its charts"
    assert "| duckdb | 2,000 | overview |" in (tmp_path / "latest.md").read_text()
