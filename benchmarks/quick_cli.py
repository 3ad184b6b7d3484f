"""The quick `ogi calendar due` with its database check (service/quick/installed.py), as a ratio to
`python -c pass` measured in the same run.

A fresh SQLite database (migrated) holds one installed calendar (the shipped 2026 notice, imported with
`ogi calendar import`), so every quick call opens the database with sqlite3 and compares the stored
file with the directory's copy before it answers. Three commands, interleaved round by round:

- ``floor``: ``python -c pass`` (interpreter start-up, the least any command can take);
- ``quick``: ``ogi calendar due 2026-09-21``, the directory in line with the database (answered by
  the quick path after reading the database);
- ``no-db``: the same with ``OGI_DATABASE_URL`` naming a file that does not exist (the quick path
  without the database read: what the check adds is ``quick`` minus ``no-db``);
- ``full``: the same after deleting the directory's copy, so the quick path declines and the full
  Typer command copies the calendar and answers (what a server sees once after another server
  installed a calendar).

Prints median, min and max seconds of each and the median ratios to the floor, and the check itself
(``directory_is_current``) timed in this process.

Usage: .venv/bin/python benchmarks/quick_cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # not benchmarks/, whose calendar.py would hide the standard library's

from benchmarks.common import machine  # noqa: E402

OGI = str(Path(sys.executable).with_name("ogi"))
YEAR = ROOT / "workflow" / "calendar" / "data" / "national" / "2026.toml"


def timed(cmd: list[str], env: dict[str, str], before: object = None) -> float:
    """Seconds one run of ``cmd`` takes (after ``before()``, not timed); its answer must be the due date."""
    if callable(before):
        before()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    took = time.perf_counter() - t0
    assert not cmd[-1].startswith("2026") or out.strip() == "2026-10-26", out
    return took


def main() -> int:
    """Set up the database, time the three commands round by round, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ogi-quick-bench-") as tmp:
        folder = Path(tmp) / "calendars"
        # PYTHONPATH: this checkout's code, whichever checkout the virtualenv's `ogi` was installed from.
        env = {**os.environ, "OGI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'ogi.db'}", "OGI_CALENDAR_DIR": str(folder),
               "PYTHONPATH": str(ROOT)}
        subprocess.run([OGI, "calendar", "import", str(YEAR)], env=env, capture_output=True, check=True)
        copy = folder / "2026.toml"
        assert copy.exists()
        due = [OGI, "calendar", "due", "2026-09-21"]
        no_db = {**env, "OGI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'absent.db'}"}
        commands = {"floor": ([sys.executable, "-c", "pass"], env, None), "quick": (due, env, None),
                    "no-db": (due, no_db, None), "full": (due, env, lambda: copy.unlink())}
        timed(due, env)  # warm-up: the quick path's calendar cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, cmd_env, before) in commands.items():
                times[name].append(timed(cmd, cmd_env, before))
            # The full command rewrote the copy (a new mtime): rebuild the quick path's calendar cache
            # now, untimed, so the next round's quick call is not the one paying for it.
            timed(due, env)
        assert copy.exists()  # the full command put the copy back each time
        check = check_seconds(env["OGI_DATABASE_URL"], folder)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end; {args.runs} rounds")
    floor = statistics.median(times["floor"])
    for name, values in times.items():
        med = statistics.median(values)
        print(f"  {name:<6} median {med:.3f} s (min {min(values):.3f}, max {max(values):.3f})  "
              f"{med / floor:.1f}x the floor")
    print(f"  check  directory_is_current in process: median {check[0] * 1e3:.2f} ms "
          f"(min {check[1] * 1e3:.2f}, max {check[2] * 1e3:.2f}) over 9 rounds of 50 calls")
    return 0


def check_seconds(url: str, folder: Path) -> tuple[float, float, float]:
    """Median, min and max seconds of one ``directory_is_current`` call (9 rounds of 50 calls)."""
    from service.quick.installed import directory_is_current

    rounds = []
    for _ in range(9):
        t0 = time.perf_counter()
        for _ in range(50):
            assert directory_is_current(url, folder)
        rounds.append((time.perf_counter() - t0) / 50)
    return statistics.median(rounds), min(rounds), max(rounds)


if __name__ == "__main__":
    raise SystemExit(main())
