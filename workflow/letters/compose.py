"""Compose a letter's printed text from the case, the order and the agency's profile (pure).

Every sentence comes from ``letter_templates/legal/sentences.toml`` in the version in force on the
issue date, every article from the decision → article map of ``clauses.toml``; every typed value
passes :mod:`workflow.letters.normalise` first. A letter states a case fact (a correction notice
was sent, reasons were asked, a fee was paid) only from the case's own record: when a decision's
sentence needs a fact the case does not show, :class:`MissingFact` names the missing step.

The result, :class:`LetterText`, is what the page prints, paragraph by paragraph; the service lays
it out (letter_templates/base.html) and the element check reads it back from the PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.cn_dates import cn_date
from workflow.errors import Conflict, InvalidField
from workflow.legal import Clause, ClauseNotInForce, LegalClauses, clauses_on
from workflow.letters.normalise import clause, name
from workflow.letters.orders import ReplyParts, reply_parts
from workflow.replies import DECISIONS, RECONSIDERATION_FIRST

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


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _paren(text: str) -> str:
    return f"（{text}）" if text else ""


class _Words:
    """The sentence tables and the Regulations in force on one day."""

    def __init__(self, clauses: LegalClauses) -> None:
        self.clauses = clauses
        for needed in ("sentences", "regulations"):
            if needed not in clauses.clauses:
                raise ClauseNotInForce(needed, clauses.day)
        self.sentences: Clause = clauses.clauses["sentences"]
        self.reg: Clause = clauses.clauses["regulations"]
        self.law = self.reg.text["title"]

    def s(self, table: str, key: str, **fill: Any) -> str:
        source = self.sentences.text if table == "text" else self.sentences.tables[table]
        return source[key].format(law=self.law, **fill)


def _applicant_name(case: Any, fields: Mapping[str, Any]) -> str:
    applicant = getattr(case, "applicant", None) or fields.get("applicant") or {}
    raw = applicant.get("name") if isinstance(applicant, Mapping) else None
    return name(raw or fields.get("applicant_name"))


def _facts(case: Any, words: _Words) -> tuple[list[str], list[str]]:
    """The case facts a reply states (LAW.md §6 item 4): codes and sentences, from the case only."""
    codes: list[str] = []
    out: list[str] = []
    correction = getattr(case, "correction", None)
    if correction is not None and getattr(correction, "received_on", None) is not None:
        codes.append("correction_receipt")
        out.append(words.s("fact", "correction_receipt", sent_on=cn_date(correction.sent_on),
                           received_on=cn_date(correction.received_on)))
    consultations = tuple(getattr(case, "consultations", ()) or ())
    for c in consultations:
        until = f"至{cn_date(c.ended_on)}" if getattr(c, "ended_on", None) else ""
        if getattr(c, "kind", "third_party") == "agency":
            out.append(words.s("fact", "consultation_agency", party=name(c.party), sent_on=cn_date(c.sent_on),
                               until=until))
        else:
            # The third party is not named to the applicant (Art. 15: their identity may be the secret).
            out.append(words.s("fact", "consultation_pause", sent_on=cn_date(c.sent_on), until=until))
    if consultations:
        codes.append("consultation_pause")
    fee = getattr(case, "fee", None)
    if fee is not None:
        codes.append("fee_pause")
        paid = f"，并于{cn_date(fee.paid_on)}收到您缴纳的费用" if getattr(fee, "paid_on", None) else ""
        out.append(words.s("fact", "fee_pause", sent_on=cn_date(fee.sent_on), paid=paid))
    extension = getattr(case, "extension", None)
    if extension is not None:
        codes.append("extension")
        out.append(words.s("fact", "extension", notified_on=cn_date(extension.notified_on), days=extension.days))
    deadline = getattr(case, "deadline", None)
    if deadline is not None:
        codes.append("extension")
        out.append(words.s("fact", "deadline", notified_on=cn_date(deadline.notified_on),
                           due_on=cn_date(deadline.due_on)))
    return list(dict.fromkeys(codes)), out


def facts_of(case: Any, day: date) -> tuple[str, ...]:
    """The case facts (correction, consultation, fee, extension) a reply to ``case`` issued on ``day`` states."""
    return tuple(_facts(case, _Words(clauses_on(day)))[0])


def remedy_text(agency: AgencyProfile, clauses: LegalClauses, *, decision: str | None) -> str:
    """The remedy notice in force on ``clauses.day`` naming the agency's reconsideration body and court."""
    clause_ = clauses.clauses.get("remedy")
    if clause_ is None or not agency.reconsideration_body or not agency.court:
        return ""
    first = decision in RECONSIDERATION_FIRST and bool(clause_.values.get("reconsideration_first"))
    return clause_.wording("notice_first" if first else "notice", reconsideration_body=agency.reconsideration_body,
                           court=agency.court)


