"""Per-unit archive policy (data: ``service/archive/policy.toml`` or ``OGI_ARCHIVE_POLICY``): the parts
of the 档号 and the 保管期限, and the 档号 itself (DA/T 22-2015)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from service.settings import get_settings
from workflow.errors import InvalidField

DEFAULT_FILE = Path(__file__).with_name("policy.toml")
# 保管期限 → its code in the 档号 and its length in years (None: permanent).
RETENTIONS: dict[str, tuple[str, int | None]] = {"永久": ("Y", None), "30年": ("D30", 30), "10年": ("D10", 10)}


@dataclass(frozen=True)
class UnitPolicy:
    """One unit's 档号 parts and retention rule."""

    fonds: str
    org: str
    retention: str
    retention_with_review: str

    def retention_for(self, *, has_review: bool) -> str:
        """The 保管期限 of a case (longer when it went to reconsideration or court)."""
        return self.retention_with_review if has_review else self.retention


def _check(unit: str, values: dict[str, Any]) -> None:
    for key in ("retention", "retention_with_review"):
        if key in values and values[key] not in RETENTIONS:
            raise InvalidField(f"archive_policy.{unit}.{key}", f"must be one of {', '.join(RETENTIONS)}",
                               code="archive.retention_unknown", unit=unit, value=values[key], choices="、".join(RETENTIONS))
    for key in ("fonds", "org"):
        if "-" in str(values.get(key, "")):
            raise InvalidField(f"archive_policy.{unit}.{key}", "may not contain '-' (it separates the 档号's parts)",
                               code="archive.code_has_hyphen", unit=unit, value=values[key])


def load(path: Path | None = None) -> dict[str, Any]:
    """The policy file as data, checked."""
    file = path or get_settings().archive_policy or DEFAULT_FILE
    data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
    _check("default", data.get("default", {}))
    for unit, values in (data.get("units") or {}).items():
        _check(unit, values)
    return data


def for_unit(code: str, data: dict[str, Any] | None = None) -> UnitPolicy:
    """The policy of the unit ``code`` (its own section over the default)."""
    data = data if data is not None else load()
    merged = {"fonds": "", "org": "", "retention": "30年", "retention_with_review": "永久",
              **data.get("default", {}), **(data.get("units", {}).get(code) or {})}
    merged.setdefault("retention_with_review", merged["retention"])
    return UnitPolicy(fonds=str(merged["fonds"]).strip() or code.upper(), org=str(merged["org"]).strip(),
                      retention=str(merged["retention"]), retention_with_review=str(merged["retention_with_review"]))


def archive_number(*, fonds: str, year: int, retention: str, org: str, seq: int) -> str:
    """档号: 全宗号-年度-保管期限代码-机构（问题）代码-件号 (the org part left out when empty)."""
    parts = [fonds, str(year), RETENTIONS[retention][0], *([org] if org else []), f"{seq:04d}"]
    return "-".join(parts)


def disposal_review_on(year: int, retention: str) -> date | None:
    """First day a case of ``year`` may be reviewed for disposal: the retention period counts from
    1 January of the year after the 年度 (None for 永久)."""
    years = RETENTIONS[retention][1]
    return None if years is None else date(year + 1 + years, 1, 1)
