"""Drafts and signing (分办 → 拟稿 → 法制审核 → 签发, 退回修改 at any step): who may move a draft where.

A draft is a proposed outgoing action (a reply with its decision and fields, an extension, a correction
notice, a consultation letter, a fee notice, …) in versions. Its life:

    drafting ──submit──▶ submitted ──approve (法制审核, when the unit requires it)──▶ approved
        ▲                   │                                                       │
        └──────return───────┴──────────────────────return──────────────────────────┤
                                                                                      ▼
                             submitted (no legal review) or approved ──sign──▶ signed

Rules: a handler cannot sign; nobody signs a draft that was not submitted (or, where the unit requires
legal review, not approved by a reviewer); a signed draft cannot be changed (the letter is superseded
instead). Stage deadlines are internal (``workflow/stages.toml``): they never move the statutory clock
and never make assessment events.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from workflow.errors import Refused
from workflow.machine import ACTIONS, Role

STAGES_PATH = Path(__file__).with_name("stages.toml")


class DraftStatus(StrEnum):
    """Where a draft is."""

    DRAFTING = "drafting"      # 拟稿中 (new, or returned for changes)
    SUBMITTED = "submitted"    # 已提交 (waiting for legal review or signing)
    APPROVED = "approved"      # 法制审核通过
    SIGNED = "signed"          # 已签发 (the action is performed, the letter numbered)


DRAFT_STATUS_LABELS = {DraftStatus.DRAFTING: "拟稿中", DraftStatus.SUBMITTED: "已提交审核",
                       DraftStatus.APPROVED: "法制审核通过", DraftStatus.SIGNED: "已签发"}
DRAFTERS = frozenset({Role.HANDLER, Role.APPROVER})
REVIEWERS = frozenset({Role.REVIEWER})
SIGNERS = frozenset({Role.APPROVER})


def draftable() -> list[str]:
    """The actions a draft can propose: those that send a letter."""
    return [name for name, spec in ACTIONS.items() if spec.letter is not None]


@cache
def stage_rules(path: Path = STAGES_PATH) -> Mapping[str, Any]:
    """Internal stage deadlines and per-unit switches (legal review)."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def legal_review_required(unit: str) -> bool:
    """Whether the unit switched on 法制审核 (``[units.<code>] legal_review``)."""
    rules = stage_rules()
    return bool(rules.get("units", {}).get(unit, {}).get("legal_review", rules["legal_review"]))


def stage_days(unit: str) -> dict[str, int]:
    """Working day (counted from the clock's start) by which each stage should be done, for the unit."""
    rules = stage_rules()
    days = dict(rules["stages"])
    days.update(rules.get("units", {}).get(unit, {}).get("stages", {}))
    return {k: int(v) for k, v in days.items()}


STAGE_LABELS = {"assign": "分办", "draft": "拟稿", "review": "审核", "sign": "签发"}


def can_edit(status: DraftStatus) -> Refused | None:
    """A new version only while drafting (new or returned)."""
    if status == DraftStatus.SIGNED:
        return Refused("draft.signed", "a signed draft cannot be edited; supersede its letter instead")
    if status != DraftStatus.DRAFTING:
        return Refused("draft.not_editable", f"the draft is {status}; return it for changes first",
                       status=DRAFT_STATUS_LABELS[status])
    return None


def can_submit(status: DraftStatus, role: Role) -> Refused | None:
    """The drafter submits a draft being drafted."""
    if role not in DRAFTERS:
        return Refused("draft.role", f"role {role} may not submit drafts", role=str(role))
    if status != DraftStatus.DRAFTING:
        return Refused("draft.not_drafting", f"only a draft being drafted can be submitted (it is {status})",
                       status=DRAFT_STATUS_LABELS[status])
    return None


def can_approve(status: DraftStatus, role: Role, *, legal_review: bool) -> Refused | None:
    """法制审核: a reviewer approves a submitted draft, where the unit requires legal review."""
    if role not in REVIEWERS:
        return Refused("draft.approve_needs_reviewer", f"role {role} may not approve in legal review", role=str(role))
    if not legal_review:
        return Refused("draft.no_legal_review", "this unit has no legal review step")
    if status != DraftStatus.SUBMITTED:
        return Refused("draft.not_submitted", f"only a submitted draft can be approved (it is {status})",
                       status=DRAFT_STATUS_LABELS[status])
    return None


def can_return(status: DraftStatus, role: Role) -> Refused | None:
    """退回修改: a reviewer or the approver sends a submitted (or approved) draft back with comments."""
    if role not in REVIEWERS | SIGNERS:
        return Refused("draft.return_role", f"role {role} may not return drafts", role=str(role))
    if status not in (DraftStatus.SUBMITTED, DraftStatus.APPROVED):
        return Refused("draft.not_submitted", f"only a submitted draft can be returned (it is {status})",
                       status=DRAFT_STATUS_LABELS[status])
    return None


def can_sign(status: DraftStatus, role: Role, *, legal_review: bool) -> Refused | None:
    """签发: only the approver, only a submitted draft (approved by legal review where required)."""
    if role not in SIGNERS:
        return Refused("draft.sign_needs_approver", f"role {role} may not sign", role=str(role))
    if status == DraftStatus.SIGNED:
        return Refused("draft.signed", "the draft is already signed")
    if status == DraftStatus.DRAFTING:
        return Refused("draft.not_submitted", "the draft was not submitted", status=DRAFT_STATUS_LABELS[status])
    if legal_review and status != DraftStatus.APPROVED:
        return Refused("draft.needs_legal_review", "this unit requires legal review before signing")
    return None


def stage_due(start: date, working_day: int, calendar: Any) -> date:
    """The internal deadline of a stage: the ``working_day``-th working day after the clock's start."""
    return calendar.add_working_days(start, working_day)


def waiting_stage(*, assigned: bool, draft: DraftStatus | None, legal_review: bool) -> str | None:
    """The stage an open case waits at in the office: 分办 until a handler is assigned, then 拟稿 until a
    draft is submitted, then 审核 (where the unit has legal review) and 签发. None once signed."""
    if draft is None:
        return "draft" if assigned else "assign"
    if draft == DraftStatus.DRAFTING:
        return "draft"
    if draft == DraftStatus.SUBMITTED:
        return "review" if legal_review else "sign"
    if draft == DraftStatus.APPROVED:
        return "sign"
    return None
