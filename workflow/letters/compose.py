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

from collections.abc import Mapping
from datetime import date
from typing import Any

from workflow.cn_dates import cn_date
from workflow.errors import InvalidField
from workflow.legal import LegalClauses, clauses_on
from workflow.letters.facts import case_facts
from workflow.letters.normalise import clause, name, requote
from workflow.letters.notices import notice_paragraphs
from workflow.letters.orders import reply_parts
from workflow.letters.reply import remedy_text, reply_paragraphs
from workflow.letters.text import (
    CHANNELS,
    ELECTRONIC_METHODS,
    SERVICE_METHODS,
    TITLES,
    TO_PARTY,
    AgencyProfile,
    LetterText,
    MissingFact,
    Paragraph,
)
from workflow.letters.words import Words, parse_date
from workflow.replies import DECISIONS

__all__ = ["CHANNELS", "ELECTRONIC_METHODS", "SERVICE_METHODS", "TITLES", "TO_PARTY", "AgencyProfile", "LetterText",
           "MissingFact", "Paragraph", "cn_date", "compose", "facts_of", "remedy_text"]


def _applicant_name(case: Any, fields: Mapping[str, Any]) -> str:
    applicant = getattr(case, "applicant", None) or fields.get("applicant") or {}
    raw = applicant.get("name") if isinstance(applicant, Mapping) else None
    return name(raw or fields.get("applicant_name"))


def facts_of(case: Any, day: date) -> tuple[str, ...]:
    """The case facts (correction, consultation, fee, extension) a reply to ``case`` issued on ``day`` states."""
    return tuple(case_facts(case, Words(clauses_on(day), cn_date))[0])


def compose(kind: str, issued_on: date, fields: Mapping[str, Any], *, case: Any, agency: AgencyProfile,
            clauses: LegalClauses | None = None) -> LetterText:
    """The printed text of a letter of ``kind`` issued on ``issued_on`` for ``case`` by ``agency``.

    Raises :class:`InvalidField` for a missing structured part (422) and :class:`MissingFact` when
    the letter would state a step the case does not show (409 naming the step).
    """
    clauses = clauses or clauses_on(issued_on)
    words = Words(clauses, cn_date)
    f = dict(fields)
    receipt = parse_date(getattr(case, "receipt_date", None)) or parse_date(f.get("receipt_date"))
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
        facts, fact_sentences = case_facts(case, words)
        opening = words.s("text", "request", **request) + "".join(fact_sentences)
        paragraphs = [Paragraph(opening), Paragraph(words.s("text", "reply_intro")), *reply_paragraphs(case, f, words, parts)]
        remedy = remedy_text(agency, clauses, decision=code)
        if remedy:
            paragraphs.append(Paragraph(remedy, "remedy"))
    else:
        paragraphs = notice_paragraphs(kind, case, f, words, agency, request)
    # Quotes are nested by where a value landed, not by what the normaliser assumed of its slot.
    paragraphs = [Paragraph(requote(p.text), p.style) for p in paragraphs]
    # A consulted party is written to by post unless the order says otherwise (Art. 32 书面征求);
    # the applicant's letters go the way the applicant asked (the case's delivery).
    method_code = f.get("service_method") or ("post" if kind in TO_PARTY else getattr(case, "delivery", None))
    method = SERVICE_METHODS.get(str(method_code), clause(method_code)) if method_code else None
    return LetterText(kind=kind, title=TITLES[title_key], addressee=addressee, paragraphs=tuple(paragraphs),
                      signature=agency.name, issued_on=issued_on, service_method=method,
                      served_on=parse_date(f.get("served_on")), decision=decision,
                      electronic_service=str(method_code) in ELECTRONIC_METHODS, facts=tuple(facts),
                      clause_versions=clauses.versions())
