"""Importers of other systems' exports: a native or anonymised Jira issue export into `requests`
(`jira.py`) and FOCUS cloud billing into `spend` (`focus.py`), with their shared helpers
(`common.py`). Pure: no Streamlit; the command line and the Data page both call them."""
