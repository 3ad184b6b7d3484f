"""Province scale (issue 15): page and endpoint times from 1k to 100k requests (1M on PostgreSQL),
registrations per second at 32 clients, the daily sweep, and peak memory, through real HTTP.

Data sets. Template requests come from the demo loader (``service.requests.demo.load_demo``, the
same use cases as the API): one set as of today and, for history, sets as of 31 December of the two
previous years (their finished cases only). A data set of N requests copies templates, about a third
open and a tenth paused (the demo's own proportions), into a fresh database with bulk inserts: new
serial numbers, applicant names and descriptions, events re-chained with fresh hashes (``ogi audit
verify`` holds), assessment events re-keyed. Letters are not copied (case pages of copies list none).
The read projections (search index, status counts, annual-report facts) are then rebuilt with the
same functions as ``ogi report rebuild``. Databases are kept under ``var/scale/`` and reused.

Measuring. ``ogi serve`` runs as a separate process; every page is fetched through HTTP (httpx,
keep-alive) with ``/healthz`` fetched right before it in the same round, so each figure is also a ratio
to ``/healthz`` in the same run (read the ratios: the machine is shared). Median, min and max of
``--runs`` rounds after one warm-up. Registrations: ``hey`` (a Go load generator, Debian package
``hey``, installed by ``--setup``) posts the same registration body with 32 clients. The sweep is
``ogi sweep`` as a child process; peak memory is the kernel's high-water mark (``VmHWM``/``wait4``).

Usage:
  .venv/bin/python benchmarks/scale.py --setup                      # install hey (apt) if missing
  .venv/bin/python benchmarks/scale.py --sizes 1000,10000,100000 --runs 5
  .venv/bin/python benchmarks/scale.py --sizes 1000,10000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine  # noqa: E402

VAR = ROOT / "var" / "scale"
OGI = str(ROOT / ".venv" / "bin" / "ogi")
BEIJING = ZoneInfo("Asia/Shanghai")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "demo-password"
TOPIC_WORDS = ["规划许可", "环境影响评价", "征收补偿", "财政预算", "招标投标", "安置方案", "监测数据", "验收备案",
               "信访件", "行政处罚决定书", "会议纪要", "专项资金", "道路工程", "学校建设", "排污许可"]


# --------------------------------------------------------------------------------------------
# templates and data sets
# --------------------------------------------------------------------------------------------


@dataclass
class Template:
    """One demo request with everything a copy needs."""

    record: dict
    events: list[dict]
    assessment: list[dict]
    kind: str  # paused | running | closed


def _templates(seed: int) -> list[Template]:
    """Demo requests as of today and as of the end of the two previous years (cached in var/scale)."""
    cache = VAR / f"templates-{seed}.json"
    if cache.exists():
        raw = json.loads(cache.read_text())
        return [Template(**t) for t in raw]
    from sqlmodel import select

    from service.assessment.models import AssessmentEventRecord
    from service.db import transaction, upgrade
    from service.requests.demo import load_demo
    from service.requests.models import RequestEvent, RequestRecord

    VAR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="ogi-scale-"))
    url = f"sqlite:///{tmp / 'templates.db'}"
    upgrade(url)
    today = datetime.now(BEIJING).date()
    for n, day in ((600, today), (300, date(today.year - 1, 12, 31)), (300, date(today.year - 2, 12, 31))):
        with transaction(url) as session:
            load_demo(session=session, requests=n, seed=seed + day.year, today=day)
    out: list[Template] = []
    with transaction(url, readonly=True) as session:
        events: dict[int, list[dict]] = {}
        for e in session.exec(select(RequestEvent).order_by(RequestEvent.request_id, RequestEvent.seq)):
            events.setdefault(e.request_id, []).append(
                {"kind": e.kind, "on": e.on.isoformat(), "data": e.data, "actor_id": e.actor_id,
                 "recorded_at": e.recorded_at.isoformat()})
        assess: dict[str, list[dict]] = {}
        for a in session.exec(select(AssessmentEventRecord)):
            assess.setdefault(a.request_ref, []).append(
                {"key": a.key, "kind": a.kind, "unit": a.unit, "on": a.on.isoformat(), "subject": a.subject,
                 "note": a.note, "amount": a.amount, "details": a.details, "source": a.source})
        for r in session.exec(select(RequestRecord)):
            is_open = r.status in ("registered", "reviewing", "awaiting_correction", "consulting", "awaiting_fee")
            kind = ("paused" if r.paused else "running") if is_open else "closed"
            if r.year != today.year and kind != "closed":
                continue  # history holds finished cases only
            rec = {c: getattr(r, c) for c in ("agency_id", "year", "status", "applicant_name", "applicant_kind",
                                              "channel", "received_on", "due_on", "provisional", "paused",
                                              "description", "decision", "replied_on", "handler_id")}
            out.append(Template(record=json.loads(json.dumps(rec, default=str)), events=events[r.id],
                                assessment=assess.get(r.number, []), kind=kind))
    cache.write_text(json.dumps([t.__dict__ for t in out], ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _pick(templates: list[Template], size: int, rng: random.Random) -> list[Template]:
    """``size`` templates: a tenth paused, 23 % running (a third open in all), the rest finished,
    of which two fifths from the current year and the rest from the two years before."""
    this_year = datetime.now(BEIJING).date().year
    pools = {"paused": [t for t in templates if t.kind == "paused"],
             "running": [t for t in templates if t.kind == "running"],
             "closed_now": [t for t in templates if t.kind == "closed" and t.record["year"] == this_year],
             "closed_old": [t for t in templates if t.kind == "closed" and t.record["year"] < this_year]}
    shares = {"paused": 0.10, "running": 0.233, "closed_now": 0.267, "closed_old": 0.40}
    chosen: list[Template] = []
    for name, share in shares.items():
        chosen += [rng.choice(pools[name]) for _ in range(round(size * share))]
    rng.shuffle(chosen)
    return chosen[:size]


def _name(rng: random.Random) -> str:
    from service.requests.demo import GIVEN, SURNAMES

    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def build(url: str, size: int, seed: int = 15) -> dict:
    """Build a data set of ``size`` requests at ``url`` (an empty database); returns its facts."""
    from sqlalchemy import insert, text
    from sqlmodel import select

    from service.agencies.models import Agency
    from service.assessment.models import AssessmentEventRecord
    from service.counters import format_number
    from service.db import get_engine, transaction, upgrade
    from service.requests import eventlog
    from service.requests.demo import load_demo
    from service.requests.models import RequestEvent, RequestRecord
    from service.users.models import User

    templates = _templates(seed)
    rng = random.Random(seed * 7919 + size)
    upgrade(url)
    started = time.perf_counter()
    with transaction(url) as session:
        load_demo(session=session, requests=0, seed=seed)
    with transaction(url, readonly=True) as session:
        agencies = {a.id: a for a in session.exec(select(Agency))}
        users = {u.id: u for u in session.exec(select(User))}
    # The template database made the same agencies and users in the same order: ids line up.
    assert all(t.record["agency_id"] in agencies for t in templates)
    seqs: dict[tuple[int, int], int] = {}
    engine = get_engine(url)
    req_t, ev_t, as_t = RequestRecord.__table__, RequestEvent.__table__, AssessmentEventRecord.__table__  # type: ignore[attr-defined]
    batch = 2000
    chosen = _pick(templates, size, rng)
    next_id = 1
    with engine.begin() as conn:
        for start in range(0, len(chosen), batch):
            reqs, evs, ass = [], [], []
            for t in chosen[start:start + batch]:
                rid = next_id
                next_id += 1
                rec = dict(t.record)
                agency = agencies[rec["agency_id"]]
                key = (agency.id, rec["year"])
                seqs[key] = seqs.get(key, 0) + 1
                number = format_number(agency.letter_prefix, rec["year"], seqs[key])
                name = _name(rng) if rec["applicant_kind"] == "natural_person" else rec["applicant_name"]
                desc = (rec["description"].rstrip("。") + f"中关于{rng.choice(TOPIC_WORDS)}的部分"
                        f"（第{rng.randint(1, 9999)}号）。")
                prev = eventlog.GENESIS
                old_number = t.events[0]["data"]["number"]
                for seq, e in enumerate(t.events, 1):
                    data = e["data"]
                    if seq == 1:
                        data = {**data, "number": number, "description": desc,
                                "applicant": {**data["applicant"], "name": name}}
                    on = date.fromisoformat(e["on"])
                    at = datetime.fromisoformat(e["recorded_at"])
                    digest = eventlog.event_hash(prev_hash=prev, request_id=rid, seq=seq, kind=e["kind"], on=on,
                                                 data=data, actor_id=e["actor_id"], recorded_at=at)
                    evs.append({"request_id": rid, "seq": seq, "kind": e["kind"], "on": on, "data": data,
                                "actor_id": e["actor_id"], "recorded_at": at, "prev_hash": prev, "hash": digest})
                    prev = digest
                for a in t.assessment:
                    details = dict(a["details"])
                    if "request_number" in details:
                        details["request_number"] = number
                    ass.append({**a, "key": a["key"].replace(old_number, number), "request_ref": number,
                                "on": date.fromisoformat(a["on"]), "details": details})
                received = date.fromisoformat(rec["received_on"]) if rec["received_on"] else None
                reqs.append({**rec, "id": rid, "seq": seqs[key], "number": number, "applicant_name": name,
                             "description": desc, "received_on": received,
                             "due_on": date.fromisoformat(rec["due_on"]) if rec["due_on"] else None,
                             "replied_on": date.fromisoformat(rec["replied_on"]) if rec["replied_on"] else None,
                             "handler_id": rec["handler_id"] if rec["handler_id"] in users else None,
                             "event_count": len(t.events), "last_hash": prev,
                             "created_at": datetime.now(BEIJING), "updated_at": datetime.now(BEIJING)})
            conn.execute(insert(req_t), reqs)
            conn.execute(insert(ev_t), evs)
            if ass:
                conn.execute(insert(as_t), ass)
        for (agency_id, year), last in seqs.items():
            conn.execute(text("DELETE FROM serial_counter WHERE agency_id = :a AND series = 'request' AND year = :y"),
                         {"a": agency_id, "y": year})
            conn.execute(text("INSERT INTO serial_counter (agency_id, series, year, last) VALUES (:a, 'request', :y, :n)"),
                         {"a": agency_id, "y": year, "n": last})
    loaded = time.perf_counter() - started
    rebuilt = _rebuild(url)
    with transaction(url, readonly=True) as session:
        counts = dict(session.exec(text("SELECT status, count(*) FROM disclosure_request GROUP BY status")).all())  # type: ignore[call-overload]
        paused = session.exec(text("SELECT count(*) FROM disclosure_request WHERE paused")).one()[0]  # type: ignore[call-overload]
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        # Only this data set's tables: a bare VACUUM would take every schema of the shared server.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            tables = [r[0] for r in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
            for table in tables:
                conn.exec_driver_sql(f'VACUUM ANALYZE "{table}"')
    return {"size": size, "by_status": counts, "paused": int(paused), "load_s": loaded, "rebuild_s": rebuilt}


def _rebuild(url: str) -> float:
    """Rebuild the read projections and scoring tallies of a bulk-loaded database (`ogi report rebuild`,
    `ogi score rebuild`)."""
    from service.db import transaction
    from service.projections.rebuild import rebuild_all

    started = time.perf_counter()

    from service.assessment.tallies import rebuild

    with transaction(url) as session:
        rebuild_all(session=session)
        rebuild(session=session)  # `ogi score rebuild`: the assessment events were bulk-inserted too
    return time.perf_counter() - started


def dataset(size: int, postgres: str | None) -> tuple[str, dict, dict]:
    """The database URL of a data set of ``size`` (built unless already there) and its facts, plus the
    environment for child processes."""
    from alembic.script import ScriptDirectory

    VAR.mkdir(parents=True, exist_ok=True)
    heads = "-".join(ScriptDirectory(str(ROOT / "service" / "migrations")).get_heads())
    env = {**os.environ, "OGI_CALENDAR_DIR": str(VAR / "calendars"), "OGI_SEAL_DIR": str(VAR / "seals")}
    os.environ.update({k: env[k] for k in ("OGI_CALENDAR_DIR", "OGI_SEAL_DIR")})
    if postgres:
        import sqlalchemy as sa

        schema = f"scale_{size}_{heads.replace('-', '_')}"[:60]
        base = sa.create_engine(postgres)
        with base.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.exec_driver_sql(f"SELECT 1 FROM pg_namespace WHERE nspname = '{schema}'").first()
            if not exists:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        base.dispose()
        sep = "&" if "?" in postgres else "?"
        url = f"{postgres}{sep}options=-csearch_path%3D{schema}"
        marker = VAR / f"{schema}.json"
    else:
        path = VAR / f"scale-{size}-{heads}.db"
        url = f"sqlite:///{path}"
        marker = path.with_suffix(".json")
    env["OGI_DATABASE_URL"] = url
    if marker.exists():
        return url, json.loads(marker.read_text()), env
    print(f"building {size} requests at {url} ...", flush=True)
    facts = build(url, size)
    marker.write_text(json.dumps(facts, ensure_ascii=False))
    print(f"  built: {facts}", flush=True)
    return url, facts, env


# --------------------------------------------------------------------------------------------
# serving and measuring
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ogi serve`` in a child process (with ``--workers`` when asked)."""

    def __init__(self, env: dict, workers: int = 1) -> None:
        self.port = _free_port()
        cmd = [OGI, "serve", "--port", str(self.port)]
        if workers > 1:
            cmd += ["--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        import httpx

        for _ in range(600):
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("ogi serve stopped: " + self.proc.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
            time.sleep(0.2)
        raise RuntimeError("ogi serve did not answer /healthz")

    def peak_mb(self) -> float:
        """The high-water mark of resident memory of the server and its workers (MB)."""
        total = 0
        pids = [self.proc.pid] + _children(self.proc.pid)
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        """Stop the server (its whole process group)."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    kids = [int(x) for x in out.split()]
    return kids + [g for k in kids for g in _children(k)]


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]


def _token(url: str, username: str) -> str:
    from service.db import transaction
    from service.users.service import create_token

    with transaction(url) as session:
        return create_token(session=session, username=username, name="scale benchmark")


@dataclass
class Timing:
    """Milliseconds of one page over the runs, and of /healthz fetched just before it."""

    label: str
    times: list[float]
    health: list[float]
    size: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def ratio(self) -> float:
        return self.median / statistics.median(self.health)


def measure(base: str, url: str, facts: dict, runs: int, heavy_runs: int) -> list[Timing]:
    """Time every page and endpoint of the issue against the server at ``base``."""
    import httpx
    from sqlalchemy import text

    from service.db import transaction

    with transaction(url, readonly=True) as session:
        unit = session.exec(text("SELECT id, code FROM agency WHERE parent_id IS NOT NULL ORDER BY code")).first()  # type: ignore[call-overload]
        top = session.exec(text("SELECT code FROM agency WHERE parent_id IS NULL")).first()[0]  # type: ignore[call-overload]
        case_id = session.exec(text("SELECT id FROM disclosure_request WHERE agency_id = :a AND status = 'reviewing' "
                                    "ORDER BY id DESC"), params={"a": unit[0]}).first()[0]  # type: ignore[call-overload]
    year = datetime.now(BEIJING).date().year
    assessor, handler = f"{top}_assessor", f"{unit[1]}_handler"
    api = {"Authorization": f"Bearer {_token(url, assessor)}"}
    pages = [
        ("annual report page, one unit-year", assessor, f"/reports?agency={unit[1]}&year={year}", True),
        ("annual report API, one unit-year", "api", f"/api/v1/reports/annual?agency={unit[1]}&year={year}", True),
        ("scoring page, one scheme", assessor, f"/assessment?scheme=changshu-2020&period={year}", True),
        ("scoring results API, one scheme", "api", f"/api/v1/schemes/changshu-2020/results?period={year}", True),
        ("scoring summary API, one scheme", "api", f"/api/v1/schemes/changshu-2020/summary?period={year}", True),
        ("scoring trail API, one unit", "api",
         f"/api/v1/schemes/changshu-2020/results?period={year}&unit={unit[1]}", True),
        ("CSV export, everything", assessor, "/search.csv", True),
        ("dashboard, assessor (all units)", assessor, "/", False),
        ("dashboard, one unit's handler", handler, "/", False),
        ("text search /search?q=…", assessor, "/search?q=" + "规划许可", False),
        ("applicant search /search?q=<name>", assessor, "/search?q=" + "王伟", False),
        ("search by one state (archived)", assessor, "/search?status=archived", False),
        ("case page", handler, f"/requests/{case_id}", False),
        ("GET /api/v1/requests", "api", "/api/v1/requests", False),
        ("GET /api/v1/reminders", "api", "/api/v1/reminders", False),
    ]
    out = []
    clients = {}
    for who in (assessor, handler):
        c = httpx.Client(base_url=base, timeout=600)
        _login(c, who)
        clients[who] = c
    clients["api"] = httpx.Client(base_url=base, timeout=600, headers=api)
    for label, who, path, heavy in pages:
        client = clients[who]
        n = heavy_runs if heavy else runs
        r = client.get(path)
        if r.status_code != 200:
            print(f"  {label}: HTTP {r.status_code} {r.text[:200]}", flush=True)
            continue
        times, health = [], []
        size = len(r.content)
        for _ in range(n):
            t0 = time.perf_counter()
            client.get("/healthz")
            health.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (path, r.status_code)
        t = Timing(label, times, health, size)
        print(f"  {label}: median {t.median:.1f} ms (min {min(times):.1f}, max {max(times):.1f}), "
              f"/healthz {statistics.median(health):.2f} ms, ratio {t.ratio:.1f}, {size / 1e6:.2f} MB", flush=True)
        out.append(t)
    for c in clients.values():
        c.close()
    return out


def registration(url: str) -> tuple[str, dict]:
    """A token of the first sub-unit's clerk and the registration body every benchmark client posts."""
    from sqlalchemy import text

    from service.db import transaction

    with transaction(url, readonly=True) as session:
        unit = session.exec(text("SELECT code FROM agency WHERE parent_id IS NOT NULL ORDER BY code")).first()[0]  # type: ignore[call-overload]
    body = {"applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "description": "申请公开某项目的规划许可文件。"}
    return _token(url, f"{unit}_clerk"), body


def registrations(base: str, url: str, clients: int = 32, total: int = 2000) -> dict | None:
    """Registrations per second and latency percentiles with ``hey`` (None when hey is missing)."""
    hey = shutil.which("hey")
    if hey is None:
        print("  hey not installed (run with --setup): registrations not measured", flush=True)
        return None
    token, body = registration(url)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(body, f, ensure_ascii=False)
    out = subprocess.run([hey, "-n", str(total), "-c", str(clients), "-m", "POST", "-T", "application/json",
                          "-H", f"Authorization: Bearer {token}", "-D", f.name, base + "/api/v1/requests"],
                         capture_output=True, text=True).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = {p: float(v) * 1000 for p, v in re.findall(r"(\d+)%+ in ([\d.]+) secs", out)}
    codes = dict(re.findall(r"\[(\d+)\]\s+(\d+) responses", out))
    errors = out.split("Error distribution:", 1)[1].strip()[:300] if "Error distribution:" in out else ""
    return {"rps": rps, "p50": pct.get("50"), "p95": pct.get("95"), "p99": pct.get("99"), "codes": codes,
            "errors": errors}


def sweep(env: dict) -> tuple[float, float, str]:
    """Seconds and peak MB of one `ogi sweep`, and what it printed."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([OGI, "sweep"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    out = proc.stdout.read().decode().strip()  # type: ignore[union-attr]
    if status != 0:
        out += " ERROR " + proc.stderr.read().decode()[-500:]  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss / 1024, out


def sweep_in_process(url: str, runs: int = 3) -> list[float]:
    """Seconds of ``run_sweep`` itself (no process start, no migration check), each run rolled back so
    every run does the same work."""
    from sqlmodel import Session

    from service.db import get_engine
    from service.requests.sweep import run_sweep

    times = []
    for _ in range(runs):
        with Session(get_engine(url)) as session:
            t0 = time.perf_counter()
            run_sweep(session=session)
            times.append(time.perf_counter() - t0)
            session.rollback()
    return times


def quiet_cli(runs: int = 10) -> tuple[float, float]:
    """Median seconds of `ogi calendar due` and of `python -c pass` (the floor)."""
    def med(cmd: list[str]) -> float:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return med([OGI, "calendar", "due", "2026-09-21"]), med([sys.executable, "-c", "pass"])


def main() -> int:
    """Build the data sets, measure, print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (default: SQLite files in var/scale)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--heavy-runs", type=int, default=3, help="runs of the report, scoring and CSV")
    parser.add_argument("--workers", default="1", help="comma-separated worker counts for registrations")
    parser.add_argument("--no-register", action="store_true")
    parser.add_argument("--only-register", action="store_true", help="registrations only (at the last size)")
    parser.add_argument("--setup", action="store_true", help="install hey (Debian package) and exit")
    args = parser.parse_args()
    if args.setup:
        if shutil.which("hey") is None:
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "hey"], check=True)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{machine()}; load: {os.getloadavg()}; database: {'PostgreSQL' if args.postgres else 'SQLite'}")
    cli, floor = quiet_cli()
    print(f"ogi calendar due: {cli * 1000:.0f} ms; python -c pass: {floor * 1000:.0f} ms", flush=True)
    results: dict[int, list[Timing]] = {}
    extra: dict[int, dict] = {}
    for size in sizes:
        url, facts, env = dataset(size, args.postgres)
        if args.only_register:
            if size == sizes[-1]:
                for workers in [int(w) for w in args.workers.split(",")]:
                    server = Server(env, workers=workers)
                    try:
                        reg = registrations(server.base, url)
                    finally:
                        server.stop()
                    print(f"  {size:,}: registrations, {workers} worker(s), 32 clients: {reg}", flush=True)
            continue
        print(f"\n## {size} requests: {facts['by_status']} (paused {facts['paused']})", flush=True)
        inproc = sweep_in_process(url)
        print(f"  sweep in process: median {statistics.median(inproc):.2f} s (min {min(inproc):.2f}, "
              f"max {max(inproc):.2f})", flush=True)
        seconds, peak, said = sweep(env)
        print(f"  ogi sweep: {seconds:.2f} s, peak {peak:.0f} MB: {said}", flush=True)
        server = Server(env)
        try:
            results[size] = measure(server.base, url, facts, args.runs, args.heavy_runs)
            serve_peak = server.peak_mb()
        finally:
            server.stop()
        extra[size] = {"sweep_s": seconds, "sweep_mb": peak, "serve_mb": serve_peak, "facts": facts,
                       "sweep_inproc": statistics.median(inproc)}
        if not args.no_register and size == sizes[-1]:
            for workers in [int(w) for w in args.workers.split(",")]:
                server = Server(env, workers=workers)
                try:
                    reg = registrations(server.base, url)
                finally:
                    server.stop()
                extra[size][f"register_{workers}"] = reg
                print(f"  registrations, {workers} worker(s), 32 clients: {reg}", flush=True)
    if args.only_register:
        return 0
    print(f"\n### Times as a ratio to /healthz (median ms in brackets), load after: {os.getloadavg()}\n")
    labels = [t.label for t in results[sizes[0]]]
    print("| page or endpoint | " + " | ".join(f"{s:,}" for s in sizes) + " | growth per tenfold |")
    print("|---|" + "---:|" * len(sizes) + "---:|")
    for label in labels:
        cells, medians = [], []
        for s in sizes:
            t = next((x for x in results.get(s, []) if x.label == label), None)
            cells.append(f"{t.ratio:.1f}× ({t.median:.0f} ms)" if t else "–")
            medians.append(t.median if t else None)
        growth = "–"
        pairs = [(a, b) for a, b in zip(medians, medians[1:], strict=False) if a and b]
        if pairs:
            growth = " / ".join(f"{b / a:.1f}×" for a, b in pairs)
        print(f"| {label} | " + " | ".join(cells) + f" | {growth} |")
    print("\n| size | sweep in process s | `ogi sweep` s | sweep peak MB | serve peak MB |\n|---:|---:|---:|---:|---:|")
    for s in sizes:
        e = extra[s]
        print(f"| {s:,} | {e['sweep_inproc']:.2f} | {e['sweep_s']:.2f} | {e['sweep_mb']:.0f} | {e['serve_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
