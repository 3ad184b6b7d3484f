"""HTTP routes for letters (placeholder until the resource lands)."""

from fastapi import APIRouter

router = APIRouter(tags=["letters"])
