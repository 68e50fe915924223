"""``python -m bench.load``: many people on the dashboard at once, then many coming and going.

The app is served by ``streamlit run`` on a free loopback port, on the sample data in its own
embedded file (or on ``--db URL``). One headless Chromium (``/usr/bin/chromium``) holds
``--sessions`` browser contexts, each a separate viewer: for ``--duration`` seconds each opens the
Overview, Tech spend, Customer experience and Request turnaround in turn and, on each, changes the
fiscal quarter and adds departments. Every page load (navigation start to the end of the script's
last run) and every rerun (the click to the end of the rerun) is timed in the browser; a session
fails on an exception or error box, a page without its figures, a lost connection or a 60 s
timeout. Meanwhile ``/_stcore/health`` is polled every second and the server process's resident
memory sampled every two seconds.

Then the churn: ``--churn`` sessions opened on the Overview and closed one after another, the
server's memory sampled every ``--churn-every`` sessions; it levels off when the last samples'
slope is at most a quarter of the first ones' (or under 10 MB per 100 sessions). Streamlit keeps
a closed session for ``server.disconnectedSessionTTL`` (120 s) and at most 128 of them, so the
plateau comes after about 128 sessions or two minutes; ``--session-ttl`` shortens that.

Writes ``bench/results/load.json`` and ``bench/results/load.md``.

    python -m bench.load                                  # 10 sessions, 3 minutes, churn 200
    python -m bench.load --sessions 3 --duration 20 --churn 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from app.navigation import CUSTOMER_EXPERIENCE, OVERVIEW, REQUEST_TURNAROUND, TECH_SPEND
from bench.run import RESULTS, machine
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, serve_app_process
from metrics import sources
from metrics.settings import SAMPLE_DIR, Settings

VISITED = (OVERVIEW, TECH_SPEND, CUSTOMER_EXPERIENCE, REQUEST_TURNAROUND)
TIMEOUT_S = 60  # a page or rerun slower than this is a failed session (--timeout)
SETTLE_MS = 800  # the script idle this long in a row: a page or rerun is done (as devtools.browser)
FAILURE_SELECTORS = {
    "an exception": "[data-testid='stException']",
    "an error box": "[data-testid='stAlertContentError']",
}

# Installed in every page before its own scripts: follows Streamlit's script state from the DOM
# and keeps when the last run ended, in the page's own clock (performance.now(), 0 = navigation
# start), so that timing costs no polling from Python.
TRACKER = """
(() => {
  const bb = (window.__bbLoad = { runs: 0, state: null, idleSince: 0, connected: false });
  const check = () => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app) return;
    bb.connected = app.getAttribute("data-test-connection-state") === "CONNECTED";
    const state = app.getAttribute("data-test-script-state");
    if (state === bb.state) return;
    if (state === "running") bb.runs += 1;
    if (state === "notRunning") bb.idleSince = performance.now();
    bb.state = state;
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-test-script-state", "data-test-connection-state"],
  });
})();
"""
SETTLED = """([runs, settle]) => {
  const b = window.__bbLoad;
  return !!b && b.connected && b.state === "notRunning" && b.runs > runs && performance.now() - b.idleSince >= settle;
}"""


class SessionFailed(Exception):
    """What a viewer would have seen go wrong, in words."""


@dataclass
class Session:
    first_load_s: float | None = None  # on the freshly started server, all sessions at once
    loads_s: list[float] = field(default_factory=list)
    reruns_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    pages_with_figures: dict[str, int] = field(default_factory=dict)  # page label -> loads showing figures
    overview_figures: list[dict[str, str]] = field(default_factory=list)  # distinct, at the default filters


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid`, from psutil when installed, else /proc."""
    try:
        import psutil
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for process {pid}") from None
    return psutil.Process(pid).memory_info().rss / 2**20


def percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if len(values) else None


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points."""
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def levels_off(samples: Sequence[tuple[int, float]], tail: int = 4, flat_mb_per_100: float = 10.0) -> bool:
    """Whether memory sampled as (sessions so far, MB) stops growing: the slope over the last
    `tail` samples is at most a quarter of the slope over the first `tail`, or under
    `flat_mb_per_100` MB per 100 sessions (growth that small is the allocator, not sessions)."""
    if len(samples) < 2 * tail:
        raise ValueError(f"levelling off needs at least {2 * tail} samples, got {len(samples)}")
    first, last = slope(samples[:tail]) * 100, slope(samples[-tail:]) * 100
    return last <= flat_mb_per_100 or last <= first / 4


async def _settled(page, runs_before: int) -> float:
    """Wait until the app ran after `runs_before` runs and stayed idle; the end of its last run,
    in the page's clock (ms). Waits up to the context's default timeout (`--timeout`)."""
    await page.wait_for_function(SETTLED, arg=[runs_before, SETTLE_MS], polling=100)
    return float(await page.evaluate("window.__bbLoad.idleSince"))


async def _check_page(page, label: str) -> dict[str, str]:
    """The page as a viewer checks it: no exception or error box, a title and its figures."""
    for what, selector in FAILURE_SELECTORS.items():
        if await page.locator(selector).count():
            raise SessionFailed(f"{label} showed {what}")
    if not (await page.locator("[data-testid='stMain'] h1").first.inner_text()).strip():
        raise SessionFailed(f"{label} has no title")
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    metrics = page.locator("[data-testid='stMain'] [data-testid='stMetric']")
    with contextlib.suppress(PlaywrightTimeout):  # drawn a moment after the run on a busy machine
        await metrics.first.wait_for(state="attached")
    labels = await metrics.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = await metrics.locator("[data-testid='stMetricValue']").all_inner_texts()
    if not values:
        said = " ".join((await page.locator("[data-testid='stMain']").inner_text()).split())[:200]
        raise SessionFailed(f"{label} showed no figures; it said: {said!r}")
    return {k.strip(): v.strip() for k, v in zip(labels, values, strict=False)}


async def _load(page, base: str, target, session: Session) -> None:
    """Open a page afresh (a new Streamlit session, the default filters) and time it."""
    await page.goto(f"{base}/{target.url_path}")
    seconds = await _settled(page, 0) / 1000
    print(f"  {target.label}: loaded in {seconds:.2f} s", flush=True)
    if session.first_load_s is None:
        session.first_load_s = seconds
    else:
        session.loads_s.append(seconds)
    figures = await _check_page(page, target.label)
    session.pages_with_figures[target.label] = session.pages_with_figures.get(target.label, 0) + 1
    if target is OVERVIEW and figures not in session.overview_figures:
        session.overview_figures.append(figures)


async def _choose(page, widget_key: str, pick: Callable[[list[str]], str | None], session: Session) -> None:
    """Open the sidebar widget `widget_key`, click the option `pick` chooses and time the rerun."""
    box = page.locator(f".st-key-{widget_key} [role='combobox']").first
    await box.click()
    options = page.locator("[role='option']")
    await options.first.wait_for()
    choice = pick([t.strip() for t in await options.all_inner_texts()])
    if choice is None:
        await page.keyboard.press("Escape")
        return
    runs, started = await page.evaluate("[window.__bbLoad.runs, performance.now()]")
    await options.filter(has_text=choice).first.click()
    ended = await _settled(page, runs)
    await page.keyboard.press("Escape")  # a multiselect's menu stays open
    session.reruns_s.append((ended - started) / 1000)
    print(f"  {widget_key} -> {choice}: rerun in {session.reruns_s[-1]:.2f} s", flush=True)


def _another(rng: random.Random, but: str) -> Callable[[list[str]], str | None]:
    """Picks any option but `but` (the quarter shown, or the multiselect's "Select all")."""

    def pick(options: list[str]) -> str | None:
        others = [o for o in options if o != but]
        return rng.choice(others) if others else None

    return pick


async def _new_context(browser, timeout_s: float):
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(timeout_s * 1000)
    context.set_default_navigation_timeout(timeout_s * 1000)
    await context.add_init_script(TRACKER)
    return context


async def viewer(browser, base: str, duration: float, seed: int, timeout_s: float = TIMEOUT_S) -> Session:
    """One viewer going round the pages and changing the filters for `duration` seconds after
    its first page (which, on a freshly started and busy server, can take minutes)."""
    rng = random.Random(seed)
    session = Session()
    context = await _new_context(browser, timeout_s)
    page = await context.new_page()
    page.on("pageerror", lambda exc: session.failures.append(f"a script error in the browser: {exc}"))
    try:
        turn = seed  # viewers start on different pages
        deadline = float("inf")
        while time.monotonic() < deadline:
            target = VISITED[turn % len(VISITED)]
            turn += 1
            try:
                try:
                    await _load(page, base, target, session)
                finally:
                    if deadline == float("inf"):
                        deadline = time.monotonic() + duration
                for step in range(4):
                    # Every page changes the quarter and the departments once, however slow.
                    if step >= 2 and time.monotonic() >= deadline:
                        break
                    if step % 2 == 0:
                        current = await page.locator(".st-key-bb_quarter [role='combobox']").input_value()
                        await _choose(page, "bb_quarter", _another(rng, current), session)
                    else:
                        await _choose(page, "bb_departments", _another(rng, "Select all"), session)
                    await _check_page(page, target.label)
            except SessionFailed as exc:
                session.failures.append(str(exc))
            except Exception as exc:  # a timeout or a closed connection: the viewer gave up
                session.failures.append(f"{target.label}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        await context.close()
    return session


async def _poll_health(base: str, stop: asyncio.Event, result: dict) -> None:
    def check() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as r:
                return r.status == 200
        except OSError:
            return False

    while not stop.is_set():
        ok = await asyncio.to_thread(check)
        result["checks"] += 1
        result["failures"] += 0 if ok else 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1)


async def _sample_memory(pid: int, stop: asyncio.Event, series: list[tuple[float, float]], started: float) -> None:
    while not stop.is_set():
        series.append((round(time.monotonic() - started, 1), round(rss_mb(pid), 1)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2)


async def _churn(
    browser, base: str, pid: int, count: int, every: int, timeout_s: float, limit_s: float | None
) -> tuple[list[tuple[int, float]], list[str]]:
    """`count` viewers one after another, each opening the Overview and leaving; fewer if
    `limit_s` seconds have passed (a busy machine), the samples saying how many."""
    samples, failures = [(0, round(rss_mb(pid), 1))], []
    stop_at = time.monotonic() + limit_s if limit_s else None
    for n in range(1, count + 1):
        if stop_at is not None and time.monotonic() > stop_at:
            break
        context = await _new_context(browser, timeout_s)
        page = await context.new_page()
        try:
            await page.goto(f"{base}/")
            await _settled(page, 0)
            await _check_page(page, OVERVIEW.label)
        except Exception as exc:
            failures.append(f"session {n}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            await context.close()
        if n % every == 0:
            samples.append((n, round(rss_mb(pid), 1)))
    return samples, failures


async def _drive(
    base: str,
    pid: int,
    sessions: int,
    duration: float,
    churn: int,
    churn_every: int,
    timeout_s: float,
    churn_limit_s: float | None,
) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            stop = asyncio.Event()
            health = {"checks": 0, "failures": 0}
            memory: list[tuple[float, float]] = []
            started = time.monotonic()
            watchers = [
                asyncio.create_task(_poll_health(base, stop, health)),
                asyncio.create_task(_sample_memory(pid, stop, memory, started)),
            ]
            viewers = await asyncio.gather(*(viewer(browser, base, duration, i, timeout_s) for i in range(sessions)))
            load_seconds = time.monotonic() - started
            samples, churn_failures = (
                await _churn(browser, base, pid, churn, churn_every, timeout_s, churn_limit_s) if churn else ([], [])
            )
            stop.set()
            await asyncio.gather(*watchers)
        finally:
            await browser.close()
    return {
        "viewers": viewers,
        "load_seconds": load_seconds,
        "health": health,
        "memory": memory,
        "churn": samples,
        "churn_failures": churn_failures,
    }


def run(
    sessions: int = 10,
    duration: float = 180,
    churn: int = 200,
    churn_every: int = 20,
    url: str | None = None,
    session_ttl: int | None = None,
    timeout_s: float = TIMEOUT_S,
    churn_limit_s: float | None = None,
    out: Path | None = RESULTS,
    log=print,
) -> dict:
    """Serve the app, drive it, and return (and with `out`, write) the results."""
    with tempfile.TemporaryDirectory(prefix="bb-load-") as tmp:
        env: dict[str, str | None] = (
            {"BRIDGEBOARD_DATABASE_URL": url, "BRIDGEBOARD_EMBEDDED_DB": str(Path(tmp) / "unused.duckdb")}
            if url
            else {
                "BRIDGEBOARD_DATA_DIR": str(SAMPLE_DIR),
                "BRIDGEBOARD_EMBEDDED_DB": str(Path(tmp) / "bridgeboard.duckdb"),
                "BRIDGEBOARD_DATABASE_URL": None,
            }
        )
        if not url:
            # Built before the server starts, as a deployment's data is before viewers arrive:
            # the figures are the page's work, not the one-off import of the sample folder.
            sources.ensure_embedded(Settings(data_dir=SAMPLE_DIR, embedded_db=Path(tmp) / "bridgeboard.duckdb"))
        if session_ttl is not None:
            env["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(session_ttl)
        with open(Path(tmp) / "streamlit.log", "w") as server_log, serve_app_process(env, server_log) as (base, proc):
            log(f"app at {base} (pid {proc.pid}); {sessions} sessions for {duration:.0f} s, then {churn} in turn")
            driven = asyncio.run(
                _drive(base, proc.pid, sessions, duration, churn, churn_every, timeout_s, churn_limit_s)
            )
            server_log_text = (Path(tmp) / "streamlit.log").read_text()
    result = summarise(driven, sessions, duration, churn, churn_every, url, session_ttl, server_log_text)
    log(markdown(result))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "load.json").write_text(json.dumps(result, indent=1) + "\n")
        (out / "load.md").write_text(markdown(result))
    return result


def summarise(
    driven: dict,
    sessions: int,
    duration: float,
    churn: int,
    churn_every: int,
    url: str | None,
    session_ttl: int | None,
    server_log: str,
) -> dict:
    viewers: list[Session] = driven["viewers"]
    loads = [t for v in viewers for t in v.loads_s]
    reruns = [t for v in viewers for t in v.reruns_s]
    memory = driven["memory"]
    samples = driven["churn"]
    return {
        "machine": machine(),
        "database": "PostgreSQL or other (--db)" if url else "embedded DuckDB on the sample data",
        "sessions": sessions,
        "duration_s": duration,
        "load_seconds": round(driven["load_seconds"], 1),
        "page_loads": len(loads),
        "reruns": len(reruns),
        "first_load_max_s": max((v.first_load_s for v in viewers if v.first_load_s is not None), default=None),
        "load_p50_s": percentile(loads, 50),
        "load_p95_s": percentile(loads, 95),
        "rerun_p50_s": percentile(reruns, 50),
        "rerun_p95_s": percentile(reruns, 95),
        "failed_sessions": sum(1 for v in viewers if v.failures),
        "failures": [f for v in viewers for f in v.failures][:20],
        "health_checks": driven["health"]["checks"],
        "health_failures": driven["health"]["failures"],
        "server_tracebacks": server_log.count("Traceback"),
        # The first one whole and each distinct error line, so that a failed run says why.
        "first_traceback": server_log[server_log.find("Traceback") :][:3000] if "Traceback" in server_log else None,
        "server_errors": sorted(set(re.findall(r"^\w+(?:Error|Exception): .*$", server_log, re.MULTILINE)))[:20],
        "rss_mb": memory,
        "rss_peak_mb": max((m for _, m in memory), default=None),
        "churn_sessions": churn,
        "churn_every": churn_every,
        "session_ttl_s": session_ttl if session_ttl is not None else 120,
        "churn_rss_mb": samples,
        "churn_failures": driven["churn_failures"][:20],
        "churn_levels_off": levels_off(samples) if len(samples) >= 8 else None,
        "viewers": [asdict(v) for v in viewers],
    }


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Measured {m['when']} on {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}; {r['database']}.",
        "",
        f"**{r['sessions']} concurrent sessions for {r['duration_s']:.0f} s** (one Chromium, a context each): "
        f"{r['page_loads']} page loads, {r['reruns']} reruns, after each session's first page on the freshly "
        f"started server (all at once, every library imported on the way: at most {r['first_load_max_s']} s).",
        "",
        "| | p50 | p95 |",
        "|---|---|---|",
        f"| page load | {r['load_p50_s']} s | {r['load_p95_s']} s |",
        f"| rerun after a filter change | {r['rerun_p50_s']} s | {r['rerun_p95_s']} s |",
        "",
        f"Failed sessions: {r['failed_sessions']} of {r['sessions']}. Health checks: {r['health_checks']}, "
        f"failed {r['health_failures']}. Tracebacks in the server log: {r['server_tracebacks']}. "
        f"Server memory: {r['rss_mb'][0][1] if r['rss_mb'] else '-'} MB at the start, peak {r['rss_peak_mb']} MB.",
    ]
    if r["failures"]:
        lines += ["", "Failures:", *(f"- {f}" for f in r["failures"])]
    if r["churn_rss_mb"]:
        verdict = {True: "levels off", False: "keeps growing", None: "too few samples to say"}[r["churn_levels_off"]]
        lines += [
            "",
            f"**Churn: {r['churn_rss_mb'][-1][0]} of {r['churn_sessions']} sessions opened and closed in turn** (closed sessions kept "
            f"{r['session_ttl_s']} s, at most 128): memory {verdict}, {len(r['churn_failures'])} failed.",
            "",
            "| sessions | " + " | ".join(str(n) for n, _ in r["churn_rss_mb"]) + " |",
            "|---|" + "---|" * len(r["churn_rss_mb"]),
            "| RSS, MB | " + " | ".join(f"{mb:.0f}" for _, mb in r["churn_rss_mb"]) + " |",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10)")
    parser.add_argument("--duration", type=float, default=180, help="seconds of concurrent use (default 180)")
    parser.add_argument("--churn", type=int, default=200, help="sessions opened and closed in turn (default 200)")
    parser.add_argument("--churn-every", type=int, default=20, help="sample memory every N churn sessions")
    parser.add_argument("--db", help="a database URL to serve instead of the sample data")
    parser.add_argument("--session-ttl", type=int, help="seconds Streamlit keeps a closed session (default 120)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds before a page counts as failed")
    parser.add_argument("--churn-limit", type=float, help="stop the churn after this many seconds")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    run(
        args.sessions,
        args.duration,
        args.churn,
        args.churn_every,
        args.db,
        args.session_ttl,
        args.timeout,
        args.churn_limit,
        args.out,
    )


if __name__ == "__main__":
    main()
