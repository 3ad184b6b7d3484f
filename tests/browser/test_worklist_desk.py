"""The worklist in a real browser: filters with counts, batch assign and batch archive at 1366 px (the
table fits), the case and its clock on a 390 px phone, focus on the first field and access keys.
Screenshots: docs/screenshots/worklist*.png and phone-*.png (OGI_UPDATE_SCREENSHOTS=1 refreshes them)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tests.browser.conftest import Server, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-worklist")]

PASSWORD = "correct horse"


def _cases(db_url: str) -> tuple[dict[str, int], date]:
    """Cases of the housing unit: three overdue and unassigned, one in consultation, one replied."""
    from service.db import get_engine, transaction
    from service.requests.service import act, register
    from service.users.models import User
    from service.users.service import visible_agency_ids

    made: dict[str, int] = {}
    # The consultation runs now (the server's clock is the real one): sent yesterday, 15 working days to answer.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    asked = today - timedelta(days=1)
    with transaction(db_url) as session:
        def who(name: str):  # type: ignore[no-untyped-def]
            user = session.exec(select(User).where(User.username == name)).one()
            return user, visible_agency_ids(session=session, user=user)

        clerk, visible = who("clerk")
        boss, seen = who("approver")
        for n, (name, received, then) in enumerate([
            ("late1", date(2026, 9, 1), []), ("late2", date(2026, 9, 2), []), ("late3", date(2026, 9, 3), []),
            ("paused", today - timedelta(days=10), [("start_consultation", {
                "sent_on": asked.isoformat(), "party": "某建设公司", "kind": "third_party", "seal_confirmed": True})]),
            ("replied", date(2026, 9, 21), [("reply", {"decision": "disclose", "issued_on": "2026-10-19",
                                                       "service_method": "post", "seal_confirmed": True,
                                                       "disclosure": "可至本机关政府信息公开受理窗口查阅所申请的项目批复文件"})]),
        ]):
            at = datetime(received.year, received.month, received.day, 2, n, tzinfo=UTC)
            data = {"applicant": {"kind": "natural_person", "name": f"张{'一二三四五六'[n]}", "id_type": "resident_id",
                                  "id_number": "11010519491231002X", "phone": "13900000000"},
                    "channel": "in_person", "arrival_at": at, "description": "申请公开某项目批复文件", "attachments": []}
            record, _ = register(session=session, user=clerk, visible=visible, data=data, now=at)
            act(session=session, user=clerk, visible=visible, request_id=record.id,
                payload={"action": "accept", "on": received.isoformat()}, now=at)
            for action, params in then:
                act(session=session, user=boss, visible=seen, request_id=record.id, payload={"action": action, **params},
                    now=datetime.now(UTC))
            made[name] = record.id  # type: ignore[assignment]
    get_engine(db_url).dispose()
    return made, asked


def _page(browser, server: Server, width: int, height: int = 900):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height}, locale="zh-CN")
    return context.new_page()


def _login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    # Keyboard first: the user name field has the focus when the page opens.
    # autofocus is applied once the page has been laid out: wait for it rather than race it.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'username'", timeout=5000)
    page.keyboard.type(username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(re.compile(r".*/$"))


def _count(page, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(f"#filter-{name} b").inner_text())


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _wide(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What sticks out to the right (for the failure message)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""")


def test_filters_batch_actions_and_phone_layout(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    made, asked = _cases(server.db_url)
    page = _page(browser, server, 1366)
    _login(page, "approver")
    # The header names the person, the role and the unit.
    assert "负责人 · 常熟市住房和城乡建设局" in page.locator("header .who").inner_text()
    assert _fits(page), _wide(page)
    assert (_count(page, "overdue"), _count(page, "paused"), _count(page, "mine")) == (3, 1, 0)
    shot(page, "worklist")

    # 已超期: exactly the three late cases, each saying how late it is.
    page.click("#filter-overdue")
    rows = page.locator("#open-cases tbody tr")
    assert rows.count() == 3
    assert all("已逾期" in t for t in rows.locator(".clock-label").all_inner_texts())
    page.click("#filter-paused")
    assert f"暂停计时（自{asked.month}月{asked.day}日起，征求意见期间不计）" in page.locator("#open-cases").inner_text()

    # Batch assign two of them to the handler, with the keyboard's access key for the button.
    page.click("#filter-overdue")
    boxes = page.locator("#open-cases input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#batch-handler", label=page.locator("#batch-handler option", has_text="handler").inner_text())
    assert page.get_attribute("#batch-assign", "accesskey") == "a"
    page.click("#batch-assign")
    page.wait_for_load_state()
    assert "已分办 2 件" in page.locator(".flash").inner_text()
    assert _count(page, "overdue") == 3
    shot(page, "worklist-assigned")

    # Batch archive from 待归档 (replied cases).
    page.goto("/search")
    assert page.evaluate("document.activeElement.name") == "q"
    page.goto("/")
    assert _count(page, "to_archive") == 1
    page.click("#filter-to_archive")
    page.locator(f"#open-cases input[value='{made['replied']}']").check()
    page.click("#batch-archive")
    page.wait_for_load_state()
    assert "已归档 1 件" in page.locator(".flash").inner_text()
    assert _count(page, "to_archive") == 0
    shot(page, "worklist-archived")

    # The handler's 我的案件 holds the two assigned cases.
    page.click("button:has-text('退出')")
    _login(page, "handler")
    assert _count(page, "mine") == 2
    page.click("#filter-mine")
    assert page.locator("#open-cases tbody tr").count() == 2
    shot(page, "worklist-mine")

    # A 390 px phone: the worklist as cards and a case with its clock, nothing wider than the screen.
    phone = _page(browser, server, 390, 844)
    _login(phone, "handler")
    assert _fits(phone), _wide(phone)
    shot(phone, "phone-dashboard")
    phone.goto(f"/requests/{made['late1']}")
    assert _fits(phone), _wide(phone)
    header = phone.locator("#header-clock")
    assert header.is_visible() and "已逾期" in header.inner_text()
    assert phone.locator("#due-on").is_visible()
    assert header.inner_text() == phone.locator("#clock-state .badge").inner_text()
    shot(phone, "phone-case")
