"""The case file (卷宗) of one request as one PDF: cover (案卷封面), 卷内目录 (each document with its
number, date, first page and pages), then the documents in order: every letter, the handling record
(draft history and service records in brief), the proofs of each service record (送达回证, EMS print),
other service proofs, then the other attachments by kind. PDF and image attachments are merged page by page; other types
(OFD, DOCX, XLSX) are listed in the 卷内目录 and travel in the ZIP.

Pages are numbered from the first document (the cover and the 卷内目录 are front matter). The PDF is
written to a stream one document at a time, so memory stays at the size of the largest document.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session

from service.agencies.models import Agency
from service.archive import repository
from service.archive.models import ArchiveRecord
from service.files import repository as files_repository
from service.files.kinds import KINDS, kind_order
from service.files.models import Attachment
from service.files.storage import Store
from service.requests.models import RequestRecord
from service.web.deps import cn_date

_ENV = Environment(loader=FileSystemLoader(str(Path(__file__).with_name("templates"))),
                   autoescape=select_autoescape(["html"]))
_ENV.filters["cn_date"] = cn_date
_ENV.filters["cn_compact"] = lambda d: d.strftime("%Y%m%d") if d else ""
MERGED_TYPES = ("PDF", "JPEG", "PNG", "TIFF")


@dataclass
class Document:
    """One entry of the 卷内目录 and where its pages come from."""

    title: str
    number: str
    author: str
    day: date
    pages: int
    merged: bool
    note: str = ""
    first_page: int | None = None
    # Produces the document as PDF bytes or a readable PDF file (None for listed-only documents).
    pdf: Callable[[], bytes | BinaryIO] | None = field(default=None, repr=False)
    attachment: Attachment | None = field(default=None, repr=False)
    letter: Any = field(default=None, repr=False)


def _letter_pdf(html: str) -> Callable[[], bytes]:
    def render() -> bytes:
        from service.letters.render import html_to_pdf

        return html_to_pdf(html)

    return render


def _image_pdf(store: Store, sha256: str) -> Callable[[], bytes]:
    def convert() -> bytes:
        from PIL import Image, ImageSequence

        with store.open(sha256) as fh, Image.open(fh) as img:
            frames = [f.convert("RGB") for f in ImageSequence.Iterator(img)]
        buf = io.BytesIO()
        frames[0].save(buf, format="PDF", save_all=True, append_images=frames[1:], resolution=150)
        return buf.getvalue()

    return convert


def _file_pdf(store: Store, sha256: str) -> Callable[[], BinaryIO]:
    return lambda: store.open(sha256)


def _attachment_doc(att: Attachment, store: Store, applicant: str, agency: Agency) -> Document:
    author = agency.name if att.kind in ("released", "signed_reply", "service_proof") else applicant
    if att.kind == "third_party_opinion":
        author = "第三方"
    merged = att.file_type in MERGED_TYPES
    source = (_file_pdf(store, att.sha256) if att.file_type == "PDF"
              else _image_pdf(store, att.sha256) if merged else None)
    note = "" if merged else f"{att.file_type} 文件，未并入，原件见 ZIP"
    return Document(title=f"{KINDS.get(att.kind, att.kind)}：{att.filename}", number="", author=author,
                    day=att.uploaded_at.date(), pages=att.pages, merged=merged, note=note, pdf=source, attachment=att)


def documents(*, session: Session, record: RequestRecord, agency: Agency, store: Store,
              applicant: str) -> list[Document]:
    """The case file's documents in filing order, with their first pages numbered."""
    from service.letters import repository as letters_repository

    docs: list[Document] = []
    for letter in sorted(letters_repository.for_request(session=session, request_id=record.id),  # type: ignore[arg-type]
                         key=lambda x: x.id or 0):  # order of issue (a case entered afterwards keeps it)
        render = _letter_pdf(letter.html)
        pdf = render()
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        docs.append(Document(title=letter.title, number=letter.number, author=agency.name, day=letter.issued_on,
                             pages=pages, merged=True, note="已被更正" if _superseded(session, letter) else "",
                             pdf=(lambda data=pdf: data), letter=letter))
    brief = _handling_record(session=session, record=record, agency=agency)
    if brief is not None:
        docs.append(brief)
    atts = files_repository.for_request(session=session, request_id=record.id)  # type: ignore[arg-type]
    # Right after the service records: each record's proofs in letter order, then proofs filed on the case.
    numbers = {x.id: x.number for x in letters_repository.for_request(session=session, request_id=record.id)}  # type: ignore[arg-type]
    on_records = sorted((a for a in atts if a.service_id is not None), key=lambda a: (a.letter_id or 0, a.id))
    proofs = [a for a in atts if a.kind == "service_proof" and a.service_id is None]
    others = sorted((a for a in atts if a.kind != "service_proof" and a.service_id is None),
                    key=lambda a: (kind_order(a.kind), a.id))
    for a in [*on_records, *proofs, *others]:
        doc = _attachment_doc(a, store, applicant, agency)
        if a.service_id is not None:
            doc.title = f"{KINDS.get(a.kind, a.kind)}（{numbers.get(a.letter_id, '')}送达）：{a.filename}"
        docs.append(doc)
    page = 1
    for doc in docs:
        if doc.merged:
            doc.first_page = page
            page += doc.pages
    return docs


