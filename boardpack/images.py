"""Static PNGs of the pages' Plotly figures for the PDF, through kaleido and Debian's Chromium.

Starting Chromium costs about 2.5 s; each figure after that about 0.25 s. `ChartRenderer` keeps
one Kaleido (one headless Chromium) open on its own event loop in a background thread and reuses
it for every figure and every pack of the process. It is used instead of
`kaleido.start_sync_server()`, which does the same but waits without a time limit: if Chromium
dies, its caller would hang for ever. Here every wait has a timeout, and any failure (no
Chromium, a crash, a hang) closes the browser and raises `ChartsUnavailable`, so that the pack
is built with a note instead of charts; the next figure starts a fresh browser.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import plotly.graph_objects as go
import plotly.io as pio

if TYPE_CHECKING:
    import kaleido  # at run time imported where used: only the PDF needs it

# Kaleido would otherwise fetch MathJax from the web.
pio.defaults.mathjax = None

RENDER_TIMEOUT = 60.0  # seconds for starting Chromium or rendering one figure

_T = TypeVar("_T")


class ChartsUnavailable(RuntimeError):
    """Chromium or kaleido could not render the charts; the message says why, for the pack's note."""


class ChartRenderer:
    def __init__(self, timeout: float = RENDER_TIMEOUT) -> None:
        self._timeout = timeout
        self._lock = threading.Lock()  # one figure at a time; Kaleido keeps one tab
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: kaleido.Kaleido | None = None

    def png(self, fig: go.Figure, width: int, height: int | None = None, scale: float = 2.0) -> bytes:
        """The figure as a PNG of `width` x `height` CSS pixels (height: the figure's own)."""
        height = height or int(fig.layout.height or 450)
        opts = {"format": "png", "width": width, "height": height, "scale": scale}
        with self._lock:
            try:
                browser = self._kaleido
                if browser is None:
                    browser = self._start()
                return self._run(browser.calc_fig(fig, opts=opts))
            except Exception as exc:
                self._stop()
                raise ChartsUnavailable(
                    f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                ) from exc

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        assert self._loop is not None  # only called while the renderer is started
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(self._timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"Chromium did not answer within {self._timeout:.0f} s") from None

    def _start(self) -> kaleido.Kaleido:
        """Start Chromium on a fresh event loop and thread; returns the browser (also kept)."""
        import kaleido  # imported here: only the PDF needs it

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bridgeboard-charts", daemon=True)
        self._thread.start()

        async def open_browser():
            browser = kaleido.Kaleido(n=1, timeout=self._timeout, mathjax=False)
            await browser.open()
            return browser

        self._kaleido = self._run(open_browser())
        return self._kaleido

    def _stop(self) -> None:
        if self._loop is None:
            return
        if self._kaleido is not None:
            with contextlib.suppress(Exception):  # shutting down: a browser already gone is fine
                self._run(self._kaleido.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None  # started together with the loop
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()
        self._loop = self._thread = self._kaleido = None


_shared: ChartRenderer | None = None
_shared_lock = threading.Lock()


def shared_renderer() -> ChartRenderer:
    """The process's renderer (the app keeps it between packs); closed when the process exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ChartRenderer()
            atexit.register(_shared.close)
        return _shared
