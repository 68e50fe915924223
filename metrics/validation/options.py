"""How files are read (date order, decimal mark, "today") and how large they may be."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from metrics.currency import DEFAULT_REPORTING_CURRENCY

UPLOAD_MAX_BYTES = 200 * 1024 * 1024  # mirrors server.maxUploadSize in .streamlit/config.toml


@dataclass(frozen=True)
class ReadOptions:
    date_order: str = "auto"  # "auto" | "dmy" | "mdy"
    decimal: str = "auto"  # "auto" | "." | ","
    today: dt.date | None = None  # for "date in the future" warnings; None = date.today()
    # Server-side folders may be large (the benchmark loads 5M lines, ~600 MB); uploads pass the
    # upload limit (UPLOAD_MAX_BYTES) so an oversized upload is refused before parsing.
    max_bytes: int = 2 * 1024 * 1024 * 1024
    # What spend and budget amounts are converted into, and the calendar that gives a budget
    # quarter its first month (whose rate converts it): the checks that every foreign line has a
    # rate need both (`metrics.currency`).
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    fiscal_start_month: int = 1

    def __post_init__(self) -> None:
        if self.date_order not in ("auto", "dmy", "mdy"):
            raise ValueError(f"date_order must be 'auto', 'dmy' or 'mdy', not {self.date_order!r}")
        if self.decimal not in ("auto", ".", ","):
            raise ValueError(f"decimal must be 'auto', '.' or ',', not {self.decimal!r}")
