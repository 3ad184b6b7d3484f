"""Notification use cases: write notices and their outbox rows (inside the caller's transaction, so a
notice exists exactly when its event does), manage targets and preferences. Never commits, never sends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.notify.channels import check_target
from service.notify.models import CHANNEL_KINDS, Notice, NotifyPreference, NotifyTarget, OutboxItem
from service.settings import get_settings
from service.users.models import User
from workflow.errors import InvalidField, NotFound

MODES = ("digest", "immediate")


@dataclass
class NoticeDraft:
    """A notice to write: its once-only key, wording, the case it is about and the people it is for."""

    key: str
    kind: str
    agency_id: int
    subject: str
    body: str
    recipients: Sequence[int]
    request_id: int | None = None
    urgent: bool = False
    link: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def case_link(request_id: int) -> str:
    """The desk's address of a case."""
    return f"{get_settings().public_url.rstrip('/')}/requests/{request_id}"


def _insert(session: Session, table: Any, rows: list[dict], key: str) -> list[Any]:
    """Insert rows, skipping those whose ``key`` exists; returns (id, key) of the rows inserted."""
    if not rows:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    out: list[Any] = []
    for start in range(0, len(rows), 2000):
        stmt = (insert(table).on_conflict_do_nothing(index_elements=[key])
                .returning(table.c.id, table.c[key]))
        out += session.execute(stmt, rows[start:start + 2000]).all()
    return out


def parse_hhmm(value: str | None, name: str) -> time | None:
    """A local time "HH:MM" (None when empty); 422 naming ``name`` otherwise."""
    if not value:
        return None
    try:
        hh, mm = value.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise InvalidField(name, "must be a time HH:MM", code="notify.time_malformed") from None


def next_local(at: time, tz: ZoneInfo, now: datetime) -> datetime:
    """The next moment (now or later) the agency's clock shows ``at``."""
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    if candidate < local:
        candidate += timedelta(days=1)
    return candidate


def after_quiet_hours(when: datetime, pref: NotifyPreference | None, tz: ZoneInfo) -> datetime:
    """``when``, or the end of the person's quiet hours when ``when`` falls inside them."""
    if pref is None:
        return when
    start, end = parse_hhmm(pref.quiet_start, "quiet_start"), parse_hhmm(pref.quiet_end, "quiet_end")
    if start is None or end is None or start == end:
        return when
    local = when.astimezone(tz)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return when
    return next_local(end, tz, when)


def enqueue(*, session: Session, drafts: Sequence[NoticeDraft], now: datetime | None = None) -> int:
    """Write the notices and one outbox row per recipient × channel (each at most once: duplicate keys
    are skipped). Returns how many outbox rows were added."""
    if not drafts:
        return 0
    now = now or utcnow()
    settings = get_settings()
    rows = [{"key": d.key, "kind": d.kind, "request_id": d.request_id, "agency_id": d.agency_id,
             "urgent": d.urgent, "subject": d.subject, "body": d.body, "link": d.link, "data": d.data,
             "created_at": now} for d in drafts]
    inserted = {k: i for i, k in _insert(session, Notice.__table__, rows, "key")}
    fresh = [d for d in drafts if d.key in inserted]
    if not fresh:
        return 0
    people = {u for d in fresh for u in d.recipients}
    agency_ids = {d.agency_id for d in fresh}
    prefs = {p.user_id: p for p in session.exec(
        select(NotifyPreference).where(col(NotifyPreference.user_id).in_(people)))} if people else {}
    personal: dict[int, list[NotifyTarget]] = defaultdict(list)
    groups: dict[int, list[NotifyTarget]] = defaultdict(list)
    targets = session.exec(select(NotifyTarget).where(
        col(NotifyTarget.active).is_(True),
        (col(NotifyTarget.user_id).in_(people or {-1})) | (col(NotifyTarget.agency_id).in_(agency_ids)))).all()
    for t in targets:
        if t.user_id is not None:
            personal[t.user_id].append(t)
        elif t.agency_id is not None:
            groups[t.agency_id].append(t)
    zones = {a.id: ZoneInfo(a.timezone) for a in session.exec(select(Agency).where(col(Agency.id).in_(agency_ids)))}
    digest_at = parse_hhmm(settings.digest_time, "OGI_DIGEST_TIME") or time(8, 0)
    outbox: list[dict] = []
    for d in fresh:
        nid, tz = inserted[d.key], zones[d.agency_id]
        for uid in dict.fromkeys(d.recipients):
            pref = prefs.get(uid)
            wanted = pref.channels if pref is not None else ["email"]
            for t in personal.get(uid, []):
                if t.kind not in wanted:
                    continue
                # Overdue cases cannot wait for tomorrow's digest: e-mailed at once (after quiet hours).
                digest = t.kind == "email" and not d.urgent and (pref is None or pref.mode == "digest")
                when = next_local(digest_at, tz, now) if digest else now
                outbox.append(_row(d, nid, t, uid, "digest" if digest else "immediate",
                                   after_quiet_hours(when, pref, tz), now))
        for t in groups.get(d.agency_id, []):
            outbox.append(_row(d, nid, t, None, "immediate", now, now))
    return len(_insert(session, OutboxItem.__table__, outbox, "key"))


