"""The dashboard's worklist: filters with counts, batch assign (notifies the handler) and batch archive,
unit and person names on the page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time
from sqlmodel import select

from tests.test_web import csrf_of, login

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # Tuesday, 10:00 in Beijing; the week ends on Sunday 10/25


def _receipt_for(due: date) -> date:
    """A receipt date whose 20-working-day period ends on ``due``."""
    from workflow.calendar import get_calendar

    cal = get_calendar()
    day = due - timedelta(days=20)
    while cal.add_working_days(day, 20) != due:
        day -= timedelta(days=1)
    return day


def _make(db_url: str, received: date, *then: tuple[str, str, dict]) -> tuple[int, str]:
    from service.db import transaction
    from service.requests.service import act, register
    from service.users.models import User
    from service.users.service import visible_agency_ids

    at = datetime(received.year, received.month, received.day, 2, tzinfo=UTC)
    data = {"applicant": {"kind": "natural_person", "name": "王五", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": at, "description": "申请公开某文件", "attachments": []}
    with transaction(db_url) as session:
        def who(name: str):  # type: ignore[no-untyped-def]
            user = session.exec(select(User).where(User.username == name)).one()
            return user, visible_agency_ids(session=session, user=user)

        clerk, visible = who("clerk")
        record, _ = register(session=session, user=clerk, visible=visible, data=data, now=at)
        act(session=session, user=clerk, visible=visible, request_id=record.id,
            payload={"action": "accept", "on": received.isoformat()}, now=at)
        for username, action, params in then:
            user, seen = who(username)
            act(session=session, user=user, visible=seen, request_id=record.id, payload={"action": action, **params},
                now=NOW)
        return record.id, record.number  # type: ignore[return-value]


def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'id="filter-(\w+)"[^>]*>[^<]*<b>(\d+)</b>', page)}


def test_filters_count_and_list_the_right_cases(client, world, db_url) -> None:
    from service.db import transaction
    from service.requests import worklist
    from service.users.models import User

    with freeze_time(NOW):
        _, today = _make(db_url, _receipt_for(date(2026, 10, 20)))
        week_id, week = _make(db_url, _receipt_for(date(2026, 10, 23)))
        _, late = _make(db_url, date(2026, 9, 1))
        _, paused = _make(db_url, date(2026, 10, 12),
                          ("handler", "start_consultation", {"sent_on": "2026-10-14", "party": "某公司", "kind": "third_party",
                                                               "seal_confirmed": True}))
        with transaction(db_url) as session:
            boss = session.exec(select(User).where(User.username == "approver")).one()
            handler = session.exec(select(User).where(User.username == "handler")).one()
            worklist.assign(session=session, user=boss, visible={boss.agency_id}, request_ids=[week_id],
                            handler_id=handler.id, now=NOW)
        login(client, "handler")
        page = client.get("/").text
        assert _counts(page) == {"today": 1, "week": 2, "overdue": 1, "paused": 1, "mine": 1, "to_archive": 0}
        # Names, not codes: the unit column and the header.
        assert "常熟市住房和城乡建设局" in page.split('id="open-cases"')[1]
        assert ">housing<" not in page
        expected = {"today": {today}, "week": {today, week}, "overdue": {late}, "paused": {paused}, "mine": {week}}
        for name, numbers in expected.items():
            listed = set(re.findall(r'<a href="/requests/\d+">([^<]+)</a>', client.get(f"/?filter={name}").text))
            assert listed == numbers, name
        assert "暂停计时（自10月14日起，征求意见期间不计）" in client.get("/?filter=paused").text


def test_batch_archive_archives_what_it_may_and_names_the_rest(client, world, db_url) -> None:
    from service.db import transaction
    from service.requests.models import RequestRecord

    with freeze_time(NOW):
        done_id, done = _make(db_url, date(2026, 9, 21), (
            "approver", "reply", {"decision": "disclose", "issued_on": "2026-10-19", "seal_confirmed": True,
                                  "service_method": "post", "force": True,
                                  "disclosure": "现将所申请信息随本答复书一并提供。"}))
        open_id, open_number = _make(db_url, date(2026, 10, 12))
        login(client, "approver")
        page = client.get("/")
        r = client.post("/worklist/batch", data={"csrf_token": csrf_of(page.text), "batch": "archive",
                                                 "ids": [str(done_id), str(open_id)]}, follow_redirects=True)
        assert r.status_code == 200
        assert "已归档 1 件；未归档 1 件" in r.text and open_number in r.text
        with transaction(db_url, readonly=True) as session:
            assert session.get(RequestRecord, done_id).status == "archived"  # type: ignore[union-attr]
            assert session.get(RequestRecord, open_id).status == "reviewing"  # type: ignore[union-attr]
        assert done


def test_only_approvers_assign(client, world, db_url) -> None:
    with freeze_time(NOW):
        rid, _ = _make(db_url, date(2026, 10, 12))
        login(client, "clerk")
        page = client.get("/")
        assert 'id="batch-assign"' not in page.text
        r = client.post("/worklist/batch", data={"csrf_token": csrf_of(page.text), "batch": "assign",
                                                 "handler": "2", "ids": [str(rid)]}, follow_redirects=True)
        assert r.status_code == 200 and "未执行" in r.text
