"""The web desk in a real browser (Playwright + Debian Chromium against uvicorn):

* a clerk registers a request (after a refused ID number), a handler asks for correction, the
  correction arrives, the approver extends and replies, the reply's PDF downloads, and the assessor
  sees the unit's score change (the reply is late: 常熟 deducts 5 points);
* a user of another unit cannot open the case;
* a form posted without its CSRF token is refused.

Each page visited is saved under docs/screenshots/ (linked from the README). Dates are entered in
the past (2026-09) so the case can run its whole course today.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Server, shot

# One server per module: keep the module's tests on one xdist worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-desk")]

PASSWORD = "correct horse"


def new_page(browser, server: Server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True, locale="zh-CN")
    return context.new_page()


def login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(re.compile(r".*/$"))


def upload_released(page) -> None:  # type: ignore[no-untyped-def]
    """Upload a 3-page PDF as 公开的信息 from the case page's 附件 panel; screenshot the panel."""
    from tests.browser.conftest import SCREENSHOTS
    from tests.files_support import pdf_bytes

    form = page.locator("#upload-form")
    form.locator("select[name=kind]").select_option("released")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "立项批复文件.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(3, "立项批复")}])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    panel = page.locator("#attachments")
    assert "立项批复文件.pdf" in panel.inner_text() and "共 3 页" in panel.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SCREENSHOTS / "attachments.png"))


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r".*/login$"))


