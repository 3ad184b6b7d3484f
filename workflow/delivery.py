"""Service (送达) of a letter: how it was served, when it was sent, when the recipient received it.

Windows that the law counts from the recipient's receipt of a notice (the correction period, Art. 30;
the fee payment window, 国办函〔2020〕109号; the consultation window, Arts. 32–34) use the received
date once recorded; until then an estimate per method (policy ``service_estimate_days``, calendar days
after sending), shown as estimated. A letter with no service record at all is estimated as sent on its
date of issue by the method the applicant asked for (``Case.delivery``; post for consultations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from workflow.errors import InvalidField
from workflow.policy import Policy


class ServiceMethod(StrEnum):
    """How a letter is served (送达方式)."""

    DIRECT = "direct"          # 直接送达 (the recipient signs)
    POST = "post"              # 邮寄 (EMS number)
    EMAIL = "email"            # 电子邮件
    ONLINE = "online"          # 网上/平台
    LODGED = "lodged"          # 留置送达
    PUBLIC_NOTICE = "public_notice"  # 公告送达

    @property
    def label(self) -> str:
        """Chinese name."""
        return SERVICE_METHOD_LABELS[self]


SERVICE_METHOD_LABELS = {
    ServiceMethod.DIRECT: "直接送达", ServiceMethod.POST: "邮寄", ServiceMethod.EMAIL: "电子邮件",
    ServiceMethod.ONLINE: "网上平台", ServiceMethod.LODGED: "留置送达", ServiceMethod.PUBLIC_NOTICE: "公告送达",
}

# The applicant's chosen delivery (registration) → the method a letter is assumed served by.
_DELIVERY_METHOD = {"post": ServiceMethod.POST, "email": ServiceMethod.EMAIL, "online": ServiceMethod.ONLINE,
                    "collection": ServiceMethod.DIRECT}

# UPU S10 item identifier (international EMS: EA123456789CN) and the 13-digit domestic EMS number.
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_DOMESTIC = re.compile(r"^\d{13}$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial8: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    total = sum(int(d) * w for d, w in zip(serial8, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def normalise_ems(value: str) -> str:
    """An EMS tracking number upper-cased without spaces; InvalidField(``ems_number``) if malformed.

    Accepted: the UPU S10 form (two letters, eight digits, a check digit, two letters, e.g.
    ``EA123456785CN``, check digit verified) or a 13-digit domestic number.
    """
    text = re.sub(r"[\s-]", "", value or "").upper()
    found = _S10.match(text)
    if found:
        if s10_check_digit(found[2]) != int(found[3]):
            raise InvalidField("ems_number", f"check digit of {text} is wrong", code="service.ems_check_digit",
                               value=text)
        return text
    if _DOMESTIC.match(text):
        return text
    raise InvalidField("ems_number", "an EMS number is 13 digits, or 2 letters + 9 digits + 2 letters "
                                     "(UPU S10, e.g. EA123456785CN)", code="service.ems_malformed", value=value)


@dataclass(frozen=True)
class Service:
    """One letter's service as recorded (or estimated): ``received_on`` None until recorded."""

    subject: str
    method: ServiceMethod
    sent_on: date
    received_on: date | None = None
    ems_number: str | None = None

    def receipt(self, policy: Policy) -> tuple[date, bool]:
        """(the recipient's receipt date, estimated?): recorded, or the per-method estimate."""
        if self.received_on is not None:
            return self.received_on, False
        return estimated_receipt(self.method, self.sent_on, policy), True


def estimated_receipt(method: ServiceMethod | str, sent_on: date, policy: Policy) -> date:
    """Sending date plus the policy's estimate for the method (calendar days)."""
    return sent_on + timedelta(days=policy.estimate_days(str(method)))


def assumed_method(delivery: str | None, subject: str) -> ServiceMethod:
    """The method a letter without a service record is assumed to go by."""
    if subject.startswith("consultation"):
        return ServiceMethod.POST
    return _DELIVERY_METHOD.get(delivery or "post", ServiceMethod.POST)


def parse_method(value: object) -> ServiceMethod:
    """A service method from its code or Chinese name."""
    if isinstance(value, str):
        for method, label in SERVICE_METHOD_LABELS.items():
            if value in (str(method), label):
                return method
    raise InvalidField("method", f"must be one of {', '.join(ServiceMethod)}", code="field.not_a_choice",
                       options=", ".join(ServiceMethod), value=repr(value))


def check_service(*, method: ServiceMethod, sent_on: date, received_on: date | None, ems_number: str | None,
                  issued_on: date, today: date) -> str | None:
    """Validate a service record against its letter and today; return the normalised EMS number.

    Dates: not before the letter's date of issue, not in the future, received not before sent.
    Post needs a valid EMS number; other methods take none.
    """
    if sent_on < issued_on:
        raise InvalidField("sent_on", f"{sent_on} is before the letter's date of issue {issued_on}",
                           code="service.before_letter", value=str(sent_on), floor=str(issued_on))
    if sent_on > today:
        raise InvalidField("sent_on", f"{sent_on} is in the future (today is {today})", code="date.in_future",
                           value=str(sent_on), today=str(today))
    if received_on is not None:
        if received_on < sent_on:
            raise InvalidField("received_on", f"{received_on} is before sending on {sent_on}",
                               code="service.received_before_sent", value=str(received_on), floor=str(sent_on))
        if received_on > today:
            raise InvalidField("received_on", f"{received_on} is in the future (today is {today})",
                               code="date.in_future", value=str(received_on), today=str(today))
    if method == ServiceMethod.POST:
        if not ems_number:
            raise InvalidField("ems_number", "required for service by post", code="service.ems_required")
        return normalise_ems(ems_number)
    if ems_number:
        raise InvalidField("ems_number", "only for service by post", code="service.ems_only_for_post")
    return None
