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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from service.base import utcnow
from service.counters import format_number, next_number
from service.letters import repository
from service.letters.extract import extract
from service.letters.models import Letter
from service.letters.render import html_to_pdf
from service.letters.templates import kind as letter_kind
from service.letters.templates import render_html
from service.settings import get_settings
from workflow.errors import Conflict, InvalidField, NotFound
from workflow.events import REPLY_DEFECT, AssessmentEvent, LetterOrder
from workflow.legal import clauses_on
from workflow.letters.check import Expect, check_composed, check_text
from workflow.letters.compose import SERVICE_METHODS, AgencyProfile, LetterText, compose
from workflow.letters.compose import facts_of as compose_facts
from workflow.replies import ElementReport

__all__ = ["SERVICE_METHODS", "build_context", "check_order", "issue", "supersede", "facts_of"]


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


def _profile(agency: Any, seal: Seal) -> AgencyProfile:
    return AgencyProfile.of(agency, e_seal=seal.image is not None)


def compose_order(*, case: Any, order: LetterOrder, agency: Any, seal: Seal) -> LetterText:
    """The printed text of ``order`` (pure composition in :mod:`workflow.letters.compose`)."""
    return compose(order.kind, order.issued_on, order.fields, case=case, agency=_profile(agency, seal))


def build_context(*, case: Any, order: LetterOrder, agency: Any, number: str | None,
                  seal_confirmed: bool = False, text: LetterText | None = None) -> dict[str, Any]:
    """The template context of the letter ``order`` for ``case`` from ``agency`` (``number`` None: a preview)."""
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    text = text or compose_order(case=case, order=order, agency=agency, seal=seal)
    fields = order.fields
    return {
        "letter": {"kind": order.kind, "number": number, "title": text.title,
                   "request_number": getattr(case, "number", None) or fields.get("request_number"),
                   "supersedes": fields.get("supersedes"), "correction_reason": fields.get("correction_reason")},
        "agency": {"name": agency.name, "code": agency.code, "contact": getattr(agency, "contact", "") or ""},
        "text": text,
        "seal": {"image": seal.image},
        "clauses": clauses_on(order.issued_on),
    }


def _expect(agency: Any, day: date) -> Expect:
    return Expect(agency_name=agency.name, reconsideration_body=(getattr(agency, "reconsideration_body", "") or "").strip(),
                  court=(getattr(agency, "court", "") or "").strip(),
                  vertically_managed=bool(getattr(agency, "vertically_managed", False)), day=day)


def registered_seal(agency: Any) -> bytes | None:
    """The agency's registered e-seal image file, if configured."""
    path = Path(get_settings().seal_dir) / f"{agency.code}.png"
    return path.read_bytes() if path.is_file() else None


def printed_check(*, pdf: bytes, text: LetterText, agency: Any, seal: Seal) -> list[str]:
    """The element check on what the rendered PDF prints (the extractor and checker of uploads).

    The seal counts when the registered e-seal image is on the page (matched) or, for a wet stamp,
    when the issuer confirmed stamping a paper letter; a letter served electronically needs the e-seal.
    """
    got = extract(pdf, registered_seal=registered_seal(agency), ocr=False, stamp=False)
    on_page = got.seal_kind == "registered"
    wet = seal.image is None and seal.confirmed and not text.electronic_service
    report = check_text(got.text, kind=text.kind, decision=text.decision, facts=text.facts, seal=on_page or wet,
                        expect=_expect(agency, text.issued_on))
    missing = list(report.missing)
    if text.electronic_service and seal.image is None and text.kind != "receipt":
        missing.append("seal:electronic_service")
    return missing


def check_order(*, case: Any, order: LetterOrder, agency: Any, seal_confirmed: bool) -> list[str]:
    """Missing element codes of the letter ``order`` would print (empty: complete), before it is issued.

    Pure composition and the checker of printed text (:func:`workflow.letters.check.check_composed`),
    with a provisional number of the right form; :func:`issue` checks the rendered PDF again. Raises
    ``InvalidField`` (a missing structured part) and ``MissingFact`` (a fact the case does not show).
    """
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    text = compose_order(case=case, order=order, agency=agency, seal=seal)
    meta = letter_kind(order.kind)
    number = format_number(number_prefix(getattr(agency, "letter_prefix", "") or "", meta.suffix), order.issued_on.year, 0)
    return check_composed(text, agency=_profile(agency, seal), number=number, seal_confirmed=seal.confirmed)


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


