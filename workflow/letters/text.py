"""A letter's printed text as types: titles, service methods, the agency profile, paragraphs, :class:`LetterText`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.errors import Conflict

TITLES: dict[str, str] = {
    "receipt": "政府信息公开申请登记回执",
    "correction_notice": "政府信息公开申请补正告知书",
    "extension_notice": "政府信息公开申请延期答复告知书",
    "extension_notice:art35": "政府信息公开申请答复期限告知书",
    "consultation": "政府信息公开征求第三方意见书",
    "consultation:agency": "政府信息公开征求意见函",
    "third_party_opinion": "政府信息公开第三方意见告知书",
    "fee_notice": "政府信息公开信息处理费收费通知书",
    "reasons_request": "政府信息公开申请说明理由告知书",
    "reply": "政府信息公开申请答复书",
}
SERVICE_METHODS: dict[str, str] = {
    "post": "邮寄（中国邮政）",
    "direct": "直接送达（申请人签收）",
    "email": "电子邮件",
    "online": "网上送达（在线平台）",
    "fax": "传真",
    "collection": "申请人自取",
}
ELECTRONIC_METHODS = ("email", "online", "fax")
CHANNELS: dict[str, str] = {"in_person": "当面提交", "post": "邮寄", "registered_post": "邮寄", "letter": "信函",
                            "online": "网络", "email": "电子邮件", "fax": "传真"}
# Letters addressed to the consulted party rather than the applicant.
TO_PARTY = ("consultation", "third_party_opinion")


class MissingFact(Conflict):
    """A letter would state a fact the case's events do not show (HTTP 409); ``step`` names the missing step."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message, code="letter.fact_missing", missing_step=step)
        self.step = step


@dataclass(frozen=True)
class AgencyProfile:
    """What a letter needs of the issuing agency (from the agency file)."""

    name: str
    code: str = ""
    contact: str = ""
    reconsideration_body: str = ""
    court: str = ""
    vertically_managed: bool = False
    fee_payment: str = ""
    e_seal: bool = False

    @classmethod
    def of(cls, agency: Any, *, e_seal: bool = False) -> AgencyProfile:
        """The profile of any object with an agency's attributes (the service's Agency row, a sample)."""
        return cls(name=str(agency.name), code=str(getattr(agency, "code", "") or ""),
                   contact=str(getattr(agency, "contact", "") or ""),
                   reconsideration_body=str(getattr(agency, "reconsideration_body", "") or "").strip(),
                   court=str(getattr(agency, "court", "") or "").strip(),
                   vertically_managed=bool(getattr(agency, "vertically_managed", False)),
                   fee_payment=str(getattr(agency, "fee_payment", "") or ""), e_seal=e_seal)


@dataclass(frozen=True)
class Paragraph:
    """One printed paragraph; ``style`` is ``body``, ``item`` (a numbered list entry) or ``remedy``."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class LetterText:
    """A letter as printed: title, addressee, paragraphs, signature, date and service record."""

    kind: str
    title: str
    addressee: str
    paragraphs: tuple[Paragraph, ...]
    signature: str
    issued_on: date
    service_method: str | None
    served_on: date | None
    decision: str | None = None
    electronic_service: bool = False
    facts: tuple[str, ...] = ()
    clause_versions: Mapping[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        """Every paragraph joined by newlines (what the checks and tests read)."""
        return "\n".join(p.text for p in self.paragraphs)
