"""HTTP routes for notifications: unit and personal targets, your preferences, the delivery log (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import select

from service.agencies.models import Agency
from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies, require_roles
from service.errors import INVALID_RESPONSE
from service.notify import repository, service
from service.notify.models import NotifyTarget
from service.notify.schemas import DeliveryOut, PreferenceIn, PreferenceOut, TargetIn, TargetOut
from service.users.models import User
from workflow.errors import InvalidField

router = APIRouter(prefix="/notify", tags=["notifications"])
UNIT_ROLES = ("approver", "admin")
Admin = Annotated[User, Depends(require_roles("admin"))]


def _out(t: NotifyTarget) -> TargetOut:
    return TargetOut(id=t.id, kind=t.kind, address=t.address, name=t.name, agency_id=t.agency_id,  # type: ignore[arg-type]
                     user_id=t.user_id, signed=bool(t.secret))


@router.post("/targets", response_model=TargetOut, status_code=201, responses=INVALID_RESPONSE)
def add_target(body: TargetIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> TargetOut:
    """Add a target. Unit targets (group robots, OA webhooks) need an approver or admin of a visible unit;
    a non-http(s) URL or a malformed 钉钉 secret is a 422 naming the field."""
    if body.scope == "me":
        target = service.add_target(session=session, kind=body.kind, address=body.address, secret=body.secret,
                                    name=body.name, user_id=user.id)
        return _out(target)
    if user.role not in UNIT_ROLES:
        raise InvalidField("scope", "only an approver or admin adds a unit's targets; use scope \"me\"",
                           code="notify.unit_targets_role")
    agency_id = user.agency_id
    if body.agency:
        agency = session.exec(select(Agency).where(Agency.code == body.agency)).first()
        if agency is None or agency.id not in visible:
            raise InvalidField("agency", f"unknown unit {body.agency!r}", code="notify.unknown_unit", unit=body.agency)
        agency_id = agency.id  # type: ignore[assignment]
    target = service.add_target(session=session, kind=body.kind, address=body.address, secret=body.secret,
                                name=body.name, agency_id=agency_id)
    return _out(target)


@router.get("/targets", response_model=list[TargetOut])
def list_targets(session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> list[TargetOut]:
    """Your own targets and those of the units you may see."""
    mine = service.targets(session=session, user_id=user.id)
    units = service.targets(session=session, agency_ids=visible)
    return [_out(t) for t in mine + units]


@router.delete("/targets/{target_id}", status_code=204,
               responses={404: {"description": "no such target, or not yours to switch off"}})
def remove_target(target_id: RowId, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> None:
    """Switch a target off (yours, or your unit's when you are an approver or admin)."""
    service.remove_target(session=session, target_id=target_id,
                          agency_ids=visible if user.role in UNIT_ROLES else None, user_id=user.id)


@router.get("/preferences", response_model=PreferenceOut)
def get_preferences(session: SessionDep, user: CurrentUser) -> PreferenceOut:
    """Your notification preferences."""
    p = service.preference(session=session, user_id=user.id)  # type: ignore[arg-type]
    return PreferenceOut(user_id=p.user_id, channels=p.channels, mode=p.mode, quiet_start=p.quiet_start,  # type: ignore[arg-type]
                         quiet_end=p.quiet_end)


@router.put("/preferences", response_model=PreferenceOut, responses=INVALID_RESPONSE)
def put_preferences(body: PreferenceIn, session: SessionDep, user: CurrentUser) -> PreferenceOut:
    """Save your preferences (422 naming a bad channel, mode or time)."""
    p = service.set_preference(session=session, user_id=user.id, channels=body.channels, mode=body.mode,  # type: ignore[arg-type]
                               quiet_start=body.quiet_start, quiet_end=body.quiet_end)
    return PreferenceOut(user_id=p.user_id, channels=p.channels, mode=p.mode, quiet_start=p.quiet_start,  # type: ignore[arg-type]
                         quiet_end=p.quiet_end)


@router.get("/deliveries", response_model=list[DeliveryOut])
def deliveries(session: SessionDep, _: Admin, visible: VisibleAgencies,
               status: Annotated[str | None, Query(pattern="^(pending|sending|sent|dead)$")] = None,
               before_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[DeliveryOut]:
    """The delivery log (admins): newest first, with attempts, status and the last error."""
    rows = repository.deliveries(session=session, agency_ids=sorted(visible), status=status, limit=limit,
                                 before_id=before_id)
    return [DeliveryOut(id=o.id, key=o.key, channel=o.channel, mode=o.mode, status=o.status, attempts=o.attempts,  # type: ignore[arg-type]
                        next_attempt_at=o.next_attempt_at, sent_at=o.sent_at, last_error=o.last_error,
                        subject=n.subject, request_id=n.request_id) for o, n in rows]
