"""Drafts and signing (分办, 拟稿, 法制审核, 退回修改, 签发) and the internal stage deadlines.

A draft proposes one outgoing action; every version is checked by a dry run of the workflow (the
action must be allowed for the case now: 409 naming the state and the action; its fields valid: 422).
Signing performs the action through the ordinary path (``service.requests.service.act``), which numbers
and stores the letter; the draft then points at it and can no longer change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.drafts.models import Draft, DraftVersion, WorkStep
from service.letters import repository as letters_repo
from service.letters.models import Letter
from service.notify import handoffs
from service.requests.context import calendar_for, local_today, policy_for
from service.requests.models import RequestRecord
from service.users.models import User
from workflow import drafts as rules
from workflow.clock import clock_start
from workflow.errors import ActionNotAllowed, InvalidField, NotFound, Refused
from workflow.events import LetterOrder
from workflow.machine import ACTIONS, Actor, Outcome, Role, perform

# Parameters a draft may not carry: the signer confirms the stamp at signing.
_SIGNING_ONLY = ("seal_confirmed", "force", "action")


def _refuse(draft: Draft | None, step: str, refused: Refused | None) -> None:
    if refused is not None:
        state = draft.status if draft is not None else "-"
        raise ActionNotAllowed(state, step, [], refused.reason, code=refused.code, **refused.params)


def _request(session: Session, request_id: int, visible: set[int], lock: bool = False) -> RequestRecord:
    from service.requests.service import get_visible

    return get_visible(session=session, request_id=request_id, visible=visible, lock=lock)


def get_visible(*, session: Session, draft_id: int, visible: set[int], lock: bool = False) -> tuple[Draft, RequestRecord]:
    """The draft and its request if visible to the user; else NotFound."""
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"draft {draft_id} not found")
    return draft, _request(session, draft.request_id, visible, lock)


def params_of(*, session: Session, draft: Draft) -> dict[str, Any]:
    """The current version's parameters."""
    row = session.exec(select(DraftVersion).where(DraftVersion.draft_id == draft.id,
                                                  DraftVersion.version == draft.version)).one()
    return dict(json.loads(row.params))


def versions(*, session: Session, draft_id: int) -> list[DraftVersion]:
    """Every version of a draft, oldest first."""
    return list(session.exec(select(DraftVersion).where(DraftVersion.draft_id == draft_id)
                             .order_by(col(DraftVersion.version))).all())


def steps(*, session: Session, request_id: int, draft_id: int | None = None) -> list[WorkStep]:
    """The internal steps of a request (or of one draft), in order."""
    stmt = select(WorkStep).where(WorkStep.request_id == request_id)
    if draft_id is not None:
        stmt = stmt.where(WorkStep.draft_id == draft_id)
    return list(session.exec(stmt.order_by(col(WorkStep.id))).all())


def for_request(*, session: Session, request_id: int) -> list[Draft]:
    """A request's drafts, newest first."""
    return list(session.exec(select(Draft).where(Draft.request_id == request_id).order_by(col(Draft.id).desc())).all())


def _clean(params: Any) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise InvalidField("params", "must be an object of the action's fields", code="field.not_object")
    return {k: v for k, v in params.items() if k not in _SIGNING_ONLY}


def dry_run(*, session: Session, record: RequestRecord, action: str, params: Mapping[str, Any],
            now: datetime) -> Outcome:
    """Perform the action on the case without storing anything, as the approver would sign it today."""
    from service.requests.service import load_case

    if action not in rules.draftable():
        raise InvalidField("action", f"{action} sends no letter; one of {', '.join(rules.draftable())}",
                           code="draft.not_draftable", action=action)
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    values = dict(params)
    if action == "issue_fee_notice" and values.get("fee_method") == "per_item":
        from service.fees import monthly_count

        values["monthly_count"] = monthly_count(session=session, record=record)
    return perform(load_case(session=session, record=record), action, values, actor=Actor("draft", Role.APPROVER),
                   today=local_today(agency, now), calendar=calendar_for(agency), policy=policy_for(agency))


