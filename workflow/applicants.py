"""Applicants (申请人) of LAW.md §1: kind, identity document with its check character, contact.

Identity numbers are checked, not just shaped: a mainland resident ID (居民身份证) carries a
GB 11643-1999 check digit and a real birth date; a unified social credit code (统一社会信用代码)
carries a GB 32100-2015 check character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from workflow.errors import InvalidField


class ApplicantKind(StrEnum):
    """自然人 or 法人或其他组织."""

    PERSON = "natural_person"
    ORGANISATION = "organisation"


class OrgKind(StrEnum):
    """The five organisation columns of the annual report's Table 3."""

    COMMERCIAL = "商业企业"
    RESEARCH = "科研机构"
    PUBLIC_INTEREST = "社会公益组织"
    LEGAL_SERVICES = "法律服务机构"
    OTHER = "其他"


class IdType(StrEnum):
    """Identity documents the office accepts."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"  # 护照
    USCC = "uscc"  # 统一社会信用代码
    OTHER = "other"  # 港澳台居民证件, 军官证…: shape only


_KIND_ALIASES = {"自然人": ApplicantKind.PERSON, "person": ApplicantKind.PERSON,
                 "法人或其他组织": ApplicantKind.ORGANISATION, "organization": ApplicantKind.ORGANISATION}
_ORG_ALIASES = {"commercial": OrgKind.COMMERCIAL, "research": OrgKind.RESEARCH,
                "public_interest": OrgKind.PUBLIC_INTEREST, "legal_services": OrgKind.LEGAL_SERVICES,
                "other": OrgKind.OTHER}
_ID_ALIASES = {"居民身份证": IdType.RESIDENT_ID, "身份证": IdType.RESIDENT_ID, "护照": IdType.PASSPORT,
               "统一社会信用代码": IdType.USCC, "其他": IdType.OTHER}


@dataclass(frozen=True)
class Representative:
    """Legal representative or authorised agent (代理人) acting for the applicant."""

    name: str
    id_type: IdType | None = None
    id_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Applicant:
    """A validated applicant."""

    kind: ApplicantKind
    name: str
    id_type: IdType
    id_number: str
    org_kind: OrgKind | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    representative: Representative | None = None

    @property
    def report_column(self) -> str:
        """The Table 3 column this applicant is counted in."""
        return "自然人" if self.kind == ApplicantKind.PERSON else str(self.org_kind)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, as stored in the ``registered`` event."""
        data = asdict(self)
        data["kind"] = str(self.kind)
        data["id_type"] = str(self.id_type)
        data["org_kind"] = str(self.org_kind) if self.org_kind else None
        if self.representative is not None and self.representative.id_type is not None:
            data["representative"]["id_type"] = str(self.representative.id_type)
        return data


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_digit(first17: str) -> str:
    """GB 11643-1999 check digit (ISO 7064 MOD 11-2) of the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def check_resident_id(number: str, field: str = "applicant.id_number") -> str:
    """Validate an 18-character resident ID; return it normalised (upper-case X)."""
    value = number.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise InvalidField(field, "a resident ID has 17 digits and a check digit (0–9 or X)",
                           code="id.resident_format")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidField(field, f"birth date {value[6:14]} in the resident ID is not a real date",
                           code="id.resident_birth_date", birth=value[6:14]) from None
    expected = resident_id_check_digit(value[:17])
    if value[17] != expected:
        raise InvalidField(field, f"check digit is {value[17]}, expected {expected} (GB 11643)",
                           code="id.resident_check_digit", given=value[17], expected=expected)
    return value


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character of the first 17 characters of a unified social credit code."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def check_uscc(number: str, field: str = "applicant.id_number") -> str:
    """Validate an 18-character unified social credit code; return it upper-cased."""
    value = number.strip().upper()
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        raise InvalidField(field, "a unified social credit code has 18 characters from 0–9 and A–Y "
                                  "without I, O, Z, S, V", code="id.uscc_format")
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise InvalidField(field, f"check character is {value[17]}, expected {expected} (GB 32100)",
                           code="id.uscc_check_char", given=value[17], expected=expected)
    return value


def check_id(id_type: IdType, number: Any, field: str) -> str:
    """Validate an identity number of the given type; return it normalised."""
    if not isinstance(number, str) or not number.strip():
        raise InvalidField(field, "required", code="field.required")
    if id_type == IdType.RESIDENT_ID:
        return check_resident_id(number, field)
    if id_type == IdType.USCC:
        return check_uscc(number, field)
    value = number.strip().upper()
    if id_type == IdType.PASSPORT and not re.fullmatch(r"[A-Z0-9]{5,20}", value):
        raise InvalidField(field, "a passport number has 5–20 letters and digits", code="id.passport_format")
    if id_type == IdType.OTHER and not re.fullmatch(r"[A-Z0-9()（）\-]{4,30}", value):
        raise InvalidField(field, "4–30 letters, digits, hyphens or brackets", code="id.other_format")
    return value


def _enum(value: Any, enum: type[StrEnum], aliases: Mapping[str, Any], field: str) -> Any:
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        if value in aliases:
            return aliases[value]
        try:
            return enum(value)
        except ValueError:
            pass
    raise InvalidField(field, f"must be one of {', '.join(str(m) for m in enum)}, got {value!r}",
                       code="field.not_a_choice", options=", ".join(str(m) for m in enum), value=repr(value))


def _opt_text(data: Mapping[str, Any], name: str, field: str) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidField(field, "must be text", code="field.not_text")
    return value.strip()


def _phone(value: str | None, field: str) -> str | None:
    if value is not None and not re.fullmatch(r"\+?[\d\- ()]{5,24}", value):
        raise InvalidField(field, "a phone number has 5–20 digits, optionally +, hyphens, spaces",
                           code="contact.phone_format")
    return value


def validate_applicant(data: Mapping[str, Any]) -> Applicant:
    """Validate applicant data (JSON-ish); raise ``InvalidField("applicant.<field>", …)`` on the first problem."""
    if isinstance(data, Applicant):
        return data
    if not isinstance(data, Mapping):
        raise InvalidField("applicant", "must be an object", code="field.not_object")
    kind = _enum(data.get("kind", ApplicantKind.PERSON), ApplicantKind, _KIND_ALIASES, "applicant.kind")
    name = _opt_text(data, "name", "applicant.name")
    if name is None:
        raise InvalidField("applicant.name", "required (Art. 29)", code="field.required")
    org_kind = None
    if kind == ApplicantKind.ORGANISATION:
        if data.get("org_kind") in (None, ""):
            raise InvalidField("applicant.org_kind", "required for an organisation: "
                                                     + "/".join(str(k) for k in OrgKind), code="applicant.org_kind_required")
        org_kind = _enum(data["org_kind"], OrgKind, _ORG_ALIASES, "applicant.org_kind")
    elif data.get("org_kind") not in (None, ""):
        raise InvalidField("applicant.org_kind", "only an organisation has an organisation kind",
                           code="applicant.org_kind_for_person")
    default_id = IdType.RESIDENT_ID if kind == ApplicantKind.PERSON else IdType.USCC
    id_type = _enum(data.get("id_type") or default_id, IdType, _ID_ALIASES, "applicant.id_type")
    id_number = check_id(id_type, data.get("id_number"), "applicant.id_number")
    phone = _phone(_opt_text(data, "phone", "applicant.phone"), "applicant.phone")
    email = _opt_text(data, "email", "applicant.email")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InvalidField("applicant.email", f"not an e-mail address: {email!r}", code="contact.email_format")
    address = _opt_text(data, "address", "applicant.address")
    if phone is None and email is None and address is None:
        # Art. 29: the application must say how to reach the applicant.
        raise InvalidField("applicant.phone", "give at least one contact: phone, e-mail or address",
                           code="contact.one_required")
    representative = None
    rep = data.get("representative")
    if rep:
        if not isinstance(rep, Mapping):
            raise InvalidField("applicant.representative", "must be an object", code="field.not_object")
        rep_name = _opt_text(rep, "name", "applicant.representative.name")
        if rep_name is None:
            raise InvalidField("applicant.representative.name", "required", code="field.required")
        rep_type = None
        rep_number = None
        if rep.get("id_number"):
            rep_type = _enum(rep.get("id_type") or IdType.RESIDENT_ID, IdType, _ID_ALIASES,
                             "applicant.representative.id_type")
            rep_number = check_id(rep_type, rep["id_number"], "applicant.representative.id_number")
        rep_phone = _phone(_opt_text(rep, "phone", "applicant.representative.phone"),
                           "applicant.representative.phone")
        representative = Representative(rep_name, rep_type, rep_number, rep_phone)
    return Applicant(kind=kind, name=name, id_type=id_type, id_number=id_number, org_kind=org_kind,
                     phone=phone, email=email, address=address, representative=representative)
