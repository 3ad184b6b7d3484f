"""FastAPI dependencies: one transaction per HTTP request, the current user, role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Path as FastAPIPath
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from service.db import transaction, write_slot
from service.users.models import User
from service.users.service import user_for_token, visible_agency_ids


async def _write_slot(request: Request) -> AsyncIterator[None]:
    # Writers queue here, in the event loop, before they take a thread and a connection
    # (service.db.write_slot); reads go straight through.
    if request.method in ("GET", "HEAD"):
        yield
        return
    async with write_slot() as release:
        request.state.release_write_slot = release
        yield


def release_write_slot(request: Request) -> None:
    """Give the request's write slot back early: for a handler that has rolled back its own session and
    goes on with a job committing in short transactions of its own (a calendar import)."""
    release = getattr(request.state, "release_write_slot", None)
    if release is not None:
        release()


def get_session(request: Request, _slot: Annotated[None, Depends(_write_slot, scope="function")]) -> Iterator[Session]:
    """The request's unit of work: committed after the handler returns (before the response is sent),
    rolled back on any error. GET requests read without taking SQLite's write lock; other methods
    first wait for a write slot."""
    with transaction(readonly=request.method in ("GET", "HEAD")) as session:
        yield session


# scope="function": the commit runs when the handler returns, so a failed commit is a 500, not a lost write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False)


def current_user(
    session: SessionDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token (or the web desk's session cookie); 401 without one."""
    user: User | None = None
    if credentials is not None:
        user = user_for_token(session=session, token=credentials.credentials)
    else:
        user = getattr(request.state, "web_user", None)
    if user is None:
        raise HTTPException(status_code=401, detail="login required", headers={"WWW-Authenticate": "Bearer"})
    request.state.visible_agencies = visible_agency_ids(session=session, user=user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: str) -> Callable[[User], User]:
    """A route dependency admitting only users with one of ``roles`` (403 otherwise)."""

    def _check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail=f"role {user.role} may not do this; needs {', '.join(roles)}")
        return user

    return _check


def visible_agencies(request: Request, _: CurrentUser) -> set[int]:
    """The agency ids the current user may see (computed once per request)."""
    return request.state.visible_agencies


VisibleAgencies = Annotated[set[int], Depends(visible_agencies)]


# Row ids in paths: a number the database can hold (a larger one is a 422, not an overflow error).
RowId = Annotated[int, FastAPIPath(ge=1, le=2_147_483_647)]
