"""``python -m bench``: import and page times at several sizes, on the embedded DuckDB file and on
PostgreSQL, against a naive peer that reads every table into pandas, in the same run.

For each size the sample generator writes a company with that many spend lines; the files are
validated and imported into each engine (time and peak memory of the import process); then every
page is rendered under Streamlit's AppTest in a fresh process: `cold_s` is the first run (empty
caches), `warm_s` the median of three reruns, `peak_rss_mb` the process's peak resident memory and
`payload_kb` the chart data the page sends. The naive peer is recorded as engine ``naive``, page
``overview``; imports as page ``import``.

Writes ``bench/results/latest.json`` (one record per engine, size and page, with the machine it ran
on) and ``bench/results/latest.md``. Run it on a quiet machine: on 2 cores, anything running beside
it makes its figures noise.

    python -m bench                                   # 100k, 1M, 5M lines; duckdb and postgresql
    python -m bench --rows 100000 --engines duckdb    # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("BRIDGEBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
FIELDS = ("engine", "spend_lines", "page", "cold_s", "warm_s", "peak_rss_mb", "payload_kb")


def _step(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.steps", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench step {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_postgres(tag: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    name = f"bb_bench_{tag}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.make_url(PG).set(database=name).render_as_string(hide_password=False)


def machine() -> dict:
    return {
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
    }


def run(rows: list[int], engines: list[str], pages: list[str], out: Path, log=print) -> list[dict]:
    scripts = {p.label.lower().replace(" ", "_"): p.path for p in PAGES}
    records: list[dict] = []

    def record(engine: str, n: int, page: str, result: dict) -> None:
        row = {"engine": engine, "spend_lines": n, "page": page}
        row.update({k: round(float(result[k]), 4) for k in FIELDS[3:] if result.get(k) is not None})
        records.append(row)
        log(" ".join(f"{k}={row.get(k)}" for k in FIELDS))

    for n in rows:
        with tempfile.TemporaryDirectory(prefix="bb-bench-") as tmp:
            folder = str(Path(tmp) / "csv")
            _step("generate", folder, str(n))
            for engine in engines:
                url = f"duckdb:///{Path(tmp) / 'bench.duckdb'}" if engine == "duckdb" else _fresh_postgres(str(n))
                result = _step("import", folder, url)
                record(engine, n, "import", {"cold_s": result["seconds"], "peak_rss_mb": result["peak_rss_mb"]})
                for page in pages:
                    record(engine, n, page, _step("page", url, scripts[page]))
                if engine == engines[0]:
                    record("naive", n, "overview", _step("naive", url))
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"machine": machine(), "records": records}, indent=1) + "\n")
    (out / "latest.md").write_text(markdown(records, machine()))
    return records


def markdown(records: list[dict], about: dict) -> str:
    lines = [
        f"Measured {about['when']} on {about['cpus']} CPUs, {about['memory_gb']} GB, Python {about['python']}.",
        "",
        "| engine | spend lines | page | cold | warm | peak RSS | chart data |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        warm = f"{r['warm_s']:.2f} s" if "warm_s" in r else "-"
        payload = f"{r['payload_kb']:.0f} KB" if "payload_kb" in r else "-"
        lines.append(
            f"| {r['engine']} | {r['spend_lines']:,} | {r['page']} | {r['cold_s']:.2f} s | {warm} | "
            f"{r['peak_rss_mb']:.0f} MB | {payload} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--engines", nargs="+", choices=["duckdb", "postgresql"], default=["duckdb", "postgresql"])
    pages = [p.label.lower().replace(" ", "_") for p in PAGES]
    parser.add_argument("--pages", nargs="+", choices=pages, default=pages)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    run(args.rows, args.engines, args.pages, args.out)