def _reply(case: Any, fields: Mapping[str, Any], words: _Words, parts: ReplyParts) -> list[Paragraph]:
    code = parts.decision
    art = words.reg.tables["decisions"][code]
    t = parts.texts
    s = words.s
    if code == "already_public":
        text = s("decision", code, art=art, access_route=t["access_route"])
    elif code == "disclose":
        text = s("decision", code, art=art, disclosure=t["disclosure"])
        if t.get("obtain_by"):
            text += s("decision", "disclose_obtain", obtain_by=t["obtain_by"])
    elif code == "partial":
        text = s("decision", code, art=art, disclosure=t["disclosure"])
        items = [Paragraph(s("decision", "partial_item", n=i, what=p.what,
                             reason=s("part_reason", str(p.category)),
                             explanation=f"，{p.explanation}" if p.explanation else "",
                             article=p.article or words.reg.tables["withhold"][str(p.category)]), "item")
                 for i, p in enumerate(parts.withheld, 1)]
        return [Paragraph(text), *items]
    elif code == "withhold":
        category = str(parts.category)
        text = s("decision", code, art=art, reason=s("withhold_reason", category),
                 explanation=f"，{t['explanation']}" if t.get("explanation") else "",
                 article=words.reg.tables["withhold"][category])
    elif code == "not_exist":
        text = s("decision", code, art=art, search_note=_paren(t.get("search_note", "")))
    elif code == "not_this_agency":
        text = s("decision", code, art=art, reason=t["reason"])
        if parts.competent is not None:
            contact = f"，联系方式：{parts.competent.contact}" if parts.competent.contact else ""
            text += s("decision", "not_this_agency_known", name=parts.competent.name, contact=contact)
        else:
            text += s("decision", "not_this_agency_unknown")
    elif code == "needs_creation":
        text = s("decision", code, art=art, reason=_paren(t.get("reason", "")))
    elif code == "still_unclear":
        correction = getattr(case, "correction", None)
        if correction is None or getattr(correction, "received_on", None) is None:
            raise MissingFact("request_correction" if correction is None else "receive_correction",
                              "补正后仍不明确 needs a correction notice sent and the correction received first")
        text = s("decision", code, art=art, correction_sent_on=cn_date(correction.sent_on),
                 correction_received_on=cn_date(correction.received_on),
                 unclear_points="；".join(parts.unclear_points))
    elif code == "repeat":
        text = s("decision", code, art=art, previous_reply_ref=t["previous_reply_ref"])
    elif code == "petition":
        channel = t.get("channel", "")
        text = s("decision", code, art=art, channel=f"，您可以通过{channel}提出" if channel else "")
    elif code == "publication":
        assert parts.publication is not None
        title = parts.publication.title
        text = s("decision", code, art=art, title=f"“{title}”" if title != "信息" else title,
                 where=parts.publication.where)
    elif code == "excessive":
        asked = getattr(case, "reasons_requested_on", None)
        if asked is None:
            raise MissingFact("request_reasons", "无正当理由大量反复申请 needs the applicant asked for reasons first (Art. 35)")
        text = s("decision", code, art=art, reason=t["reason"], reasons_requested_on=cn_date(asked))
    elif code == "confirm_reissue":
        text = s("decision", code, art=art, reason=t["reason"])
    elif code == "registry":
        text = s("decision", code, art=art, law_and_procedure=t["law_and_procedure"])
    else:  # pragma: no cover - reply_parts refuses unknown codes
        raise InvalidField("decision", f"unknown decision {code!r}", code="field.not_a_choice")
    return [Paragraph(text)]


