"""Benchmark: 5 schemes × 500 units × 100,000 events scored (target: under 2 s in all), with a baseline
engine side by side in the same run.

Run: .venv/bin/python benchmarks/scoring.py [--units 500] [--events 100000] [--repeat 5] [--baseline REV]

One run = index the events once (EventSet) + score every unit under each of the five schemes for the
year, trails included. ``--baseline REV`` (default: the commit that recorded the figures in
benchmarks/README.md) exports that revision's ``scoring/`` and ``schemes/`` into a temporary directory
and times it on the same data in alternating runs (baseline, current, baseline, current, …), each in
a fresh process, so machine load falls on both alike: a slower current engine shows as a larger
current/baseline ratio, a loaded machine as both slower. Prints median, min and max of each, the
machine and its load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ("changshu-2020", "linzi-2021", "zhenping-2021", "sanmenxia-2017-example", "suzhou-2020")
KINDS = ("ogi.reply_late", "ogi.reply_defect", "ogi.notice_late", "ogi.case_closed", "ogi.review_corrected",
         "changshu.website_error", "changshu.newmedia_error", "changshu.website_report_score",
         "linzi.proactive_late", "zhenping.proactive_late", "sanmenxia.media_positive", "suzhou.interaction_late")
# The commit whose engine recorded 0.85–0.97 s (benchmarks/README.md, 2026-11-23).
DEFAULT_BASELINE = "f48c17f"


def build(units: int, events: int, seed: int = 2026):  # type: ignore[no-untyped-def]
    """A reproducible population: counties with departments and townships, and events spread over 2026."""
    import random

    from scoring import Event, ManualEntry, Unit

    rng = random.Random(seed)
    population = []
    for i in range(units):
        if i % 50 == 0:
            population.append(Unit(f"G{i}", type="county_gov"))
        else:
            parent = f"G{i - i % 50}"
            population.append(Unit(f"U{i}", parent=parent, type="county_dept" if i % 2 else "township"))
    codes = [u.code for u in population]
    start = date(2026, 1, 1).toordinal()
    evs = [Event(kind, rng.choice(codes), date.fromordinal(start + rng.randrange(365)), key=f"k{n}",
                 subject=f"s{n}", request_ref=f"2026-{n:06d}", amount=rng.choice((None, 1, 2.5)),
                 details={"request_no": f"2026-{n:06d}", "account": rng.choice(("微信", "微博"))})
           for n, kind in enumerate(rng.choice(KINDS) for _ in range(events))]
    entries = [ManualEntry(c, u, "2026", value=rng.randint(60, 100)) for u in codes for c in ("third-party", "mutual")]
    entries += [ManualEntry("process", u, f"2026Q{q}", value=rng.randint(60, 100)) for u in codes for q in (1, 2)]
    return population, evs, entries


def run_once(schemes: dict, units: list, events: list, entries: list) -> tuple[float, float]:
    """Index the events and score every unit under the five schemes; (wall seconds, CPU seconds of this
    process). CPU time barely moves with the machine's load; wall time is what a user waits."""
    from scoring import EventSet, score

    t0, c0 = time.perf_counter(), time.process_time()
    index = EventSet(events)
    for sid in SCHEMES:
        results = score(schemes[sid], "2026", units, index, entries if sid == "suzhou-2020" else ())
        assert len(results) == len(units)
    return time.perf_counter() - t0, time.process_time() - c0


def worker(root: Path, units: int, events: int, runs: int) -> None:
    """In this process: the engine and schemes under ``root``, one warm-up, ``runs`` timed runs (JSON out)."""
    sys.path.insert(0, str(root))
    from scoring import load_schemes

    schemes = {k: v for k, v in load_schemes(root / "schemes").items() if k in SCHEMES}
    population, evs, entries = build(units, events)
    run_once(schemes, population, evs, entries)
    print(json.dumps([run_once(schemes, population, evs, entries) for _ in range(runs)]))


def export(rev: str, into: Path) -> None:
    """``scoring/`` and ``schemes/`` of ``rev`` written under ``into``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "scoring", "schemes"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")


def _spawn(root: Path, args: argparse.Namespace) -> list[list[float]]:
    out = subprocess.run([sys.executable, __file__, "--worker", str(root), "--units", str(args.units),
                          "--events", str(args.events)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _summary(times: list[float]) -> str:
    return (f"median {statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}) "
            f"over {len(times)} runs")


def main() -> None:
    """Alternate baseline and current runs, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision of the baseline engine")
    parser.add_argument("--no-baseline", action="store_true", help="time the current engine only")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker, args.units, args.events, 1)
        return
    sys.path.insert(0, str(ROOT))
    from benchmarks.common import machine

    current: list[list[float]] = []
    baseline: list[list[float]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ogi-bench-baseline-") as tmp:
        if not args.no_baseline:
            export(args.baseline, Path(tmp))
        for _ in range(args.repeat):
            if not args.no_baseline:
                baseline += _spawn(Path(tmp), args)
            current += _spawn(ROOT, args)
    load_after = os.getloadavg()
    print(f"scoring: {len(SCHEMES)} schemes × {args.units} units × {args.events:,} events (target < 2 s)")
    for label, index in (("wall", 0), ("CPU", 1)):
        cur = [t[index] for t in current]
        print(f"  {label:4} current  {_summary(cur)}")
        if baseline:
            base = [t[index] for t in baseline]
            print(f"  {label:4} baseline {_summary(base)}  [{args.baseline}]")
            print(f"  {label:4} current / baseline (medians): {statistics.median(cur) / statistics.median(base):.2f}")
    print(f"  machine: {machine()}; load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")


if __name__ == "__main__":
    main()