def act(page, action: str, fields: dict[str, str], checks: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Open an action's form on the case page, fill it, submit, and expect the success notice."""
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    for name, value in fields.items():
        field = box.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for name in checks:
        box.locator(f"[name='{name}']").check()
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash").count() == 1, page.locator("main").inner_text()


def fill_registration(page, name: str, phone: str, description: str,  # type: ignore[no-untyped-def]
                      id_number: str = "11010519491231002X", arrival: str = "2026-09-01T09:30") -> None:
    """Fill the registration form (in person, a natural person)."""
    page.goto("/requests/new")
    page.select_option("[name=channel]", "in_person")
    page.fill("[name=arrival_at]", arrival)
    page.fill("[name='applicant.name']", name)
    page.fill("[name='applicant.id_number']", id_number)
    page.fill("[name='applicant.phone']", phone)
    page.fill("[name=description]", description)


def unit_total(page, unit_name: str) -> str:  # type: ignore[no-untyped-def]
    """The total shown for a unit in the assessment table."""
    row = page.locator("#results tr", has_text=unit_name)
    return row.locator("td.total").inner_text().strip()


def test_request_from_registration_to_late_reply_and_score(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, server)
    page.goto("/")
    shot(page, "login")

    # The assessor's view of the housing unit before the case.
    login(page, "assessor")
    page.goto("/assessment?scheme=changshu-2020&period=2026")
    before = unit_total(page, "住房和城乡建设局")
    logout(page)

    # 登记: a wrong check digit is refused next to the field, in Chinese.
    login(page, "clerk")
    fill_registration(page, "张三", "13900000000", "申请公开某小区旧城改造项目的立项批复文件",
                      id_number="110105194912310021")
    page.click("button:has-text('登记并生成回执')")
    error = page.locator("#field-applicant-id_number .field-error")
    assert "校验位不正确" in error.inner_text()
    shot(page, "register-error")
    page.fill("[name='applicant.id_number']", "11010519491231002X")
    shot(page, "register")
    page.click("button:has-text('登记并生成回执')")
    page.wait_for_url(re.compile(r".*/requests/\d+/receipt$"))
    number = page.locator("h1").inner_text().split("：", 1)[1].strip()
    assert re.fullmatch(r"常住建依申〔2026〕\d+号", number), number
    page.frame_locator("#receipt-frame").locator("body").wait_for()
    shot(page, "receipt")
    case_url = page.url.removesuffix("/receipt")
    logout(page)

    # 承办人 asks for correction; 登记员 records its arrival.
    login(page, "handler")
    assert page.locator("#open-cases tbody tr").count() >= 1
    shot(page, "dashboard")
    page.goto(case_url)
    act(page, "request_correction", {"sent_on": "2026-09-03", "items": "请说明小区名称\n请说明项目年份"},
        checks=("seal_confirmed",))
    assert "待补正" in page.locator("h1").inner_text()
    logout(page)
    login(page, "clerk")
    page.goto(case_url)
    act(page, "receive_correction", {"received_on": "2026-09-10"})
    assert "审查办理中" in page.locator("h1").inner_text()
    logout(page)

    # 负责人 extends (before the due date) and replies late (today), with the seal confirmed.
    login(page, "approver")
    page.goto(case_url)
    due_before = page.locator("#due-on").inner_text()
    # The extension was notified on 9 October (entered afterwards: the form shows that day's actions).
    page.goto(case_url + "?as_of=2026-10-09")
    act(page, "extend", {"notified_on": "2026-10-09", "days": "20", "reason": "需要调取档案，工作量较大"},
        checks=("seal_confirmed",))
    assert page.locator("#due-on").inner_text() != due_before
    page.goto(case_url)
    # The reply encloses 3 pages: the released documents go on the case first, through the 附件 panel.
    upload_released(page)
    act(page, "reply", {"decision": "disclose", "disclosure": "现将所申请信息随本答复书一并提供（共3页）。"},
        checks=("seal_confirmed",))
    assert "已答复" in page.locator("h1").inner_text()
    page.locator("#explain summary").click()
    shot(page, "case")

    # The reply's PDF downloads.
    reply_row = page.locator("#letters tbody tr").last  # the reply is the latest letter
    with page.expect_download() as info:
        reply_row.locator("a:has-text('PDF')").click()
    pdf = info.value.path()
    assert pdf is not None
    with open(pdf, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    reply_row.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/letters/\d+$"))
    page.frame_locator("iframe").locator("body").wait_for()
    shot(page, "letter")
    page.goto("/search?q=" + number)
    assert page.locator("#results tbody tr").count() == 1
    shot(page, "search")
    logout(page)

    # The assessor sees the housing unit lose points for the late reply, with the request in the trail.
    login(page, "assessor")
    page.goto("/assessment?scheme=changshu-2020&period=2026")
    after = unit_total(page, "住房和城乡建设局")
    assert float(after) < float(before), (before, after)
    shot(page, "assessment")
    page.locator("#results tr", has_text="住房和城乡建设局").locator("a").first.click()
    assert number in page.content()
    shot(page, "assessment-trail")
    page.goto("/calendar?year=2026")
    shot(page, "calendar")
    page.context.close()


def test_other_unit_cannot_open_the_case(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, server)
    login(page, "clerk")
    fill_registration(page, "王五", "13900000002", "某路段交通信号灯设置依据")
    page.click("button:has-text('登记并生成回执')")
    page.wait_for_url(re.compile(r".*/requests/\d+/receipt$"))
    case_url = page.url.removesuffix("/receipt")
    logout(page)
    login(page, "env_clerk")
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    assert "没有找到这件申请" in page.locator("main").inner_text()
    shot(page, "not-found")
    page.context.close()


def test_form_without_csrf_token_is_refused(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, server)
    login(page, "clerk")
    fill_registration(page, "李四", "13900000001", "某文件")
    # htmx (vendored) checks the ID number on change, sending the CSRF token in a header.
    page.locator("[name='applicant.id_number']").press("Tab")
    page.wait_for_selector("#id-check:has-text('校验通过')")
    # As a forged cross-site form would: the same fields without the token.
    page.evaluate("document.querySelector('#register-form [name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.url.endswith("/requests/new") and r.request.method == "POST") as info:
        page.click("button:has-text('登记并生成回执')")
    assert info.value.status == 403
    assert "安全令牌" in page.locator("main").inner_text()
    shot(page, "csrf-refused")
    page.goto("/search?q=李四")
    assert page.locator("#results tbody tr").count() == 0
    page.context.close()
