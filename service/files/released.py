"""Released documents (公开的信息): their page count, and the check that a reply which says the
information is provided with it really has the files attached (with the page count it states).

``released_pages`` is what the 按量 fee counts (国办函〔2020〕109号, per page) and what the reply's
"（共N页）" must say. The check runs with the letter element check when a reply is issued
(``service.requests.service.act``): a reply that says 随本答复书提供 / 随附 / 附后 / 见附件 while no
``released`` file is attached lacks ``released_documents``; one that states 共N页 when the attached
files have another number of pages lacks ``released_pages``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from service.files.service import released_files, released_pages

__all__ = ["check_reply", "released_pages", "says_provided"]

# Wordings that say the information travels with the reply (not a route or a place to fetch it).
_PROVIDED_WITH = re.compile(r"随(?:本|此)?(?:答复书?|告知书|函|件|文)|随附|附后|见附件|附件[一二三四五六七八九十\d]|一并(?:提供|寄送|送达|寄出)")
_PAGES = re.compile(r"共\s*(\d{1,6})\s*页")
_DISCLOSING = ("disclose", "partial")


def says_provided(text: str) -> bool:
    """Whether a reply's text says the information is provided with it."""
    return bool(_PROVIDED_WITH.search(text))


def check_reply(*, session: Session, request_id: int, kind: str, fields: dict[str, Any]) -> list[str]:
    """Missing element codes of a reply about its released documents (empty when consistent)."""
    if kind != "reply" or fields.get("decision") not in _DISCLOSING:
        return []
    text = "".join(str(fields.get(k) or "") for k in ("disclosure", "obtain_by"))
    files = released_files(session=session, request_id=request_id)
    missing: list[str] = []
    if says_provided(text) and not files:
        missing.append("released_documents")
    stated = _PAGES.search(text)
    if stated and files and int(stated.group(1)) != sum(f.pages for f in files):
        missing.append("released_pages")
    return missing
