"""Letter use cases: compose a letter from a case and a letter order, check its required elements,
issue it (numbered, rendered, stored, immutable), supersede it, list and read letters.

Composition is pure (no database): :func:`build_context` and :func:`check_order` take the case, the
order and the agency. :func:`issue` and :func:`supersede` write inside the caller's transaction and
never commit.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from service.base import utcnow
from service.counters import format_number, next_number
from service.letters import repository
from service.letters.models import Letter
from service.letters.templates import cn_date, render_html
from service.letters.templates import kind as letter_kind
from service.settings import get_settings
from workflow.errors import Conflict, InvalidField, NotFound
from workflow.events import REPLY_DEFECT, AssessmentEvent, LetterOrder
from workflow.legal import LegalClauses, clauses_on
from workflow.replies import (
    DECISIONS,
    RECONSIDERATION_FIRST,
    WITHHOLD_REASONS,
    ElementReport,
    LetterDraft,
    RemedyNotice,
    check_letter,
)

SERVICE_METHODS: dict[str, str] = {
    "post": "邮寄（中国邮政）",
    "direct": "直接送达（申请人签收）",
    "email": "电子邮件",
    "online": "网上送达（在线平台）",
    "fax": "传真",
    "collection": "申请人自取",
}
# Letters addressed to someone other than the applicant (the consulted party).
_TO_PARTY = ("consultation", "third_party_opinion")


@dataclass(frozen=True)
class Seal:
    """How the letter is sealed: an electronic seal image, or a marked position for a wet stamp."""

    image: str | None  # data: URI of <seal_dir>/<agency code>.png
    confirmed: bool  # wet stamp confirmed by the issuing user

    @property
    def mode(self) -> str:
        """``electronic`` or ``wet``."""
        return "electronic" if self.image else "wet"

    @property
    def present(self) -> bool:
        """Whether the seal element counts as present (never for an unconfirmed wet stamp)."""
        return self.image is not None or self.confirmed


def seal_for(agency: Any, *, confirmed: bool, seal_dir: Path | None = None) -> Seal:
    """The agency's electronic seal (``<seal_dir>/<code>.png``) if configured, else a wet-stamp position.

    The image is the agency's own file, embedded unchanged; nothing here ever draws a seal.
    """
    directory = seal_dir if seal_dir is not None else get_settings().seal_dir
    path = Path(directory) / f"{agency.code}.png"
    if path.is_file():
        return Seal(image="data:image/png;base64," + base64.b64encode(path.read_bytes()).decode(), confirmed=True)
    return Seal(image=None, confirmed=confirmed)


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _facts(case: Any, order: LetterOrder) -> tuple[frozenset[str], dict[str, str]]:
    """What happened in the case that a reply must state (LAW.md §6 item 4), and the sentences stating it."""
    happened: set[str] = set()
    stated: dict[str, str] = {}
    fields = order.fields
    correction = getattr(case, "correction", None)
    if correction is not None and getattr(correction, "received_on", None) is not None:
        happened.add("correction_receipt")
        stated["correction_receipt"] = (
            f"因申请内容不明确，本机关于{cn_date(correction.sent_on)}向您发出补正告知书，"
            f"于{cn_date(correction.received_on)}收到您补正后的申请，答复期限自该日起重新计算。")
    elif fields.get("correction_received_on"):
        happened.add("correction_receipt")
        stated["correction_receipt"] = (f"本机关于{cn_date(fields['correction_received_on'])}收到您补正后的申请，"
                                        "答复期限自该日起重新计算。")
    consultations = tuple(getattr(case, "consultations", ()) or ())
    if consultations:
        happened.add("consultation_pause")
        parts = []
        for c in consultations:
            end = f"至{cn_date(c.ended_on)}" if getattr(c, "ended_on", None) else "起"
            who = f"{c.party}（共同制作机关）" if getattr(c, "kind", "") == "agency" else c.party
            parts.append(f"于{cn_date(c.sent_on)}{end}征求{who}的意见")
        stated["consultation_pause"] = f"本机关依法{'；'.join(parts)}，征求意见期间不计算在答复期限内。"
    fee = getattr(case, "fee", None)
    if fee is not None:
        happened.add("fee_pause")
        paid = f"，于{cn_date(fee.paid_on)}收到您缴纳的费用" if getattr(fee, "paid_on", None) else ""
        stated["fee_pause"] = (f"本机关于{cn_date(fee.sent_on)}向您发出收费通知{paid}，"
                               "其间不计算在答复期限内。")
    extension = getattr(case, "extension", None)
    if extension is not None:
        happened.add("extension")
        why = f"因{extension.reason}，" if getattr(extension, "reason", "") else ""
        stated["extension"] = (f"{why}经本机关政府信息公开工作机构负责人同意，本机关于{cn_date(extension.notified_on)}"
                               f"告知您延长答复期限{extension.days}个工作日。")
    elif fields.get("extension_days"):
        happened.add("extension")
        stated["extension"] = f"经本机关政府信息公开工作机构负责人同意，答复期限延长{fields['extension_days']}个工作日。"
    deadline = getattr(case, "deadline", None)
    if deadline is not None:
        stated["deadline"] = (f"根据条例第三十五条，本机关于{cn_date(deadline.notified_on)}告知您答复期限确定为"
                              f"{cn_date(deadline.due_on)}。")
    return frozenset(happened), stated


def _remedy(order: LetterOrder, agency: Any, clauses: LegalClauses) -> RemedyNotice | None:
    """The remedy notice in force on the issue date, naming the agency's reconsideration body and court."""
    clause = clauses.clauses.get("remedy")
    body = (getattr(agency, "reconsideration_body", "") or "").strip()
    court = (getattr(agency, "court", "") or "").strip()
    if clause is None or not body or not court:
        return None
    first = (order.fields.get("decision") in RECONSIDERATION_FIRST and bool(clause.values.get("reconsideration_first"))
             and order.kind == "reply")
    text = clause.wording("notice_first" if first else "notice", reconsideration_body=body, court=court)
    return RemedyNotice(reconsideration_body=body, court=court,
                        reconsideration_days=int(clause.values["reconsideration_days"]),
                        litigation_months=int(clause.values["litigation_months"]),
                        reconsideration_first=first, text=text)


