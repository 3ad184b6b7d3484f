"""`ogi sweep` over the database: reminders, one ogi.reply_late per overdue request, safe to repeat
and to run from two processes at once; calendar imports reach running cases."""

from __future__ import annotations

from datetime import UTC, date, datetime

from freezegun import freeze_time
from sqlalchemy import func
from sqlmodel import select

from tests.test_concurrency import _user, in_parallel

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _register(db_url: str, arrival: datetime, accept_on: str) -> int:
    from service.db import transaction
    from service.requests.service import act, register

    data = {"applicant": {"kind": "natural_person", "name": "李四", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": arrival, "description": "申请公开某文件", "attachments": []}
    accepted_at = datetime.fromisoformat(accept_on + "T02:00:00+00:00")
    with transaction(db_url) as session:
        user, visible = _user(session, "clerk")
        record, _ = register(session=session, user=user, visible=visible, data=data, now=accepted_at)
        act(session=session, user=user, visible=visible, request_id=record.id,
            payload={"action": "accept", "on": accept_on}, now=accepted_at)
        return record.id  # type: ignore[return-value]


def _count(db_url: str, model, **where) -> int:  # type: ignore[no-untyped-def]
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return int(session.exec(stmt).one())


def test_sweep_reminds_and_reports_overdue_once(world, db_url) -> None:
    from service.assessment.models import AssessmentEventRecord
    from service.db import transaction
    from service.requests.models import Reminder
    from service.requests.sweep import run_sweep

    # Received 2026-09-01 (Tue): 20 working days → 9/29 (9/2–9/4 1–3, 9/7–9/11 4–8, 9/14–9/18 9–13,
    # 9/21–9/24 14–17, 9/25–9/27 off, 9/28 18, 9/29 19 … wait: 9/20 is a make-up Sunday → 9/20 is 14,
    # so 9/21–9/24 15–18, 9/28 19, 9/29 20). Overdue on 2026-10-20.
    late = _register(db_url, datetime(2026, 9, 1, 2, tzinfo=UTC), "2026-09-02")
    # Received 2026-09-21: due 2026-10-26; on 10/20 the working days left are 10/21–10/23, 10/26 = 4 → 5-day reminder.
    soon = _register(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22")
    # Received 2026-10-19: due far away, nothing to say.
    _register(db_url, datetime(2026, 10, 19, 2, tzinfo=UTC), "2026-10-20")

    with freeze_time(NOW), transaction(db_url) as session:
        report = run_sweep(session=session)
    assert report.as_of == {"housing": date(2026, 10, 20)}
    assert (report.overdue, report.due_soon, report.late_events_added) == (1, 1, 1)
    assert _count(db_url, Reminder, request_id=soon, threshold=5) == 1
    assert _count(db_url, Reminder, request_id=late, threshold=0) == 1
    # Again, and from two processes at once: nothing new.
    with freeze_time(NOW), transaction(db_url) as session:
        again = run_sweep(session=session)
    assert (again.reminders_added, again.late_events_added) == (0, 0)

    def sweep(_: int) -> int:
        with transaction(db_url) as session:
            r = run_sweep(session=session, as_of=date(2026, 10, 21), now=NOW)
            return r.late_events_added

    results = in_parallel(2, sweep)
    assert all(isinstance(r, int) for r in results), results
    assert _count(db_url, AssessmentEventRecord, kind="ogi.reply_late") == 1


def test_reminders_in_the_api_list_the_users_cases(client, world, db_url) -> None:
    from service.db import transaction
    from service.requests.sweep import run_sweep
    from tests.conftest import auth

    _register(db_url, datetime(2026, 9, 21, 2, tzinfo=UTC), "2026-09-22")
    with transaction(db_url) as session:
        run_sweep(session=session, as_of=date(2026, 10, 20), now=NOW)
    mine = client.get("/api/v1/reminders", headers=auth(world, "handler")).json()
    assert [(r["number"], r["threshold"], r["overdue"]) for r in mine] == [("常住建依申〔2026〕1号", 5, False)]
    assert client.get("/api/v1/reminders", headers=auth(world, "env_clerk")).json() == []


def test_calendar_import_recomputes_open_requests_and_keeps_history(world, db_url, tmp_path) -> None:
    from typer.testing import CliRunner

    from service.cli import app
    from service.db import transaction
    from service.requests.models import RequestEvent, RequestRecord

    # Received 2026-12-21 (Mon): 20 working days reach into 2027, which has no official schedule yet
    # (provisional: 1/1 off only). 12/22–12/25 (1–4), 12/28–12/31 (5–8), 1/4–1/8 (9–13),
    # 1/11–1/15 (14–18), 1/18 (19), 1/19 (20).
    with freeze_time("2026-12-22 02:00:00"):
        rid = _register(db_url, datetime(2026, 12, 21, 2, tzinfo=UTC), "2026-12-22")
        with transaction(db_url, readonly=True) as session:
            record = session.get(RequestRecord, rid)
            assert (record.due_on, record.provisional) == (date(2027, 1, 19), True)
        # A notice for 2027 arrives with 1/4–1/5 off as well: the due date moves two working days.
        notice = tmp_path / "2027.toml"
        notice.write_text(TEST_2027, encoding="utf-8")
        result = CliRunner().invoke(app, ["calendar", "import", str(notice)])
        assert result.exit_code == 0, result.output
    with transaction(db_url, readonly=True) as session:
        record = session.get(RequestRecord, rid)
        assert (record.due_on, record.provisional) == (date(2027, 1, 21), False)
        events = list(session.exec(select(RequestEvent).where(RequestEvent.request_id == rid)
                                   .order_by(RequestEvent.seq)))
    changed = [e for e in events if e.kind == "due_date_changed"]
    assert len(changed) == 1
    assert (changed[0].data["old"], changed[0].data["new"]) == ("2027-01-19", "2027-01-21")
    # The earlier events still say what was due when they were recorded.
    assert events[0].data["due_on"] == "2027-01-19"


# A made-up 2027 notice for the test (the real one is not published yet): New Year 1/1–1/5.
TEST_2027 = """
year = 2027
source = "测试用：假设的2027年节假日安排通知"

[[holidays]]
name = "元旦"
first = 2027-01-01
last = 2027-01-05
"""
