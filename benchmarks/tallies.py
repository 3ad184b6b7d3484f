"""Scoring from tallies against scoring every event, through the service, in the same run.

Builds a SQLite database (demo units, no requests) with ``--events`` assessment events spread over
2026 and recorded through the inbox (so their tallies are kept as in production), then times, in
alternating rounds: ``results`` reading every event (what the scoring API and page did), the summary
(``trails=set()``: tallies, what ``/summary`` and the 考核 page read) and one unit's trail
(``unit=``: tallies plus that unit's events). Prints median, min and max and the ratios to the full
path, with the machine and its load.

Usage: .venv/bin/python benchmarks/tallies.py [--events 200000] [--rounds 3] [--scheme changshu-2020]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine  # noqa: E402
from benchmarks.scoring import KINDS  # noqa: E402


def build(url: str, events: int, seed: int = 15) -> list[str]:
    """Demo units and ``events`` assessment events through the inbox; the unit codes."""
    from sqlmodel import select

    from service.agencies.models import Agency
    from service.assessment import inbox
    from service.db import transaction, upgrade
    from service.requests.demo import load_demo

    upgrade(url)
    with transaction(url) as session:
        load_demo(session=session, requests=0, seed=seed)
        units = sorted(a.code for a in session.exec(select(Agency)))
    rng = random.Random(seed)
    for start in range(0, events, 20_000):
        batch = [{"kind": rng.choice(KINDS), "unit": rng.choice(units), "key": f"bench:{i}",
                  "on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)), "request_ref": f"R{i}",
                  "amount": rng.choice([None] * 8 + [1.0, 2.5])} for i in range(start, min(events, start + 20_000))]
        with transaction(url) as session:
            inbox.submit(session=session, events=batch)
    return units


def main() -> int:
    """Build, time the three paths in alternating rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scheme", default="changshu-2020")
    args = parser.parse_args()
    from service.assessment import service
    from service.db import transaction

    folder = tempfile.mkdtemp(prefix="ogi-tallies-")
    url = f"sqlite:///{folder}/bench.db"
    os.environ["OGI_DATABASE_URL"] = url
    started = time.perf_counter()
    units = build(url, args.events)
    print(f"machine: {machine()}; built {args.events:,} events over {len(units)} units in "
          f"{time.perf_counter() - started:.0f} s; load {os.getloadavg()}", flush=True)
    one = units[len(units) // 2]
    paths = {"every event (before)": {}, "summary (tallies)": {"trails": set()},
             f"one unit's trail ({one})": {"unit": one, "trails": {one}}}
    times: dict[str, list[float]] = {k: [] for k in paths}
    totals: dict[str, object] = {}
    for _ in range(args.rounds):
        for label, kw in paths.items():
            with transaction(url, readonly=True) as session:
                t = time.perf_counter()
                found = service.results(session=session, scheme_id=args.scheme, period="2026", visible=None, **kw)
                times[label].append(time.perf_counter() - t)
                totals[label] = {r.unit: r.total for r in found}
    assert totals["summary (tallies)"] == totals["every event (before)"]
    base = statistics.median(times["every event (before)"])
    print(f"\n{args.scheme}, 2026, {args.events:,} events, {args.rounds} rounds (load {os.getloadavg()}):\n")
    print("| path | median s | min–max s | ratio to every event |\n|---|---:|---:|---:|")
    for label, ts in times.items():
        print(f"| {label} | {statistics.median(ts):.2f} | {min(ts):.2f}–{max(ts):.2f} | "
              f"{statistics.median(ts) / base:.2f} |")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
