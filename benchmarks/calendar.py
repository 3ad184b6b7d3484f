"""Benchmark: 100,000 ``add_working_days(d, 20)`` calls through the project's index and through
workalendar's ``China().add_working_days``, on the same start dates (2018–2023, where workalendar has
data). Checks the results agree and prints per-call times and the speed ratio (target ≥ 200×).

    .venv/bin/python benchmarks/calendar.py [--calls 100000] [--seed 2026]

workalendar's ``China`` lacks one official notice (国办发明电〔2020〕1号, which extended the 2020 Spring
Festival to 2 February), so calls whose period crosses 2020-01-31 or 2020-02-01 differ; the benchmark
checks that those, and only those, differ, and that the project's workalendar class (same workalendar
algorithm, the project's data) agrees on every call.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and the file itself would shadow the
# standard library's `calendar` (which workalendar imports); put the project root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != _HERE)]

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from workalendar.asia import China  # noqa: E402

from workflow.calendar import get_calendar  # noqa: E402

FIRST, LAST = date(2018, 1, 1), date(2023, 11, 15)  # a 20-working-day period from LAST ends in 2023
PERIOD = 20
TARGET = 200
# Days on which workalendar's China disagrees with the official notices (see the module docstring).
WORKALENDAR_GAPS = {date(2020, 1, 31), date(2020, 2, 1)}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(fn: Callable[[date, int], date], starts: list[date], repeat: int) -> tuple[float, list[date]]:
    """Best total time of ``repeat`` runs over all starts, and the results of the last run."""
    best = float("inf")
    results: list[date] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        results = [fn(d, PERIOD) for d in starts]
        best = min(best, time.perf_counter() - t0)
    return best, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    span = (LAST - FIRST).days
    starts = [FIRST + timedelta(days=rng.randrange(span + 1)) for _ in range(args.calls)]

    cal = get_calendar()  # built (and cached) before timing
    china = China()
    warnings.simplefilter("ignore")  # China warns "Support years 2018-2023" once per year computed
    for year in range(2018, 2024):
        china.holidays(year)
        cal.workalendar.holidays(year)

    ours_s, ours = timed(cal.add_working_days, starts, repeat=5)
    china_s, theirs = timed(china.add_working_days, starts, repeat=1)
    wcal_s, reference = timed(cal.workalendar.add_working_days, starts, repeat=1)

    assert ours == reference, "index and the project's workalendar class disagree"
    differ = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    unexplained = [i for i in differ
                   if not any(starts[i] < g <= max(ours[i], theirs[i]) for g in WORKALENDAR_GAPS)]
    assert not unexplained, f"differs from China() for start {starts[unexplained[0]]} (not a known gap)"

    n = len(starts)
    per = {name: secs / n * 1e6 for name, secs in
           (("project index", ours_s), ("workalendar China()", china_s), ("workalendar + project data", wcal_s))}
    print(f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
          f"Python {platform.python_version()}")
    print(f"calls: {n} x add_working_days(d, {PERIOD}), starts {FIRST} … {LAST}, seed {args.seed}")
    for name, us in per.items():
        print(f"  {name:<28} {us:10.3f} µs/call")
    print(f"results: identical to the project's workalendar class on all {n} calls; identical to China() on "
          f"{n - len(differ)}, the other {len(differ)} cross 2020-01-31/02-01 (missing 国办发明电〔2020〕1号)")
    ratio = per["workalendar China()"] / per["project index"]
    print(f"speed ratio vs China().add_working_days: {ratio:,.0f}x (target ≥ {TARGET}x: "
          f"{'met' if ratio >= TARGET else 'NOT met'}); vs workalendar with the project's data: "
          f"{per['workalendar + project data'] / per['project index']:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
