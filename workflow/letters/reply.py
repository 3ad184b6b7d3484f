"""A reply's decision paragraphs (one sentence per decision, its article from the map) and the remedy notice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.errors import InvalidField
from workflow.legal import LegalClauses
from workflow.letters.orders import ReplyParts
from workflow.letters.text import AgencyProfile, MissingFact, Paragraph
from workflow.letters.words import Words, paren
from workflow.replies import RECONSIDERATION_FIRST


def remedy_text(agency: AgencyProfile, clauses: LegalClauses, *, decision: str | None) -> str:
    """The remedy notice in force on ``clauses.day`` naming the agency's reconsideration body and court."""
    clause_ = clauses.clauses.get("remedy")
    if clause_ is None or not agency.reconsideration_body or not agency.court:
        return ""
    first = decision in RECONSIDERATION_FIRST and bool(clause_.values.get("reconsideration_first"))
    return clause_.wording("notice_first" if first else "notice", reconsideration_body=agency.reconsideration_body,
                           court=agency.court)


def _book(title: str) -> str:
    """A publication's title in 书名号 (GB/T 15834 4.15), once: 《常州年鉴（2025）》."""
    inner = title[1:-1] if title.startswith("《") and title.endswith("》") else title
    return f"《{inner.replace('《', '〈').replace('》', '〉')}》"


def reply_paragraphs(case: Any, fields: Mapping[str, Any], words: Words, parts: ReplyParts) -> list[Paragraph]:
    """The decision paragraphs of a reply: the decision's sentence with its article, and any numbered items."""
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
        text = s("decision", code, art=art, search_note=paren(t.get("search_note", "")))
    elif code == "not_this_agency":
        text = s("decision", code, art=art, reason=t["reason"])
        if parts.competent is not None:
            contact = f"，联系方式：{parts.competent.contact}" if parts.competent.contact else ""
            text += s("decision", "not_this_agency_known", art=art, name=parts.competent.name, contact=contact)
        else:
            text += s("decision", "not_this_agency_unknown", art=art)
    elif code == "needs_creation":
        text = s("decision", code, art=art, reason=paren(t.get("reason", "")))
    elif code == "still_unclear":
        correction = getattr(case, "correction", None)
        if correction is None or getattr(correction, "received_on", None) is None:
            raise MissingFact("request_correction" if correction is None else "receive_correction",
                              "补正后仍不明确 needs a correction notice sent and the correction received first")
        text = s("decision", code, art=art, correction_sent_on=words.date(correction.sent_on),
                 correction_received_on=words.date(correction.received_on),
                 unclear_points="；".join(parts.unclear_points))
    elif code == "repeat":
        text = s("decision", code, art=art, previous_reply_ref=t["previous_reply_ref"])
    elif code == "petition":
        channel = t.get("channel", "")
        text = s("decision", code, art=art, channel=f"，您可以通过{channel}提出" if channel else "")
    elif code == "publication":
        assert parts.publication is not None
        title = parts.publication.title
        text = s("decision", code, art=art, title=_book(title) if title != "信息" else title,
                 where=parts.publication.where)
    elif code == "excessive":
        asked = getattr(case, "reasons_requested_on", None)
        if asked is None:
            raise MissingFact("request_reasons", "无正当理由大量反复申请 needs the applicant asked for reasons first (Art. 35)")
        text = s("decision", code, art=art, reason=t["reason"], reasons_requested_on=words.date(asked))
    elif code == "confirm_reissue":
        text = s("decision", code, art=art, reason=t["reason"])
    elif code == "registry":
        text = s("decision", code, art=art, law_and_procedure=t["law_and_procedure"])
    else:  # pragma: no cover - reply_parts refuses unknown codes
        raise InvalidField("decision", f"unknown decision {code!r}", code="field.not_a_choice")
    return [Paragraph(text)]
