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
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # --- notifications (docs/notifications.md) ---
    # Links in notices point here (the address people open the desk at).
    public_url: str = "http://127.0.0.1:8000"
    # Outgoing mail (service.notify.mail): security is "starttls", "ssl" or "none".
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "ogi-desk@localhost"
    smtp_timeout: float = 10.0
    # A CA bundle to trust for the mail server's certificate (a private CA); empty = the system's.
    smtp_ca_file: str = ""
    # The daily sweep and the daily e-mail digest, local time of each agency ("HH:MM").
    sweep_time: str = "07:00"
    digest_time: str = "08:00"
    # Delivery: retries with exponential back-off (base × 2^(attempt-1), at most max), then given up.
    notify_retry_base_seconds: float = 60.0
    notify_retry_max_seconds: float = 6 * 3600.0
    notify_max_attempts: int = 8
    # How long a claimed delivery stays claimed before another worker may take it (a crashed worker's).
    notify_claim_seconds: float = 120.0
    # Webhook / robot HTTP timeout, seconds.
    notify_http_timeout: float = 10.0
    # Deliveries sent at the same time by one worker.
    notify_concurrency: int = 8
    # How often the worker looks for work, seconds; `ogi serve` runs the worker in a thread unless off.
    worker_tick_seconds: float = 15.0
    worker_in_serve: bool = True


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the environment)."""
    return Settings()
