"""The background worker: runs each agency's daily sweep at its local time (and at start-up when the day's
run is missing), and delivers the outbox with retries and exponential back-off.

Safe with several servers on one database:
* the sweep of an agency and day is claimed by inserting its ``sweep_run`` row in the same transaction as
  the sweep's reminders and notices; the unique key (agency, day) lets exactly one transaction commit it
  (PostgreSQL makes a concurrent insert of the same key wait, then skip), and a crash rolls the claim
  back with the work, so another server runs it at its next tick;
* deliveries are claimed in short transactions (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's write
  lock otherwise) with a claim that expires, so a killed worker's claims are taken over, never lost.
A delivery interrupted between the receiver taking it and the database recording it is sent again:
receivers get the same ``Idempotency-Key`` header (webhooks) or Message-ID (mail) and can drop it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time as _time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.db import transaction
from service.notify import channels, texts
from service.notify.models import DeliveryAttempt, Notice, NotifyTarget, OutboxItem, SweepRun
from service.notify.service import parse_hhmm
from service.settings import Settings, get_settings
from service.users.models import User

log = logging.getLogger("ogi.worker")


def holder_name() -> str:
    """Who this worker is, for the logs: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


# --- the daily sweep -------------------------------------------------------------------------------


def due_sweeps(*, session: Session, now: datetime, settings: Settings) -> list[tuple[Agency, object]]:
    """Agencies whose local time is past the sweep time and whose day has no finished run yet."""
    at = parse_hhmm(settings.sweep_time, "OGI_SWEEP_TIME")
    assert at is not None
    agencies = list(session.exec(select(Agency).order_by(Agency.id)))
    out = []
    days = {a.id: now.astimezone(ZoneInfo(a.timezone)) for a in agencies}
    done = {(r.agency_id, r.day) for r in session.exec(select(SweepRun).where(
        col(SweepRun.day).in_({d.date() for d in days.values()})))}
    for a in agencies:
        local = days[a.id]
        if local.time() >= at and (a.id, local.date()) not in done:
            out.append((a, local.date()))
    return out


def run_due_sweeps(*, now: datetime | None = None, holder: str | None = None,
                   settings: Settings | None = None) -> list[dict]:
    """Run every sweep that is due now; returns what each run found (skipped ones: another server won)."""
    from service.requests.sweep import run_sweep

    settings = settings or get_settings()
    now = now or utcnow()
    holder = holder or holder_name()
    with transaction(readonly=True) as session:
        todo = due_sweeps(session=session, now=now, settings=settings)
    results = []
    for agency, day in todo:
        with transaction() as session:
            if not _claim_day(session=session, agency_id=agency.id, day=day, holder=holder, now=now):  # type: ignore[arg-type]
                results.append({"agency": agency.code, "day": str(day), "ran": False})
                continue
            report = run_sweep(session=session, as_of=day, now=now, agency_ids=[agency.id])  # type: ignore[arg-type,list-item]
            result = {"checked": report.checked, "due_soon": report.due_soon, "overdue": report.overdue,
                      "reminders_added": report.reminders_added, "notices_added": report.notices_added}
            session.execute(update(SweepRun).where(col(SweepRun.agency_id) == agency.id, col(SweepRun.day) == day)
                            .values(finished_at=utcnow(), heartbeat_at=utcnow(), result=result))
        log.info("sweep %s %s by %s: %s", agency.code, day, holder, result)
        results.append({"agency": agency.code, "day": str(day), "ran": True, "holder": holder, **result})
    return results


def _claim_day(*, session: Session, agency_id: int, day: object, holder: str, now: datetime) -> bool:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = SweepRun.__table__
    stmt = (insert(table).values(agency_id=agency_id, day=day, holder=holder, started_at=now, heartbeat_at=now,
                                 result={})
            .on_conflict_do_nothing(index_elements=["agency_id", "day"]).returning(table.c.id))  # type: ignore[attr-defined]
    return session.execute(stmt).first() is not None


