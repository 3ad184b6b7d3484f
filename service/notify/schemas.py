"""API shapes for notification targets, preferences and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class TargetIn(BaseModel):
    """A new target: ``scope`` "unit" (a group robot or OA webhook of ``agency``) or "me" (your own address)."""

    kind: Literal["email", "wecom", "dingtalk", "webhook"]
    address: str = Field(max_length=500, description="e-mail address, or the robot's / webhook's http(s) URL")
    secret: str | None = Field(default=None, max_length=200,
                               description="钉钉: the robot's signing secret (SEC + 64 hex digits); webhook: HMAC key")
    name: str = Field(default="", max_length=120)
    scope: Literal["unit", "me"] = "unit"
    agency: str | None = Field(default=None, max_length=40, description="unit code (default: your unit)")


class TargetOut(BaseModel):
    """A target as shown (the secret is never shown back)."""

    id: int
    kind: str
    address: str
    name: str
    agency_id: int | None
    user_id: int | None
    signed: bool


class PreferenceIn(BaseModel):
    """Your choices: channels, e-mail as a daily digest or at once, quiet hours (local HH:MM)."""

    channels: list[str] = Field(default_factory=lambda: ["email"], max_length=4)
    mode: Literal["digest", "immediate"] = "digest"
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)


class PreferenceOut(PreferenceIn):
    """Your saved choices."""

    user_id: int


class DeliveryOut(BaseModel):
    """One row of the delivery log."""

    id: int
    key: str
    channel: str
    mode: str
    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    subject: str
    request_id: int | None