def printed_missing(*, case: Any, order: LetterOrder, agency: Any, seal_confirmed: bool = False) -> list[str]:
    """What the printed letter ``order`` would lack: rendered to PDF and read back (the slow part of
    issuing, about a page layout), with a stand-in number of the letter number's form.

    Done before the gap-free number is taken, so the counter's row lock (or SQLite's write slot) is
    held for the insert only, not for a page layout (issue 14: the counter taken last)."""
    meta = letter_kind(order.kind)
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    text = compose_order(case=case, order=order, agency=agency, seal=seal)
    stand_in = format_number(number_prefix(agency.letter_prefix, meta.suffix), order.issued_on.year, 0)
    context = build_context(case=case, order=order, agency=agency, number=stand_in, seal_confirmed=seal_confirmed,
                            text=text)
    return printed_check(pdf=html_to_pdf(render_html(context)), text=text, agency=agency, seal=seal)


def issue(*, session: Session, request_id: int, case: Any, order: LetterOrder, agency: Any,
          actor_user_id: int | None, forced_missing: Sequence[str] = (), seal_confirmed: bool = False,
          supersedes: Letter | None = None, printed: Sequence[str] | None = None) -> Letter:
    """Number, render and store one letter inside the caller's transaction (no commit).

    Checks the printed letter first (:func:`printed_missing`, or ``printed`` when the caller already
    did), then takes the next number of (agency, kind, year of issue), renders the HTML snapshot with
    the law in force on the issue date and stores it; the stored letter is never changed afterwards.
    The missing elements recorded are ``forced_missing`` when the caller forced the issue, else what
    the check found (so a letter issued without a confirmed seal says so).
    """
    if printed is None:
        printed = printed_missing(case=case, order=order, agency=agency, seal_confirmed=seal_confirmed)
    printed = list(printed)
    meta = letter_kind(order.kind)
    seal = seal_for(agency, confirmed=seal_confirmed or bool(order.fields.get("seal_confirmed")))
    text = compose_order(case=case, order=order, agency=agency, seal=seal)
    year = order.issued_on.year
    seq = next_number(session=session, agency_id=agency.id, series=number_series(order.kind), year=year)
    number = format_number(number_prefix(agency.letter_prefix, meta.suffix), year, seq)
    context = build_context(case=case, order=order, agency=agency, number=number, seal_confirmed=seal_confirmed,
                            text=text)
    html = render_html(context)
    missing = list(dict.fromkeys([*forced_missing, *printed])) if forced_missing else printed
    letter = Letter(
        request_id=request_id, agency_id=agency.id, kind=order.kind,
        decision=text.decision,
        year=year, seq=seq, number=number, title=text.title, issued_on=order.issued_on,
        addressee=text.addressee, html=html, sha256=hashlib.sha256(html.encode()).hexdigest(),
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
        raise InvalidField("kind", f"a {old.kind} letter is corrected by a {old.kind} letter, not {order.kind}",
                           code="letter.correction_kind")
    if repository.superseded_by(session=session, letter_id=letter_id) is not None:
        raise Conflict("letter is already superseded; correct the newest version", code="reissue.already_superseded",
                       letter_id=letter_id)
    if not reason.strip():
        raise InvalidField("reason", "say what the correction changes", code="reissue.reason_required")
    fields = {**order.fields, "supersedes": old.number, "correction_reason": reason.strip()}
    return issue(session=session, request_id=old.request_id, case=case,
                 order=LetterOrder(order.kind, order.issued_on, fields), agency=agency,
                 actor_user_id=actor_user_id, forced_missing=forced_missing, seal_confirmed=seal_confirmed,
                 supersedes=old)


def facts_of(case: Any, day: date | None = None) -> tuple[str, ...]:
    """The case facts (correction, consultation, fee, extension) a reply to ``case`` must state."""
    return tuple(sorted(compose_facts(case, day or date.today())))


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
