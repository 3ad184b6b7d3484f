"""Notification benchmark: 10,000 reminders through the outbox to a local SMTP server (aiosmtpd) and a
local signed-webhook receiver, counted at the receivers: none lost, none doubled.

Each round, on a fresh SQLite database: 10,000 open request rows due in 3 working days (inserted directly,
as benchmarks/workflow.py does: the sweep reads only the rows), 50 handlers who want each notice by e-mail
at once, and one OA webhook for the unit. Then
* the daily sweep (service.requests.sweep.run_sweep): 10,000 reminders → 10,000 notices → 20,000 outbox
  rows, in one transaction;
* the worker (service.notify.worker.deliver_all, OGI_NOTIFY_CONCURRENCY senders) delivers all 20,000;
* baseline, side by side: the same 20,000 messages sent straight to the same receivers with the same
  number of threads and no database at all (what the outbox's bookkeeping costs on top of sending).

Usage: .venv/bin/python benchmarks/notify.py [--reminders 10000] [--repeat 3] [--concurrency 8]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path, and benchmarks/calendar.py would hide the
# standard library's calendar module from everything imported below.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

AGENCIES = """
[[agency]]
code = "bench"
name = "基准测试局"
letter_prefix = "基准依申"
reconsideration_body = "某市人民政府"
court = "某市人民法院"
contact = "0512-00000000"
"""
SECRET = "bench-webhook-secret-0123"
HANDLERS = 50


def _setup(db_url: str, tmp: Path, n: int) -> None:
    from sqlalchemy import insert

    from service.agencies.service import import_file
    from service.db import transaction, upgrade
    from service.notify.service import add_target, set_preference
    from service.requests.context import calendar_for, local_today
    from service.requests.models import RequestRecord
    from service.users.service import add_user

    upgrade(db_url)
    (tmp / "agencies.toml").write_text(AGENCIES, encoding="utf-8")
    with transaction(db_url) as session:
        import_file(session=session, path=tmp / "agencies.toml")
        ids = []
        for i in range(HANDLERS):
            user = add_user(session=session, username=f"h{i}", password="x" * 12, role="handler", agency_code="bench")
            add_target(session=session, kind="email", address=f"h{i}@example.gov.cn", user_id=user.id)
            set_preference(session=session, user_id=user.id, channels=["email"], mode="immediate",  # type: ignore[arg-type]
                           quiet_start=None, quiet_end=None)
            ids.append(user.id)
        agency_id = user.agency_id
        add_target(session=session, kind="webhook", address=os.environ["BENCH_HOOK"], secret=SECRET, agency_id=agency_id)
        from service.agencies.models import Agency

        agency = session.get(Agency, agency_id)
        today = local_today(agency, datetime.now(UTC))  # type: ignore[arg-type]
        due = calendar_for(agency).add_working_days(today, 3)  # type: ignore[arg-type]
        now = datetime.now(UTC)
        rows = [{"agency_id": agency_id, "year": today.year, "seq": k + 1, "number": f"基准依申〔{today.year}〕{k + 1}号",
                 "status": "reviewing", "applicant_name": "张三", "applicant_kind": "natural_person",
                 "channel": "in_person", "received_on": today, "due_on": due, "provisional": False, "paused": False,
                 "description": "", "handler_id": ids[k % HANDLERS], "event_count": 0, "last_hash": "",
                 "created_at": now, "updated_at": now} for k in range(n)]
        for start in range(0, n, 5000):
            session.execute(insert(RequestRecord.__table__), rows[start:start + 5000])  # type: ignore[arg-type]


def _receivers(conn) -> None:  # type: ignore[no-untyped-def]
    """In a child process (so receiving does not share the sender's interpreter lock): the SMTP and
    webhook receivers, answering "ports", "stats" (the keys received), "clear" and "stop" on a pipe."""
    from tests.notify_receivers import HttpReceiver, SmtpReceiver

    http = HttpReceiver(webhook_secret=SECRET)
    with SmtpReceiver() as smtp, http:
        while True:
            command = conn.recv()
            if command == "ports":
                conn.send((smtp.port, http.port))
            elif command == "stats":
                with smtp.lock, http.lock:
                    conn.send(([m["X-OGI-Key"] for m in smtp.messages],
                               [h.headers.get("idempotency-key") for h in http.hits if h.answered == 200],
                               sum(1 for h in http.hits if not h.signature_ok)))
            elif command == "clear":
                with smtp.lock, http.lock:
                    smtp.messages.clear()
                    http.hits.clear()
                conn.send(True)
            else:
                conn.send(True)
                return


def _round(n: int, concurrency: int, rx) -> dict:  # type: ignore[no-untyped-def]
    from sqlmodel import func, select

    from service.db import get_engine, transaction
    from service.notify import channels
    from service.notify.models import OutboxItem
    from service.notify.worker import deliver_all
    from service.requests.sweep import run_sweep
    from service.settings import get_settings

    tmp = Path(tempfile.mkdtemp(prefix="ogi-notify-bench-"))
    db_url = f"sqlite:///{tmp / 'ogi.db'}"
    os.environ["OGI_DATABASE_URL"] = db_url
    os.environ["OGI_CALENDAR_DIR"] = str(tmp / "calendars")
    os.environ["OGI_NOTIFY_CONCURRENCY"] = str(concurrency)
    get_settings.cache_clear()
    _setup(db_url, tmp, n)
    rx.send("clear")
    rx.recv()

    t0 = time.perf_counter()
    with transaction(db_url) as session:
        report = run_sweep(session=session)
    sweep_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = deliver_all(limit=500)
    deliver_s = time.perf_counter() - t0
    with transaction(db_url, readonly=True) as session:
        by_status = dict(session.exec(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all())
        items = list(session.exec(select(OutboxItem.key, OutboxItem.channel)))
    rx.send("stats")
    mails, hooks, bad_signatures = rx.recv()
    mail_keys, hook_keys = Counter(mails), Counter(hooks)
    expected_mail = {k for k, c in items if c == "email"}
    expected_hook = {k for k, c in items if c == "webhook"}

    # Baseline: the same messages straight to the receivers, no outbox, same number of threads.
    settings = get_settings()
    rx.send("clear")
    rx.recv()
    msgs = [(c, k) for k, c in items]

    def send(item: tuple[str, str]) -> None:
        channel, key = item
        msg = channels.Message(key=key, subject="【到期提醒】基准", text="正文", link="http://x/requests/1", kind="reminder",
                               data={})
        if channel == "email":
            channels.send("email", "h@example.gov.cn", None, msg, settings)
        else:
            channels.send("webhook", os.environ["BENCH_HOOK"], SECRET, msg, settings)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, msgs))
    direct_s = time.perf_counter() - t0
    get_engine(db_url).dispose()
    total = len(items)
    return {
        "reminders": report.reminders_added, "outbox_rows": report.notices_added, "deliveries": total,
        "sent": counts["sent"], "status": by_status, "bad_signatures": bad_signatures,
        "lost": len(expected_mail - set(mail_keys)) + len(expected_hook - set(hook_keys)),
        "doubled": sum(1 for c in mail_keys.values() if c > 1) + sum(1 for c in hook_keys.values() if c > 1),
        "sweep_s": sweep_s, "deliver_s": deliver_s, "direct_s": direct_s,
        "ratio": deliver_s / direct_s, "load_1_5_15": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    """Run the rounds and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    import multiprocessing

    from benchmarks.common import machine

    rx, child_end = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=_receivers, args=(child_end,), daemon=True)
    child.start()
    rx.send("ports")
    smtp_port, http_port = rx.recv()
    os.environ.update({"OGI_SMTP_HOST": "127.0.0.1", "OGI_SMTP_PORT": str(smtp_port), "OGI_SMTP_SECURITY": "none",
                       "BENCH_HOOK": f"http://127.0.0.1:{http_port}/hook"})
    before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    rounds = [_round(args.reminders, args.concurrency, rx) for _ in range(args.repeat)]
    rx.send("stop")
    rx.recv()
    child.join(timeout=10)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {machine()}\nbefore: {before}\nafter:  {load}")
    for r in rounds:
        print({k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()})

    def span(key: str, per: str | None = None) -> str:
        values = [r[key] for r in rounds] if per is None else [r[per] / r[key] for r in rounds]
        fmt = "{:.2f}" if per is None else "{:,.0f}"
        return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"

    print()
    print("| step | seconds, median (min–max) | deliveries per second |")
    print("|---|---:|---:|")
    print(f"| sweep: {args.reminders:,} reminders → notices → {rounds[0]['deliveries']:,} outbox rows | {span('sweep_s')} | |")
    print(f"| worker: deliver {rounds[0]['deliveries']:,} (e-mail + webhook), {args.concurrency} senders | "
          f"{span('deliver_s')} | {span('deliver_s', 'deliveries')} |")
    print(f"| baseline: the same messages sent directly, no outbox | {span('direct_s')} | "
          f"{span('direct_s', 'deliveries')} |")
    ratios = [r["ratio"] for r in rounds]
    print(f"\noutbox ÷ baseline (each round's worker time over its own direct sending): "
          f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}), rounds: {len(rounds)}")
    print(f"\nlost: {[r['lost'] for r in rounds]}, doubled: {[r['doubled'] for r in rounds]}, "
          f"outbox: {[r['status'] for r in rounds]}")


if __name__ == "__main__":
    main()
