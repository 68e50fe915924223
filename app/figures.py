"""Charts as a page shows them: no text under `charts.theme.SCREEN_TEXT_PX` on screen and under
`PROJECTOR_TEXT_PX` in presentation mode, in the colours of the viewer's light or dark theme. The one
way pages draw a Plotly figure."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from app.context import PageContext
from charts.theme import for_page


def dark_theme() -> bool:
    """Whether the viewer's page is dark (the menu's theme choice, or the system's preference).
    Unknown on a session's very first run: light, the theme's base."""
    return st.context.theme.type == "dark"


def screen_figure(figure: go.Figure, presenting: bool, dark: bool) -> go.Figure:
    """`figure` as drawn on screen or on the projector (presentation mode), light or dark."""
    return for_page(figure, presenting=presenting, dark=dark)


def show_chart(ctx: PageContext, figure: go.Figure, **kwargs: Any) -> None:
    st.plotly_chart(screen_figure(figure, ctx.presenting, dark_theme()), **kwargs)


def show_ready_chart(figure: go.Figure, **kwargs: Any) -> None:
    """A figure `screen_figure` already made (a cached view's): drawn as it is, not copied again."""
    st.plotly_chart(figure, **kwargs)