def _notice(kind: str, case: Any, fields: Mapping[str, Any], words: _Words, agency: AgencyProfile,
            request: dict[str, str]) -> list[Paragraph]:
    s = words.s
    reg = words.reg
    f = fields
    if kind == "receipt":
        channel = CHANNELS.get(str(f.get("channel")), clause(f.get("channel_label") or f.get("channel")) or "书面")
        due = ""
        if f.get("due_on"):
            key = "receipt_due_provisional" if f.get("due_provisional") or f.get("provisional") else "receipt_due"
            due = s("notice", key, due_on=cn_date(f["due_on"]), days=reg.values["reply_working_days"])
        return [Paragraph(s("notice", "receipt_1", channel=channel, **request)),
                Paragraph(s("notice", "receipt_2", art_receipt=reg.text["receipt"], art_reply=reg.text["reply_period"],
                            days=reg.values["reply_working_days"], due=due,
                            correction_days=reg.values["correction_notice_working_days"])),
                # Registration facts the clerk recorded (casework): the postal number, the agent, and a
                # line for the applicant's signature on a receipt handed over in person.
                *([Paragraph(s("notice", "receipt_ems", ems_number=clause(f["ems_number"])))] if f.get("ems_number") else []),
                *([Paragraph(s("notice", "receipt_agent", agent=clause(f["agent"])))] if f.get("agent") else []),
                *([Paragraph(s("notice", "receipt_signature"), "signature-line")] if f.get("signature_line") else [])]
    if kind == "correction_notice":
        raw = f.get("items") or []
        entries = [clause(x) for x in ([raw] if isinstance(raw, str) else raw)]
        for i, entry in enumerate(entries):
            if len(entry) < 2:
                raise InvalidField(f"items[{i}]", "say what must be corrected (a word or more)",
                                   code="correction.items_required")
        return [Paragraph(s("text", "request", **request)),
                Paragraph(s("notice", "correction_1", art=reg.text["correction"], days=f.get("period_days"))),
                *[Paragraph(f"（{i}）{x}。", "item") for i, x in enumerate(entries, 1) if x],
                Paragraph(s("notice", "correction_2"))]
    if kind == "extension_notice":
        reason = clause(f.get("reason")) or s("notice", "extension_default_reason")
        if f.get("art35"):
            text = s("notice", "extension_art35", reason=reason, art=reg.text["excessive"],
                     original_due_on=cn_date(f.get("original_due_on")), new_due_on=cn_date(f.get("new_due_on")))
        else:
            key = "extension_provisional" if f.get("provisional") else "extension"
            text = s("notice", key, reason=reason, art=reg.text["extension"], days=f.get("days"),
                     original_due_on=cn_date(f.get("original_due_on")), new_due_on=cn_date(f.get("new_due_on")))
        return [Paragraph(s("text", "request", **request)), Paragraph(text)]
    if kind == "consultation":
        days = f.get("window_days") or reg.values["consultation_working_days"]
        if f.get("kind") == "agency":
            return [Paragraph(s("notice", "consultation_agency_1", art=reg.text["consultation_agency"], **request)),
                    Paragraph(s("notice", "consultation_agency_2", days=days))]
        # The applicant is not named to the third party either.
        return [Paragraph(s("notice", "consultation_party_1", art=reg.text["consultation_party"],
                            description=request["description"])),
                Paragraph(s("notice", "consultation_party_2", days=days))]
    if kind == "third_party_opinion":
        consultation = next((c for c in reversed(tuple(getattr(case, "consultations", ()) or ()))
                             if getattr(c, "kind", "third_party") == "third_party"), None)
        sent_on = getattr(consultation, "sent_on", None) or _date(f.get("consulted_on"))
        if sent_on is None:
            raise MissingFact("start_consultation", "第三方意见告知书 states when the third party was consulted")
        content = clause(f.get("content")) or f"“{request['description']}”"
        return [Paragraph(s("notice", "opinion_1", sent_on=cn_date(sent_on), opinion=clause(f.get("opinion")),
                            description=request["description"])),
                Paragraph(s("notice", "opinion_2", reason=clause(f.get("reason")), art=reg.text["third_party_opinion"],
                            content=content)),
                Paragraph(s("text", "remedy_party", reconsideration_body=agency.reconsideration_body,
                            court=agency.court), "remedy")]
    if kind == "fee_notice":
        fees = words.clauses.clauses["fees"]
        paras = [Paragraph(s("text", "request", **request)),
                 Paragraph(s("notice", "fee_1", art=reg.text["fee"], fee_rules=fees.text["title"],
                             amount_yuan=clause(f.get("amount_yuan"))))]
        basis = _fee_basis(f, words)
        if basis:
            paras.append(Paragraph(s("notice", "fee_basis", basis=basis)))
        payment = clause(f.get("payment")) or clause(agency.fee_payment) or s(
            "notice", "fee_payment_default", contact=clause(agency.contact) or "见本通知书落款")
        paras += [Paragraph(s("notice", "fee_2", days=f.get("payment_days") or fees.values["payment_working_days"],
                              payment=payment)),
                  Paragraph(s("notice", "fee_3"))]
        return paras
    if kind == "reasons_request":
        return [Paragraph(s("text", "request", **request)),
                Paragraph(s("notice", "reasons_1", reason=_paren(clause(f.get("reason"))), art=reg.text["excessive"],
                            days=f.get("reply_days") or 15)),
                Paragraph(s("notice", "reasons_2"))]
    raise InvalidField("kind", f"unknown letter kind {kind!r}", code="letter.unknown_kind")


