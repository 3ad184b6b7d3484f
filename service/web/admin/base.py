"""What every admin page shares: the admin-only dependency (anyone else gets 404), the tabs and the
page frame, the admin's units, and the reader for an uploaded units or calendar file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from service.agencies.models import Agency
from service.agencies.repository import all_agencies
from service.users.models import User
from service.web.deps import hidden_unless_role, render
from workflow.errors import InvalidField
from workflow.machine import Role

Admin = Annotated[User, Depends(hidden_unless_role(Role.ADMIN.value))]

# A units file or a year's calendar is a few kilobytes; a megabyte is far more than any real one.
MAX_UPLOAD_BYTES = 1_000_000
# The uploaded name is kept (the calendar checks that 2027.toml holds 2027, as the CLI does) only
# when it is a plain file name; anything else is renamed, never used as a path.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]{1,80}")
TABS = (("/admin/agencies", "单位"), ("/admin/users", "用户"), ("/admin/calendar", "日历"), ("/admin/schemes", "考核方案"),
        ("/admin/notify", "通知投递"))


def units_of(session: Session, visible: set[int]) -> list[Agency]:
    """The admin's units (own and below), by code."""
    return [a for a in all_agencies(session=session) if a.id in visible]


def admin_page(request: Request, session: Session, template: str, status_code: int = 200, **context: Any) -> Response:
    """An admin page in its frame (the tabs, the admin's unit, a flash from the query), with empty
    ``errors`` and ``values`` unless given."""
    context.setdefault("errors", {})
    context.setdefault("values", {})
    home = session.get(Agency, request.state.web_user.agency_id)
    return render(request, template, status_code=status_code, tabs=TABS, home=home.name if home else "",
                  flash=context.pop("flash", None) or request.query_params.get("flash"), **context)



def save_upload(form: FormData, directory: Path, suffixes: tuple[str, ...]) -> Path:
    """The form's ``file`` written into ``directory``; InvalidField("file") when missing or unfit."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidField("file", "required", code="field.required")
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidField("file", "file too large", code="file.too_large_upload")
    name = Path(upload.filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise InvalidField("file", f"must be a {' / '.join(suffixes)} file", code="file.wrong_type",
                           types=" / ".join(suffixes))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidField("file", "not UTF-8 text", code="file.not_utf8") from None
    path = directory / (name if _PLAIN_NAME.fullmatch(name) else f"upload{suffix}")
    path.write_bytes(data)
    return path
