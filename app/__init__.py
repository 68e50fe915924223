"""Streamlit-side helpers: the shared page setup and cached adapters over `metrics`.

Named `app/` (not `pages/`) so Streamlit's page discovery never picks these modules up.
"""
