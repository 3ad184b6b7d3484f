"""HTTP routes for users (placeholder until the resource lands)."""

from fastapi import APIRouter

router = APIRouter(tags=["users"])
