"""Every page at every screen size a board member brings, in the light and the dark theme: nothing
cut short with an ellipsis, no tile text over another, charts tall enough to read, chart text at
14 px or more, no sideways scrolling, and chart colours that stand out from the page (3:1) in the
theme the viewer chose.

One server and one browser; each page is opened once per theme and the window resized through the
sizes (Streamlit and Plotly lay out again on a resize), which keeps the walk to a few minutes.
The dark theme is the system preference (`color_scheme`), as a viewer's browser sends it; the
menu's own Light / Dark choice is checked once at the end.
"""

from __future__ import annotations

import pytest

from app.navigation import PAGES
from charts.theme import DARK_BACKGROUND, PAGE_BACKGROUND, SCREEN_TEXT_PX, hex_rgb
from devtools.browser import wait_for_app

pytestmark = pytest.mark.e2e

SIZES = ((1280, 720), (1366, 768), (1536, 864), (1920, 1080), (2560, 1440))
MIN_PLOT_AREA_PX = 120  # the height of a chart's drawing area (axes, without legend and ticks)
MIN_CONTRAST = 3.0

# What a viewer sees, measured in the page: returns the problems found, in words.
PROBLEMS_JS = """
([minTickPx, minPlotPx, minContrast]) => {
  const problems = [];
  const say = (el) => ((el.getAttribute && el.getAttribute('data-testid')) || el.tagName) + ' "' +
    el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50) + '"';
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 2 && r.height > 2; };
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;

  const root = document.documentElement;
  const main = document.querySelector("[data-testid='stMain']");
  const sideways = Math.max(root.scrollWidth - root.clientWidth, main.scrollWidth - main.clientWidth);
  if (sideways > 1) problems.push(`the page scrolls sideways by ${sideways} px`);

  // Text cut short: an element that hides its overflow (or ends it with an ellipsis) and is
  // narrower than its text. Tables and charts lay out their own text and are checked below.
  for (const el of document.querySelectorAll("[data-testid='stAppViewContainer'] *")) {
    if (el instanceof SVGElement || el.closest('.js-plotly-plot, [data-testid="stDataFrame"], canvas')) continue;
    if (!el.textContent.trim() || !shown(el)) continue;
    const cs = getComputedStyle(el);
    const clips = cs.textOverflow === 'ellipsis' || cs.overflowX === 'hidden' || cs.overflowX === 'clip';
    if (clips && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${say(el)} is cut short (${el.scrollWidth} px of text in ${el.clientWidth} px)`);
    }
  }

  // Tile texts (label, value, delta) over one another.
  const tiles = [...document.querySelectorAll(
    "[data-testid='stMetricLabel'], [data-testid='stMetricValue'], [data-testid='stMetricDelta']")].filter(shown);
  const rects = tiles.map(t => t.getBoundingClientRect());
  for (let i = 0; i < tiles.length; i++) for (let j = i + 1; j < tiles.length; j++) {
    if (overlap(rects[i], rects[j])) problems.push(`${say(tiles[i])} overlaps ${say(tiles[j])}`);
  }

  // Charts: drawing area, tick text size and overlap, colours against the page.
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const rgbOf = (text) => { const m = (text || '').match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?/);
    return m && (m[4] === undefined || +m[4] > 0.5) ? [+m[1], +m[2], +m[3]] : null; };
  const page = rgbOf(getComputedStyle(document.querySelector("[data-testid='stApp']")).backgroundColor);
  const contrast = (rgb) => { const [hi, lo] = [luminance(rgb), luminance(page)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05); };
  document.querySelectorAll('.js-plotly-plot').forEach((plot, n) => {
    const name = `chart ${n + 1}`;
    const layout = plot._fullLayout;
    if (!layout) return;
    const empty = !plot.querySelector('.cartesianlayer .trace, .barlayer .trace, .heatmaplayer .hm');
    if (!empty && layout._size.h < minPlotPx) {
      problems.push(`${name} is squashed: its drawing area is ${Math.round(layout._size.h)} px high`);
    }
    for (const t of plot.querySelectorAll('.xtick text, .ytick text, .x2tick text, .y2tick text')) {
      const px = parseFloat(getComputedStyle(t).fontSize);
      if (t.textContent.trim() && px < minTickPx) problems.push(`${name}: tick "${t.textContent}" at ${px} px`);
    }
    for (const axis of plot.querySelectorAll('.xaxislayer-above, .yaxislayer-above')) {
      // Slanted labels are Plotly's answer to a narrow axis; their boxes overlap, the text does not.
      const texts = [...axis.querySelectorAll('text')].filter(t => t.textContent.trim() &&
        !/rotate\\((?!0)/.test(t.getAttribute('transform') || ''));
      const rs = texts.map(t => t.getBoundingClientRect());
      for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) {
        if (overlap(rs[i], rs[j])) problems.push(`${name}: ticks "${texts[i].textContent}" and "${texts[j].textContent}" overlap`);
      }
    }
    const drawn = [...plot.querySelectorAll('.scatterlayer path.js-line')].map(p => p.style.stroke)
      .concat([...plot.querySelectorAll('.barlayer path, .scatterlayer path.point')].map(p => p.style.fill));
    for (const colour of new Set(drawn)) {
      const rgb = rgbOf(colour);
      if (!rgb || rgb.every((c, i) => Math.abs(c - page[i]) < 2)) continue;  // a halo is the page's colour
      const c = contrast(rgb);
      if (c < minContrast) problems.push(`${name}: ${colour} is ${c.toFixed(1)}:1 against the page`);
    }
  });
  return problems;
}
"""


