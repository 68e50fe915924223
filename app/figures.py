"""Charts as a page shows them: no text under `charts.theme.SCREEN_TEXT_PX` on screen and under
`PROJECTOR_TEXT_PX` in presentation mode. The one way pages draw a Plotly figure."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from app.context import PageContext
from charts.theme import for_projector, legible


def show_chart(ctx: PageContext, figure: go.Figure, **kwargs: Any) -> None:
    st.plotly_chart(for_projector(figure) if ctx.presenting else legible(figure), **kwargs)
