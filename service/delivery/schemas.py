"""API shapes of service records (送达)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from service.requests.schemas import WindowOut

__all__ = ["EmailServiceIn", "ReceiptIn", "ServiceIn", "ServiceOut", "WindowOut"]


class ServiceIn(BaseModel):
    """How a letter was served; ``received_on`` may follow later (``POST …/service/receipt``)."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description="direct 直接送达 | post 邮寄 | email 电子邮件 | online 网上平台 | lodged 留置 | "
                                    "public_notice 公告 (or the Chinese name)")
    sent_on: date | None = Field(default=None, description="Day sent or handed over; default today. Not before "
                                                           "the letter's date, not in the future.")
    received_on: date | None = Field(default=None, description="Day the recipient received it (signed-for date, "
                                                               "e-mail delivery); not before sent_on.")
    ems_number: str | None = Field(default=None, description="Post only, required: 13 digits or UPU S10 "
                                                             "(e.g. EA123456785CN, check digit verified).")


class EmailServiceIn(BaseModel):
    """Send the letter's PDF by e-mail from the desk; the service is recorded as sent today by 电子邮件."""

    model_config = ConfigDict(extra="forbid")

    to: str | None = Field(default=None, max_length=320,
                           description="Recipient address; default the applicant's registered e-mail (required "
                                       "for a consultation letter, which goes to a third party).")


class ReceiptIn(BaseModel):
    """The recipient's receipt of a letter already sent."""

    model_config = ConfigDict(extra="forbid")

    received_on: date


class ServiceOut(BaseModel):
    """A service record, with the receipt the clock uses (recorded, or the per-method estimate)."""

    id: int = Field(description="The record's id (proof attachments attach to it)")
    letter_id: int
    letter_number: str
    subject: str
    method: str
    method_label: str
    ems_number: str | None
    sent_on: date
    received_on: date | None
    receipt_on: date = Field(description="received_on, or the estimate while it is not recorded")
    receipt_estimated: bool
    email_to: str | None = Field(default=None, description="E-mail sent from the desk: the recipient")
    message_id: str | None = Field(default=None, description="E-mail sent from the desk: its Message-ID")
    sent_at: datetime | None = Field(default=None, description="E-mail sent from the desk: when the mail server "
                                                               "accepted it (UTC)")
