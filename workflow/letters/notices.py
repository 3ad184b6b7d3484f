"""The body paragraphs of the notices: receipt, correction, extension, consultation, third-party opinion, fee, reasons."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workflow.errors import InvalidField
from workflow.letters.normalise import clause
from workflow.letters.text import CHANNELS, AgencyProfile, MissingFact, Paragraph
from workflow.letters.words import Words, paren, parse_date


def notice_paragraphs(kind: str, case: Any, fields: Mapping[str, Any], words: Words, agency: AgencyProfile,
            request: dict[str, str]) -> list[Paragraph]:
    """The body paragraphs of a notice of ``kind`` (every letter but the reply)."""
    s = words.s
    reg = words.reg
    f = fields
    if kind == "receipt":
        channel = CHANNELS.get(str(f.get("channel")), clause(f.get("channel_label") or f.get("channel")) or "书面")
        due = ""
        if f.get("due_on"):
            key = "receipt_due_provisional" if f.get("due_provisional") or f.get("provisional") else "receipt_due"
            due = s("notice", key, due_on=words.date(f["due_on"]), days=reg.values["reply_working_days"])
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
                     original_due_on=words.date(f.get("original_due_on")), new_due_on=words.date(f.get("new_due_on")))
        else:
            key = "extension_provisional" if f.get("provisional") else "extension"
            text = s("notice", key, reason=reason, art=reg.text["extension"], days=f.get("days"),
                     original_due_on=words.date(f.get("original_due_on")), new_due_on=words.date(f.get("new_due_on")))
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
        sent_on = getattr(consultation, "sent_on", None) or parse_date(f.get("consulted_on"))
        if sent_on is None:
            raise MissingFact("start_consultation", "第三方意见告知书 states when the third party was consulted")
        reason = clause(f.get("reason"))
        if not reason:
            raise InvalidField("reason", "why not disclosing would gravely harm the public interest (Art. 15)",
                               code="consultation.override_needs_reason")
        content = clause(f.get("content")) or f"“{request['description']}”"
        return [Paragraph(s("notice", "opinion_1", sent_on=words.date(sent_on), opinion=_reasons(clause(f.get("opinion"))),
                            description=request["description"])),
                Paragraph(s("notice", "opinion_2", reason=reason, art=reg.text["third_party_opinion"],
                            content=content)),
                Paragraph(s("text", "remedy_party", reconsideration_body=agency.reconsideration_body,
                            court=agency.court), "remedy")]
    if kind == "fee_notice":
        fees = words.clauses.clauses["fees"]
        paras = [Paragraph(s("text", "request", **request)),
                 Paragraph(s("notice", "fee_1", art=reg.text["fee"], fee_rules=fees.text["title"],
                             amount_yuan=clause(f.get("amount_yuan"))))]
        basis = fee_basis(f, words)
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
                Paragraph(s("notice", "reasons_1", reason=paren(clause(f.get("reason"))), art=reg.text["excessive"],
                            days=f.get("reply_days") or 15)),
                Paragraph(s("notice", "reasons_2"))]
    raise InvalidField("kind", f"unknown letter kind {kind!r}", code="letter.unknown_kind")


def _reasons(opinion: str) -> str:
    """"，理由为：…" for the third party's typed objection, without the "不同意公开" the sentence already
    says ("不同意公开，涉及商业秘密" → "，理由为：涉及商业秘密"); nothing when no reason is left."""
    rest = re.sub(r"^(?:我(?:方|公司|单位)?|本(?:公司|单位))?不同意(?:公开)?[，,；;：:。\s]*", "", opinion)
    return f"，理由为：{rest}" if rest else ""


def fee_basis(f: Mapping[str, Any], words: Words) -> str:
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
