"""Benchmark: 5 schemes × 500 units × 100,000 events scored (target: under 2 s in all).

Run: .venv/bin/python benchmarks/scoring.py [--units 500] [--events 100000] [--repeat 5]
Prints the best and median wall time of: indexing the events once (EventSet) + scoring every unit
under each of the five schemes for the year.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import Event, EventSet, ManualEntry, Unit, load_schemes, score  # noqa: E402

SCHEMES = ("changshu-2020", "linzi-2021", "zhenping-2021", "sanmenxia-2017-example", "suzhou-2020")
KINDS = ("ogi.reply_late", "ogi.reply_defect", "ogi.notice_late", "ogi.case_closed", "ogi.review_corrected",
         "changshu.website_error", "changshu.newmedia_error", "changshu.website_report_score",
         "linzi.proactive_late", "zhenping.proactive_late", "sanmenxia.media_positive", "suzhou.interaction_late")


def build(units: int, events: int, seed: int = 2026) -> tuple[list[Unit], list[Event], list[ManualEntry]]:
    """A reproducible population: counties with departments and townships, and events spread over 2026."""
    rng = random.Random(seed)
    population: list[Unit] = []
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


def run_once(schemes: dict, units: list[Unit], events: list[Event], entries: list[ManualEntry]) -> float:
    t0 = time.perf_counter()
    index = EventSet(events)
    for sid in SCHEMES:
        scheme = schemes[sid]
        results = score(scheme, "2026", units, index, entries if sid == "suzhou-2020" else ())
        assert len(results) == len(units)
    return time.perf_counter() - t0


def main() -> None:
    """Build the data, time the runs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import scoring.scheme

    schemes = load_schemes(ROOT / "schemes")
    # Scheme years differ; every scheme here is scored for 2026 like a current year would be.
    schemes = {k: v for k, v in schemes.items() if k in SCHEMES}
    assert all(isinstance(s, scoring.scheme.Scheme) for s in schemes.values())
    units, events, entries = build(args.units, args.events)
    times = [run_once(schemes, units, events, entries) for _ in range(args.repeat)]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    print(f"scoring: {len(SCHEMES)} schemes × {args.units} units × {args.events:,} events")
    print(f"  best {min(times):.3f} s, median {statistics.median(times):.3f} s over {args.repeat} runs "
          f"(target < 2 s)")
    print(f"  machine: nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
