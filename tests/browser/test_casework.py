"""The office's path in a real browser: 分办 → 拟稿 → 退回修改 → 重新拟稿 → 法制审核 → 签发 (final letter first,
then the stamp) → 邮寄送达 (EMS) → 收到日期 → 归档; and a fee notice under the national rules.

Screenshots: draft, draft-preview, signing, service-record, fee-notice (docs/screenshots/ with
OGI_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Server, shot
from tests.browser.test_desk import PASSWORD, act, fill_registration, login, logout, new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-casework")]


def _reviewer(server: Server) -> None:
    from service.db import get_engine, transaction
    from service.users.service import add_user

    with transaction(server.db_url) as session:
        add_user(session=session, username="reviewer", password=PASSWORD, role="reviewer", agency_code="housing")
    get_engine(server.db_url).dispose()


def _register(page, description: str) -> str:  # type: ignore[no-untyped-def]
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    fill_registration(page, "李四", "13900000001", description, arrival=f"{monday.isoformat()}T09:30")
    page.click("button:has-text('登记并生成回执')")
    page.wait_for_url(re.compile(r".*/requests/\d+/receipt$"))
    case_url = page.url.removesuffix("/receipt")
    page.goto(case_url)
    return case_url


def test_assign_draft_return_review_sign_serve_archive(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    _reviewer(server)
    page = new_page(browser, server)
    login(page, "clerk")
    case_url = _register(page, "申请公开某路段拓宽工程的规划许可文件")
    act(page, "accept", {})
    logout(page)

    # 分办 by the approver.
    login(page, "approver")
    page.goto(case_url)
    page.select_option("#assign-form [name=handler]", "handler")
    page.click("#assign")
    assert "已分办" in page.locator("main").inner_text()
    logout(page)

    # 拟稿: the reply form first asks for the decision, then shows only that decision's fields.
    login(page, "handler")
    page.goto(case_url)
    page.click("#new-draft-reply")
    assert page.locator("#draft-form").count() == 0
    page.select_option("#decision-choose", "withhold")
    page.click("#draft-choose button")
    form = page.locator("#draft-form")
    assert form.locator("[name=withhold_reason]").count() == 1
    assert form.locator("[name=disclosure]").count() == 0 and form.locator("[name=access_route]").count() == 0
    page.select_option("#draft-form [name=withhold_reason]", "1")
    if page.locator("#draft-form [name=reason]").count():  # the stated reason, where the decision asks for it
        page.fill("#draft-form [name=reason]", "所申请信息属于国家秘密，依据条例第十四条不予公开")
    shot(page, "draft")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft_url = page.url
    page.frame_locator("#draft-preview").locator("body").wait_for()
    assert "草稿" in page.frame_locator("#draft-preview").locator("html").inner_html()
    shot(page, "draft-preview")
    page.click("#submit-draft")
    assert "已提交审核" in page.locator("#draft-status").inner_text()
    logout(page)

    # 法制审核: returned with a comment.
    login(page, "reviewer")
    page.goto(draft_url)
    page.fill("#return-form [name=comment]", "请改为部分公开并写明公开内容")
    page.click("#return-draft")
    assert "拟稿中" in page.locator("#draft-status").inner_text()
    assert "请改为部分公开" in page.locator("#draft-steps").inner_text()
    logout(page)

    # 重新拟稿 (a new version) and resubmit; the reviewer approves.
    login(page, "handler")
    page.goto(case_url)
    page.click("#new-draft-reply")
    page.select_option("#decision-choose", "partial")
    page.click("#draft-choose button")
    # Every field the decision asks for (the decision's own set comes from workflow.replies).
    boxes = page.locator("#draft-form textarea, #draft-form input[type=text]")
    for i in range(boxes.count()):
        boxes.nth(i).fill("规划许可证予以公开；涉及个人信息的部分不予公开")
    # The withheld parts are a list, one line each: part｜reason category 1–8｜explanation.
    if page.locator("#draft-form [name=withheld_parts]").count():
        page.fill("#draft-form [name=withheld_parts]", "许可证附件中的身份证号码｜4｜属于第三方个人信息")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft_url = page.url
    page.click("#submit-draft")
    logout(page)
    login(page, "reviewer")
    page.goto(draft_url)
    page.click("#approve-draft")
    assert "法制审核通过" in page.locator("#draft-status").inner_text()
    logout(page)

    # 签发: the final letter first, then the stamp confirmation.
    login(page, "approver")
    page.goto(draft_url)
    page.click("#go-sign")
    page.frame_locator("#final-letter").locator("body").wait_for()
    assert "草稿" not in page.frame_locator("#final-letter").locator("html").inner_html()
    shot(page, "signing")
    page.click("#sign-draft")  # without the stamp confirmation: refused
    assert "加盖印章" in page.locator("#sign-error").inner_text()
    page.check("#seal-confirmed")
    page.click("#sign-draft")
    page.wait_for_url(re.compile(r".*/letters/\d+$"))
    assert re.search(r"常住建依申复〔\d{4}〕\d+号", page.locator("h1").inner_text())
    logout(page)

    # 送达 by EMS, then the received date; then 归档.
    login(page, "clerk")
    page.goto(case_url)
    item = page.locator("#service li", has_text="答复")
    item.locator("[name=method]").select_option("post")
    item.locator("[name=ems_number]").fill("12345")
    item.locator("button").click()
    assert "EMS 邮件号格式不正确" in page.locator("#service-error").inner_text()
    item = page.locator("#service li", has_text="答复")
    item.locator("[name=method]").select_option("post")
    item.locator("[name=ems_number]").fill("EA123456785CN")
    item.locator("button").click()
    item = page.locator("#service li", has_text="答复")
    assert "EMS EA123456785CN" in item.inner_text()
    # The agency's day (Beijing), which the server dates the sending with.
    item.locator("[name=received_on]").fill(datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat())
    item.locator("button").click()
    assert page.locator("#service-error").count() == 0
    assert "收到日期未登记" not in page.locator("#service li", has_text="答复").inner_text()
    shot(page, "service-record")
    logout(page)
    login(page, "handler")
    page.goto(case_url)
    act(page, "archive", {})
    assert "已归档" in page.locator("h1").inner_text()


def test_fee_notice_by_pages(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, server)
    login(page, "clerk")
    case_url = _register(page, "申请公开某开发区历年全部规划审批档案")
    act(page, "accept", {})
    logout(page)
    login(page, "handler")
    page.goto(case_url)
    act(page, "issue_fee_notice", {"fee_method": "per_volume", "pages": "250"}, checks=("seal_confirmed",))
    page.locator("#letters a", has_text="收费").first.click()
    page.frame_locator(".letter-frame").locator("body").wait_for()
    text = page.frame_locator(".letter-frame").locator("body").inner_text()
    # 250 pages: 30 free + 70 × 10 + 100 × 20 + 50 × 40 = 4700.
    assert "4700" in text and "按量计收" in text and "第201–250页：50页×40元＝2000元" in text
    shot(page, "fee-notice")