# --- delivery --------------------------------------------------------------------------------------


@dataclass
class Job:
    """A claimed delivery with everything needed to send it (no database access while sending)."""

    id: int
    attempts: int
    key: str
    channel: str
    mode: str
    address: str
    secret: str | None
    user_id: int | None
    person: str
    message: channels.Message


def backoff(attempts: int, settings: Settings) -> timedelta:
    """Wait before the next try: base × 2^(attempts-1), at most the configured maximum."""
    return timedelta(seconds=min(settings.notify_retry_base_seconds * 2 ** max(attempts - 1, 0),
                                 settings.notify_retry_max_seconds))


def claim(*, session: Session, now: datetime, limit: int, settings: Settings) -> list[Job]:
    """Take up to ``limit`` due deliveries (pending and due, or claimed by a worker whose claim ran out)."""
    stmt = (select(OutboxItem).where(or_(
        and_(col(OutboxItem.status) == "pending", col(OutboxItem.next_attempt_at) <= now),
        and_(col(OutboxItem.status) == "sending", col(OutboxItem.claimed_until) < now)))
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    items = list(session.exec(stmt))
    if not items:
        return []
    until = now + timedelta(seconds=settings.notify_claim_seconds)
    for item in items:
        item.status, item.claimed_until, item.attempts = "sending", until, item.attempts + 1
        session.add(item)
    notices = {n.id: n for n in session.exec(select(Notice).where(col(Notice.id).in_({i.notice_id for i in items})))}
    targets = {t.id: t for t in session.exec(select(NotifyTarget).where(
        col(NotifyTarget.id).in_({i.target_id for i in items})))}
    users = {u.id: (u.display_name or u.username) for u in session.exec(select(User).where(
        col(User.id).in_({i.user_id for i in items if i.user_id})))}
    session.flush()
    jobs = []
    for item in items:
        n, t = notices[item.notice_id], targets[item.target_id]
        jobs.append(Job(id=item.id, attempts=item.attempts, key=item.key, channel=item.channel, mode=item.mode,  # type: ignore[arg-type]
                        address=t.address, secret=t.secret, user_id=item.user_id,
                        person=users.get(item.user_id, ""),
                        message=channels.Message(key=item.key, subject=n.subject, text=n.body, link=n.link,
                                                 kind=n.kind, data=dict(n.data))))
    return jobs


def _send_group(jobs: list[Job], settings: Settings) -> str | None:
    """Send one job, or one digest for several; None on success, else the error."""
    first = jobs[0]
    try:
        if first.mode == "digest":
            day = utcnow().date()
            subject, body = texts.digest(person=first.person or "您好", day=day,
                                         items=[(j.message.subject, j.message.link) for j in jobs])
            key = "digest:" + ",".join(sorted(j.key for j in jobs))
            channels.send_email(first.address, channels.Message(key=key, subject=subject, text=body, link="",
                                                                kind="digest", data={}), settings)
        else:
            channels.send(first.channel, first.address, first.secret, first.message, settings)
    except channels.DeliveryError as exc:
        return str(exc)[:1000]
    except Exception as exc:  # noqa: BLE001  (a bad target must not stop the worker)
        return f"{type(exc).__name__}: {exc}"[:1000]
    return None


def deliver_batch(*, now: datetime | None = None, limit: int = 200, settings: Settings | None = None,
                  worker: str | None = None) -> dict[str, int]:
    """Claim, send and record one batch; returns counts of sent, retried and given-up deliveries."""
    settings = settings or get_settings()
    now = now or utcnow()
    worker = worker or holder_name()
    with transaction() as session:
        jobs = claim(session=session, now=now, limit=limit, settings=settings)
    if not jobs:
        return {"claimed": 0, "sent": 0, "retry": 0, "dead": 0}
    groups: dict[tuple, list[Job]] = defaultdict(list)
    for j in jobs:
        # Digest e-mails: all of one person's due items at one address become one message.
        groups[("digest", j.user_id, j.address) if j.mode == "digest" else ("one", j.id)].append(j)
    started = _time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, settings.notify_concurrency)) as pool:
        results = list(pool.map(lambda g: (g, _send_group(g, settings)), groups.values()))
    elapsed = int((_time.monotonic() - started) * 1000)
    counts = {"claimed": len(jobs), "sent": 0, "retry": 0, "dead": 0}
    # A caller may run the worker "as of" a later moment (tests, catching up): back-off counts from then.
    done_at = max(utcnow(), now)
    with transaction() as session:
        for group, error in results:
            for j in group:
                _record(session=session, job=j, error=error, at=done_at, settings=settings, worker=worker,
                        duration_ms=elapsed, counts=counts)
    return counts