def _settle(page) -> None:
    wait_for_app(page, timeout=180_000)  # a page's first, uncached run on two busy cores can take a minute
    page.wait_for_timeout(700)  # Plotly draws once the script has run


def _resize(page, width: int, height: int) -> None:
    """A resize reruns no script: Streamlit and Plotly lay out again in the browser."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(600)


def _problems(page) -> list[str]:
    return page.evaluate(PROBLEMS_JS, [SCREEN_TEXT_PX, MIN_PLOT_AREA_PX, MIN_CONTRAST])


def _background(page) -> str:
    return page.evaluate("getComputedStyle(document.querySelector(\"[data-testid='stApp']\")).backgroundColor")


def _rgb(hex_colour: str) -> str:
    return "rgb({}, {}, {})".format(*hex_rgb(hex_colour))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_reads_well_at_every_screen_size(browser, app_server, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    page = context.new_page()
    found: list[str] = []
    try:
        for shown in PAGES:
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            page.goto(f"{app_server}/{shown.url_path}")
            _settle(page)
            assert page.locator("[data-testid='stException']").count() == 0, f"{shown.label} failed"
            assert _background(page) == _rgb(DARK_BACKGROUND if scheme == "dark" else PAGE_BACKGROUND)
            for width, height in SIZES:
                _resize(page, width, height)
                found += [f"{shown.label} at {width}x{height}: {p}" for p in _problems(page)]
    finally:
        context.close()
    assert not found, f"{len(found)} problems in the {scheme} theme:\n" + "\n".join(found)


def test_the_menu_offers_light_and_dark_and_charts_follow(browser, app_server):
    """The viewer's choice, kept for the session's next pages (a reload starts from the system's)."""
    context = browser.new_context(color_scheme="light", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{app_server}/Request_turnaround")
        _settle(page)
        assert _background(page) == _rgb(PAGE_BACKGROUND)
        page.get_by_test_id("stMainMenu").click()
        menu = page.get_by_test_id("stMainMenuList").inner_text()
        assert "Light" in menu and "Dark" in menu
        assert not any(word in menu for word in ("Rerun", "Clear cache", "Deploy", "Settings")), "no developer options"
        page.get_by_role("menuitemradio", name="Dark").click()
        page.keyboard.press("Escape")
        page.wait_for_timeout(1500)
        assert _background(page) == _rgb(DARK_BACKGROUND)
        # Streamlit does not rerun the page on a theme switch (streamlit#11920), so the charts already
        # drawn keep the light colours until the next run; the next page is drawn in the dark ones.
        page.get_by_test_id("stSidebar").get_by_text("Tech spend", exact=True).click()
        page.wait_for_url("**/Tech_spend**")
        _settle(page)
        assert _background(page) == _rgb(DARK_BACKGROUND)
        assert _problems(page) == []
    finally:
        context.close()
