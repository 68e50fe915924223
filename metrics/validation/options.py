"""How files are read (date order, decimal mark, "today") and how large they may be."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

UPLOAD_MAX_BYTES = 200 * 1024 * 1024  # mirrors server.maxUploadSize in .streamlit/config.toml


@dataclass(frozen=True)
class ReadOptions:
    date_order: str = "auto"  # "auto" | "dmy" | "mdy"
    decimal: str = "auto"  # "auto" | "." | ","
    today: dt.date | None = None  # for "date in the future" warnings; None = date.today()
    # Server-side folders may be large (the benchmark loads 5M lines, ~600 MB); uploads pass the
    # upload limit (UPLOAD_MAX_BYTES) so an oversized upload is refused before parsing.
    max_bytes: int = 2 * 1024 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.date_order not in ("auto", "dmy", "mdy"):
            raise ValueError(f"date_order must be 'auto', 'dmy' or 'mdy', not {self.date_order!r}")
        if self.decimal not in ("auto", ".", ","):
            raise ValueError(f"decimal must be 'auto', '.' or ',', not {self.decimal!r}")
