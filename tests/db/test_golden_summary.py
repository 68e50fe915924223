"""The golden `summary` of every sample quarter, JSON and text, byte for byte.

Written before the codebase was reshaped (issue 10) and compared after: a refactor must not move a
single figure or word. The import time (`as_of`) is the one value that changes from run to run, so
it is replaced by a fixed marker before comparing. To accept an intended change of figures or
wording, regenerate with ``python tests/db/test_golden_summary.py`` and review the diff.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from cli import main
from metrics import db, sources
from metrics.settings import SAMPLE_DIR, Settings

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "summary.json"
AS_OF = "<as of>"


def _load_sample(path: Path) -> str:
    url = f"duckdb:///{path}"
    engine = db.make_engine(url)
    try:
        assert sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source="sample").report.ok
    finally:
        engine.dispose()
    return url


def _summary(url: str, quarter: str, fmt: str) -> str:
    out = io.StringIO()
    assert main(["summary", "--db", url, "--quarter", quarter, "--format", fmt], out=out) == 0
    text = out.getvalue()
    if fmt == "json":
        return re.sub(r'"as_of": "[^"]*"', f'"as_of": "{AS_OF}"', text)
    return re.sub(r"data as of .*", f"data as of {AS_OF}", text, count=1)


def summaries(url: str) -> dict[str, dict[str, str]]:
    quarters = [f"FY{y} Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)][:-1]  # FY2024 Q1 .. FY2026 Q3
    return {q: {fmt: _summary(url, q, fmt) for fmt in ("json", "text")} for q in quarters}


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    return _load_sample(tmp_path_factory.mktemp("golden") / "sample.duckdb")


def test_summary_of_every_sample_quarter_is_byte_identical_to_the_golden(sample_url):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = summaries(sample_url)
    assert list(now) == list(golden)
    for quarter, formats in golden.items():
        for fmt, expected in formats.items():
            assert now[quarter][fmt] == expected, f"{quarter} {fmt} summary changed"


if __name__ == "__main__":  # regenerate the golden file
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_text(
            json.dumps(summaries(_load_sample(Path(tmp) / "s.duckdb")), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    sys.exit(0)
