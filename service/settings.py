"""Runtime settings read from the environment (prefix ``OGI_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything an operator may set; each field is ``OGI_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="OGI_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'ogi.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Asia/Shanghai"
    # Calendar years installed with `ogi calendar import` (override the files shipped in the package).
    calendar_dir: Path = ROOT / "var" / "calendars"
    # Default region overlay ("" = national calendar only).
    region: str = ""
    letter_templates_dir: Path = ROOT / "letter_templates"
    schemes_dir: Path = ROOT / "schemes"
    # Agency electronic seals: <seal_dir>/<agency code>.png
    seal_dir: Path = ROOT / "var" / "seals"
    # Signs the web desk's session cookies. No default (service/secret_key.py): the key is read from
    # secret_key_file (0600, written by `ogi init` / the first `ogi serve`); OGI_SECRET_KEY overrides it.
    secret_key: str = ""
    secret_key_file: Path = ROOT / "var" / "secret_key"
    # Reminder thresholds for `ogi sweep`, in working days before the due date.
    reminder_days: list[int] = [5, 3, 1]
    # Fee time excluded from the reply period (LAW.md §3, practice): policy switch, default on.
    fee_pauses_clock: bool = True
    # Largest request body accepted (bytes); attachment uploads have their own limit (service/web/hardening.py).
    max_body_bytes: int = 1_000_000
    # Reverse proxies whose X-Forwarded-For/-Proto headers `ogi serve` believes (comma-separated IPs, or *).
    forwarded_allow_ips: str = "127.0.0.1"
    login_max_failures: int = 5
    login_lockout_minutes: int = 15


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the environment)."""
    return Settings()
