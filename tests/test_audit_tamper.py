"""The tamper matrix: each way of changing the record behind the service's back is found by
`ogi audit verify` (by its fault code, never a crash), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)


def body(i: int) -> dict:
    return {"applicant": {"kind": "natural_person", "name": f"申请人{i}", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": datetime(2026, 9, 21, 2, 0, tzinfo=UTC),
            "description": f"申请公开第{i}号文件", "attachments": []}


def _user(session, username: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from service.users.models import User
    from service.users.service import visible_agency_ids

    user = session.exec(select(User).where(User.username == username)).one()
    return user, visible_agency_ids(session=session, user=user)


def populate(url: str) -> dict[str, int]:
    """Three requests (the first accepted, so it has several events), their receipts, and an assessment event."""
    from service.assessment.inbox import submit
    from service.db import transaction
    from service.requests.service import act, register

    ids = {}
    for i in (1, 2, 3):
        with transaction(url) as session:
            user, visible = _user(session, "clerk")
            record, _ = register(session=session, user=user, visible=visible, data=body(i), now=NOW)
            ids[f"r{i}"] = record.id  # type: ignore[assignment]
    with transaction(url) as session:
        user, visible = _user(session, "handler")
        act(session=session, user=user, visible=visible, request_id=ids["r1"],
            payload={"action": "accept", "on": "2026-09-22"}, now=NOW)
    with transaction(url) as session:
        submit(session=session, events=[{"key": "tamper-test-1", "kind": "ogi.test", "unit": "housing",
                                         "on": date(2026, 10, 1), "note": "原始记录"}], source="api")
    return ids


def sql(url: str, *statements: str, **params: object) -> None:
    from service.db import get_engine

    with get_engine(url).begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def one(url: str, query: str, **params: object):  # type: ignore[no-untyped-def]
    from service.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(text(query), params).first()


def verify_codes(url: str, checkpoints: list[tuple[int, str]] = ()) -> set[str]:  # type: ignore[assignment]
    from service.audit.verify import verify
    from service.db import transaction

    with transaction(url, readonly=True) as session:
        return {f.code for f in verify(session=session, checkpoints=checkpoints)}


# --- the tampers -------------------------------------------------------------------------------------

def edit_event(url: str, ids: dict[str, int]) -> None:
    sql(url, "UPDATE request_event SET data = :d WHERE request_id = :r AND seq = 1",
        d=json.dumps({"number": "假号"}), r=ids["r1"])


def delete_middle_event(url: str, ids: dict[str, int]) -> None:
    sql(url, "DELETE FROM request_event WHERE request_id = :r AND seq = 1", r=ids["r1"])


def reorder_events(url: str, ids: dict[str, int]) -> None:
    sql(url, "UPDATE request_event SET seq = seq + 100 WHERE request_id = :r",
        "UPDATE request_event SET seq = CASE WHEN seq = 101 THEN 2 ELSE 1 END WHERE request_id = :r AND seq IN (101, 102)",
        r=ids["r1"])


def truncate_with_head_set_back(url: str, ids: dict[str, int]) -> None:
    last = one(url, "SELECT seq, prev_hash FROM request_event WHERE request_id = :r ORDER BY seq DESC", r=ids["r1"])
    sql(url, "DELETE FROM request_event WHERE request_id = :r AND seq = :s",
        "UPDATE disclosure_request SET event_count = :s - 1, last_hash = :h WHERE id = :r",
        r=ids["r1"], s=last.seq, h=last.prev_hash)


def delete_all_events_of_a_request(url: str, ids: dict[str, int]) -> None:
    sql(url, "DELETE FROM request_event WHERE request_id = :r",
        "UPDATE disclosure_request SET event_count = 0, last_hash = '' WHERE id = :r", r=ids["r2"])


def _rows_hanging_on(url: str, request_param: str = "r") -> list[str]:
    """DELETE statements for the rows other tables keep about a request (read projections, letters'
    service records, ...): a forger removing a request removes those too, or the database refuses."""
    import sqlalchemy as sa

    from service.db import get_engine

    inspector = sa.inspect(get_engine(url))
    out: list[str] = []
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "disclosure_request" and table not in ("letter", "request_event"):
                out.append(f'DELETE FROM "{table}" WHERE "{fk["constrained_columns"][0]}" = :{request_param}')
            elif fk["referred_table"] == "letter":
                out.insert(0, f'DELETE FROM "{table}" WHERE "{fk["constrained_columns"][0]}" IN '
                              f"(SELECT id FROM letter WHERE request_id = :{request_param})")
    return out


def delete_whole_request(url: str, ids: dict[str, int]) -> None:
    sql(url, *_rows_hanging_on(url), "DELETE FROM letter WHERE request_id = :r",
        "DELETE FROM request_event WHERE request_id = :r",
        "DELETE FROM disclosure_request WHERE id = :r", r=ids["r2"])


def delete_last_request_and_everything_after_it(url: str, ids: dict[str, int]) -> None:
    """The thorough forger: the newest request, its ledger entries, the counter and the ledger head set
    back — consistent everywhere inside the database; only a checkpoint kept outside shows it."""
    from service.audit.models import AuditEntry  # noqa: F401  (table exists)

    first = one(url, "SELECT MIN(seq) AS s FROM audit_entry WHERE (kind = 'request' AND ref_id = :r) "
                     "OR (kind = 'event' AND ref_id IN (SELECT id FROM request_event WHERE request_id = :r))", r=ids["r4"])
    prev = one(url, "SELECT seq, mac FROM audit_entry WHERE seq < :s ORDER BY seq DESC", s=first.s)
    sql(url, "DELETE FROM audit_entry WHERE seq >= :s", "UPDATE audit_head SET seq = :ps, mac = :pm WHERE id = 1",
        *_rows_hanging_on(url), "DELETE FROM letter WHERE request_id = :r",
        "DELETE FROM request_event WHERE request_id = :r", "DELETE FROM disclosure_request WHERE id = :r",
        "UPDATE serial_counter SET last = last - 1 WHERE series = 'request'",
        "UPDATE serial_counter SET last = last - 1 WHERE series <> 'request' AND last > 0",
        s=first.s, ps=prev.seq, pm=prev.mac, r=ids["r4"])


def edit_request_identity(url: str, ids: dict[str, int]) -> None:
    sql(url, "UPDATE disclosure_request SET applicant_name = '另一个人' WHERE id = :r", r=ids["r2"])


def edit_request_status(url: str, ids: dict[str, int]) -> None:
    sql(url, "UPDATE disclosure_request SET status = 'closed' WHERE id = :r", r=ids["r2"])


def edit_letter_html(url: str, ids: dict[str, int]) -> None:
    sql(url, "UPDATE letter SET html = html || '<p>补充</p>' WHERE request_id = :r", r=ids["r2"])


def edit_letter_html_and_its_hash(url: str, ids: dict[str, int]) -> None:
    row = one(url, "SELECT id, html FROM letter WHERE request_id = :r", r=ids["r2"])
    html = row.html.replace("申请人2", "申请人9")
    sql(url, "UPDATE letter SET html = :h, sha256 = :d WHERE id = :i", h=html,
        d=hashlib.sha256(html.encode()).hexdigest(), i=row.id)


def delete_assessment_event(url: str, ids: dict[str, int]) -> None:
    sql(url, "DELETE FROM assessment_event WHERE key = 'tamper-test-1'")


def edit_assessment_event(url: str, ids: dict[str, int]) -> None:
    sql(url, "UPDATE assessment_event SET note = '改过' WHERE key = 'tamper-test-1'")


def rehash_everything_without_the_key(url: str, ids: dict[str, int]) -> None:
    """Edit an event, then recompute every chain with plain SHA-256 (all one can do without the key)."""
    from service.db import get_engine
    from service.requests.eventlog import GENESIS, event_hash

    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE request_event SET data = :d WHERE request_id = :r AND seq = 1"),
                     {"d": json.dumps({"number": "假号"}), "r": ids["r1"]})
        rows = conn.execute(text("SELECT id, request_id, seq, kind, \"on\", data, actor_id, recorded_at "
                                 "FROM request_event ORDER BY request_id, seq")).all()
        conn.execute(text("UPDATE request_event SET hash = 'x' || CAST(id AS VARCHAR)"))
        heads: dict[int, tuple[int, str]] = {}
        for r in rows:
            prev = heads.get(r.request_id, (0, GENESIS))[1]
            on = r.on if isinstance(r.on, date) else date.fromisoformat(r.on)
            at = r.recorded_at if isinstance(r.recorded_at, datetime) else datetime.fromisoformat(r.recorded_at)
            data = r.data if isinstance(r.data, dict) else json.loads(r.data)
            digest = event_hash(prev_hash=prev, request_id=r.request_id, seq=r.seq, kind=r.kind, on=on, data=data,
                                actor_id=r.actor_id, recorded_at=at, key=None)
            conn.execute(text("UPDATE request_event SET prev_hash = :p, hash = :h WHERE id = :i"),
                         {"p": prev, "h": digest, "i": r.id})
            heads[r.request_id] = (r.seq, digest)
        for request_id, (seq, digest) in heads.items():
            conn.execute(text("UPDATE disclosure_request SET event_count = :s, last_hash = :h WHERE id = :i"),
                         {"s": seq, "h": digest, "i": request_id})


def insert_event_behind_the_back(url: str, ids: dict[str, int]) -> None:
    last = one(url, "SELECT seq, hash FROM request_event WHERE request_id = :r ORDER BY seq DESC", r=ids["r2"])
    sql(url, "INSERT INTO request_event (request_id, seq, kind, \"on\", data, actor_id, recorded_at, prev_hash, hash) "
             "VALUES (:r, :s, 'withdrawn', :on, '{}', NULL, :at, :p, :h)",
        "UPDATE disclosure_request SET event_count = :s, last_hash = :h WHERE id = :r",
        r=ids["r2"], s=last.seq + 1, on=date(2026, 10, 2), at=NOW, p=last.hash, h="f" * 64)


def delete_ledger_entry(url: str, ids: dict[str, int]) -> None:
    sql(url, "DELETE FROM audit_entry WHERE seq = 2")


def orphan_events(url: str, ids: dict[str, int]) -> None:
    """The request row goes, its events stay (foreign keys switched off for the forger's session)."""
    import sqlite3

    from sqlalchemy import make_url

    from service.db import get_engine, is_sqlite

    if is_sqlite(url):  # a plain connection: foreign keys are off unless switched on
        conn = sqlite3.connect(make_url(url).database)
        conn.execute("DELETE FROM letter WHERE request_id = ?", (ids["r2"],))
        conn.execute("DELETE FROM disclosure_request WHERE id = ?", (ids["r2"],))
        conn.commit()
        conn.close()
        return
    with get_engine(url).connect() as pg:
        pg.exec_driver_sql("SET session_replication_role = replica")
        pg.execute(text("DELETE FROM letter WHERE request_id = :r"), {"r": ids["r2"]})
        pg.execute(text("DELETE FROM disclosure_request WHERE id = :r"), {"r": ids["r2"]})
        pg.exec_driver_sql("SET session_replication_role = origin")
        pg.commit()


MATRIX: list[tuple[Callable[[str, dict[str, int]], None], set[str]]] = [
    (edit_event, {"event_edited"}),
    (delete_middle_event, {"event_missing", "event_link", "row_deleted"}),
    (reorder_events, {"event_link", "event_edited", "row_edited"}),
    (truncate_with_head_set_back, {"row_deleted"}),
    (delete_all_events_of_a_request, {"events_missing", "row_deleted"}),
    (delete_whole_request, {"request_missing", "row_deleted"}),
    (edit_request_identity, {"row_edited"}),
    (edit_request_status, {"request_edited"}),
    (edit_letter_html, {"letter_edited", "row_edited"}),
    (edit_letter_html_and_its_hash, {"row_edited"}),
    (delete_assessment_event, {"row_deleted"}),
    (edit_assessment_event, {"row_edited"}),
    (rehash_everything_without_the_key, {"event_edited", "row_edited"}),
    (insert_event_behind_the_back, {"event_edited", "row_unrecorded"}),
    (delete_ledger_entry, {"ledger_gap", "row_unrecorded"}),
    (orphan_events, {"event_orphaned", "request_missing", "row_deleted"}),
]


@pytest.mark.parametrize(("tamper", "expected"), MATRIX, ids=[t.__name__ for t, _ in MATRIX])
def test_each_tamper_is_found_by_name(world, db_url, tamper, expected) -> None:
    ids = populate(db_url)
    assert verify_codes(db_url) == set()
    tamper(db_url, ids)
    found = verify_codes(db_url)
    assert expected <= found, found


def test_a_ledger_cut_back_consistently_is_found_by_a_checkpoint_kept_outside(world, db_url, tmp_path: Path) -> None:
    from service.cli import app
    from service.db import transaction
    from service.requests.service import register

    ids = populate(db_url)
    with transaction(db_url) as session:  # the newest request, which the forger will remove
        user, visible = _user(session, "clerk")
        ids["r4"] = register(session=session, user=user, visible=visible, data=body(4), now=NOW)[0].id  # type: ignore[assignment]
    runner = CliRunner()
    taken = runner.invoke(app, ["audit", "checkpoint", "--out", str(tmp_path / "kept.txt")])
    assert taken.exit_code == 0, taken.output
    assert taken.output.startswith("ogi-audit-checkpoint seq=")
    sql(db_url, "DELETE FROM audit_checkpoint")  # the forger also removes the stored copy
    delete_last_request_and_everything_after_it(db_url, ids)
    assert verify_codes(db_url) == set()  # consistent inside the database …
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "kept.txt")])
    assert result.exit_code == 1  # … but not with the checkpoint kept outside
    assert "checkpoint" in result.output and "cut back" in result.output


