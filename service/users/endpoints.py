"""HTTP routes for the current user and their reminders."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import CurrentUser

router = APIRouter(tags=["users"])


@router.get("/me")
def me(user: CurrentUser) -> dict:
    """Who the token belongs to: username, role, agency."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "agency_id": user.agency_id}
