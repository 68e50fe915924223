"""Charts as a page shows them: no text under `charts.theme.SCREEN_TEXT_PX` on screen and under
`PROJECTOR_TEXT_PX` in presentation mode. The one way pages draw a Plotly figure."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from app.context import PageContext
from charts.theme import for_projector, legible


def screen_figure(figure: go.Figure, presenting: bool) -> go.Figure:
    """`figure` as drawn on screen, or on the projector in presentation mode."""
    return for_projector(figure) if presenting else legible(figure)


def show_chart(ctx: PageContext, figure: go.Figure, **kwargs: Any) -> None:
    st.plotly_chart(screen_figure(figure, ctx.presenting), **kwargs)


def show_ready_chart(figure: go.Figure, **kwargs: Any) -> None:
    """A figure `screen_figure` already made (a cached view's): drawn as it is, not copied again."""
    st.plotly_chart(figure, **kwargs)
