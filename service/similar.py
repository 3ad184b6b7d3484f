"""Earlier requests by the same applicant or with near-identical content, so a 重复申请 decision is informed.

Shown at registration (the receipt page that follows it) and on the case page; also
``GET /api/v1/requests/{id}/similar``. Same applicant: the same ID key (workflow.identity). Near-identical
content: RapidFuzz's token-set ratio of the descriptions (characters, so it works for Chinese without a
word segmenter) at or above ``THRESHOLD``, among the unit's latest ``WINDOW`` requests.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from service.requests.models import RequestRecord

THRESHOLD = 85
WINDOW = 2000
LIMIT = 10


def similar(*, session: Session, record: RequestRecord) -> list[dict[str, Any]]:
    """Other requests of the unit by the same applicant, or whose description is near-identical."""
    rows = session.exec(select(RequestRecord).where(RequestRecord.agency_id == record.agency_id,
                                                    RequestRecord.id != record.id)
                        .order_by(col(RequestRecord.id).desc()).limit(WINDOW)).all()
    found = []
    for other in rows:
        same = bool(record.applicant_key) and other.applicant_key == record.applicant_key
        score = fuzz.token_set_ratio(" ".join(record.description), " ".join(other.description))
        if same or score >= THRESHOLD:
            found.append({"id": other.id, "number": other.number, "applicant_name": other.applicant_name,
                          "received_on": other.received_on, "status": other.status, "decision": other.decision,
                          "description": other.description, "same_applicant": same, "similarity": round(score)})
    found.sort(key=lambda x: (-x["similarity"], -(x["id"] or 0)))
    return found[:LIMIT]
