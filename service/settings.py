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
    # Open requests recomputed per transaction after a calendar import (an action waits at most one batch).
    calendar_batch_size: int = 200
    # Pause between two batches (ms), to leave the database to other writers on a busy server.
    calendar_batch_pause_ms: int = 0
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
    # Writers admitted at once per server process (0 = automatic: 1 on SQLite, whose writers take turns
    # anyway, 8 on PostgreSQL). The rest wait in the event loop, holding neither a thread nor a
    # connection, so reads (another unit's GET /me) never queue behind a burst of registrations.
    db_write_slots: int = 0
    # Connections per server process (0 = automatic: 40 on SQLite, as many as request threads, so no
    # thread waits for one; 20 on PostgreSQL, whose server admits 100 by default for every process).
    db_pool_size: int = 0
    # How long an SQLite writer of another process (CLI, a second worker) waits for the write lock.
    sqlite_busy_timeout_ms: int = 30000
    # HMAC-SHA256 key of the audit chains (service/audit/key.py): apart from the database, mode 0600.
    audit_key_file: Path = ROOT / "var" / "audit.key"
    login_max_failures: int = 5
    login_lockout_minutes: int = 15


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the environment)."""
    return Settings()
