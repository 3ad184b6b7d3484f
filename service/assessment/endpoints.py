"""HTTP routes for assessment (placeholder until the resource lands)."""

from fastapi import APIRouter

router = APIRouter(tags=["assessment"])
