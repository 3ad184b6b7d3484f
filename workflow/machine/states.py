"""States, roles and actors of a disclosure request (DESIGN.md "Domain", "Who uses it")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """States of a request (DESIGN.md "Domain")."""

    REGISTERED = "registered"
    REVIEWING = "reviewing"
    AWAITING_CORRECTION = "awaiting_correction"
    CONSULTING = "consulting"
    AWAITING_FEE = "awaiting_fee"
    REPLIED = "replied"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


INITIAL_STATUS = Status.REGISTERED
FINAL_STATUSES: frozenset[Status] = frozenset({Status.ARCHIVED, Status.WITHDRAWN, Status.LAPSED})
# The reply clock runs (or is paused) in these; the sweep looks at them.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.REGISTERED, Status.REVIEWING, Status.AWAITING_CORRECTION, Status.CONSULTING, Status.AWAITING_FEE}
)

STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "已登记",
    Status.REVIEWING: "审查办理中",
    Status.AWAITING_CORRECTION: "待补正",
    Status.CONSULTING: "征求意见中",
    Status.AWAITING_FEE: "待缴费",
    Status.REPLIED: "已答复",
    Status.ARCHIVED: "已归档",
    Status.WITHDRAWN: "已撤回",
    Status.LAPSED: "视为放弃",
}


class Role(StrEnum):
    """User roles (DESIGN.md "Who uses it")."""

    CLERK = "clerk"
    HANDLER = "handler"
    APPROVER = "approver"
    REVIEWER = "reviewer"  # 法制审核 (legal review of drafts, where the unit switches it on); no case actions
    ASSESSOR = "assessor"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {Role.CLERK: "登记员", Role.HANDLER: "承办人", Role.APPROVER: "负责人",
                                Role.REVIEWER: "法制审核员", Role.ASSESSOR: "考核员", Role.ADMIN: "管理员"}


@dataclass(frozen=True)
class Actor:
    """Who performs an action."""

    user_id: str
    role: Role


# Role table: a clerk records what arrives at the front desk, a handler processes the case, an
# approver (负责人) may do everything a handler may plus approve extensions, Art. 35 deadlines and
# replies. Assessors and admins do no case actions.
CLERK_UP = frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER})
HANDLER_UP = frozenset({Role.HANDLER, Role.APPROVER})
APPROVER_ONLY = frozenset({Role.APPROVER})
