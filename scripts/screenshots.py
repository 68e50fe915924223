"""Screenshots of every page at 1920x1080 in headless Chromium, for looking at what we ship.

Usage: python scripts/screenshots.py [--size WxH] [--theme light|dark] [OUT_DIR] [PAGE ...]
       (default 1920x1080, light, docs/screenshots, all pages; PAGE is a file name such as overview
       or tech_spend; a size or theme other than the default is added to the file name:
       overview-1366-dark.png)

       python scripts/screenshots.py --review [OUT_DIR]
       a quarterly review in progress, seeded into a temporary embedded database: commentary on
       the pages, a decision and two actions (one overdue), FY2026 Q3 closed by the CFO. Shoots the
       Quarterly review page at 1366 and 1920 wide, 768 and 1080 high windows grown to the page's length
       (review-1366.png, review-1920.png), then
       writes the PDF board pack with the `boardpack` command and renders its review pages (the
       restatements, the commentary and the minutes, the same slides as the PowerPoint) with `pdftoppm`
       (boardpack-minutes-1.png, ...).

       python scripts/screenshots.py --deck [OUT_DIR]
       presentation mode's slides of every presented page at 1366x768 and 1920x1080, walked with the
       arrow key (deck-overview-1-1366.png, ...).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from app.navigation import PAGES, PRESENTATION_ORDER
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, serve_app

SHOTS = {p.label.lower().replace(" ", "_"): p.url_path for p in PAGES}  # overview, tech_spend, ...
REVIEW_QUARTER = "FY2026 Q3"
REVIEW_SIZES = ((1366, 768), (1920, 1080))
DECK_QUARTER = "FY2026 Q2"


def _settle(page) -> None:
    # A first, uncached run on two busy cores can take minutes.
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=300_000)
    page.wait_for_timeout(2500)  # let Plotly finish drawing


def _whole_page(page, width: int, height: int) -> None:
    """Streamlit scrolls inside its main area, so a full-page shot is one screen: grow the window to
    the page's length (at the same width) first."""
    length = page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    if length > height:
        page.set_viewport_size({"width": width, "height": length})
        _settle(page)


def pages(out: Path, wanted: list[str], size: tuple[int, int] = (1920, 1080), theme: str = "light") -> None:
    """The pages at `size` in the `theme` the browser asks for (the app follows the system's)."""
    width, height = size
    suffix = "" if (size, theme) == ((1920, 1080), "light") else f"-{width}-{theme}"
    with serve_app({"BRIDGEBOARD_EMBEDDED_DB": str(Path(tempfile.mkdtemp()) / "bb.duckdb")}) as url:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=theme)
            for name in wanted:
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{url}/{SHOTS[name]}")
                _settle(page)
                _whole_page(page, width, height)
                page.screenshot(path=str(out / f"{name}{suffix}.png"), full_page=True)
                print(out / f"{name}{suffix}.png")
            browser.close()


def _press_until(page, key: str, counter: str) -> None:
    """Press `key` once and wait until the slide counter reads `counter`."""
    from devtools.browser import wait_for_app

    wait_for_app(page, timeout=180_000)
    page.keyboard.press(key)
    page.locator(".st-key-bb_slide_number").get_by_text(counter).wait_for(timeout=180_000)


def deck_shots(out: Path) -> None:
    """Every slide of every presented page at both sizes: one deck, walked with ArrowRight."""
    from devtools.browser import wait_for_app

    with serve_app({"BRIDGEBOARD_EMBEDDED_DB": str(Path(tempfile.mkdtemp()) / "bb.duckdb")}) as url:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for width, height in REVIEW_SIZES:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{url}/?present=1&quarter={DECK_QUARTER.replace(' ', '%20')}")
                for shown in PRESENTATION_ORDER:
                    name = shown.label.lower().replace(" ", "-")
                    number = 1
                    while True:
                        wait_for_app(page, timeout=180_000)  # the first view loads the sample
                        page.wait_for_timeout(1500)  # let Plotly finish drawing
                        target = out / f"deck-{name}-{number}-{width}.png"
                        page.screenshot(path=str(target))
                        print(target)
                        counter = page.locator(".st-key-bb_slide_number").inner_text().strip()
                        if counter.split(" / ")[0] == counter.split(" / ")[1]:
                            break
                        number += 1
                        _press_until(page, "ArrowRight", f"{number} /")
                    if shown != PRESENTATION_ORDER[-1]:
                        _press_until(page, "ArrowRight", "1 /")  # to the next page's first slide
                page.close()
            browser.close()


