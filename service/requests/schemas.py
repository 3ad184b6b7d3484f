"""API shapes for requests: registration in, action in, request out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class RepresentativeIn(BaseModel):
    """The applicant's legal representative or authorised agent (代理人); checked by workflow.applicants."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    id_type: str | None = Field(default=None, description="resident_id | passport | uscc | other")
    id_number: str | None = Field(default=None, max_length=60)
    phone: str | None = Field(default=None, max_length=40)


class ApplicantIn(BaseModel):
    """The applicant (申请人) as the clerk records it; validated by workflow.applicants."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["natural_person", "organisation"] = "natural_person"
    org_kind: str | None = Field(default=None, description="商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他")
    name: str = Field(min_length=1, max_length=200)
    id_type: str = Field(default="resident_id", description="resident_id | passport | uscc | other")
    id_number: str = Field(min_length=1, max_length=60)
    phone: str = ""
    email: str = ""
    address: str = ""
    representative: RepresentativeIn | None = None


class AttachmentIn(BaseModel):
    """Metadata of a file that came with the request."""

    name: str
    size: int | None = None
    sha256: str | None = None


class RequestCreate(BaseModel):
    """A new request (登记). ``arrival_at`` defaults to now; channels that need confirmation need ``confirmed_on``."""

    model_config = ConfigDict(extra="forbid")

    agency: str | None = Field(default=None, description="agency code; default the clerk's own")
    applicant: ApplicantIn
    channel: str = Field(description="in_person | registered_post | ordinary_post | online | fax | email (or 当面 挂号信 平信 网络 传真 电子邮件)")
    arrival_at: datetime | None = None
    confirmed_on: date | None = None
    description: str = Field(min_length=1, max_length=20000)
    form: str = Field(default="paper", description="paper | electronic | inspection")
    delivery: str = Field(default="post", description="post | email | collection | online")
    attachments: list[AttachmentIn] = []
    ems_number: str | None = Field(default=None, description="Post only: the EMS / registered-post number the "
                                                            "request came with (13 digits or UPU S10)")


class ActionIn(BaseModel):
    """``{"action": NAME, ...fields}``; the fields are checked by the workflow for that action."""

    model_config = ConfigDict(extra="allow")

    action: str


class ClockOut(BaseModel):
    """The statutory clock as of today."""

    start: date | None
    due_on: date | None
    days_used: int | None
    days_left: int | None
    paused_since: date | None
    extended: bool
    deadline_set: bool
    provisional: bool
    state: str = Field(default="running", description="running | overdue | paused | correction | closed")
    label: str = Field(default="", description="the clock in words, exactly as every page shows it")


class WindowOut(BaseModel):
    """A window counted from a recipient's receipt of a notice (correction, consultation, fee)."""

    subject: str
    label: str
    sent_on: date
    received_on: date = Field(description="The recorded receipt, or the per-method estimate")
    estimated: bool = Field(description="True while received_on is an estimate (no receipt recorded)")
    ends_on: date


class EventOut(BaseModel):
    """One event of the request's log."""

    seq: int
    kind: str
    on: date
    data: dict[str, Any]
    actor: str | None
    recorded_at: datetime
    hash: str


class RequestOut(BaseModel):
    """A request as the API shows it."""

    id: int
    number: str
    agency: str
    status: str
    applicant: dict[str, Any]
    channel: str
    description: str
    received_on: date | None
    due_on: date | None
    provisional: bool
    clock: ClockOut
    allowed_actions: list[str]
    events: list[EventOut]
    windows: list[WindowOut] = Field(default=[], description="Windows counted from the recipient's receipt")


class RequestSummary(BaseModel):
    """A row of a request list."""

    id: int
    number: str
    agency: str
    status: str
    applicant_name: str
    received_on: date | None
    due_on: date | None
    provisional: bool
    days_left: int | None = None
    clock_state: str | None = Field(default=None, description="as ClockOut.state")
    clock_label: str | None = Field(default=None, description="as ClockOut.label")
