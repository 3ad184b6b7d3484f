"""The assessor's judgement in a real browser: 临淄's (四) 未依法依规作出答复的，根据情节酌情扣分 fixes no
amount, so a late reply waits for the assessor; the assessor enters an amount for an item, judges the
late reply (2 points, with a reason), is refused an amount beyond the year-end part's 20 points, and
revises the judgement (3 points). The Chinese trail shows the clause, the request number, and both
judgements with who and why; saved as docs/screenshots/assessment-judgement.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server, shot
from tests.browser.test_desk import login, new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-scoring")]

NUMBER = "常住建依申〔2026〕15号"


def test_assessor_enters_an_amount_and_adjusts_an_event(server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    from service.assessment.inbox import submit
    from service.db import get_engine, transaction

    with transaction(server.db_url) as session:  # what the sweep records for a request replied late
        submit(session=session, events=[{
            "kind": "ogi.reply_late", "unit": "housing", "on": "2026-10-27", "subject": "reply",
            "request_ref": NUMBER, "note": "逾期未答复：应于2026-10-26前答复",
            "details": {"request_number": NUMBER, "due_on": "2026-10-26"},
            "key": f"ogi.reply_late:{NUMBER}:reply"}])
    get_engine(server.db_url).dispose()
    page = new_page(browser, server)
    login(page, "assessor")
    page.goto("/assessment?scheme=linzi-2021&period=2026&unit=housing")
    trail = page.locator("#trail")
    # Before judgement: listed under (四) with the clause, awaiting the assessor, 0 points.
    assert "待考核员酌情确定分值" in trail.inner_text()
    assert "未依法依规作出答复的，根据情节酌情扣分" in trail.inner_text() and NUMBER in trail.inner_text()
    assert "1 件事项待考核员酌情确定分值" in page.locator("#pending").inner_text()

    # An amount for an item as a whole: (一) 要点落实, 1.5 points.
    entry = page.locator("#entry")
    entry.locator("select[name=unit]").select_option("housing")
    entry.locator("select[name=target]").select_option("y1")
    entry.locator("select[name=what]").select_option("amount")
    entry.locator("input[name=quantity]").fill("1.5")
    entry.locator("input[name=note]").fill("年度要点第3项落实不到位")
    entry.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已录入考核事项" in page.locator(".flash").inner_text()

    # Judge the late reply: 2 points, with the reason.
    form = page.locator("#trail form.adjust").first
    form.locator("input[name=amount]").fill("2")
    form.locator("input[name=note]").fill("逾期1个工作日，情节较轻")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已记录考核员的认定分值" in page.locator(".flash").inner_text()
    assert "考核员酌情认定：扣 2 分（原：待认定" in page.locator("#trail").inner_text()

    # Beyond the document's bound (the year-end part's 20 points): refused, said in Chinese.
    form = page.locator("#trail form.adjust").first
    form.locator("input[name=amount]").fill("25")
    form.locator("input[name=note]").fill("试图扣25分")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "超过文件允许的 20 分" in page.locator("#adjust-error").inner_text()

    # Revised on review: 3 points. Both judgements stay, with who and why; the later one counts.
    form = page.locator("#trail form.adjust").first
    form.locator("input[name=amount]").fill("3")
    form.locator("input[name=note]").fill("复核：未按规定告知延期")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    text = page.locator("#trail").inner_text()
    assert "考核员酌情认定：扣 3 分" in text and "复核：未按规定告知延期" in text
    assert "逾期1个工作日，情节较轻（已被后续调整取代）" in text
    assert "考核员认定：扣 1.5 分（年度要点第3项落实不到位）" in text
    # 年终 20 − 1.5 − 3 = 15.5; 日常 80 → 95.5.
    row = page.locator("#results tr", has_text="住房和城乡建设局")
    assert row.locator("td.total").inner_text().strip() == "95.5"
    page.locator("#trail").scroll_into_view_if_needed()
    shot(page, "assessment-judgement")
    page.context.close()
