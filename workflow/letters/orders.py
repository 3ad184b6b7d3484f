"""Typed letter orders: the structured parts a reply decision needs, checked before a letter is made.

A reply order carries lists as lists and records as records (LAW.md §5): the withheld parts of a
部分公开 as ``[{what, category, article, explanation}]``, a publication as ``{title, where}``, a
competent agency as ``{name, contact}``. :func:`reply_parts` turns an action's fields into
:class:`ReplyParts`, normalising every typed value (:mod:`workflow.letters.normalise`) and raising
:class:`InvalidField` naming the missing or malformed part (HTTP 422). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workflow.errors import InvalidField
from workflow.letters.normalise import clause, items, name

WITHHOLD_CATEGORIES = range(1, 9)
# Categories whose sentence cannot stand without the typed explanation: the law that forbids
# disclosure (2), the query procedure to use (8).
EXPLANATION_REQUIRED = {2: "name the law or administrative regulation that forbids disclosure",
                        8: "name the query procedure the applicant should use"}
# The desk's textarea: one withheld part per line, "部分｜类别编号｜说明".
_LINE_SPLIT = re.compile(r"[｜|]")


@dataclass(frozen=True)
class WithheldPart:
    """One part of the requested information that is not disclosed, with its reason (Art. 37)."""

    what: str
    category: int
    explanation: str = ""
    article: str = ""  # filled from the decision → article map when not given


@dataclass(frozen=True)
class Publication:
    """A public publication (Art. 39 ¶2): what it is and where it can be had."""

    title: str
    where: str


@dataclass(frozen=True)
class CompetentAgency:
    """The agency responsible for disclosing the information (Art. 36(5)), when it can be determined."""

    name: str
    contact: str = ""


@dataclass(frozen=True)
class ReplyParts:
    """A reply decision's structured parts, every text normalised."""

    decision: str
    texts: Mapping[str, str]
    withheld: tuple[WithheldPart, ...] = ()
    category: int | None = None
    publication: Publication | None = None
    competent: CompetentAgency | None = None
    unclear_points: tuple[str, ...] = ()


def _category(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise InvalidField(field, "must be a number 1–8 (不予公开 reason category)", code="letter.withhold_category")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidField(field, "must be a number 1–8 (不予公开 reason category)",
                           code="letter.withhold_category") from None
    if number not in WITHHOLD_CATEGORIES:
        raise InvalidField(field, "must be a number 1–8 (不予公开 reason category)", code="letter.withhold_category")
    return number


def _part(raw: Any, index: int) -> WithheldPart:
    where = f"withheld_parts[{index}]"
    if isinstance(raw, str):
        cells = [c.strip() for c in _LINE_SPLIT.split(raw)]
        if len(cells) < 2:
            raise InvalidField(where, "one line per withheld part: 部分｜理由类别(1–8)｜说明", code="letter.withheld_part_line")
        raw = {"what": cells[0], "category": cells[1], "explanation": "｜".join(cells[2:])}
    if not isinstance(raw, Mapping):
        raise InvalidField(where, "must be an object {what, category, explanation}", code="letter.withheld_part_object")
    what = clause(raw.get("what") or raw.get("part"))
    if not what:
        raise InvalidField(f"{where}.what", "say which part is withheld", code="letter.withheld_what")
    category = _category(raw.get("category", raw.get("withhold_reason")), f"{where}.category")
    explanation = clause(raw.get("explanation") or raw.get("reason"))
    if category in EXPLANATION_REQUIRED and not explanation:
        raise InvalidField(f"{where}.explanation", EXPLANATION_REQUIRED[category], code="letter.explanation_required",
                           category=category)
    return WithheldPart(what=what, category=category, explanation=explanation, article=clause(raw.get("article")))


def _withheld(fields: Mapping[str, Any]) -> tuple[WithheldPart, ...]:
    raw = fields.get("withheld_parts", fields.get("withheld_reasons"))
    if isinstance(raw, str) and raw.strip():
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise InvalidField("withheld_parts", "list the withheld parts: [{what, category (1–8), explanation}]",
                           code="letter.withheld_parts_required")
    return tuple(_part(x, i) for i, x in enumerate(raw))


def _required_text(fields: Mapping[str, Any], key: str, why: str) -> str:
    text = clause(fields.get(key))
    if not text:
        raise InvalidField(key, why, code="letter.text_required")
    return text


def reply_parts(decision: str, fields: Mapping[str, Any]) -> ReplyParts:
    """The structured, normalised parts of a reply with decision ``decision``; InvalidField names what is missing."""
    texts = {k: clause(v) for k, v in fields.items() if isinstance(v, str)}
    withheld: tuple[WithheldPart, ...] = ()
    category = None
    publication = None
    competent = None
    unclear: tuple[str, ...] = ()
    if decision in ("disclose", "partial"):
        _required_text(fields, "disclosure", "state the information disclosed or how, where and when to get it")
    if decision == "partial":
        withheld = _withheld(fields)
    elif decision == "already_public":
        _required_text(fields, "access_route", "how and where the published information can be had")
    elif decision == "withhold":
        category = _category(fields.get("withhold_reason", fields.get("category", fields.get("reason"))),
                             "withhold_reason")
        explanation = fields.get("explanation")
        if explanation is None and not str(fields.get("reason", "")).strip().isdigit():
            explanation = fields.get("reason_text", fields.get("reason"))
        texts = {**texts, "explanation": clause(explanation)}
        if category in EXPLANATION_REQUIRED and not texts["explanation"]:
            raise InvalidField("explanation", EXPLANATION_REQUIRED[category], code="letter.explanation_required",
                               category=category)
    elif decision == "not_this_agency":
        _required_text(fields, "reason", "why the information is not this agency's to disclose")
        raw = fields.get("competent_agency")
        if isinstance(raw, Mapping):
            agency_name = name(raw.get("name"))
            if not agency_name:
                raise InvalidField("competent_agency.name", "the competent agency's name (or leave it out)",
                                   code="letter.competent_name")
            competent = CompetentAgency(agency_name, clause(raw.get("contact")))
        elif isinstance(raw, str) and raw.strip():
            competent = CompetentAgency(name(raw), clause(fields.get("competent_contact")))
    elif decision == "still_unclear":
        unclear = tuple(items(fields.get("unclear_points")))
        if not unclear:
            raise InvalidField("unclear_points", "say what remained unclear after the correction",
                               code="letter.unclear_points")
    elif decision == "repeat":
        _required_text(fields, "previous_reply_ref", "the earlier reply (its number or date)")
    elif decision == "publication":
        raw = fields.get("publication")
        if isinstance(raw, Mapping):
            title, where = clause(raw.get("title")), clause(raw.get("where"))
        else:
            title, where = clause(fields.get("publication_title")), clause(fields.get("where_to_obtain"))
        if not where:
            raise InvalidField("publication.where", "where the publication can be had (Art. 39 ¶2)",
                               code="letter.publication_where")
        publication = Publication(title=title or "信息", where=where)
    elif decision in ("excessive", "confirm_reissue"):
        _required_text(fields, "reason", "the reasons of this decision")
    elif decision == "registry":
        _required_text(fields, "law_and_procedure", "the law and the procedure the applicant should use")
    return ReplyParts(decision=decision, texts=texts, withheld=withheld, category=category,
                      publication=publication, competent=competent, unclear_points=unclear)
