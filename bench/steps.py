"""One measured step per process, so that each peak resident memory (ru_maxrss) is its own.

    python -m bench.steps generate FOLDER SPEND_LINES
    python -m bench.steps import FOLDER URL
    python -m bench.steps page URL SCRIPT          (AppTest: cold first run, then warm runs)
    python -m bench.steps naive URL                (every table read into pandas, the Overview's figures)

Each prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_RUNS = 3


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: str, spend_lines: str) -> dict:
    from metrics.sample import write_sample

    started = time.perf_counter()
    counts = write_sample(folder, spend_rows=int(spend_lines))
    return {"seconds": time.perf_counter() - started, "rows": counts}


def import_folder(folder: str, url: str) -> dict:
    from metrics import db, sources
    from metrics.settings import Settings

    engine = db.make_engine(url)
    started = time.perf_counter()
    outcome = sources.load_folder(Path(folder), engine, sources.read_options(Settings()), source=folder)
    seconds = time.perf_counter() - started
    engine.dispose()
    if outcome.report is None or not outcome.report.ok:
        raise SystemExit(f"the generated folder did not validate: {outcome.errors[:3]}")
    return {"seconds": seconds}


def _payload_bytes(at) -> int:
    """Bytes of chart data the page sends: the Plotly figure specs."""
    return sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))


def page(url: str, script: str) -> dict:
    """The page under AppTest on the database at `url`: the first run of a fresh process (empty
    caches), then the median of warm reruns."""
    os.environ["BRIDGEBOARD_DATABASE_URL"] = url
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # Import what every page imports before the clock starts: "cold" is the page's own work on
    # empty caches (queries, figures, charts), not Python loading plotly.
    import app.shell  # noqa: F401
    import charts.kpis
    import charts.spend
    import charts.turnaround  # noqa: F401
    import metrics.headline  # noqa: F401

    # Streamlit's own start-up (once per process it reads the metadata of every installed package
    # looking for components: about 0.5 s here) is a server's cost when it starts, not a page's.
    AppTest.from_string("import streamlit as st", default_timeout=600).run()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    # AppTest reaches a page through the entry point; a browser's deep link runs the page alone.
    # So run the entry point, empty every cache, then time the page on its own. The Overview too:
    # an AppTest's first run also scans every installed package for components (about 0.5 s, a
    # server's once-at-start-up cost), which timing the Overview's first run used to count.
    at.run()
    st.cache_data.clear()
    st.cache_resource.clear()
    started = time.perf_counter()
    if script != "dashboard.py":
        at.switch_page(script)
    at.run()
    cold = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{script} raised: {at.exception[0].message}")
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    return {"cold_s": cold, "warm_s": statistics.median(warm), "payload_kb": _payload_bytes(at) / 1024}


def naive(url: str) -> dict:
    """The naive peer: every table read whole into pandas, then the Overview's headline figures
    (spend by quarter and department, marketing share, overlap, shadow IT, KPI values, lead-time
    percentiles) computed there. Cold = read + compute; warm = compute on the frames in memory."""
    import numpy as np
    import pandas as pd
    import sqlalchemy as sa

    from metrics import schema

    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        tables = {name: pd.read_sql(sa.select(table), conn) for name, table in schema.canonical.items()}
    engine.dispose()

    def figures() -> dict:
        spend = tables["spend"].copy()
        spend["date"] = pd.to_datetime(spend["date"])
        spend["amount"] = spend["amount"].astype(float)
        spend["quarter"] = spend["date"].dt.to_period("Q-DEC")
        latest = spend["quarter"].max()
        by_q = spend.groupby(["quarter", "department"])["amount"].sum().unstack(fill_value=0.0)
        now = spend[spend["quarter"] == latest]
        by_vendor = now.groupby(["vendor", "department"])["amount"].sum().unstack(fill_value=0.0)
        both = by_vendor[(by_vendor.get("Marketing", 0) > 0) & (by_vendor.get("IT", 0) > 0)]
        approved = set(tables["vendors"].loc[tables["vendors"]["it_approved"].astype(bool), "vendor"])
        shadow = now[now["department"].isin(["Marketing", "Joint"]) & ~now["vendor"].isin(approved)]
        actuals = tables["kpi_actuals"].copy()
        actuals["quarter"] = pd.to_datetime(actuals["date"]).dt.to_period("Q-DEC")
        kpi_values = actuals.groupby(["kpi", "quarter"])["value"].mean()
        requests = tables["requests"].copy()
        delivered = requests.dropna(subset=["delivered_at"])
        lead = (
            pd.to_datetime(delivered["delivered_at"]) - pd.to_datetime(delivered["requested_at"])
        ).dt.total_seconds()
        lead = lead[lead >= 0] / 86400
        return {
            "total": float(by_q.loc[latest].sum()),
            "marketing_share": float(by_q.loc[latest].get("Marketing", 0.0) / by_q.loc[latest].sum()),
            "overlap_at_stake": float(both[["Marketing", "IT"]].min(axis=1).sum()) if len(both) else 0.0,
            "shadow": float(shadow["amount"].sum()),
            "kpis": int(kpi_values.size),
            "p85": float(np.percentile(lead, 85)) if len(lead) else None,
        }

    figures()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(WARM_RUNS):
        t = time.perf_counter()
        figures()
        warm.append(time.perf_counter() - t)
    return {"cold_s": cold, "warm_s": statistics.median(warm), "payload_kb": 0.0}


STEPS: dict[str, Callable[..., dict]] = {"generate": generate, "import": import_folder, "page": page, "naive": naive}

if __name__ == "__main__":
    result = STEPS[sys.argv[1]](*sys.argv[2:])
    result["peak_rss_mb"] = _peak_mb()
    print(json.dumps(result, default=str))
