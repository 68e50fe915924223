"""Pure chart builders: data in, Plotly figure out. No Streamlit here; the same figures
feed the screen and the exports."""