def _stage_due(session: Session, record: RequestRecord, stage: str) -> date | None:
    from service.requests.service import load_case

    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    days = rules.stage_days(agency.code).get(stage)
    if days is None:
        return None
    return rules.stage_due(clock_start(load_case(session=session, record=record)), days, calendar_for(agency))


def _step(session: Session, record: RequestRecord, draft: Draft | None, stage: str, user: User, now: datetime, *,
          comment: str = "", assignee: int | None = None, due_on: date | None = None, timed: bool = True) -> WorkStep:
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    step = WorkStep(request_id=record.id, draft_id=draft.id if draft else None, stage=stage, actor_id=user.id,  # type: ignore[arg-type]
                    assignee_id=assignee, version=draft.version if draft else None, comment=comment,
                    done_on=local_today(agency, now),
                    due_on=due_on if due_on is not None else (_stage_due(session, record, stage) if timed else None),
                    created_at=now)
    session.add(step)
    return step


def assign(*, session: Session, user: User, visible: set[int], request_id: int, data: Mapping[str, Any],
           now: datetime | None = None) -> WorkStep:
    """分办: the approver gives the request to a handler, with an internal deadline (default: the unit's
    draft stage day)."""
    now = now or utcnow()
    record = _request(session, request_id, visible, lock=True)
    if user.role != Role.APPROVER:
        _refuse(None, "assign", Refused("draft.assign_role", "only an approver assigns", role=str(user.role)))
    username = data.get("handler")
    handler = session.exec(select(User).where(User.username == str(username))).first() if username else None
    if handler is None or handler.agency_id != record.agency_id or handler.role not in (Role.HANDLER, Role.APPROVER) \
            or not handler.active:  # a disabled account cannot take a case (the worklist's batch assign agrees)
        raise InvalidField("handler", "an active handler or approver of the request's unit",
                           code="draft.assignee_not_handler")
    due = data.get("due_on")
    from workflow.machine import parse_date

    due_on = parse_date(str(due), "due_on") if due else _stage_due(session, record, "draft")
    record.handler_id = handler.id
    session.add(record)
    # The assign step is timed against the unit's assign day; the handler's own deadline is ``due_on``.
    step = _step(session, record, None, "assign", user, now, assignee=handler.id,
                 comment=f"承办人：{handler.display_name or handler.username}；内部时限：{due_on}")
    step.due_on = _stage_due(session, record, "assign")
    session.add(WorkStep(request_id=record.id, stage="handler_due", actor_id=handler.id, assignee_id=handler.id,  # type: ignore[arg-type]
                         comment="内部拟稿时限", done_on=step.done_on, due_on=due_on, created_at=now))
    session.flush()
    handoffs.assigned(session=session, record=record, handler=handler, actor=user, once=f"step{step.id}", now=now)
    return step


def create(*, session: Session, user: User, visible: set[int], request_id: int, data: Mapping[str, Any],
           now: datetime | None = None) -> Draft:
    """拟稿: a new draft of ``action`` with its fields (version 1)."""
    now = now or utcnow()
    record = _request(session, request_id, visible, lock=True)
    if user.role not in rules.DRAFTERS:
        _refuse(None, "draft", Refused("draft.role", f"role {user.role} may not draft", role=str(user.role)))
    action = str(data.get("action") or "")
    if action not in ACTIONS:
        raise InvalidField("action", f"unknown action {action!r}", code="action.unknown", value=repr(action))
    params = _clean(data.get("params") or {})
    dry_run(session=session, record=record, action=action, params=params, now=now)
    draft = Draft(request_id=record.id, action=action, status=str(rules.DraftStatus.DRAFTING), version=1,  # type: ignore[arg-type]
                  author_id=user.id, created_at=now, updated_at=now)
    session.add(draft)
    session.flush()
    session.add(DraftVersion(draft_id=draft.id, version=1, params=json.dumps(params, ensure_ascii=False),  # type: ignore[arg-type]
                             author_id=user.id, created_at=now))
    session.flush()
    return draft