def seed_review(settings) -> None:
    """The sample in the embedded database, then a review of FY2026 Q3 as the store writes it."""
    from metrics import review, sources
    from metrics.fiscal import FiscalCalendar, parse_quarter
    from metrics.targets import Actor

    sources.ensure_embedded(settings)
    engine = sources.embedded_engine(settings)
    q, today = parse_quarter(REVIEW_QUARTER), date.today()
    try:
        notes = (
            ("tech_spend", "CFO", "Cloud spend is **on plan**; the late Snowflake invoice is the only surprise."),
            ("tech_spend", "CIO", "Two analytics tools do the same job: we retire one before renewal."),
            ("request_turnaround", "CMO", "We owe IT faster, complete briefs: a template from next month."),
            ("overview", "CIO", "A steady quarter; the redundant tools are the saving to chase."),
        )
        for subject, side, text in notes:
            review.save_note(engine, q, "page", subject, side, text, actor=Actor(side, side), expected_version=0)
        entries = (
            ("decision", "Keep one CRM: Salesforce for marketing and IT", "Joint", None),
            ("action", "Brief template for every request", "CMO", today - timedelta(days=10)),
            ("action", "Retire the duplicate analytics tool", "Joint", today + timedelta(days=60)),
        )
        for kind, text, owner, due in entries:
            review.save_action(
                engine, None, kind=kind, text=text, owner=owner, due_on=due, raised=q, actor=Actor("CMO", "CMO")
            )
        review.close_quarter(
            engine,
            FiscalCalendar(settings.fiscal_start_month),
            q,
            actor=Actor("CFO", "CFO"),
            expected_version=0,
            reporting_currency=settings.reporting_currency,
        )
    finally:
        engine.dispose()


def correct_after_closing(folder: Path) -> None:
    """What happens after a review: a late invoice and a corrected amount in the quarter's spend
    file, read by the app when it starts (the folder changed), so the pages show restatements."""
    lines = (folder / "spend.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    date_at, amount_at = header.index("date"), header.index("amount")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\r\n").split(",")
        if cells[date_at].startswith("2026-08") and len(cells) == len(header):
            cells[amount_at] = f"{float(cells[amount_at]) + 1234.56:.2f}"
            lines[i] = ",".join(cells) + "\n"
            break
    lines.append("2026-08-20,IT,Snowflake,Data platform,120400.00,INV-CORR-1,,,,,USD,Late invoice\n")
    (folder / "spend.csv").write_text("".join(lines), encoding="utf-8")


def review_shots(out: Path) -> None:
    from metrics.settings import SAMPLE_DIR, Settings

    tmp = Path(tempfile.mkdtemp(prefix="bb-review-"))
    shutil.copytree(SAMPLE_DIR, tmp / "data")
    settings = Settings(data_dir=tmp / "data", embedded_db=tmp / "bb.duckdb")
    seed_review(settings)
    correct_after_closing(settings.data_dir)
    env = {
        "BRIDGEBOARD_DATA_DIR": str(settings.data_dir),
        "BRIDGEBOARD_EMBEDDED_DB": str(settings.embedded_db),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with serve_app(env) as url:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for width, height in REVIEW_SIZES:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{url}/Quarterly_review?quarter={REVIEW_QUARTER.replace(' ', '%20')}")
                _settle(page)
                _whole_page(page, width, height)
                page.screenshot(path=str(out / f"review-{width}.png"), full_page=True)
                print(out / f"review-{width}.png")
                # The restatement on Tech spend, with its drill-down open.
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{url}/Tech_spend?quarter={REVIEW_QUARTER.replace(' ', '%20')}")
                _settle(page)
                page.get_by_text(f"What changed since the {REVIEW_QUARTER} review").click()
                _settle(page)
                page.screenshot(path=str(out / f"restated-tech-spend-{width}.png"))
                print(out / f"restated-tech-spend-{width}.png")
                page.close()
            browser.close()

    # The PDF pack of the same database, once the app has let go of the file.
    pdf = tmp / "pack.pdf"
    cli_env = {k: v for k, v in os.environ.items() if k != "BRIDGEBOARD_DATABASE_URL"}
    cli_env.update({k: v for k, v in env.items() if v is not None}, PYTHONPATH=str(ROOT))
    subprocess.run(
        [sys.executable, "-m", "metrics", "boardpack", "--quarter", REVIEW_QUARTER, "--out", str(pdf)],
        cwd=ROOT,
        env=cli_env,
        check=True,
    )
    for old in out.glob("boardpack-minutes-*.png"):
        old.unlink()
    shown = 0
    for number in range(1, _page_count(pdf) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"], capture_output=True, text=True
        ).stdout
        kickers = ("RESTATED SINCE THE REVIEW", "COMMENTARY", "DECISIONS AND ACTIONS")  # the review's pages
        if not text.lstrip().upper().startswith(kickers):
            continue
        shown += 1
        stem = tmp / f"page-{number}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-singlefile", "-f", str(number), str(pdf), str(stem)], check=True
        )
        target = out / f"boardpack-minutes-{shown}.png"
        shutil.move(f"{stem}.png", target)
        print(target)
    if not shown:
        raise SystemExit(f"no review pages found in {pdf}")


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> None:
    args = sys.argv[1:]
    size, theme = (1920, 1080), "light"
    while args and args[0] in ("--size", "--theme"):
        option, value, args = args[0], args[1], args[2:]
        if option == "--size":
            width, height = value.lower().split("x")
            size = (int(width), int(height))
        else:
            theme = value
    review = bool(args) and args[0] == "--review"
    deck = bool(args) and args[0] == "--deck"
    if review or deck:
        args = args[1:]
    out = Path(args[0]) if args else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    if review:
        review_shots(out)
    elif deck:
        deck_shots(out)
    else:
        pages(out, args[1:] or list(SHOTS), size, theme)


if __name__ == "__main__":
    main()
