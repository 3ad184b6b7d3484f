"""Attachment use cases: attach an uploaded file to a request (and its event chain), find what a user
may see, count released pages, and verify that stored files are the ones the chain recorded.

Everything runs in the caller's transaction and never commits. The upload itself (streaming, hashing,
sniffing) happens before, in :mod:`service.files.upload` and :mod:`service.files.sniff`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from service.agencies.models import Agency
from service.base import utcnow
from service.files import repository
from service.files.errors import FileConflict, FileInvalid
from service.files.kinds import KINDS, kind_code
from service.files.models import Attachment
from service.files.names import safe_filename
from service.files.sniff import Sniffed
from service.files.storage import Store
from service.files.upload import Received
from service.requests import eventlog
from service.requests.context import local_today
from service.requests.models import RequestEvent, RequestRecord
from service.users.models import User
from workflow.errors import NotFound
from workflow.events import DomainEvent

FILE_EVENT = "file_attached"
UPLOADING_ROLES = ("clerk", "handler", "approver")
SERVICE_KINDS = ("service_proof", "other")  # what a service record's proof may be


def _request_visible(*, session: Session, request_id: int, visible: set[int], lock: bool = False) -> RequestRecord:
    from service.requests.service import get_visible

    return get_visible(session=session, request_id=request_id, visible=visible, lock=lock)


def _row_of(session: Session, model: type, value: Any, request_id: int, *, field: str, code: str, what: str) -> Any:
    """The row of ``model`` whose id was sent in ``field``, if it belongs to the request (422 naming ``field``
    otherwise); None when the field is empty."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) > 2_147_483_647:
        raise FileInvalid(field, code, f"not a {what} id")
    row = session.get(model, int(text))
    if row is None or row.request_id != request_id:
        raise FileInvalid(field, code, f"{what} {text} is not one of this request")
    return row


def _letter_of(session: Session, letter_id: Any, request_id: int) -> int | None:
    from service.letters.models import Letter

    row = _row_of(session, Letter, letter_id, request_id, field="letter_id", code="not_this_letter", what="letter")
    return None if row is None else row.id


def _service_of(session: Session, service_id: Any, request_id: int) -> Any:
    from service.delivery.models import LetterService

    return _row_of(session, LetterService, service_id, request_id, field="service_id", code="not_this_service",
                   what="service record")


def service_record_of_letter(*, session: Session, user: User, visible: set[int], letter_id: int) -> Any:
    """The service record of a letter the user may see, before an upload's body is read: 404 for an
    unknown or another unit's letter, 409 when the letter's service is not recorded yet."""
    from service.delivery.service import get, visible_letter

    letter = visible_letter(session=session, letter_id=letter_id, visible=visible)
    row = get(session=session, letter_id=letter_id)
    if row is None:
        raise FileConflict("no_service_record", "record the letter's service first; its proof attaches to that record",
                           letter_id=letter.id)
    check_can_attach(session=session, user=user, visible=visible, request_id=letter.request_id)
    return row


def visible_request(*, session: Session, request_id: int, visible: set[int]) -> RequestRecord:
    """The request if the user may see it (404 otherwise)."""
    return _request_visible(session=session, request_id=request_id, visible=visible)


def check_can_attach(*, session: Session, user: User, visible: set[int], request_id: int) -> RequestRecord:
    """Refuse an upload before its body is read: unknown or other unit's request (404), role, archived case."""
    if user.role not in UPLOADING_ROLES:
        raise FileConflict("role", f"role {user.role} does not attach files", field="role")
    record = _request_visible(session=session, request_id=request_id, visible=visible)
    if record.status == "archived":
        raise FileConflict("archived", "the case is archived: its case file is closed", state="archived")
    return record


def attach(*, session: Session, user: User, visible: set[int], request_id: int, kind: str | None,
           letter_id: Any, received: Received, sniffed: Sniffed, store: Store,
           now: datetime | None = None, service_id: Any = None) -> Attachment:
    """Keep the received file under its hash and attach it to the request: one row and one
    ``file_attached`` event (with the sha256) on the request's chain, in one transaction.

    With ``service_id`` the file is a proof of that service record of the request (送达回证 by default,
    or 其他) and belongs to the record's letter as well."""
    now = now or utcnow()
    if service_id not in (None, "") and not (kind or "").strip():
        kind = "service_proof"
    code = kind_code(kind)
    if user.role not in UPLOADING_ROLES:
        raise FileConflict("role", f"role {user.role} does not attach files", field="role")
    record = _request_visible(session=session, request_id=request_id, visible=visible, lock=True)
    if record.status == "archived":
        raise FileConflict("archived", "the case is archived: its case file is closed", state="archived")
    letter = _letter_of(session, letter_id, request_id)
    proof_of = _service_of(session, service_id, request_id)
    if proof_of is not None:
        if code not in SERVICE_KINDS:
            raise FileInvalid("kind", "kind_not_for_service", "a service record takes 送达回证 (service_proof) or 其他 "
                                                               "(other)", kinds="、".join(KINDS[k] for k in SERVICE_KINDS))
        if letter is not None and letter != proof_of.letter_id:
            raise FileInvalid("letter_id", "not_this_letter", "the letter is not the service record's letter")
        letter = proof_of.letter_id
    agency = session.get(Agency, record.agency_id)
    assert agency is not None and received.path is not None
    store.put(received.path, received.sha256)
    name = safe_filename(received.filename, fallback_ext=sniffed.extension)
    row = Attachment(request_id=record.id, letter_id=letter, service_id=proof_of.id if proof_of else None, kind=code, filename=name,  # type: ignore[arg-type]
                     media_type=sniffed.media_type, file_type=sniffed.file_type, size=received.size,
                     sha256=received.sha256, pages=sniffed.pages, event_seq=record.event_count + 1,
                     uploaded_by=user.id, uploaded_at=now)
    session.add(row)
    session.flush()
    data = {"attachment": row.id, "kind": code, "name": name, "sha256": row.sha256, "size": row.size,
            "type": row.file_type, "pages": row.pages}
    if letter is not None:
        data["letter"] = letter
    if proof_of is not None:
        data["service"] = proof_of.id
    eventlog.append(session=session, record=record,
                    events=[DomainEvent(FILE_EVENT, local_today(agency, now), data)], actor_id=user.id, now=now)
    # Flushed here, so the audit ledger sees the new event before the commit seals it.
    session.flush()
    return row


