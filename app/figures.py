"""Charts as a page shows them: the figure itself on screen, its projector copy in presentation
mode (no text under `charts.theme.PROJECTOR_TEXT_PX`). The one way pages draw a Plotly figure."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from app.context import PageContext
from charts.theme import for_projector


def show_chart(ctx: PageContext, figure: go.Figure, **kwargs: Any) -> None:
    st.plotly_chart(for_projector(figure) if ctx.presenting else figure, **kwargs)