def _compose(*, case: Any, order: LetterOrder, agency: Any, number: str | None,
             seal: Seal) -> tuple[dict[str, Any], LetterDraft]:
    """The template context and the structured draft (what the element check looks at) of one letter."""
    meta = letter_kind(order.kind)
    fields = dict(order.fields)
    clauses = clauses_on(order.issued_on)
    reg = clauses.clauses.get("regulations")
    applicant = getattr(case, "applicant", None) or fields.get("applicant") or {}
    applicant_name = (applicant.get("name") if isinstance(applicant, Mapping) else None) or fields.get("applicant_name")
    addressee = fields.get("party") if order.kind in _TO_PARTY else applicant_name
    receipt = _date(getattr(case, "receipt_date", None)) or _date(fields.get("receipt_date"))
    description = getattr(case, "description", None) or fields.get("description")
    happened, stated = _facts(case, order) if order.kind == "reply" else (frozenset(), {})
    remedy = _remedy(order, agency, clauses) if order.kind in ("reply", "third_party_opinion") else None
    method_code = fields.get("service_method") or getattr(case, "delivery", None)
    method = SERVICE_METHODS.get(str(method_code), str(method_code)) if method_code else None
    if order.kind in _TO_PARTY:
        method = SERVICE_METHODS.get(str(fields.get("service_method"))) if fields.get("service_method") else None

    decision = DECISIONS.get(str(fields.get("decision"))) if order.kind == "reply" else None
    basis = None
    withhold = None
    if reg is not None:
        if decision is not None:
            basis = reg.text["title"] + reg.tables["decisions"][decision.code]
            if decision.code == "withhold":
                reason = fields.get("withhold_reason")
                if str(reason).isdigit() and int(reason) in WITHHOLD_REASONS:
                    withhold = {"label": WITHHOLD_REASONS[int(reason)][0],
                                "article": reg.tables["withhold"][str(int(reason))]}
                    basis = f"{reg.text['title']}{withhold['article']}、{reg.tables['decisions']['withhold']}"
        elif order.kind != "reply":
            article = {"receipt": "receipt", "correction_notice": "correction", "extension_notice": "extension",
                       "fee_notice": "fee", "reasons_request": "excessive",
                       "third_party_opinion": "consultation_third_party"}.get(order.kind)
            if order.kind == "consultation":
                article = "consultation_agency" if fields.get("kind") == "agency" else "consultation_third_party"
            if order.kind == "extension_notice" and fields.get("art35"):
                article = "excessive"
            basis = reg.text["title"] + reg.text[article] if article else None

    correction = getattr(case, "correction", None)
    context: dict[str, Any] = {
        "letter": {"kind": order.kind, "title": meta.title_for(fields), "number": number,
                   "issued_on": order.issued_on, "request_number": getattr(case, "number", None)
                   or fields.get("request_number")},
        "agency": {"name": agency.name, "code": agency.code, "contact": getattr(agency, "contact", "") or "",
                   "reconsideration_body": getattr(agency, "reconsideration_body", ""),
                   "court": getattr(agency, "court", "")},
        "addressee": addressee or "",
        "case": {"receipt_date": receipt, "description": description or ""},
        "f": fields,
        "decision": decision,
        "withhold": withhold,
        "facts": [stated[k] for k in ("correction_receipt", "consultation_pause", "fee_pause", "extension", "deadline")
                  if k in stated],
        "correction_sent": getattr(correction, "sent_on", None) if correction else None,
        "remedy": {"text": remedy.text if remedy else ""},
        "seal": {"image": seal.image, "mark": seal.image is None},
        "service": {"method": method, "served_on": _date(fields.get("served_on"))},
        "clauses": clauses,
        "reg": reg,
    }
    draft = LetterDraft(
        kind=order.kind, number=number, agency_name=agency.name, signature=agency.name, seal=seal.present,
        addressee=addressee, issued_on=order.issued_on, receipt_date=receipt, request=description,
        decision=decision.code if decision else (fields.get("decision") if order.kind == "reply" else None),
        fields=fields, legal_basis=basis, remedy=remedy, service_method=method,
        facts_happened=happened, facts_stated=stated,
        agency_vertical=bool(getattr(agency, "vertically_managed", False)),
    )
    return context, draft


