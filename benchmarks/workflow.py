"""Workflow benchmarks: registration through the HTTP API (uvicorn on loopback) on SQLite and
PostgreSQL, and `ogi sweep` over 100,000 open requests.

Baselines, measured side by side in the same run:
* registration latency is compared with a `/healthz` round trip on the same server (the floor of
  HTTP + auth-free routing), so the figure shows what registration itself costs;
* the sweep is compared with a naive sweep that walks the calendar day by day for every request
  (`is_working_day` per day) instead of using the precomputed working-day index.

Usage: .venv/bin/python benchmarks/workflow.py [--requests 400] [--sweep 100000] [--postgres URL]
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
import secrets
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import date, timedelta

import httpx

AGENCIES = """
[[agency]]
code = "bench"
name = "基准测试局"
letter_prefix = "基准依申"
reconsideration_body = "某市人民政府"
court = "某市人民法院"
contact = "基准测试局办公室，0000-00000000"
"""




from benchmarks.common import machine  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, tmp: Path) -> str:
    """Migrate, create the agency and a clerk, return the clerk's token."""
    os.environ["OGI_DATABASE_URL"] = url
    from service.agencies.service import import_file
    from service.db import get_engine, transaction, upgrade
    from service.settings import get_settings
    from service.users.service import add_user, create_token

    get_settings.cache_clear()
    upgrade(url)
    (tmp / "agencies.toml").write_text(AGENCIES, encoding="utf-8")
    with transaction(url) as session:
        import_file(session=session, path=tmp / "agencies.toml")
        add_user(session=session, username="bench_clerk", password="bench-password", role="clerk",
                 agency_code="bench")
        token = create_token(session=session, username="bench_clerk")
    get_engine(url).dispose()
    return token


def fresh_schema(url: str, schema: str) -> str:
    """A URL on an emptied PostgreSQL schema, so the benchmark never touches other data."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def body(i: int) -> dict:
    return {"applicant": {"kind": "natural_person", "name": f"申请人{i}", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
            "description": f"申请公开第{i}号文件"}


def bench_registration(url: str, n: int, label: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp}/bench.db" if url.startswith("sqlite") else fresh_schema(url, "ogi_bench")
        token = prepare(url, tmp)
        port = free_port()
        # A throw-away key: the app refuses to start without one.
        env = {**os.environ, "OGI_DATABASE_URL": url, "OGI_SECRET_KEY": secrets.token_urlsafe(32)}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                for i in range(20):  # warm-up
                    client.post("/api/v1/requests", json=body(-i)).raise_for_status()
                    client.get("/healthz")
                health, reg = [], []
                for i in range(n):
                    t = time.perf_counter()
                    client.get("/healthz")
                    health.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    r = client.post("/api/v1/requests", json=body(i))
                    reg.append(time.perf_counter() - t)
                    r.raise_for_status()
            # Throughput with 8 concurrent clients.
            done = []
            per_thread = max(n // 8, 1)

            def worker(k: int) -> None:
                with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
                    for i in range(per_thread):
                        c.post("/api/v1/requests", json=body(100000 + k * per_thread + i)).raise_for_status()
                        done.append(1)

            t = time.perf_counter()
            threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            elapsed = time.perf_counter() - t
        finally:
            server.terminate()
            server.wait(10)
    q = statistics.quantiles(reg, n=20)
    return {"db": label, "n": n, "p50_ms": statistics.median(reg) * 1000, "p95_ms": q[18] * 1000,
            "healthz_p50_ms": statistics.median(health) * 1000, "throughput_per_s": len(done) / elapsed}


def bench_sweep(n: int) -> dict:
    """Sweep n open requests (rows inserted directly: the sweep reads only the request rows)."""
    from sqlalchemy import insert

    from service.base import utcnow
    from service.db import get_engine, transaction
    from service.requests.models import RequestRecord
    from service.requests.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp}/sweep.db"
        prepare(url, tmp)
        as_of = date(2026, 10, 12)
        now = utcnow()
        rows = [{"agency_id": 1, "year": 2026, "seq": i + 1, "number": f"基准依申〔2026〕{i + 1}号",
                 "status": "reviewing", "applicant_name": "申请人", "applicant_kind": "natural_person",
                 "channel": "in_person", "received_on": as_of - timedelta(days=i % 40),
                 "due_on": as_of + timedelta(days=(i % 60) - 20), "provisional": False, "paused": False,
                 "description": "", "event_count": 0, "last_hash": "", "created_at": now, "updated_at": now}
                for i in range(n)]
        with transaction(url) as session:
            session.execute(insert(RequestRecord), rows)
        t = time.perf_counter()
        with transaction(url) as session:
            report = run_sweep(session=session, as_of=as_of)
        first = time.perf_counter() - t
        t = time.perf_counter()
        with transaction(url) as session:
            again = run_sweep(session=session, as_of=as_of)
        second = time.perf_counter() - t

        # Baseline: the same classification walking the calendar one day at a time.
        from workflow.calendar import get_calendar

        cal = get_calendar()
        t = time.perf_counter()
        naive_overdue = 0
        for r in rows:
            due = r["due_on"]
            if due < as_of:
                naive_overdue += 1
                continue
            d, left = as_of, 0
            while d < due:
                d += timedelta(days=1)
                left += cal.is_working_day(d)
        naive = time.perf_counter() - t
        # The same classification through the index, as the sweep does it.
        from workflow.policy import Policy
        from workflow.sweep import classify_due

        policy = Policy.load()
        t = time.perf_counter()
        indexed_overdue = sum(classify_due(r["due_on"], as_of=as_of, calendar=cal, policy=policy) == 0 for r in rows)
        indexed = time.perf_counter() - t
        assert indexed_overdue == naive_overdue
        get_engine(url).dispose()
    return {"n": n, "first_s": first, "repeat_s": second, "overdue": report.overdue, "due_soon": report.due_soon,
            "reminders": report.reminders_added, "late_events": report.late_events_added,
            "repeat_new": again.reminders_added + again.late_events_added, "naive_classify_s": naive,
            "naive_overdue": naive_overdue, "indexed_classify_s": indexed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--sweep", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("OGI_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    print(f"machine: {machine()}")
    results = [bench_registration("sqlite", args.requests, "SQLite")]
    if args.postgres:
        results.append(bench_registration(args.postgres, args.requests, "PostgreSQL"))
    print("| database | registrations | p50 ms | p95 ms | /healthz p50 ms (baseline) | throughput, 8 clients /s |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['db']} | {r['n']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['healthz_p50_ms']:.2f} "
              f"| {r['throughput_per_s']:.0f} |")
    s = bench_sweep(args.sweep)
    print(f"sweep of {s['n']} open requests: {s['first_s']:.2f} s (found {s['due_soon']} due soon, "
          f"{s['overdue']} overdue; {s['reminders']} reminders, {s['late_events']} ogi.reply_late); "
          f"repeat sweep {s['repeat_s']:.2f} s adding {s['repeat_new']} rows")
    print(f"classification alone (no database): index {s['indexed_classify_s']:.3f} s vs day-by-day baseline "
          f"{s['naive_classify_s']:.2f} s ({s['naive_classify_s'] / s['indexed_classify_s']:.0f}x)")


if __name__ == "__main__":
    main()
