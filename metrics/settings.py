"""Settings, read from environment variables and `.streamlit/secrets.toml`.

The one resolver for the app and the command line: the app passes Streamlit's `st.secrets`, the
command line reads the same files Streamlit reads (`~/.streamlit/secrets.toml`, then the working
folder's `.streamlit/secrets.toml`, which wins). Kept free of Streamlit so both, and the tests,
resolve settings the same way.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from metrics.currency import DEFAULT_REPORTING_CURRENCY, is_code, symbol

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
ENV_COMPANY = "BRIDGEBOARD_COMPANY"  # the company named on the board pack's title slide
ENV_REPORTING_CURRENCY = "BRIDGEBOARD_REPORTING_CURRENCY"  # ISO code every amount is shown in
ENV_REQUIRE_SIGN_IN = "BRIDGEBOARD_REQUIRE_SIGN_IN"  # 1: no page runs without [auth] (shared deployments)
ENV_STATEMENT_TIMEOUT = "BRIDGEBOARD_STATEMENT_TIMEOUT_S"  # seconds a PostgreSQL statement may run; 0: no limit
DEFAULT_STATEMENT_TIMEOUT_S = 60.0
CONNECTION_NAME = "bridgeboard"  # [connections.bridgeboard] in .streamlit/secrets.toml
APP_SECTION = "bridgeboard"  # [bridgeboard] in .streamlit/secrets.toml: require_sign_in, the role mapping


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
    company: str | None = None  # BRIDGEBOARD_COMPANY
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY  # BRIDGEBOARD_REPORTING_CURRENCY
    require_sign_in: bool = False  # BRIDGEBOARD_REQUIRE_SIGN_IN, or require_sign_in under [bridgeboard]
    statement_timeout_s: float = DEFAULT_STATEMENT_TIMEOUT_S  # BRIDGEBOARD_STATEMENT_TIMEOUT_S

    @property
    def money_symbol(self) -> str:
        """How amounts read in the reporting currency: '$', '€', or a code such as 'CHF '."""
        return symbol(self.reporting_currency)

    @property
    def uses_database(self) -> bool:
        return bool(self.database_url)

    @property
    def data_folder(self) -> Path | None:
        """The CSV folder the data comes from; None when a database is configured."""
        return None if self.uses_database else self.data_dir

    @property
    def board_company(self) -> str | None:
        """The company on the board pack: BRIDGEBOARD_COMPANY, else the sample's fictional company
        when the data is the sample folder, else none."""
        if self.company:
            return self.company
        folder = self.data_folder
        if folder is not None and folder.resolve() == SAMPLE_DIR.resolve():
            return SAMPLE_COMPANY
        return None


def secrets_files(cwd: Path | None = None) -> list[Path]:
    """Where Streamlit reads secrets from, in order (a later file wins)."""
    return [Path.home() / ".streamlit" / "secrets.toml", (cwd or Path.cwd()) / ".streamlit" / "secrets.toml"]


def read_secrets(paths: list[Path] | None = None) -> dict:
    """The secrets Streamlit would see, for callers outside Streamlit (the command line)."""
    merged: dict = {}
    for path in secrets_files() if paths is None else paths:
        if path.is_file():
            try:
                loaded = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{path} cannot be read as TOML ({exc}); fix or remove it") from None
            for key, value in loaded.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
    return merged


def statement_timeout_s(environ: Mapping[str, str] | None = None) -> float:
    """BRIDGEBOARD_STATEMENT_TIMEOUT_S: how long one PostgreSQL statement may run (0: no limit)."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV_STATEMENT_TIMEOUT, "").strip()
    if not raw:
        return DEFAULT_STATEMENT_TIMEOUT_S
    try:
        value = float(raw)
        if value < 0 or value != value:
            raise ValueError
    except ValueError:
        raise SettingsError(
            f"{ENV_STATEMENT_TIMEOUT} must be a number of seconds (0 for no limit), not '{raw}'"
        ) from None
    return value


def settings_from_env(environ: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> Settings:
    """Settings from environment variables, with the database URL from `secrets`
    (``[connections.bridgeboard] url``) when the environment does not set one."""
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
    reporting = env.get(ENV_REPORTING_CURRENCY, DEFAULT_REPORTING_CURRENCY).strip().upper()
    if not is_code(reporting or DEFAULT_REPORTING_CURRENCY):
        raise SettingsError(
            f"{ENV_REPORTING_CURRENCY} must be a three-letter ISO currency code such as USD or EUR, not "
            f"'{env.get(ENV_REPORTING_CURRENCY)}'"
        )
    require = env.get(ENV_REQUIRE_SIGN_IN, "").strip().lower()
    if require not in ("", "0", "1", "true", "false", "yes", "no"):
        raise SettingsError(f"{ENV_REQUIRE_SIGN_IN} must be 1 or 0, not '{env.get(ENV_REQUIRE_SIGN_IN)}'")
    section = (secrets or {}).get(APP_SECTION) or {}
    require_sign_in = require in ("1", "true", "yes") or (not require and section.get("require_sign_in") is True)
    return Settings(
        require_sign_in=require_sign_in,
        statement_timeout_s=statement_timeout_s(env),
        data_dir=Path(env.get(ENV_DATA_DIR) or SAMPLE_DIR),
        database_url=url,
        embedded_db=Path(env.get(ENV_EMBEDDED_DB) or DEFAULT_EMBEDDED_DB),
        fiscal_start_month=start_month,
        date_order=date_order,
        decimal=decimal,
        company=env.get(ENV_COMPANY, "").strip() or None,
        reporting_currency=reporting or DEFAULT_REPORTING_CURRENCY,
    )


def configured_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings outside Streamlit: the environment, then the secrets files Streamlit reads."""
    return settings_from_env(environ, read_secrets())
