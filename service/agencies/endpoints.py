"""HTTP routes for agencies (placeholder until the resource lands)."""

from fastapi import APIRouter

router = APIRouter(tags=["agencies"])
