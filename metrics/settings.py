"""Settings, read from environment variables (and, in the app, from Streamlit secrets).

Kept free of Streamlit so the command line and tests resolve settings the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO_ROOT / "sample_data"
DEFAULT_EMBEDDED_DB = REPO_ROOT / ".bridgeboard" / "bridgeboard.duckdb"
SAMPLE_COMPANY = "Northwind Outfitters"  # the sample's fictional company, named on its board pack

# Documented in the README's configuration section.
ENV_DATA_DIR = "BRIDGEBOARD_DATA_DIR"
ENV_DATABASE_URL = "BRIDGEBOARD_DATABASE_URL"
ENV_EMBEDDED_DB = "BRIDGEBOARD_EMBEDDED_DB"
ENV_FISCAL_START = "BRIDGEBOARD_FISCAL_START_MONTH"
ENV_DATE_ORDER = "BRIDGEBOARD_DATE_ORDER"
ENV_DECIMAL = "BRIDGEBOARD_DECIMAL"
CONNECTION_NAME = "bridgeboard"  # [connections.bridgeboard] in .streamlit/secrets.toml


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = SAMPLE_DIR
    database_url: str | None = None
    embedded_db: Path = DEFAULT_EMBEDDED_DB
    fiscal_start_month: int = 1
    date_order: str = "auto"
    decimal: str = "auto"

    @property
    def uses_database(self) -> bool:
        return bool(self.database_url)


def settings_from_env(environ: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> Settings:
    env = os.environ if environ is None else environ
    url = env.get(ENV_DATABASE_URL) or None
    if not url and secrets:
        url = (secrets.get("connections", {}) or {}).get(CONNECTION_NAME, {}).get("url") or None
    start = env.get(ENV_FISCAL_START, "1").strip() or "1"
    try:
        start_month = int(start)
        if not 1 <= start_month <= 12:
            raise ValueError
    except ValueError:
        raise SettingsError(f"{ENV_FISCAL_START} must be a month number from 1 to 12, not '{start}'") from None
    date_order = env.get(ENV_DATE_ORDER, "auto").strip().lower() or "auto"
    if date_order not in ("auto", "dmy", "mdy"):
        raise SettingsError(f"{ENV_DATE_ORDER} must be auto, dmy or mdy, not '{date_order}'")
    decimal = env.get(ENV_DECIMAL, "auto").strip() or "auto"
    if decimal not in ("auto", ".", ","):
        raise SettingsError(f"{ENV_DECIMAL} must be auto, '.' or ',', not '{decimal}'")
    return Settings(
        data_dir=Path(env.get(ENV_DATA_DIR) or SAMPLE_DIR),
        database_url=url,
        embedded_db=Path(env.get(ENV_EMBEDDED_DB) or DEFAULT_EMBEDDED_DB),
        fiscal_start_month=start_month,
        date_order=date_order,
        decimal=decimal,
    )