def _record(*, session: Session, job: Job, error: str | None, at: datetime, settings: Settings, worker: str,
            duration_ms: int, counts: dict[str, int]) -> None:
    mine = and_(col(OutboxItem.id) == job.id, col(OutboxItem.status) == "sending",
                col(OutboxItem.attempts) == job.attempts)
    if error is None:
        values: dict = {"status": "sent", "sent_at": at, "claimed_until": None, "last_error": None}
        counts["sent"] += 1
    elif job.attempts >= settings.notify_max_attempts:
        values = {"status": "dead", "claimed_until": None, "last_error": error}
        counts["dead"] += 1
        log.warning("delivery %s given up after %d attempts: %s", job.key, job.attempts, error)
    else:
        values = {"status": "pending", "claimed_until": None, "last_error": error,
                  "next_attempt_at": at + backoff(job.attempts, settings)}
        counts["retry"] += 1
        log.info("delivery %s failed (attempt %d), retrying: %s", job.key, job.attempts, error)
    # Only if the claim is still ours: a worker that overran its claim must not undo a newer attempt.
    session.execute(update(OutboxItem).where(mine).values(**values))
    session.add(DeliveryAttempt(outbox_id=job.id, at=at, ok=error is None, error=error, duration_ms=duration_ms,
                                worker=worker))


def deliver_all(*, settings: Settings | None = None, limit: int = 200) -> dict[str, int]:
    """Deliver batches until nothing is due now."""
    total = {"claimed": 0, "sent": 0, "retry": 0, "dead": 0}
    while True:
        counts = deliver_batch(settings=settings, limit=limit)
        for k, v in counts.items():
            total[k] += v
        if counts["claimed"] < limit:
            return total


# --- the loop --------------------------------------------------------------------------------------


def run_worker(*, stop: threading.Event | None = None, once: bool = False, sweep: bool = True) -> dict:
    """Sweep when due and deliver, every ``OGI_WORKER_TICK_SECONDS``, until ``stop`` is set (or once).
    Errors are logged and the loop goes on: a broken mail server must not stop reminders."""
    stop = stop or threading.Event()
    settings = get_settings()
    holder = holder_name()
    summary: dict = {"holder": holder, "sweeps": [], "delivered": {"claimed": 0, "sent": 0, "retry": 0, "dead": 0}}
    while True:
        try:
            if sweep:
                summary["sweeps"] += run_due_sweeps(holder=holder, settings=settings)
            counts = deliver_all(settings=settings)
            for k, v in counts.items():
                summary["delivered"][k] += v
        except Exception:  # noqa: BLE001
            log.exception("worker tick failed; trying again at the next tick")
        if once or stop.wait(settings.worker_tick_seconds):
            return summary


def start_in_thread() -> tuple[threading.Thread, threading.Event]:
    """Run the worker beside the web server (``ogi serve``); returns the thread and its stop flag."""
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, kwargs={"stop": stop}, name="ogi-worker", daemon=True)
    thread.start()
    return thread, stop
