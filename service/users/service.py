"""User and token management; who may see which agencies."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.adminlog.service import record
from service.agencies import repository as agencies
from service.base import utcnow
from service.users.models import ApiToken, User
from service.users.security import hash_password, new_token, token_digest
from workflow.errors import Conflict, InvalidField
from workflow.machine import Role

SUPERVISING_ROLES = {Role.ASSESSOR.value, Role.ADMIN.value}


def add_user(*, session: Session, username: str, password: str, role: str, agency_code: str,
             display_name: str = "", visible: set[int] | None = None, deployment_admin: bool = False) -> User:
    """Create a user of ``agency_code`` with ``role``.

    ``visible`` (an admin's units) limits the units the user may be created in; None (the CLI) does not.
    ``deployment_admin`` (CLI only) lets an admin make changes that reach every unit.
    """
    if deployment_admin and role != Role.ADMIN.value:
        raise InvalidField("deployment_admin", "only an admin can be a deployment admin", code="user.deployment_admin_role")
    if not username.strip():
        raise InvalidField("username", "required", code="field.required")
    if len(username) > 80 or len(display_name) > 120:  # the columns' sizes: PostgreSQL would refuse more
        raise InvalidField("username" if len(username) > 80 else "display_name", "too long", code="field.too_long")
    if role not in {r.value for r in Role}:
        raise InvalidField("role", f"one of {', '.join(r.value for r in Role)}", code="field.not_a_choice")
    if len(password) < 8:
        raise InvalidField("password", "at least 8 characters", code="user.password_short", min=8)
    agency = agencies.by_code(session=session, code=agency_code)
    if agency is None or (visible is not None and agency.id not in visible):
        # Another tree's unit is reported like a missing one: an admin never learns what lies outside theirs.
        raise InvalidField("agency", f"unknown agency {agency_code!r}", code="user.unknown_agency", agency=agency_code)
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict(f"user {username!r} already exists", code="user.exists", field="username", username=username)
    user = User(username=username, display_name=display_name or username, role=role, agency_id=agency.id,
                password_hash=hash_password(password), deployment_admin=deployment_admin)
    session.add(user)
    session.flush()
    return user


def create_token(*, session: Session, username: str, name: str = "", visible: set[int] | None = None) -> str:
    """Issue a bearer token for ``username``; returns the token (shown once).

    ``visible`` (an admin's units) limits whose tokens may be issued; None (the CLI) does not.
    """
    user = _user_named(session=session, username=username, visible=visible)
    if len(name) > 120:  # the column's size
        raise InvalidField("name", "too long", code="field.too_long")
    token = new_token()
    session.add(ApiToken(user_id=user.id, name=name, token_hash=token_digest(token)))
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    row = session.exec(
        select(User).join(ApiToken, ApiToken.user_id == User.id).where(
            ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None), User.active.is_(True)
        )
    ).first()
    return row


def _user_named(*, session: Session, username: str, visible: set[int] | None) -> User:
    """The user called ``username`` (within ``visible`` when given), or InvalidField on ``username``."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or (visible is not None and user.agency_id not in visible):
        raise InvalidField("username", f"unknown user {username!r}", code="user.unknown", username=username)
    return user


def set_deployment_admin(*, session: Session, username: str, granted: bool) -> User:
    """Grant or take away the deployment-wide admin right (CLI only: whoever runs the server decides)."""
    user = _user_named(session=session, username=username, visible=None)
    if granted and user.role != Role.ADMIN.value:
        raise InvalidField("username", f"{username} is a {user.role}, not an admin", code="user.not_admin",
                           username=username, role=str(user.role))
    user.deployment_admin = granted
    session.add(user)
    session.flush()
    return user


def set_active(*, session: Session, username: str, active: bool, actor: User | str,
               visible: set[int] | None = None) -> User:
    """Disable (or enable again) the account ``username`` (within ``visible`` when given), recorded in
    the admin log with ``actor`` (the admin, or the CLI's ``cli:<os user>``).

    A disabled user's bearer tokens stop working at once (:func:`user_for_token` reads ``active``) and
    every web session ends (the session version moves on), even cookies copied elsewhere. An admin
    cannot disable their own account: another admin must, so an office is never left without one by
    a slip of the hand.
    """
    if not active and isinstance(actor, User) and actor.username == username:
        raise InvalidField("username", "you cannot disable your own account; another admin must",
                           code="account.disable_self")
    user = _user_named(session=session, username=username, visible=visible)
    user.active = active
    if not active:
        user.session_version += 1
    session.add(user)
    session.flush()
    record(session=session, actor=actor, action="user_enable" if active else "user_disable", target=username)
    return user


def display_names(*, session: Session, user_ids: set[int]) -> dict[int, str]:
    """The users ``user_ids`` by id, each with their display name (the username where none is set)."""
    if not user_ids:
        return {}
    return {u.id: (u.display_name or u.username)  # type: ignore[misc]
            for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}


def tokens_of(*, session: Session, user_ids: set[int]) -> list[ApiToken]:
    """The API tokens (live and revoked) of the users ``user_ids``, oldest first."""
    if not user_ids:
        return []
    return list(session.exec(select(ApiToken).where(ApiToken.user_id.in_(user_ids))  # type: ignore[attr-defined]
                             .order_by(ApiToken.id)))


def revoke_tokens(*, session: Session, token_id: int | None = None, username: str | None = None,
                  visible: set[int] | None = None, now: datetime | None = None) -> list[ApiToken]:
    """Revoke one token (by id) or every live token of ``username``; returns those revoked now.

    Within ``visible`` (an admin's units) when given: another tree's token is reported like a missing one.
    """
    now = now or utcnow()
    if token_id is not None:
        token = session.get(ApiToken, token_id)
        owner = session.get(User, token.user_id) if token is not None else None
        if token is None or owner is None or (visible is not None and owner.agency_id not in visible):
            raise InvalidField("token", f"unknown token {token_id}", code="user.unknown_token", token=token_id)
        found = [token]
    elif username is not None:
        user = _user_named(session=session, username=username, visible=visible)
        found = tokens_of(session=session, user_ids={user.id})  # type: ignore[arg-type]
    else:
        raise InvalidField("token", "give a token id or a username", code="user.token_which")
    revoked = [t for t in found if t.revoked_at is None]
    for token in revoked:
        token.revoked_at = now
        session.add(token)
    session.flush()
    return revoked


def lock_state(*, session: Session, username: str, now: datetime | None = None) -> datetime | None:
    """Until when the account ``username`` is locked out; None when it is not (or no such account)."""
    user = session.exec(select(User).where(User.username == username)).first() if username else None
    if user is None or not is_locked(user, now):
        return None
    return user.locked_until


def unlock(*, session: Session, username: str, visible: set[int] | None = None) -> User:
    """Lift a lock-out and forget the failed logins of ``username`` (within ``visible`` when given).

    Only the lock-out is reset: the password stays, so the person logs in as before.
    """
    user = _user_named(session=session, username=username, visible=visible)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    session.flush()
    return user


def users_of(*, session: Session, agency_ids: set[int]) -> list[User]:
    """The users of the units ``agency_ids``, by username."""
    if not agency_ids:
        return []
    return list(session.exec(select(User).where(User.agency_id.in_(agency_ids))  # type: ignore[attr-defined]
                             .order_by(User.username)))


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Whether the account is locked out now."""
    from datetime import UTC

    if user.locked_until is None:
        return False
    locked = user.locked_until if user.locked_until.tzinfo else user.locked_until.replace(tzinfo=UTC)
    return locked > (now or utcnow())


def visible_agency_ids(*, session: Session, user: User) -> set[int]:
    """The units a user may see: their own; assessors and admins also every unit below theirs."""
    if user.role in SUPERVISING_ROLES:
        return agencies.descendants(session=session, agency_id=user.agency_id)
    return {user.agency_id}


def end_web_sessions(*, session: Session, user_id: int) -> None:
    """Log the user out of every web session: cookies carry the version they were issued under."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.add(user)
