"""Concurrency benchmark: 200 parallel registrations in one unit through real HTTP against `ogi serve`,
on SQLite and PostgreSQL, while a clerk of another unit keeps asking `GET /api/v1/me`.

For each database and repeat it prints the 5xx count (must be zero), whether the numbers are
1…N without a gap, the registrations' p50/p99 latency, and the other unit's `GET /me` latency during
the burst next to the same `GET /me` on the idle server (the baseline, measured in the same run).

Usage: .venv/bin/python benchmarks/concurrency.py [--parallel 200] [--repeat 3] [--postgres URL]
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
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

AGENCIES = """
[[agency]]
code = "bench"
name = "基准测试局"
letter_prefix = "基准依申"
reconsideration_body = "某市人民政府"
court = "某市人民法院"
contact = "基准测试局办公室，0000-00000000"

[[agency]]
code = "other"
name = "另一测试局"
letter_prefix = "另一依申"
reconsideration_body = "某市人民政府"
court = "某市人民法院"
contact = "另一测试局办公室，0000-00000001"
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, tmp: Path) -> tuple[str, str]:
    """Migrate ``url``, create the two units and a clerk in each; return (bench token, other token)."""
    from service.agencies.service import import_file
    from service.db import get_engine, transaction, upgrade
    from service.users.service import add_user, create_token

    upgrade(url)
    (tmp / "agencies.toml").write_text(AGENCIES, encoding="utf-8")
    with transaction(url) as session:
        import_file(session=session, path=tmp / "agencies.toml")
        tokens = []
        for code in ("bench", "other"):
            add_user(session=session, username=f"{code}_clerk", password="bench-password", role="clerk",
                     agency_code=code)
            tokens.append(create_token(session=session, username=f"{code}_clerk"))
    get_engine(url).dispose()
    return tokens[0], tokens[1]


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


