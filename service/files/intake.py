"""One upload from an HTTP request, for the API and the desk alike: refuse before reading the body,
stream it to a scratch file, sniff it, attach it (to the request, a letter or a service record)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service.files import service
from service.files.models import Attachment
from service.files.sniff import sniff
from service.files.storage import get_store
from service.files.upload import receive
from service.settings import get_settings
from service.users.models import User


async def upload(*, request: Request, session: Session, user: User, visible: set[int], request_id: int,
                 service_id: int | None = None,
                 check_fields: Callable[[dict[str, str]], Any] | None = None) -> Attachment:
    """Receive the multipart body of ``request`` and attach its file to request ``request_id``.

    The caller has already checked the target (visible request, role, open case) so nothing is read
    for a refused upload. ``check_fields`` sees the text fields before the file is kept (the desk's
    CSRF token). With ``service_id`` the file is that service record's proof.
    """
    store = get_store()
    with store.temp_file() as (fh, path):
        received = await receive(chunks=request.stream(), content_type=request.headers.get("content-type"),
                                 content_length=request.headers.get("content-length"), store=store, fh=fh,
                                 path=path, limit=get_settings().max_upload_mb * 1024 * 1024)
        if check_fields is not None:
            check_fields(received.fields)
        sniffed = await run_in_threadpool(sniff, path)
        target = service_id if service_id is not None else received.fields.get("service_id")
        return await run_in_threadpool(service.attach, session=session, user=user, visible=visible,
                                       request_id=request_id, kind=received.fields.get("kind"),
                                       letter_id=received.fields.get("letter_id"), received=received,
                                       sniffed=sniffed, store=store, service_id=target)
