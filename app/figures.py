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


def show_chart(ctx: PageContext, figure: go.Figure, **kwargs: Any) -> None:
    st.plotly_chart(for_page(figure, presenting=ctx.presenting, dark=dark_theme()), **kwargs)