def _row(d: NoticeDraft, notice_id: int, t: NotifyTarget, user_id: int | None, mode: str, when: datetime,
         now: datetime) -> dict:
    who = f"u{user_id}" if user_id is not None else f"a{t.agency_id}"
    return {"key": f"{d.key}|{who}|{t.kind}:{t.id}", "notice_id": notice_id, "target_id": t.id,
            "user_id": user_id, "channel": t.kind, "mode": mode, "status": "pending", "attempts": 0,
            # Stored in UTC: SQLite compares the stored text, so every row must use the same offset.
            "next_attempt_at": when.astimezone(UTC), "created_at": now}


def approvers_of(*, session: Session, agency_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active approvers (负责人) of each agency: who hears of unassigned and overdue cases."""
    return members_of(session=session, agency_ids=agency_ids, role="approver")


def members_of(*, session: Session, agency_ids: Iterable[int], role: str) -> dict[int, list[int]]:
    """The active people of each agency who have ``role`` (e.g. its clerks, who serve letters)."""
    out: dict[int, list[int]] = defaultdict(list)
    for uid, aid in session.exec(select(User.id, User.agency_id).where(
            col(User.agency_id).in_(list(agency_ids)), User.role == role, col(User.active).is_(True))
            .order_by(User.id)):
        out[aid].append(uid)  # type: ignore[arg-type]
    return out


# --- targets and preferences ----------------------------------------------------------------------


def add_target(*, session: Session, kind: str, address: str, secret: str | None = None, name: str = "",
               agency_id: int | None = None, user_id: int | None = None) -> NotifyTarget:
    """A new delivery target, checked first (422 for a non-http(s) URL or a malformed 钉钉 secret)."""
    address = (address or "").strip()
    secret = (secret or "").strip() or None
    check_target(kind, address, secret)
    if (agency_id is None) == (user_id is None):
        raise InvalidField("owner", "a target belongs to one person or one unit", code="notify.one_owner")
    if kind == "email" and user_id is None:
        raise InvalidField("kind", "e-mail goes to a person: add it in the person's notification settings",
                           code="notify.email_for_unit")
    target = NotifyTarget(kind=kind, address=address, secret=secret, name=name.strip(), agency_id=agency_id,
                          user_id=user_id)
    session.add(target)
    session.flush()
    return target


def remove_target(*, session: Session, target_id: int, agency_ids: set[int] | None = None,
                  user_id: int | None = None) -> None:
    """Switch a target off (its deliveries stay in the log)."""
    target = session.get(NotifyTarget, target_id)
    if target is None or not ((agency_ids is not None and target.agency_id in agency_ids)
                              or (user_id is not None and target.user_id == user_id)):
        raise NotFound(f"notification target {target_id} not found")
    target.active = False
    session.add(target)


def targets(*, session: Session, agency_ids: set[int] | None = None, user_id: int | None = None) -> list[NotifyTarget]:
    """Active targets of some units or of one person."""
    stmt = select(NotifyTarget).where(col(NotifyTarget.active).is_(True))
    if user_id is not None:
        stmt = stmt.where(NotifyTarget.user_id == user_id)
    else:
        stmt = stmt.where(col(NotifyTarget.agency_id).in_(sorted(agency_ids or ())))
    return list(session.exec(stmt.order_by(NotifyTarget.id)))


def preference(*, session: Session, user_id: int) -> NotifyPreference:
    """The person's preferences (the defaults when never set: e-mail, daily digest, no quiet hours)."""
    return session.get(NotifyPreference, user_id) or NotifyPreference(user_id=user_id)


def set_preference(*, session: Session, user_id: int, channels: Sequence[str], mode: str,
                   quiet_start: str | None, quiet_end: str | None) -> NotifyPreference:
    """Save a person's preferences, checked (422 naming the field)."""
    bad = [c for c in channels if c not in CHANNEL_KINDS]
    if bad:
        raise InvalidField("channels", f"unknown channel {bad[0]!r}; choose from {', '.join(CHANNEL_KINDS)}",
                           code="notify.unknown_channel", channel=bad[0])
    if mode not in MODES:
        raise InvalidField("mode", "must be digest or immediate", code="notify.unknown_mode")
    parse_hhmm(quiet_start, "quiet_start")
    parse_hhmm(quiet_end, "quiet_end")
    if bool(quiet_start) != bool(quiet_end):
        raise InvalidField("quiet_end" if quiet_start else "quiet_start", "quiet hours need a start and an end",
                           code="notify.quiet_hours_pair")
    pref = session.get(NotifyPreference, user_id) or NotifyPreference(user_id=user_id)
    pref.channels = list(dict.fromkeys(channels))
    pref.mode = mode
    pref.quiet_start = quiet_start or None
    pref.quiet_end = quiet_end or None
    session.add(pref)
    session.flush()
    return pref


def local_day(agency: Agency, now: datetime) -> date:
    """The agency's day at ``now``."""
    return now.astimezone(ZoneInfo(agency.timezone)).date()
