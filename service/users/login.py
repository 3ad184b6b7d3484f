"""Password login with a lock-out that holds under parallel attempts, in the same time whether or not
the account exists.

Each attempt is claimed before the password is checked: one atomic ``UPDATE … SET failed_logins =
failed_logins + 1 … RETURNING`` in a short transaction of its own, committed at once. So N attempts
in parallel are counted as N, whatever order their (deliberately slow) hash checks finish in, and the
attempt beyond ``max_failures`` is refused without looking at its password. A correct password resets
the count only if the account is not locked by then. Nothing is held while argon2 runs.

Unknown, disabled and locked accounts are checked against a dummy hash, so the answer takes as long
as for a real account with a wrong password (no way to probe which usernames exist by timing).

This function runs its own transactions (like a job) rather than the request's: the claim must be
visible to the other attempts before this one's hash check ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import or_, update

from service.base import utcnow
from service.db import transaction
from service.users import security
from service.users.models import User


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """The user on success (detached from any session); otherwise whether the account is locked now."""

    user: User | None
    locked: bool = False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Same parameters as real hashes, so verifying against it costs the same.
    return security.hash_password("no account has this password: it only takes time")


def _not_locked(now: datetime):  # type: ignore[no-untyped-def]
    return or_(User.locked_until.is_(None), User.locked_until <= now)  # type: ignore[union-attr,operator]


def authenticate(*, username: str, password: str, max_failures: int, lockout_minutes: int,
                 now: datetime | None = None, url: str | None = None) -> LoginOutcome:
    """Check a password login, counting the attempt first and locking the account at ``max_failures``."""
    now = now or utcnow()
    with transaction(url) as session:
        claimed = session.execute(
            update(User).where(User.username == username, User.active.is_(True), _not_locked(now))  # type: ignore[attr-defined]
            .values(failed_logins=User.failed_logins + 1)
            .returning(User.id, User.failed_logins, User.password_hash)
            .execution_options(synchronize_session=False)).first()
    if claimed is None:  # unknown, disabled or locked: spend the same time, then refuse
        security.verify_password(_dummy_hash(), password)
        return LoginOutcome(user=None, locked=_is_locked(username=username, now=now, url=url))
    user_id, attempt, password_hash = claimed
    if attempt > max_failures:  # beyond the budget while others were in flight: no password is looked at
        security.verify_password(_dummy_hash(), password)
        _lock(user_id=user_id, now=now, minutes=lockout_minutes, url=url)
        return LoginOutcome(user=None, locked=True)
    if not security.verify_password(password_hash, password):
        if attempt >= max_failures:
            _lock(user_id=user_id, now=now, minutes=lockout_minutes, url=url)
            return LoginOutcome(user=None, locked=True)
        return LoginOutcome(user=None, locked=False)
    with transaction(url) as session:
        reset = session.execute(
            update(User).where(User.id == user_id, User.active.is_(True), _not_locked(now))  # type: ignore[attr-defined]
            .values(failed_logins=0, locked_until=None)
            .returning(User.id).execution_options(synchronize_session=False)).first()
        if reset is None:  # locked (or disabled) by a parallel attempt meanwhile
            return LoginOutcome(user=None, locked=True)
        user = session.get(User, user_id)
        session.expunge(user)  # type: ignore[arg-type]
    return LoginOutcome(user=user)


def _lock(*, user_id: int, now: datetime, minutes: int, url: str | None) -> None:
    with transaction(url) as session:
        session.execute(update(User).where(User.id == user_id)
                        .values(locked_until=now + timedelta(minutes=minutes), failed_logins=0)
                        .execution_options(synchronize_session=False))


def _is_locked(*, username: str, now: datetime, url: str | None) -> bool:
    from sqlmodel import select

    with transaction(url, readonly=True) as session:
        until = session.exec(select(User.locked_until).where(User.username == username)).first()
    if until is None:
        return False
    from datetime import UTC

    return (until if until.tzinfo else until.replace(tzinfo=UTC)) > now