def redraft(*, session: Session, user: User, visible: set[int], draft_id: int, data: Mapping[str, Any],
            now: datetime | None = None) -> Draft:
    """A new version of a draft being drafted (new, or returned for changes)."""
    now = now or utcnow()
    draft, record = get_visible(session=session, draft_id=draft_id, visible=visible, lock=True)
    if user.role not in rules.DRAFTERS:
        _refuse(draft, "redraft", Refused("draft.role", f"role {user.role} may not draft", role=str(user.role)))
    _refuse(draft, "redraft", rules.can_edit(rules.DraftStatus(draft.status)))
    params = _clean(data.get("params") or {})
    dry_run(session=session, record=record, action=draft.action, params=params, now=now)
    draft.version += 1
    draft.updated_at = now
    session.add(DraftVersion(draft_id=draft.id, version=draft.version, params=json.dumps(params, ensure_ascii=False),  # type: ignore[arg-type]
                             author_id=user.id, created_at=now))
    session.add(draft)
    session.flush()
    return draft


def submit(*, session: Session, user: User, visible: set[int], draft_id: int, now: datetime | None = None) -> Draft:
    """提交: the drafter sends the draft on (to legal review or to the approver); re-checked first."""
    now = now or utcnow()
    draft, record = get_visible(session=session, draft_id=draft_id, visible=visible, lock=True)
    _refuse(draft, "submit", rules.can_submit(rules.DraftStatus(draft.status), Role(user.role)))
    dry_run(session=session, record=record, action=draft.action, params=params_of(session=session, draft=draft), now=now)
    draft.status = str(rules.DraftStatus.SUBMITTED)
    draft.updated_at = now
    step = _step(session, record, draft, "draft", user, now)
    session.add(draft)
    session.flush()
    handoffs.draft_step(session=session, step="submitted", draft=draft, record=record, actor=user,
                        once=f"step{step.id}", now=now)
    return draft


def _unit(session: Session, record: RequestRecord) -> str:
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    return agency.code


def approve(*, session: Session, user: User, visible: set[int], draft_id: int, data: Mapping[str, Any],
            now: datetime | None = None) -> Draft:
    """法制审核通过 (a reviewer), where the unit requires legal review."""
    now = now or utcnow()
    draft, record = get_visible(session=session, draft_id=draft_id, visible=visible, lock=True)
    legal = rules.legal_review_required(_unit(session, record))
    _refuse(draft, "approve", rules.can_approve(rules.DraftStatus(draft.status), Role(user.role), legal_review=legal))
    draft.status = str(rules.DraftStatus.APPROVED)
    draft.updated_at = now
    step = _step(session, record, draft, "review", user, now, comment=str(data.get("comment") or ""))
    session.add(draft)
    session.flush()
    handoffs.draft_step(session=session, step="approved", draft=draft, record=record, actor=user,
                        once=f"step{step.id}", now=now)
    return draft


def return_for_changes(*, session: Session, user: User, visible: set[int], draft_id: int, data: Mapping[str, Any],
                       now: datetime | None = None) -> Draft:
    """退回修改 with comments (a reviewer or the approver): the drafter makes a new version."""
    now = now or utcnow()
    draft, record = get_visible(session=session, draft_id=draft_id, visible=visible, lock=True)
    _refuse(draft, "return", rules.can_return(rules.DraftStatus(draft.status), Role(user.role)))
    comment = str(data.get("comment") or "").strip()
    if not comment:
        raise InvalidField("comment", "say what to change", code="draft.comment_required")
    draft.status = str(rules.DraftStatus.DRAFTING)
    draft.updated_at = now
    step = _step(session, record, draft, "return", user, now, comment=comment, timed=False)
    session.add(draft)
    session.flush()
    handoffs.draft_step(session=session, step="returned", draft=draft, record=record, actor=user,
                        once=f"step{step.id}", now=now, comment=comment)
    return draft


