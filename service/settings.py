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
    # Letter faces (CSS family lists, docs/letters/README.md "Fonts"); empty = the defaults: the
    # licensed 方正仿宋_GBK / 方正小标宋_GBK when installed, else the measured free Debian faces.
    letter_body_font: str = ""
    letter_title_font: str = ""
    # POST /letters/check: largest upload accepted, and how long reading one may take.
    letter_check_max_bytes: int = 10 * 1024 * 1024
    letter_check_timeout_s: float = 60.0
    # Signs the web desk's session cookies. No default (service/secret_key.py): the key is read from
    # secret_key_file (0600, written by `ogi init` / the first `ogi serve`); OGI_SECRET_KEY overrides it.
    secret_key: str = ""
    secret_key_file: Path = ROOT / "var" / "secret_key"
    # Reminder thresholds for `ogi sweep`, in working days before the due date.
    reminder_days: list[int] = [5, 3, 1]
    # Fee time excluded from the reply period (LAW.md §3, practice): policy switch, default on.
    fee_pauses_clock: bool = True
    # Attachments (service/files): content-addressed store and the per-file size limit in MB.
    storage_dir: Path = ROOT / "var" / "files"
    max_upload_mb: int = 50
    # An S3-compatible object store for the files instead of storage_dir (docs/files.md "Storage"):
    # set the bucket to use it. Empty keys = boto3's usual credential chain (AWS_* variables, files).
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_prefix: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # Per-unit 档号 parts and 保管期限 (service/archive); the shipped default policy when unset.
    archive_policy: Path | None = None
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
    # Largest request body accepted (bytes); attachment uploads have their own limit (service/web/hardening.py).
    max_body_bytes: int = 1_000_000
    # Reverse proxies whose X-Forwarded-For/-Proto headers `ogi serve` believes (comma-separated IPs, or *).
    forwarded_allow_ips: str = "127.0.0.1"
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
    # A letter with no service (送达) recorded this many working days after its issue: its unit's clerks
    # are notified (service.notify.handoffs).
    service_missing_days: int = 3
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

    @property
    def max_upload_bytes(self) -> int:
        """The largest body an upload route accepts: the file limit plus room for the form's framing
        and fields (the body-limit middleware reads this for the attachment routes)."""
        return self.max_upload_mb * 1024 * 1024 + 64 * 1024


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the environment)."""
    return Settings()