def _handling_record(*, session: Session, record: RequestRecord, agency: Agency) -> Document | None:
    """The draft history (分办、拟稿、审核、退回、签发) and the service records in brief, as one document
    (None when the case has neither)."""
    from sqlmodel import select

    from service.delivery.models import LetterService
    from service.drafts.models import Draft, WorkStep
    from service.letters.models import Letter
    from service.letters.service import SERVICE_METHODS
    from service.users.models import User
    from workflow.drafts import STAGE_LABELS

    steps = list(session.exec(select(WorkStep).where(WorkStep.request_id == record.id).order_by(WorkStep.id)))
    services = list(session.exec(select(LetterService, Letter).join(Letter, Letter.id == LetterService.letter_id)
                                 .where(LetterService.request_id == record.id).order_by(LetterService.id)))
    if not steps and not services:
        return None
    users = {u.id: u.display_name or u.username for u in session.exec(select(User))} if steps else {}
    drafts = {d.id: d.action for d in session.exec(select(Draft).where(Draft.request_id == record.id))}
    labels = {**STAGE_LABELS, "return": "退回修改"}
    step_rows = [{"day": cn_date(s.done_on), "stage": labels.get(s.stage, s.stage), "actor": users.get(s.actor_id, ""),
                  "action": drafts.get(s.draft_id, "") if s.draft_id else "", "version": s.version,
                  "comment": (s.comment or "")[:80]} for s in steps]
    proofs: dict[int, list[str]] = {}
    for att in files_repository.for_request(session=session, request_id=record.id):  # type: ignore[arg-type]
        if att.service_id is not None:
            proofs.setdefault(att.service_id, []).append(att.filename)
    service_rows = [{"letter": f"{letter.title} {letter.number}", "method": SERVICE_METHODS.get(svc.method, svc.method),
                     "ems": svc.ems_number, "sent": cn_date(svc.sent_on), "received": cn_date(svc.received_on),
                     "proofs": proofs.get(svc.id, [])}  # type: ignore[arg-type]
                    for svc, letter in services]
    html = _ENV.get_template("record.html").render(record=record, steps=step_rows, services=service_rows)

    def render() -> bytes:
        from service.letters.render import html_to_pdf

        return html_to_pdf(html)

    pdf = render()
    from pypdf import PdfReader

    days = [s.done_on for s in steps] + [svc.sent_on for svc, _ in services]
    return Document(title="办理记录（拟稿审签与送达，简要）", number="", author=agency.name, day=max(days),
                    pages=len(PdfReader(io.BytesIO(pdf)).pages), merged=True, pdf=(lambda data=pdf: data))


def _superseded(session: Session, letter: Any) -> bool:
    from service.letters import repository as letters_repository

    return letters_repository.superseded_by(session=session, letter_id=letter.id) is not None


def front_matter(*, record: RequestRecord, agency: Agency, archive: ArchiveRecord | None, docs: list[Document],
                 applicant: str, today: date) -> bytes:
    """The cover and the 卷内目录 as PDF bytes."""
    from service.letters.render import html_to_pdf

    days = [d.day for d in docs] + ([archive.archived_on] if archive else [])
    title = f"{agency.name}关于{applicant}政府信息公开申请的办理材料"
    html = _ENV.get_template("front.html").render(
        title=title, record=record, agency=agency, archive=archive, docs=docs, today=today,
        total_pages=sum(d.pages for d in docs if d.merged),
        first_day=record.received_on or (min(days) if days else today), last_day=max(days) if days else today)
    return html_to_pdf(html)


def write_case_pdf(*, session: Session, record: RequestRecord, out: BinaryIO, store: Store,
                   today: date) -> list[Document]:
    """Write the whole case file PDF of ``record`` to ``out``; returns its documents (the 卷内目录)."""
    from pypdf import PdfReader, PdfWriter

    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    archive = repository.for_request(session=session, request_id=record.id)  # type: ignore[arg-type]
    applicant = record.applicant_name
    docs = documents(session=session, record=record, agency=agency, store=store, applicant=applicant)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front_matter(record=record, agency=agency, archive=archive, docs=docs,
                                                    applicant=applicant, today=today))))
    opened: list[BinaryIO] = []
    try:
        for doc in docs:
            if not doc.merged or doc.pdf is None:
                continue
            source = doc.pdf()
            if isinstance(source, bytes):
                source = io.BytesIO(source)
            else:
                opened.append(source)
            writer.append(PdfReader(source, strict=False))
        writer.write(out)
    finally:
        for fh in opened:
            fh.close()
    return docs
