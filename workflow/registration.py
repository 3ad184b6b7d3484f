"""Registration of a request (登记): channel, receipt date (LAW.md §2), the first event and the receipt letter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from workflow import clock as clk
from workflow.applicants import validate_applicant
from workflow.delivery import normalise_ems
from workflow.errors import Conflict, InvalidField
from workflow.events import DomainEvent, LetterOrder
from workflow.machine import CheckLetter, Outcome, apply, no_check, parse_date
from workflow.policy import Policy


class Channel(StrEnum):
    """How the application arrived (Art. 31)."""

    IN_PERSON = "in_person"  # 当面提交
    REGISTERED_POST = "registered_post"  # 挂号信 / EMS, signed for
    ORDINARY_POST = "ordinary_post"  # 平信
    ONLINE = "online"  # 网络 (online form)
    FAX = "fax"  # 传真
    EMAIL = "email"  # 电子邮件

    @property
    def label(self) -> str:
        """Chinese name of the channel."""
        return CHANNEL_LABELS[self]

    @property
    def needs_confirmation(self) -> bool:
        """Whether the receipt date is the day of confirmation with the applicant rather than arrival."""
        return self not in (Channel.IN_PERSON, Channel.REGISTERED_POST)


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.IN_PERSON: "当面", Channel.REGISTERED_POST: "挂号信", Channel.ORDINARY_POST: "平信",
    Channel.ONLINE: "网络", Channel.FAX: "传真", Channel.EMAIL: "电子邮件",
}
_CHANNEL_ALIASES = {label: ch for ch, label in CHANNEL_LABELS.items()} | {"EMS": Channel.REGISTERED_POST}

REQUESTED_FORMS = ("paper", "electronic", "inspection")  # 纸质 / 电子 / 查阅
DELIVERIES = ("post", "email", "collection", "online")  # 邮寄 / 电子邮件 / 自行领取 / 网上获取


def parse_channel(value: Any) -> Channel:
    """A channel from its code or Chinese name; InvalidField("channel") otherwise."""
    if isinstance(value, Channel):
        return value
    if isinstance(value, str):
        if value in _CHANNEL_ALIASES:
            return _CHANNEL_ALIASES[value]
        try:
            return Channel(value)
        except ValueError:
            pass
    raise InvalidField("channel", f"must be one of {', '.join(Channel)} (or 当面/挂号信/平信/网络/传真/电子邮件)",
                       code="field.not_a_choice", options=", ".join(Channel), value=repr(value))


def receipt_date(channel: Channel | str, arrival_at: datetime, confirmed_on: date | str | None, tz: ZoneInfo) -> date:
    """The legal receipt date (收到申请之日) of LAW.md §2.

    In person and signed-for post: the arrival day in the agency's time zone (a request handed in at
    00:30 Beijing time is received that Beijing day although UTC still shows the previous day).
    Ordinary post, online, fax, e-mail: the day the office confirms receipt with the applicant;
    ``confirmed_on`` is then required and may not precede the arrival day.
    """
    ch = parse_channel(channel)
    if isinstance(confirmed_on, str):
        confirmed_on = parse_date(confirmed_on, "confirmed_on") if confirmed_on else None
    if not isinstance(arrival_at, datetime):
        raise InvalidField("arrival_at", "must be a timestamp with a time zone", code="arrival.not_timestamp")
    if arrival_at.tzinfo is None or arrival_at.utcoffset() is None:
        raise InvalidField("arrival_at", "must carry a time zone (stored as UTC, read in the agency's zone)",
                           code="arrival.no_time_zone")
    arrival_day = arrival_at.astimezone(tz).date()
    if confirmed_on is not None and confirmed_on < arrival_day:
        raise InvalidField("confirmed_on", f"confirmation {confirmed_on} cannot precede arrival on {arrival_day}",
                           code="arrival.confirmed_before_arrival", confirmed=str(confirmed_on), arrival=str(arrival_day))
    if not ch.needs_confirmation:
        return arrival_day
    if confirmed_on is None:
        raise InvalidField("confirmed_on", f"required for channel {ch.label}: the receipt date is the day "
                                           "receipt is confirmed with the applicant (Art. 31)",
                           code="arrival.confirmation_required", channel=ch.label)
    return confirmed_on


@dataclass(frozen=True)
class Registration:
    """What the clerk enters; ``number`` is the serial number the service gives out."""

    agency_code: str
    number: str
    applicant: Mapping[str, Any]
    channel: Channel | str
    arrival_at: datetime
    description: str
    form: str = "paper"  # the form wanted: paper / electronic / inspection
    delivery: str = "post"
    confirmed_on: date | str | None = None
    attachments: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    # 口头申请代为填写: the office wrote the application down for the applicant (Art. 29).
    transcribed: bool = False
    # The EMS (or registered-post) tracking number of a request that came by post.
    ems_number: str | None = None


def _attachments(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise InvalidField(f"attachments[{i}].name", "each attachment needs a file name", code="attachment.name_required")
        size = item.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise InvalidField(f"attachments[{i}].size", "must be a byte count", code="attachment.size_invalid")
        result.append({k: v for k, v in item.items() if isinstance(v, str | int | float | bool) or v is None})
    return result


def register(reg: Registration, *, policy: Policy, calendar: Any, today: date | None = None,
             check_letter: CheckLetter = no_check) -> Outcome:
    """Validate a registration; return the ``registered`` event and the ``receipt`` letter order.

    ``today`` (the agency's day), when given, rejects receipt dates in the future.
    """
    if not isinstance(reg.agency_code, str) or not reg.agency_code.strip():
        raise InvalidField("agency_code", "required", code="field.required")
    if not isinstance(reg.number, str) or not reg.number.strip():
        raise InvalidField("number", "required (given by the service)", code="field.required")
    applicant = validate_applicant(reg.applicant)
    channel = parse_channel(reg.channel)
    confirmed = None if reg.confirmed_on in (None, "") else parse_date(reg.confirmed_on, "confirmed_on")
    received = receipt_date(channel, reg.arrival_at, confirmed, policy.tz)
    if today is not None and received > today:
        raise InvalidField("confirmed_on" if channel.needs_confirmation else "arrival_at",
                           f"receipt date {received} is in the future (today is {today})",
                           code="date.in_future", value=str(received), today=str(today))
    if not isinstance(reg.description, str) or not reg.description.strip():
        raise InvalidField("description", "describe the information requested (Art. 29)",
                           code="registration.description_required")
    if reg.form not in REQUESTED_FORMS:
        raise InvalidField("form", f"must be one of {', '.join(REQUESTED_FORMS)}", code="field.not_a_choice",
                           options=", ".join(REQUESTED_FORMS), value=repr(reg.form))
    ems = None
    if reg.ems_number not in (None, ""):
        if channel not in (Channel.REGISTERED_POST, Channel.ORDINARY_POST):
            raise InvalidField("ems_number", "only for a request that came by post", code="service.ems_only_for_post")
        ems = normalise_ems(str(reg.ems_number))
    if reg.delivery not in DELIVERIES:
        raise InvalidField("delivery", f"must be one of {', '.join(DELIVERIES)}", code="field.not_a_choice",
                           options=", ".join(DELIVERIES), value=repr(reg.delivery))
    data: dict[str, Any] = {
        "number": reg.number.strip(),
        "agency_code": reg.agency_code.strip(),
        "applicant": applicant.to_dict(),
        "channel": str(channel),
        "arrival_at": reg.arrival_at.astimezone(ZoneInfo("UTC")).isoformat(),
        "confirmed_on": confirmed.isoformat() if confirmed else None,
        "receipt_date": received.isoformat(),
        "description": reg.description.strip(),
        "requested_form": reg.form,
        "delivery": reg.delivery,
        "attachments": _attachments(reg.attachments),
        "transcribed": bool(reg.transcribed),
        "ems_number": ems,
    }
    probe = apply(None, DomainEvent("registered", received, data))
    due = clk.due_on(probe, as_of=received, calendar=calendar, policy=policy)
    data["due_on"] = due.isoformat() if due else None
    event = DomainEvent("registered", received, data)
    # The receipt is dated the day it is issued (today, when given) and states the receipt date inside; an
    # in-person receipt has a line for the applicant's signature; an agent is named on it.
    representative = data["applicant"].get("representative") or {}
    letter = LetterOrder("receipt", today or received, {
        "issued_on": (today or received).isoformat(), "ems_number": ems,
        "signature_line": channel == Channel.IN_PERSON,
        "agent": representative.get("name") if isinstance(representative, Mapping) else representative,
        "request_number": data["number"], "agency_code": data["agency_code"], "applicant_name": applicant.name,
        "applicant": data["applicant"], "receipt_date": data["receipt_date"], "channel": str(channel),
        "channel_label": channel.label, "description": data["description"], "due_on": data["due_on"],
        "requested_form": reg.form, "delivery": reg.delivery, "reply_days": policy.reply_days,
    })
    missing = [str(m) for m in check_letter(letter)]
    if missing:
        raise Conflict("letter is missing required elements", code="letter.missing_elements", missing=missing,
                       letter="receipt")
    return Outcome(events=[event], assessment=[], letters=[letter], case=apply(None, event))