def attach_bytes(*, session: Session, user: User, visible: set[int], request_id: int, kind: str, data: bytes,
                 filename: str, store: Store | None = None, now: datetime | None = None,
                 service_id: int | None = None) -> Attachment:
    """Attach a file given as bytes (demo data, imports, benchmarks, an e-mail delivery report kept as the
    proof of a service record with ``service_id``): the same checks and chain event as an upload."""
    import hashlib

    from service.files.sniff import sniff
    from service.files.storage import get_store

    store = store or get_store()
    with store.temp_file() as (fh, path):
        fh.write(data)
        fh.flush()
        received = Received(filename=filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(), path=path)
        return attach(session=session, user=user, visible=visible, request_id=request_id, kind=kind, letter_id=None,
                      received=received, sniffed=sniff(path), store=store, now=now, service_id=service_id)


def visible_attachment(*, session: Session, attachment_id: int, visible: set[int]) -> tuple[Attachment, RequestRecord]:
    """The attachment and its request, if the user may see the request (404 otherwise, as for the request)."""
    row = repository.get(session=session, attachment_id=attachment_id)
    if row is None:
        raise NotFound(f"attachment {attachment_id} not found")
    try:
        record = _request_visible(session=session, request_id=row.request_id, visible=visible)
    except NotFound:
        raise NotFound(f"attachment {attachment_id} not found") from None
    return row, record


def released_pages(*, session: Session, request_id: int) -> int:
    """Pages of the released documents (公开的信息) attached to a request, read from the files:
    what the 按量 fee counts and what a reply's "（共N页）" states."""
    return sum(a.pages for a in repository.for_request(session=session, request_id=request_id) if a.kind == "released")


def released_files(*, session: Session, request_id: int) -> list[Attachment]:
    """The released documents (公开的信息) attached to a request."""
    return [a for a in repository.for_request(session=session, request_id=request_id) if a.kind == "released"]


def out(row: Attachment) -> dict[str, Any]:
    """An attachment as the API shows it."""
    return {"id": row.id, "request_id": row.request_id, "letter_id": row.letter_id, "service_id": row.service_id,
            "kind": row.kind,
            "kind_label": KINDS.get(row.kind, row.kind), "filename": row.filename, "type": row.file_type,
            "media_type": row.media_type, "size": row.size, "sha256": row.sha256, "pages": row.pages,
            "event_seq": row.event_seq, "uploaded_at": row.uploaded_at,
            "download": f"/api/v1/attachments/{row.id}/content"}


@dataclass(frozen=True)
class FileProblem:
    """A stored file that does not match what the request's chain recorded."""

    request_id: int
    number: str
    attachment_id: int
    problem: str


def verify_files(*, session: Session, store: Store) -> Iterator[FileProblem]:
    """Check every attachment against its request's chain and the store: the ``file_attached`` event
    names it with the same hash, and the stored bytes still hash to it (a swapped, edited or missing
    file is reported). ``ogi audit verify`` calls this after checking the chains themselves."""
    numbers: dict[int, str] = {}
    for row in repository.every(session=session):
        if row.request_id not in numbers:
            rec = session.get(RequestRecord, row.request_id)
            numbers[row.request_id] = rec.number if rec else "?"
        number = numbers[row.request_id]
        event = session.exec(select(RequestEvent).where(RequestEvent.request_id == row.request_id,
                                                                  RequestEvent.seq == row.event_seq)).first()
        data = event.data if event is not None else {}
        if event is None or event.kind != FILE_EVENT or data.get("attachment") != row.id:
            yield FileProblem(row.request_id, number, row.id, "no upload event on the chain for this file")
        elif data.get("sha256") != row.sha256:
            yield FileProblem(row.request_id, number, row.id, "the file's hash differs from the one on the chain")
        found = store.digest(row.sha256)
        if found is None:
            yield FileProblem(row.request_id, number, row.id, "the stored file is missing")
        elif found != row.sha256:
            yield FileProblem(row.request_id, number, row.id, "the stored file was changed (its content no longer "
                                                              "matches the hash on the chain)")
