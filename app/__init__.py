"""Streamlit-side helpers: the shared page setup and cached adapters over `metrics`.

Named `app/` (not `pages/`) so Streamlit's page discovery never picks these modules up.
"""

# The libraries every page needs, imported whole while this package's import lock is held.
# A freshly started server runs its first viewers' pages in parallel threads; when two threads
# import SQLAlchemy (whose engine, event and util modules import each other) along different
# paths, Python hands one of them a half-imported module and that viewer's page fails with
# "partially initialized module 'sqlalchemy.engine'" (found by the load test, `bench/load.py`:
# two sessions on a cold server). Every page imports `app` before any other library but pandas,
# so the second viewer waits here until the first has imported everything. Libraries only the
# board pack and the downloads use (python-pptx, fpdf2, Kaleido, XlsxWriter) load on first use.
import duckdb  # noqa: F401
import duckdb_engine  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects
import plotly.io  # noqa: F401
import pyarrow.compute
import pyarrow.csv  # noqa: F401
import rapidfuzz.process  # noqa: F401
import sqlalchemy.engine
import sqlalchemy.ext.compiler
import sqlalchemy.sql.expression  # noqa: F401
