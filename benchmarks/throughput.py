"""Registrations per second on PostgreSQL: ``ogi serve --workers 1`` against ``--workers 2``, side by side.

Each round starts ``ogi serve`` with one worker, then with two (the order alternates between rounds, so
a change in the machine's load falls on both), warms it up with a few registrations, and drives it
with ``wrk`` (C, Debian package ``wrk``; ``benchmarks/register.lua`` posts one registration per request
and counts answers by status) at ``--clients`` connections for ``--duration`` seconds. Reported per
worker count: registrations/s, p50/p95/p99 (median, min and max over the rounds), the answers by
status, and for each round the ratio two workers / one worker, with ``uptime``'s load before it.
Then an overload probe at ``--overload`` connections: every 5xx must be a 503 with Retry-After.

The database is a fresh schema of the PostgreSQL server named by ``--postgres`` (demo units and users,
no requests), migrated to head; it is dropped at the end.

Usage:
  apt-get install wrk
  .venv/bin/python benchmarks/throughput.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine  # noqa: E402
from benchmarks.scale import VAR, Server, registration  # noqa: E402

LUA = ROOT / "benchmarks" / "register.lua"


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()


def database(postgres: str) -> tuple[str, str]:
    """A fresh schema with the demo's units and users; its URL and name."""
    import sqlalchemy as sa

    from service.db import transaction, upgrade
    from service.requests.demo import load_demo

    schema = f"throughput_{os.getpid()}"
    base = sa.create_engine(postgres)
    with base.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    base.dispose()
    url = f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    upgrade(url)
    with transaction(url) as session:
        load_demo(session=session, requests=0, seed=15)
    return url, schema


def drop(postgres: str, schema: str) -> None:
    """Drop the benchmark's schema."""
    import sqlalchemy as sa

    base = sa.create_engine(postgres)
    with base.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    base.dispose()


def run_wrk(base: str, token: str, body: dict, clients: int, seconds: int) -> dict:
    """One wrk run against ``base``; the RESULT line of register.lua as a dict, plus registrations/s."""
    env = {**os.environ, "OGI_TOKEN": token, "OGI_BODY": json.dumps(body, ensure_ascii=False)}
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "60s",
                          "-s", str(LUA), base + "/api/v1/requests"], env=env, capture_output=True, text=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError("wrk gave no result: " + out.stdout[-1000:] + out.stderr[-1000:])
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["codes"].get("201", 0) / result["seconds"]
    return result


def _warm(base: str, token: str, body: dict) -> None:
    import httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for _ in range(4):
            client.post("/api/v1/requests", json=body)


def _spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> int:
    """Run the rounds and print the table for benchmarks/README.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL URL (a schema is made and dropped)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--overload", type=int, default=128, help="connections of the overload probe (0: none)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    print(f"machine: {machine()}; load before: {_load()}", flush=True)
    VAR.mkdir(parents=True, exist_ok=True)
    url, schema = database(args.postgres)
    # PYTHONPATH: `ogi` of a shared virtualenv would otherwise import the checkout it was installed from.
    env = {**os.environ, "OGI_DATABASE_URL": url, "OGI_CALENDAR_DIR": str(VAR / "calendars"),
           "OGI_SEAL_DIR": str(VAR / "seals"), "PYTHONPATH": str(ROOT)}
    token, body = registration(url)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    ratios: list[float] = []
    try:
        for r in range(args.rounds):
            order = (1, 2) if r % 2 == 0 else (2, 1)
            got = {}
            for workers in order:
                server = Server(env, workers=workers)
                try:
                    _warm(server.base, token, body)
                    load = _load()
                    got[workers] = {**run_wrk(server.base, token, body, args.clients, args.duration), "load": load}
                finally:
                    server.stop()
                runs[workers].append(got[workers])
                print(f"round {r + 1}, {workers} worker(s): {got[workers]}", flush=True)
            ratios.append(got[2]["rps"] / got[1]["rps"] if got[1]["rps"] else float("nan"))
        probes = {}
        if args.overload:
            for workers in (1, 2):
                server = Server(env, workers=workers)
                try:
                    probes[workers] = run_wrk(server.base, token, body, args.overload, args.duration)
                finally:
                    server.stop()
                print(f"overload, {workers} worker(s), {args.overload} clients: {probes[workers]}", flush=True)
    finally:
        drop(args.postgres, schema)
    print("\n| workers | registrations/s | p50 ms | p95 ms | p99 ms | answers | load (1/5/15 min) |\n"
          "|---:|---:|---:|---:|---:|---|---|")
    for workers in (1, 2):
        rs = runs[workers]
        codes: dict[str, int] = {}
        for x in rs:
            for k, v in x["codes"].items():
                codes[k] = codes.get(k, 0) + v
        answers = ", ".join(f"{v} × {k}" for k, v in sorted(codes.items()))
        errors = sum(x["socket_errors"] + x["timeouts"] for x in rs)
        print(f"| {workers} | {_spread([x['rps'] for x in rs])} | {_spread([x['p50'] for x in rs], '{:.0f}')} | "
              f"{_spread([x['p95'] for x in rs], '{:.0f}')} | {_spread([x['p99'] for x in rs], '{:.0f}')} | "
              f"{answers}{f', {errors} socket errors/time-outs' if errors else ''} | "
              f"{'; '.join(x['load'] for x in rs)} |")
    print(f"\ntwo workers / one worker, per round: {', '.join(f'{x:.2f}' for x in ratios)} "
          f"(median {statistics.median(ratios):.2f})")
    for workers, p in probes.items():
        print(f"overload, {workers} worker(s), {args.overload} clients: {p['codes']}, 503 without Retry-After: "
              f"{p['bare503']}, socket errors/time-outs: {p['socket_errors'] + p['timeouts']}")
    print(f"load after: {_load()} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