@contextmanager
def serving(url: str, tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `ogi serve` on ``url`` in a subprocess; yield its base URL; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "OGI_DATABASE_URL": url, "OGI_PORT": str(port), "OGI_HOST": "127.0.0.1",
           "OGI_CALENDAR_DIR": str(tmp / "calendars"), "OGI_SEAL_DIR": str(tmp / "seals"), **(extra_env or {})}
    ogi = Path(sys.executable).with_name("ogi")
    log = (tmp / f"serve-{port}.log").open("wb")
    server = subprocess.Popen([str(ogi), "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError(f"ogi serve exited: {(tmp / f'serve-{port}.log').read_text()[-2000:]}")
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()


def body(i: int) -> dict:
    """A valid registration body (in person, received 2026-09-21)."""
    return {"applicant": {"kind": "natural_person", "name": f"申请人{i}", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
            "description": f"申请公开第{i}号文件"}


@dataclass
class Burst:
    """What one burst of parallel registrations saw."""

    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    other_waits: list[float] = field(default_factory=list)
    other_statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    @property
    def server_errors(self) -> int:
        """How many answers (registrations and the other unit's reads) were 5xx or no answer at all."""
        return sum(s >= 500 or s == 0 for s in self.statuses + self.other_statuses)

    def sequence_numbers(self) -> list[int]:
        """The serial part of every number given out, sorted."""
        return sorted(int(n.split("〕")[1].rstrip("号")) for n in self.numbers)


def burst(base: str, token: str, other_token: str, n: int, start: int = 0, timeout: float = 120) -> Burst:
    """Release ``n`` registrations at once (one thread and connection each) while another unit's
    clerk asks GET /me every 20 ms; return every status, latency and number."""
    out = Burst()
    lock = threading.Lock()
    barrier = threading.Barrier(n + 1)
    done = threading.Event()

    def register(i: int) -> None:
        # No connection before the barrier: uvicorn closes idle keep-alive connections after 5 s, and
        # starting 200 threads on a loaded machine can take that long.
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=timeout) as c:
            barrier.wait()
            t = time.perf_counter()
            try:
                r = c.post("/api/v1/requests", json=body(start + i))
                status, number = r.status_code, (r.json().get("number") if r.status_code == 201 else None)
                if status != 201:
                    out.errors.append(f"{status}: {r.text[:300]}")
            except httpx.HTTPError as exc:
                status, number = 0, None
                out.errors.append(f"no answer: {type(exc).__name__}: {exc}")
            elapsed = time.perf_counter() - t
        with lock:
            out.statuses.append(status)
            out.latencies.append(elapsed)
            if number:
                out.numbers.append(number)

    def other() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {other_token}"}, timeout=timeout) as c:
            barrier.wait()
            while not done.is_set():
                t = time.perf_counter()
                try:
                    status = c.get("/api/v1/me").status_code
                except httpx.HTTPError as exc:
                    status = 0
                    out.errors.append(f"GET /me no answer: {type(exc).__name__}: {exc}")
                out.other_waits.append(time.perf_counter() - t)
                out.other_statuses.append(status)
                time.sleep(0.02)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(n)]
    watcher = threading.Thread(target=other)
    watcher.start()
    for th in threads:
        th.start()
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    out.wall = time.perf_counter() - t0
    done.set()
    watcher.join()
    return out


def idle_me(base: str, token: str, k: int = 50) -> list[float]:
    """GET /me latencies on the idle server (the baseline)."""
    waits = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        c.get("/api/v1/me")
        for _ in range(k):
            t = time.perf_counter()
            c.get("/api/v1/me").raise_for_status()
            waits.append(time.perf_counter() - t)
    return waits


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def run(db: str, pg_url: str, n: int, slots: int = 0) -> dict:
    """One repeat on one database: fresh data, a server (with ``slots`` write slots; 0 = the default),
    a burst; the figures."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp}/bench.db" if db == "sqlite" else fresh_schema(pg_url, "ogi_bench_concurrency")
        token, other_token = prepare(url, tmp)
        with serving(url, tmp, {"OGI_DB_WRITE_SLOTS": str(slots)}) as base:
            baseline = idle_me(base, other_token)
            result = burst(base, token, other_token, n)
        seqs = result.sequence_numbers()
        return {"db": db, "slots": slots, "n": n, "5xx": result.server_errors, "created": len(result.numbers),
                "gap_free": seqs == list(range(1, n + 1)),
                "p50_ms": pct(result.latencies, 50) * 1000, "p99_ms": pct(result.latencies, 99) * 1000,
                "wall_s": result.wall,
                "me_p50_ms": pct(result.other_waits, 50) * 1000, "me_max_ms": max(result.other_waits) * 1000,
                "me_n": len(result.other_waits), "errors": result.errors[:5],
                "idle_me_p50_ms": pct(baseline, 50) * 1000}


def summary(values: list[float]) -> str:
    """median (min–max)."""
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main() -> int:
    """Run the benchmark on SQLite (and PostgreSQL when a URL is given) and print a Markdown table."""
    from benchmarks.common import machine

    parser = argparse.ArgumentParser()
    parser.add_argument("--parallel", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("OGI_TEST_POSTGRES_URL", ""))
    parser.add_argument("--slots", default="0", help="comma-separated OGI_DB_WRITE_SLOTS values to compare "
                                                     "(0 = the default: 1 on SQLite, 8 on PostgreSQL)")
    args = parser.parse_args()
    slot_values = [int(v) for v in args.slots.split(",")]
    print(f"machine: {machine()}")
    print(f"uptime before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    dbs = ["sqlite"] + (["postgres"] if args.postgres else [])
    rows: dict[tuple[str, int], list[dict]] = {(db, s): [] for db in dbs for s in slot_values}
    for i in range(args.repeat):
        for db, slots in rows:
            r = run(db, args.postgres, args.parallel, slots)
            print(f"repeat {i + 1} {db} slots={slots}: {r}", flush=True)
            rows[db, slots].append(r)
    print(f"uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print("| database | write slots | parallel | 5xx | gap-free | p50 ms | p99 ms | burst s | other unit GET /me p50 ms "
          "| GET /me max ms | idle GET /me p50 ms (baseline) |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    failed = False
    for (db, slots), rs in rows.items():
        failed |= any(r["5xx"] or not r["gap_free"] for r in rs)
        print(f"| {db} | {slots or 'default'} | {args.parallel} | {sum(r['5xx'] for r in rs)} | {all(r['gap_free'] for r in rs)} "
              f"| {summary([r['p50_ms'] for r in rs])} | {summary([r['p99_ms'] for r in rs])} "
              f"| {statistics.median([r['wall_s'] for r in rs]):.1f} "
              f"| {summary([r['me_p50_ms'] for r in rs])} | {summary([r['me_max_ms'] for r in rs])} "
              f"| {summary([r['idle_me_p50_ms'] for r in rs])} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
