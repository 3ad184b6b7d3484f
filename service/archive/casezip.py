"""The case file's originals as a ZIP with a manifest: every letter as issued (the stored HTML snapshot,
whose hash is the letter's recorded sha256, and its PDF rendering), every attachment as uploaded, the
case-file PDF, and ``manifest.json`` listing each file with its sha256 and size.

Files are copied into the archive in chunks (``ZipFile.open(name, "w")``), so a large attachment
never sits in memory whole.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterable
from datetime import date
from typing import Any, BinaryIO

from sqlmodel import Session

from service.archive import repository
from service.archive.casefile import Document, write_case_pdf
from service.base import utcnow
from service.files.kinds import KINDS
from service.files.storage import CHUNK, Store
from service.requests.models import RequestRecord


def _safe(name: str) -> str:
    # Entry names stay inside the ZIP: no separators, no control characters.
    return re.sub(r"[\\/\x00-\x1f]", "_", name)


def _write(zf: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with zf.open(name, "w", force_zip64=True) as fh:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            fh.write(chunk)
    return digest.hexdigest(), size


def _chunks_of(fh: BinaryIO) -> Iterable[bytes]:
    while chunk := fh.read(CHUNK):
        yield chunk


def write_case_zip(*, session: Session, record: RequestRecord, out: BinaryIO, store: Store, today: date,
                   scratch: BinaryIO) -> dict[str, Any]:
    """Write the ZIP of ``record``'s case file to ``out`` (``scratch``: a temporary file for the PDF);
    returns the manifest."""
    archive = repository.for_request(session=session, request_id=record.id)  # type: ignore[arg-type]
    docs: list[Document] = write_case_pdf(session=session, record=record, out=scratch, store=store, today=today)
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        scratch.seek(0)
        sha, size = _write(zf, "case-file.pdf", _chunks_of(scratch))
        files.append({"path": "case-file.pdf", "sha256": sha, "size": size, "what": "卷宗 PDF"})
        for n, doc in enumerate(docs, start=1):
            entry: dict[str, Any] = {"no": n, "title": doc.title, "number": doc.number, "date": doc.day.isoformat(),
                                     "pages": doc.pages, "first_page": doc.first_page}
            if doc.letter is not None:
                letter = doc.letter
                base = f"{n:02d}-letter-{_safe(letter.number)}"
                sha, size = _write(zf, f"{base}.html", [letter.html.encode("utf-8")])
                files.append({**entry, "path": f"{base}.html", "sha256": sha, "size": size, "what": "文书（签发原文）",
                              "recorded_sha256": letter.sha256})
                pdf = doc.pdf() if doc.pdf else b""
                sha, size = _write(zf, f"{base}.pdf", [pdf if isinstance(pdf, bytes) else pdf.read()])
                files.append({**entry, "path": f"{base}.pdf", "sha256": sha, "size": size, "what": "文书 PDF"})
            elif doc.attachment is not None:
                att = doc.attachment
                name = f"{n:02d}-{att.kind}-{_safe(att.filename)}"
                sha, size = _write(zf, name, store.iter_bytes(att.sha256))
                files.append({**entry, "path": name, "sha256": sha, "size": size,
                              "what": KINDS.get(att.kind, att.kind), "type": att.file_type,
                              "recorded_sha256": att.sha256,
                              **({"service_id": att.service_id} if att.service_id is not None else {})})
        manifest = {
            "request": record.number, "archive_number": archive.number if archive else None,
            "retention": archive.retention if archive else None, "year": archive.year if archive else None,
            "generated_at": utcnow().isoformat(), "files": files,
        }
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest
