"""The few settings quick commands need, read the way :class:`service.settings.Settings` reads them
(``OGI_<NAME>`` in the environment, else in ``.env``, else the default) without importing pydantic.
tests/test_quick_cli.py checks that both agree."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULTS = {"region": "", "calendar_dir": str(ROOT / "var" / "calendars"),
            "database_url": f"sqlite:///{ROOT / 'var' / 'ogi.db'}"}


def _dotenv() -> dict[str, str]:
    path = Path(".env")
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip().upper()] = value.strip().strip("'\"")
    return values


def setting(name: str) -> str:
    """The value of setting ``name`` (one of ``DEFAULTS``)."""
    key = f"OGI_{name.upper()}"
    # pydantic-settings matches environment names case-insensitively.
    for env_key, value in os.environ.items():
        if env_key.upper() == key:
            return value
    return _dotenv().get(key, DEFAULTS[name])