def sign(*, session: Session, user: User, visible: set[int], draft_id: int, data: Mapping[str, Any],
         now: datetime | None = None) -> tuple[Draft, Letter]:
    """签发: the approver, having seen the final letter, confirms the wet stamp; the action is performed and
    its letter numbered through the ordinary path."""
    from service.requests.service import act

    now = now or utcnow()
    draft, record = get_visible(session=session, draft_id=draft_id, visible=visible, lock=True)
    legal = rules.legal_review_required(_unit(session, record))
    _refuse(draft, "sign", rules.can_sign(rules.DraftStatus(draft.status), Role(user.role), legal_review=legal))
    if data.get("seal_confirmed") is not True:
        raise InvalidField("seal_confirmed", "confirm the stamp after checking the final letter",
                           code="draft.stamp_not_confirmed")
    before = {x.id for x in letters_repo.for_request(session=session, request_id=record.id)}  # type: ignore[arg-type]
    payload = {"action": draft.action, **params_of(session=session, draft=draft), "seal_confirmed": True}
    act(session=session, user=user, visible=visible, request_id=record.id, payload=payload, now=now)  # type: ignore[arg-type]
    new = [x for x in letters_repo.for_request(session=session, request_id=record.id) if x.id not in before]  # type: ignore[arg-type]
    kind = ACTIONS[draft.action].letter
    letter = next((x for x in reversed(new) if x.kind == kind), None) or (new[-1] if new else None)
    assert letter is not None, "a draftable action issues a letter"
    draft.status = str(rules.DraftStatus.SIGNED)
    draft.letter_id = letter.id
    draft.updated_at = now
    _step(session, record, draft, "sign", user, now)
    session.add(draft)
    session.flush()
    handoffs.draft_step(session=session, step="signed", draft=draft, record=record, actor=user,
                        once=f"letter{letter.id}", now=now, letter=letter)
    return draft, letter


def preview_order(*, session: Session, draft: Draft, record: RequestRecord, now: datetime | None = None) -> LetterOrder:
    """The letter the draft would produce if signed now (no number yet)."""
    outcome = dry_run(session=session, record=record, action=draft.action,
                      params=params_of(session=session, draft=draft), now=now or utcnow())
    return outcome.letters[0]


def preview_html(*, session: Session, draft: Draft, record: RequestRecord, final: bool = False) -> str:
    """The letter's HTML: with the 草稿 watermark, or (``final``) as the signer will issue it, unnumbered."""
    from service.letters.render import with_draft_watermark
    from service.letters.service import build_context
    from service.letters.templates import render_html
    from service.requests.service import load_case

    agency = session.get(Agency, record.agency_id)
    order = preview_order(session=session, draft=draft, record=record)
    html = render_html(build_context(case=load_case(session=session, record=record), order=order, agency=agency,
                                     number=None, seal_confirmed=final))
    return html if final else with_draft_watermark(html)


def timeliness(*, session: Session, agency_ids: list[int]) -> list[dict[str, Any]]:
    """Per person and stage: steps done, on time and late against the internal stage deadlines."""
    rows = session.exec(select(WorkStep, User).join(RequestRecord, col(RequestRecord.id) == WorkStep.request_id)
                        .join(User, col(User.id) == WorkStep.actor_id)
                        .where(col(RequestRecord.agency_id).in_(agency_ids),
                               col(WorkStep.stage).in_(list(rules.STAGE_LABELS)))).all()
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for step, person in rows:
        key = (person.username, step.stage)
        item = table.setdefault(key, {"person": person.username, "stage": step.stage,
                                      "stage_label": rules.STAGE_LABELS[step.stage], "done": 0, "on_time": 0,
                                      "late": 0, "late_working_days": 0})
        item["done"] += 1
        if step.due_on is not None and step.done_on > step.due_on:
            item["late"] += 1
        else:
            item["on_time"] += 1
    return sorted(table.values(), key=lambda r: (r["person"], list(rules.STAGE_LABELS).index(r["stage"])))

