"""HTTP routes for requests (placeholder until the resource lands)."""

from fastapi import APIRouter

router = APIRouter(tags=["requests"])
