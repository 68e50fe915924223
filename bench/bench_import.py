"""Import and query benchmark at 100k / 1M / 5M spend lines.

Each measurement runs in a fresh subprocess so that peak memory (ru_maxrss) is its own.
Usage:  python bench/bench_import.py [--rows 100000 1000000] [--engines duckdb postgresql]
Prints a Markdown table; the README quotes the numbers measured on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BRIDGEBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

STEP = r"""
import json, resource, sys, time
step, folder, url = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
out = {{}}
if step == "generate":
    from metrics.sample import write_sample
    write_sample(folder, spend_rows=int(url))
elif step == "validate":
    from metrics.validation import validate_folder
    r = validate_folder(folder)
    out["errors"] = len(r.errors)
elif step == "load":
    from metrics.db import make_engine
    from metrics.sources import load_folder
    from metrics.validation import ReadOptions
    e = make_engine(url)
    o = load_folder(folder, e, ReadOptions())
    out["rows"] = o.imported.row_counts["spend"]
elif step == "query":
    from metrics.db import make_engine
    from metrics.fiscal import FiscalCalendar
    from metrics.spend import spend_by_quarter
    e = make_engine(url)
    spend_by_quarter(e, FiscalCalendar(1))  # cold
    t0 = time.perf_counter()
    for _ in range(3):
        spend_by_quarter(e, FiscalCalendar(1))
    out["per_query_s"] = (time.perf_counter() - t0) / 3
elif step == "pandas":
    import pandas as pd
    df = pd.read_csv(folder + "/spend.csv", usecols=["date", "department", "amount"], parse_dates=["date"])
    df.groupby([df["date"].dt.year, df["date"].dt.quarter, "department"])["amount"].sum()
out["seconds"] = time.perf_counter() - t0
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def step(name: str, folder: str, arg: str) -> dict:
    code = STEP.format(root=str(ROOT))
    r = subprocess.run([sys.executable, "-c", code, name, folder, arg], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{name} failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def fresh_pg_db(tag: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    name = f"bb_bench_{tag}"
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.make_url(PG).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=["duckdb", "postgresql"])
    args = ap.parse_args()
    print("| spend lines | step | engine | time | peak memory |\n|---|---|---|---|---|")
    for n in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            folder = str(Path(tmp) / "csv")
            r = step("generate", folder, str(n))
            print(f"| {n:,} | generate sample | - | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB |")
            r = step("validate", folder, "-")
            print(f"| {n:,} | validate 7 files | - | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB |")
            r = step("pandas", folder, "-")
            print(
                f"| {n:,} | pandas: read spend.csv + group by quarter | - | {r['seconds']:.2f} s | {r['peak_mb']:.0f} MB |"
            )
            for engine in args.engines:
                url = f"duckdb:///{tmp}/bench.duckdb" if engine == "duckdb" else fresh_pg_db(str(n))
                r = step("load", folder, url)
                print(
                    f"| {n:,} | validate + import (one transaction) | {engine} | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB |"
                )
                r = step("query", folder, url)
                print(
                    f"| {n:,} | spend_by_quarter (warm) | {engine} | {r['per_query_s'] * 1000:.0f} ms | {r['peak_mb']:.0f} MB |"
                )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
