"""HTTP routes for calendar (placeholder until the resource lands)."""

from fastapi import APIRouter

router = APIRouter(tags=["calendar"])