def build_context(*, case: Any, order: LetterOrder, agency: Any, number: str | None,
                  seal_confirmed: bool = False) -> dict[str, Any]:
    """The template context of the letter ``order`` for ``case`` from ``agency`` (``number`` None: a preview)."""
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    return _compose(case=case, order=order, agency=agency, number=number, seal=seal)[0]


def check_order(*, case: Any, order: LetterOrder, agency: Any, seal_confirmed: bool) -> list[str]:
    """Missing element codes of the letter ``order`` would produce (empty: complete), before it is issued.

    The number is given at issue, so it is not reported here; everything else is (see
    :data:`workflow.replies.ELEMENTS`).
    """
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    _, draft = _compose(case=case, order=order, agency=agency, number="（待编号）", seal=seal)
    return check_letter(draft)


def number_prefix(agency_prefix: str, suffix: str) -> str:
    """文号 prefix of a letter: the agency's prefix and the kind's suffix, without doubling their overlap.

    ``常住建`` + ``依申复`` and ``常住建依申`` + ``依申复`` both give ``常住建依申复`` (agencies configure
    their prefix either way).
    """
    for n in range(min(len(agency_prefix), len(suffix)), 0, -1):
        if agency_prefix.endswith(suffix[:n]):
            return agency_prefix + suffix[n:]
    return agency_prefix + suffix


def number_series(kind: str) -> str:
    """The counter series of a letter kind (one gap-free sequence per agency, kind and year)."""
    return f"letter:{kind}"