def _fee_basis(f: Mapping[str, Any], words: _Words) -> str:
    """How the fee was worked out: the order's computed lines (band, units, rate, subtotal) or its note."""
    basis = f.get("fee_basis")
    lines = f.get("fee_lines") or (basis.get("lines") if isinstance(basis, Mapping) else None)
    if isinstance(lines, Sequence) and lines and not isinstance(lines, str):
        method = f.get("fee_method")
        out = [words.s("notice", f"fee_method_{method}", count=f.get("count"))] if method in (
            "per_item", "per_volume") else []
        for line in lines:
            if isinstance(line, Mapping):
                out.append(words.s("notice", "fee_line" if line.get("rate") else "fee_line_free",
                                   label=clause(line.get("label")), units=line.get("units"),
                                   unit=clause(line.get("unit")) or "件", rate=line.get("rate"),
                                   subtotal=line.get("subtotal")))
        if f.get("total_yuan") is not None and len(out) > 2:
            out.append(words.s("notice", "fee_total", total=f.get("total_yuan")))
        if f.get("reduction_yuan"):
            out.append(words.s("notice", "fee_reduction", reduction=f.get("reduction_yuan"),
                               reason=clause(f.get("waiver_reason")), amount=f.get("amount_yuan")))
        return "；".join(out)
    return clause(f.get("basis_detail") or (basis if isinstance(basis, str) else None))


def compose(kind: str, issued_on: date, fields: Mapping[str, Any], *, case: Any, agency: AgencyProfile,
            clauses: LegalClauses | None = None) -> LetterText:
    """The printed text of a letter of ``kind`` issued on ``issued_on`` for ``case`` by ``agency``.

    Raises :class:`InvalidField` for a missing structured part (422) and :class:`MissingFact` when
    the letter would state a step the case does not show (409 naming the step).
    """
    clauses = clauses or clauses_on(issued_on)
    words = _Words(clauses)
    f = dict(fields)
    receipt = _date(getattr(case, "receipt_date", None)) or _date(f.get("receipt_date"))
    description = clause(getattr(case, "description", None) or f.get("description"))
    request = {"receipt_date": cn_date(receipt), "description": description}
    title_key = kind
    if kind == "consultation" and f.get("kind") == "agency":
        title_key = "consultation:agency"
    if kind == "extension_notice" and f.get("art35"):
        title_key = "extension_notice:art35"
    if kind not in TITLES:
        raise InvalidField("kind", f"unknown letter kind {kind!r}; one of {', '.join(k for k in TITLES if ':' not in k)}",
                           code="letter.unknown_kind")
    addressee = name(f.get("party")) if kind in TO_PARTY else _applicant_name(case, f)
    decision = None
    facts: list[str] = []
    if kind == "reply":
        code = str(f.get("decision"))
        if code not in DECISIONS:
            raise InvalidField("decision", f"unknown decision {code!r}; one of {', '.join(DECISIONS)}",
                               code="field.not_a_choice")
        parts = reply_parts(code, f)
        decision = code
        facts, fact_sentences = _facts(case, words)
        opening = words.s("text", "request", **request) + "".join(fact_sentences)
        paragraphs = [Paragraph(opening), Paragraph(words.s("text", "reply_intro")), *_reply(case, f, words, parts)]
        remedy = remedy_text(agency, clauses, decision=code)
        if remedy:
            paragraphs.append(Paragraph(remedy, "remedy"))
    else:
        paragraphs = _notice(kind, case, f, words, agency, request)
    # A consulted party is written to by post unless the order says otherwise (Art. 32 书面征求);
    # the applicant's letters go the way the applicant asked (the case's delivery).
    method_code = f.get("service_method") or ("post" if kind in TO_PARTY else getattr(case, "delivery", None))
    method = SERVICE_METHODS.get(str(method_code), clause(method_code)) if method_code else None
    return LetterText(kind=kind, title=TITLES[title_key], addressee=addressee, paragraphs=tuple(paragraphs),
                      signature=agency.name, issued_on=issued_on, service_method=method,
                      served_on=_date(f.get("served_on")), decision=decision,
                      electronic_service=str(method_code) in ELECTRONIC_METHODS, facts=tuple(facts),
                      clause_versions=clauses.versions())