def test_verify_names_faults_on_the_command_line_and_passes_an_untouched_database(world, db_url) -> None:
    from service.cli import app

    ids = populate(db_url)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    orphan_events(db_url, ids)
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "event_orphaned" in broken.output and "Traceback" not in broken.output


def test_verify_without_the_key_file_says_so(world, db_url, monkeypatch, tmp_path: Path) -> None:
    from service.audit.key import clear_cache
    from service.settings import get_settings

    populate(db_url)
    monkeypatch.setenv("OGI_AUDIT_KEY_FILE", str(tmp_path / "elsewhere.key"))
    get_settings.cache_clear()
    clear_cache()
    assert "key_missing" in verify_codes(db_url)


def test_a_database_from_before_the_keyed_ledger_upgrades_and_its_legacy_chains_still_verify(world, db_url) -> None:
    """Rows written before `audit_1` (plain SHA-256 chains, no ledger) are marked legacy at upgrade and
    verified with the old algorithm; new events continue each chain with the key."""
    from alembic import command
    from alembic.config import Config

    from service.db import ROOT, get_engine, transaction
    from service.requests.service import act

    ids = populate(db_url)
    cfg = Config(str(ROOT / "service" / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "service" / "migrations"))
    cfg.attributes["engine"] = get_engine(db_url)
    command.downgrade(cfg, "safety_1")
    rehash_everything_without_the_key(db_url, ids)  # what the code before audit_1 wrote (plus one edit …)
    sql(db_url, "UPDATE request_event SET data = :d WHERE request_id = :r AND seq = 1",
        d=json.dumps({}), r=ids["r3"])  # … and one more edit, after the re-hash: caught below
    command.upgrade(cfg, "head")
    found = verify_codes(db_url)
    assert found == {"event_edited"}, found  # only the edit made after the legacy re-hash
    sql(db_url, "DELETE FROM request_event WHERE request_id = :r", r=ids["r3"])
    with transaction(db_url) as session:
        user, visible = _user(session, "handler")
        act(session=session, user=user, visible=visible, request_id=ids["r2"],
            payload={"action": "accept", "on": "2026-09-22"}, now=NOW)
    found = verify_codes(db_url)
    assert found == {"events_missing"}, found  # r3 lost its (legacy) events; r2's new keyed event verifies
    head = one(db_url, "SELECT legacy_event_max, seq FROM audit_head WHERE id = 1")
    assert head.legacy_event_max > 0 and head.seq >= 1