def issue(*, session: Session, request_id: int, case: Any, order: LetterOrder, agency: Any,
          actor_user_id: int | None, forced_missing: Sequence[str] = (), seal_confirmed: bool = False,
          supersedes: Letter | None = None) -> Letter:
    """Number, render and store one letter inside the caller's transaction (no commit).

    Takes the next number of (agency, kind, year of issue), renders the HTML snapshot with the law
    in force on the issue date and stores it; the stored letter is never changed afterwards. The
    missing elements recorded are ``forced_missing`` when the caller forced the issue, else what the
    check finds now (so a letter issued without a confirmed seal says so).
    """
    meta = letter_kind(order.kind)
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    year = order.issued_on.year
    seq = next_number(session=session, agency_id=agency.id, series=number_series(order.kind), year=year)
    number = format_number(number_prefix(agency.letter_prefix, meta.suffix), year, seq)
    context, draft = _compose(case=case, order=order, agency=agency, number=number, seal=seal)
    html = render_html(context)
    missing = list(forced_missing) or check_letter(draft)
    letter = Letter(
        request_id=request_id, agency_id=agency.id, kind=order.kind,
        decision=draft.decision if order.kind == "reply" else None,
        year=year, seq=seq, number=number, title=context["letter"]["title"], issued_on=order.issued_on,
        addressee=draft.addressee or "", html=html, sha256=hashlib.sha256(html.encode()).hexdigest(),
        clause_versions=json.dumps(context["clauses"].versions(), sort_keys=True),
        fields=json.dumps(dict(order.fields), sort_keys=True, default=str, ensure_ascii=False),
        missing=json.dumps(missing, ensure_ascii=False), forced=bool(forced_missing),
        seal_mode=seal.mode, seal_confirmed=seal.present,
        supersedes_id=supersedes.id if supersedes is not None else None,
        actor_user_id=actor_user_id, created_at=utcnow(),
    )
    session.add(letter)
    session.flush()
    return letter


def supersede(*, session: Session, letter_id: int, case: Any, order: LetterOrder, agency: Any,
              actor_user_id: int | None, reason: str, forced_missing: Sequence[str] = (),
              seal_confirmed: bool = False) -> Letter:
    """Issue a correction of letter ``letter_id``: a new numbered letter pointing at the old one.

    Both are kept unchanged; the old one reads as superseded through the new one's ``supersedes_id``.
    A letter already superseded cannot be superseded again (correct the newest one instead).
    """
    old = repository.get(session=session, letter_id=letter_id)
    if old is None:
        raise NotFound(f"letter {letter_id} not found")
    if old.kind != order.kind:
        raise InvalidField("kind", f"a {old.kind} letter is corrected by a {old.kind} letter, not {order.kind}")
    if repository.superseded_by(session=session, letter_id=letter_id) is not None:
        raise Conflict("letter is already superseded; correct the newest version", letter_id=letter_id)
    if not reason.strip():
        raise InvalidField("reason", "say what the correction changes")
    fields = {**order.fields, "supersedes": old.number, "correction_reason": reason.strip()}
    return issue(session=session, request_id=old.request_id, case=case,
                 order=LetterOrder(order.kind, order.issued_on, fields), agency=agency,
                 actor_user_id=actor_user_id, forced_missing=forced_missing, seal_confirmed=seal_confirmed,
                 supersedes=old)


def facts_of(case: Any) -> tuple[str, ...]:
    """The case facts (correction, consultation, fee, extension) a reply to ``case`` must state."""
    happened, _ = _facts(case, LetterOrder("reply", date.today(), {}))
    return tuple(sorted(happened))


def record_upload_defect(*, session: Session, record: Any, report: ElementReport, data: bytes, filename: str,
                         user_id: int | None) -> bool:
    """Record one ``ogi.reply_defect`` for an uploaded letter of request ``record`` that lacks elements.

    Idempotent per request and file content (the subject carries the file's hash), so uploading the
    same file twice counts once. Returns whether a new event was recorded. Never commits.
    """
    from service.agencies.models import Agency
    from service.assessment.inbox import submit
    from service.requests.context import local_today

    agency = session.get(Agency, record.agency_id)
    if agency is None:
        raise NotFound(f"agency {record.agency_id} not found")
    digest = hashlib.sha256(data).hexdigest()[:16]
    event = AssessmentEvent(
        kind=REPLY_DEFECT, unit=agency.code, on=local_today(agency, utcnow()), subject=f"upload:{digest}",
        request_ref=record.number, note=f"外部制作的答复书缺少必备要素：{'、'.join(report.missing)}",
        details={"request_number": record.number, "missing": list(report.missing), "file": filename,
                 "sha256": digest, "decision": report.decision, "checked_by": user_id, "source": "upload"},
    )
    return submit(session=session, events=[{**asdict(event), "key": event.key}]) > 0
