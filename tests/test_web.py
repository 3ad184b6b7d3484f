"""The web desk through FastAPI's TestClient: login, lock-out, CSRF, registration with Chinese field
errors, case pages and actions per role, visibility, search with CSV, the calendar year view."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from freezegun import freeze_time

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse"


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log ``username`` in through the form; returns the response to the POST."""
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": "/"}, follow_redirects=False)


def post_form(client, url: str, data: dict, page_url: str | None = None):  # type: ignore[no-untyped-def]
    """POST a form with the CSRF token taken from ``page_url`` (default: ``url``)."""
    token = csrf_of(client.get(page_url or url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.fixture(autouse=True)
def _today(client) -> Iterator[None]:  # type: ignore[no-untyped-def]  # after the app: pydantic must not see freezegun's date
    """Every date these tests enter lies in autumn 2026; "today" is fixed at 23 November 2026 (Beijing)."""
    with freeze_time("2026-11-23 02:00:00", tick=True):
        yield


REGISTRATION = {
    "channel": "in_person", "arrival_at": "2026-09-21T10:00", "applicant.kind": "natural_person",
    "applicant.name": "张三", "applicant.id_type": "resident_id", "applicant.id_number": "11010519491231002X",
    "applicant.phone": "13900000000", "description": "申请公开某小区旧城改造项目的立项批复文件",
    "form": "paper", "delivery": "post",
}


def register(client, **overrides: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/requests/new", {**REGISTRATION, **overrides})


def test_pages_need_login(client, world) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/"
    assert client.get("/search?q=x", follow_redirects=False).headers["location"] == "/login?next=/search%3Fq%3Dx"
    page = client.get("/login")
    assert page.status_code == 200
    assert "登录" in page.text


def test_login_then_logout(client, world) -> None:
    r = login(client, "clerk")
    assert r.status_code == 303 and r.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.headers["x-frame-options"] == "SAMEORIGIN"
    assert "工作台" in home.text and "登记员" in home.text
    r = post_form(client, "/logout", {}, page_url="/")
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_is_not_an_open_redirect(client, world) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_wrong_password_then_lockout(client, world) -> None:
    from service.settings import get_settings

    tries = get_settings().login_max_failures
    for _ in range(tries - 1):
        r = login(client, "clerk", "wrong password")
        assert r.status_code == 401
        assert "用户名或密码错误" in r.text
    r = login(client, "clerk", "wrong password")
    assert r.status_code == 401
    assert "已被锁定" in r.text
    # Locked: even the right password is refused until the lock-out ends.
    r = login(client, "clerk")
    assert r.status_code == 401 and "已被锁定" in r.text


def test_post_without_csrf_token_is_refused(client, world) -> None:
    login(client, "clerk")
    r = client.post("/requests/new", data=REGISTRATION, follow_redirects=False)
    assert r.status_code == 403
    assert "安全令牌" in r.text
    r = client.post("/requests/new", data={**REGISTRATION, "csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    # Nothing was registered.
    assert "共 0 件" in client.get("/search").text
    # The login form itself is protected too.
    client.cookies.clear()
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403


def test_registration_errors_are_chinese_and_next_to_the_field(client, world) -> None:
    login(client, "clerk")
    r = register(client, **{"applicant.id_number": "110105194912310021"})
    assert r.status_code == 422
    field = re.search(r'id="field-applicant-id_number".*?</label>', r.text, re.S)
    assert field and "校验位不正确：应为 X" in field.group(0)
    # The typed values come back.
    assert "申请公开某小区旧城改造项目的立项批复文件" in r.text
    r = register(client, channel="email")
    assert r.status_code == 422
    field = re.search(r'id="field-confirmed_on".*?</label>', r.text, re.S)
    assert field and "确认日期" in field.group(0)
    r = register(client, **{"applicant.phone": ""})
    assert "至少填写一种联系方式" in r.text
    # Refused registrations used up no number.
    r = register(client)
    assert r.status_code == 303
    receipt = client.get(r.headers["location"])
    assert "常住建依申〔2026〕1号" in receipt.text
    assert "2026年10月26日" in receipt.text  # due date, hand-counted in test_requests_api


def test_resent_registration_form_registers_once(client, world) -> None:
    login(client, "clerk")
    page = client.get("/requests/new").text
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert key
    form = {**REGISTRATION, "idempotency_key": key.group(1), "csrf_token": csrf_of(page)}
    first = client.post("/requests/new", data=form, follow_redirects=False)
    again = client.post("/requests/new", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert "共 1 件" in client.get("/search").text


def test_id_check_fragment(client, world) -> None:
    login(client, "clerk")
    ok = post_form(client, "/requests/new/check-id", {"applicant.id_type": "resident_id",
                                                      "applicant.id_number": "11010519491231002x"},
                   page_url="/requests/new")
    assert "校验通过" in ok.text
    bad = post_form(client, "/requests/new/check-id", {"applicant.id_type": "resident_id",
                                                       "applicant.id_number": "110105194912310021"},
                    page_url="/requests/new")
    assert "校验位不正确" in bad.text


def _registered_id(client) -> int:  # type: ignore[no-untyped-def]
    r = register(client)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[2])


def test_case_page_actions_follow_role_and_state(client, world) -> None:
    login(client, "clerk")
    rid = _registered_id(client)
    page = client.get(f"/requests/{rid}")
    assert page.status_code == 200
    assert "逐日说明" in page.text and "第20日" in page.text
    assert 'id="action-accept"' in page.text
    assert 'id="action-extend"' not in page.text  # approver only
    assert 'id="action-reply"' not in page.text
    client.cookies.clear()
    login(client, "approver")
    page = client.get(f"/requests/{rid}")
    assert 'id="action-reply"' in page.text
    # A refused action comes back in Chinese above the form, and nothing changes.
    r = post_form(client, f"/requests/{rid}/actions", {"action": "archive"}, page_url=f"/requests/{rid}")
    assert r.status_code == 409
    assert "不能归档" in r.text


def test_correction_through_the_case_page(client, world) -> None:
    login(client, "handler")
    rid = _registered_id(client)
    url = f"/requests/{rid}"
    r = post_form(client, f"{url}/actions", {"action": "request_correction", "sent_on": "2026-09-22",
                                             "items": "请说明小区名称\n请提供项目年份",
                                             "seal_confirmed": "true"}, page_url=url)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "已完成：告知补正" in page.text
    assert "待补正" in page.text
    assert "请说明小区名称；请提供项目年份" in page.text
    # A date before receipt is refused next to its field.
    r = post_form(client, f"{url}/actions", {"action": "receive_correction", "received_on": "2026-09-01"},
                  page_url=url)
    assert r.status_code == 422
    assert "不能早于" in r.text


def test_other_unit_cannot_open_the_case(client, world) -> None:
    login(client, "clerk")
    rid = _registered_id(client)
    client.cookies.clear()
    login(client, "env_clerk")
    assert client.get(f"/requests/{rid}").status_code == 404
    r = post_form(client, f"/requests/{rid}/actions", {"action": "accept"}, page_url="/")
    assert r.status_code == 404
    assert "共 0 件" in client.get("/search").text
    client.cookies.clear()
    login(client, "assessor")
    assert client.get(f"/requests/{rid}").status_code == 200


def test_search_and_csv(client, world) -> None:
    login(client, "clerk")
    _registered_id(client)
    _registered_id(client)
    page = client.get("/search", params={"q": "张三", "status": "registered"})
    assert page.status_code == 200
    assert "共 2 件" in page.text
    assert "共 0 件" in client.get("/search", params={"q": "李四"}).text
    bad = client.get("/search", params={"due_from": "not a date"})
    assert bad.status_code == 422 and "请填写日期" in bad.text
    csv = client.get("/search.csv", params={"q": "张三"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("编号,单位,状态")
    assert len(lines) == 3 and "常住建依申〔2026〕1号" in csv.text
    # Text typed by an applicant is never a spreadsheet formula.
    r = register(client, description="=HYPERLINK(\"http://x\",\"点此\")")
    assert r.status_code == 303
    assert "'=HYPERLINK" in client.get("/search.csv", params={"q": "HYPERLINK"}).text


def test_dashboard_lists_open_cases_with_colour(client, world) -> None:
    login(client, "clerk")
    _registered_id(client)
    page = client.get("/")
    assert "在办案件" in page.text
    # Received 2026-09-21, due 2026-10-26: overdue by the real today (the test runs later than that).
    assert "常住建依申〔2026〕1号" in page.text
    assert re.search(r'class="badge u-(late|ok|soon|urgent)"', page.text)


def test_cookie_session_reads_the_api_but_never_writes(client, world) -> None:
    login(client, "clerk")
    assert client.get("/api/v1/requests").status_code == 200
    r = client.post("/api/v1/requests", json={"channel": "in_person"})
    assert r.status_code == 401


@pytest.mark.parametrize("year", [2026, 2027])
def test_calendar_year_view(client, world, year: int) -> None:
    login(client, "clerk")
    page = client.get("/calendar", params={"year": year})
    assert page.status_code == 200
    assert f"{year}年工作日历" in page.text
    if year == 2026:
        assert "国庆节" in page.text and "<sup>班</sup>" in page.text
        assert "暂定" not in page.text.split("</h1>")[0]
    else:
        assert "暂定" in page.text
    assert "广西" in client.get("/calendar", params={"year": 2026, "region": "gx"}).text


def _late_reply(client, world) -> str:  # type: ignore[no-untyped-def]
    """A request of the housing unit replied after its due date (received 2026-09-21, due 2026-10-26)."""
    login(client, "approver")
    rid = _registered_id(client)
    url = f"/requests/{rid}"
    r = post_form(client, f"{url}/actions", {"action": "reply", "decision": "disclose", "issued_on": "2026-11-02",
                                             "disclosure": "所申请信息请到本机关政府信息公开受理窗口领取。", "seal_confirmed": "true"},
                  page_url=url)
    assert r.status_code == 303, r.text
    return "常住建依申〔2026〕1号"


def test_assessment_table_chart_and_trail(client, world) -> None:
    number = _late_reply(client, world)
    client.cookies.clear()
    login(client, "assessor")
    page = client.get("/assessment", params={"scheme": "changshu-2020", "period": "2026"})
    assert page.status_code == 200
    assert "<svg" in page.text and "pygal" in page.text  # the chart is server-side SVG
    row = re.search(r"<tr[^>]*>\s*<td><a[^>]*>常熟市住房和城乡建设局</a></td>\s*<td class=\"num total\">([\d.]+)</td>",
                    page.text)
    assert row and float(row.group(1)) == 85  # 90 base points, -5 for the late reply
    trail = client.get("/assessment", params={"scheme": "changshu-2020", "period": "2026", "unit": "housing"})
    assert number in trail.text and "逾期答复" in trail.text
    bad = client.get("/assessment", params={"scheme": "changshu-2020", "period": "last year"})
    assert bad.status_code == 422


def test_manual_entry_by_assessor_only(client, world) -> None:
    login(client, "assessor")
    url = "/assessment?scheme=changshu-2020&period=2026"
    r = post_form(client, "/assessment/entries", {"scheme": "changshu-2020", "unit": "env", "target": "1",
                                                  "period": "2026", "what": "amount", "quantity": "1",
                                                  "note": "未指定机构负责日常工作"}, page_url=url)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "已录入考核事项" in page.text and "未指定机构负责日常工作" in page.text
    r = post_form(client, "/assessment/entries", {"scheme": "changshu-2020", "unit": "env", "target": "1",
                                                  "period": "2026", "what": "amount", "quantity": "abc"}, page_url=url)
    assert r.status_code == 422
    client.cookies.clear()
    login(client, "clerk")
    r = post_form(client, "/assessment/entries", {"scheme": "changshu-2020", "unit": "housing", "target": "1",
                                                  "period": "2026", "what": "amount", "quantity": "1"}, page_url=url)
    assert r.status_code == 403 and "只有考核员和管理员" in r.text


def test_consultation_forms_follow_the_workflow(client, world) -> None:
    login(client, "handler")
    rid = _registered_id(client)
    url = f"/requests/{rid}"
    for data in ({"action": "accept", "on": "2026-09-22"},
                 {"action": "start_consultation", "sent_on": "2026-09-23", "party": "某建设公司", "kind": "third_party",
                  "seal_confirmed": "true"}):
        r = post_form(client, f"{url}/actions", data, page_url=url)
        assert r.status_code == 303, r.text
    assert "征求意见中" in client.get(url).text
    # Disclosing over an objection needs the reason the third party will be told (Art. 32).
    r = post_form(client, f"{url}/actions", {"action": "end_consultation", "on": "2026-09-30", "opinion": "不同意公开",
                                             "objected": "true", "disclose_anyway": "true"}, page_url=url)
    assert r.status_code == 422
    field = re.search(r'id="field-end_consultation-reason".*?</label>', r.text, re.S)
    assert field and "须说明理由" in field.group(0)
    r = post_form(client, f"{url}/actions", {"action": "end_consultation", "on": "2026-09-30", "opinion": "不同意公开",
                                             "objected": "true"}, page_url=url)
    assert r.status_code == 303, r.text
    assert "审查办理中" in client.get(url).text


def test_dashboard_shows_the_sweeps_reminders(client, world, db_url) -> None:
    from service.db import transaction
    from service.requests.sweep import run_sweep

    login(client, "clerk")
    _registered_id(client)
    assert "暂无提醒" in client.get("/").text
    with transaction(db_url) as session:
        run_sweep(session=session)
    page = client.get("/")
    reminders = re.search(r'<ul id="reminders">.*?</ul>', page.text, re.S)
    assert reminders and "常住建依申〔2026〕1号" in reminders.group(0) and "已逾期" in reminders.group(0)


def test_logout_kills_copies_of_the_session_cookie(client, world) -> None:
    from service.web.session import COOKIE

    login(client, "clerk")
    copied = client.cookies.get(COOKIE)
    assert client.get("/", follow_redirects=False).status_code == 200
    post_form(client, "/logout", {}, page_url="/")
    client.cookies.set(COOKIE, copied)  # someone kept the cookie from before the logout
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    login(client, "clerk")  # a new login works again
    assert client.get("/", follow_redirects=False).status_code == 200
