"""Legal periods and switches of the statutory clock, loaded from ``workflow/policy.toml``.

Every number the clock and the machine use comes from here, so a province with another reading of a
(practice) rule changes a data file, not the code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from workflow.errors import InvalidField

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.toml")


@dataclass(frozen=True)
class Policy:
    """The legal periods (working days) and switches one agency's cases are handled under."""

    reply_days: int = 20
    correction_notice_days: int = 7
    default_correction_period_days: int = 15
    max_correction_period_days: int = 60
    consultation_days: int = 15
    fee_payment_days: int = 20
    max_extension_days: int = 20
    fee_pauses_clock: bool = True
    art35_requires_reasons_request: bool = False
    # What a correction notice asks for when the handler lists nothing (Art. 29 ¶2's required description).
    default_correction_items: tuple[str, ...] = ()
    reminder_days: tuple[int, ...] = (5, 3, 1)
    timezone: str = "Asia/Shanghai"
    # Until the recipient's receipt of a notice is recorded, it is estimated as the sending day plus
    # these calendar days per service method (workflow.delivery); (method, days) pairs.
    service_estimate_days: tuple[tuple[str, int], ...] = (
        ("direct", 0), ("post", 3), ("email", 1), ("online", 0), ("lodged", 0), ("public_notice", 30))
    # Fee methods (国办函〔2020〕109号) this unit has enabled: per_item (按件), per_volume (按量).
    fee_methods: tuple[str, ...] = ("per_item", "per_volume")
    # A superseded (voided and reissued) reply counts as one reply defect (docs/workflow.md).
    superseded_reply_is_defect: bool = True
    # 视为放弃 only on proven receipt: a case lapses only once the applicant's receipt of the correction
    # or fee notice is on record (a date received, or 公告送达), never on an estimate (docs/workflow.md).
    lapse_needs_recorded_receipt: bool = True

    def estimate_days(self, method: str) -> int:
        """Calendar days from sending to the estimated receipt for a service method (post's if unknown)."""
        table = dict(self.service_estimate_days)
        return table.get(method, table.get("post", 0))

    def __post_init__(self) -> None:
        for name in ("reply_days", "correction_notice_days", "default_correction_period_days",
                     "max_correction_period_days", "consultation_days", "fee_payment_days",
                     "max_extension_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidField(f"policy.{name}", f"must be a non-negative whole number, got {value!r}",
                                   code="policy.not_count", value=repr(value))
        for switch in ("fee_pauses_clock", "art35_requires_reasons_request", "superseded_reply_is_defect",
                       "lapse_needs_recorded_receipt"):
            if not isinstance(getattr(self, switch), bool):
                raise InvalidField(f"policy.{switch}", "must be true or false", code="field.not_boolean")
        # Stored sorted, largest first, so reminders fire in the order 5, 3, 1 whatever the file says.
        days = tuple(sorted({int(d) for d in self.reminder_days}, reverse=True))
        if any(d <= 0 for d in days):
            raise InvalidField("policy.reminder_days", "must be positive working-day counts", code="policy.not_count",
                               value=repr(self.reminder_days))
        object.__setattr__(self, "reminder_days", days)
        for method, n in self.service_estimate_days:
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise InvalidField(f"policy.service_estimate_days.{method}", f"must be a non-negative whole number, "
                                   f"got {n!r}", code="policy.not_count", value=repr(n))
        unknown_fee = sorted(set(self.fee_methods) - {"per_item", "per_volume"})
        if unknown_fee:
            raise InvalidField("policy.fee_methods", f"unknown fee method {unknown_fee[0]!r}",
                               code="field.not_a_choice", options="per_item, per_volume", value=unknown_fee[0])
        try:
            ZoneInfo(self.timezone)
        except Exception:  # ZoneInfoNotFoundError, ValueError for malformed keys
            raise InvalidField("policy.timezone", f"unknown time zone {self.timezone!r}", code="config.unknown_time_zone",
                               value=self.timezone) from None

    @property
    def tz(self) -> ZoneInfo:
        """The agency's time zone: the legal day of every timestamp."""
        return ZoneInfo(self.timezone)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Policy:
        """Read a policy file (default ``workflow/policy.toml``), then apply keyword overrides.

        Unknown keys are an error rather than silently ignored: a misspelt period would otherwise
        leave the statutory default in force without anyone noticing.
        """
        source = Path(path) if path is not None else DEFAULT_POLICY_FILE
        with source.open("rb") as fh:
            values: dict[str, Any] = tomllib.load(fh)
        values.update(overrides)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidField(f"policy.{unknown[0]}", f"unknown policy setting in {source.name}", code="policy.unknown_setting",
                               source=source.name)
        if "reminder_days" in values:
            values["reminder_days"] = tuple(values["reminder_days"])
        if "default_correction_items" in values:
            values["default_correction_items"] = tuple(values["default_correction_items"])
        if isinstance(values.get("service_estimate_days"), dict):
            values["service_estimate_days"] = tuple((str(k), int(v)) for k, v in values["service_estimate_days"].items())
        if "fee_methods" in values:
            values["fee_methods"] = tuple(values["fee_methods"])
        return cls(**values)
