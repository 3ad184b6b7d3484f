"""The 管理 pages in a real browser (Playwright + Debian Chromium against uvicorn): an admin imports a
unit (after a refused file), adds a user, issues an API token, installs a year's calendar and assigns
a scheme; a clerk sees no 管理 link and gets 404 at its address. Each page is saved as
docs/screenshots/admin-*.png (linked from the README)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import Server, shot
from tests.browser.test_desk import login, logout, new_page
from tests.test_sweep_service import TEST_2027
from tests.test_web_admin import WATER_TOML

# One server per module: keep the module's tests on one xdist worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-admin")]


def submit(page, form: str) -> None:  # type: ignore[no-untyped-def]
    """Press the submit button of the form under ``form`` and wait for the answer."""
    page.locator(f"{form} button[type=submit]").click()
    page.wait_for_load_state()


def test_admin_manages_units_users_calendar_and_schemes(server: Server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, server)
    login(page, "admin")
    page.click("nav >> text=管理")
    page.wait_for_url(re.compile(r".*/admin/agencies$"))

    # 单位: a file missing a field is refused beside the upload field; the corrected one is imported.
    bad = tmp_path / "water.toml"
    bad.write_text(WATER_TOML.replace('letter_prefix = "常水依申"\n', ""), encoding="utf-8")
    page.set_input_files("#import input[name=file]", str(bad))
    submit(page, "#import")
    assert "第1个单位（water）的“文号前缀”：必填" in page.locator("#field-file").inner_text()
    shot(page, "admin-agencies-error")
    good = tmp_path / "units.toml"
    good.write_text(WATER_TOML, encoding="utf-8")
    page.set_input_files("#import input[name=file]", str(good))
    submit(page, "#import")
    assert "新增 1 个单位" in page.locator(".flash").inner_text()
    assert "常熟市水务局" in page.locator("#units").inner_text()
    shot(page, "admin-agencies")

    # 用户: add one to the new unit, then issue a token for it (shown once).
    page.click(".tabs >> text=用户")
    form = page.locator("#add-user")
    form.locator("[name=username]").fill("water_clerk")
    form.locator("[name=display_name]").fill("钱七")
    form.locator("[name=role]").select_option("clerk")
    form.locator("[name=agency]").select_option("water")
    form.locator("[name=password]").fill("long enough")
    submit(page, "#add-user")
    assert "已添加用户 water_clerk" in page.locator(".flash").inner_text()
    row = page.locator("#user-water_clerk")
    row.locator("[name=name]").fill("测试对接")
    row.locator("button:has-text('签发接口令牌')").click()
    page.wait_for_load_state()
    assert "只显示这一次" in page.locator("#new-token").inner_text()
    shot(page, "admin-users")

    # 日历: the 2027 notice is installed and the link leads to the year view.
    notice = tmp_path / "2027.toml"
    notice.write_text(TEST_2027, encoding="utf-8")
    page.click(".tabs >> text=日历")
    page.set_input_files("#import input[name=file]", str(notice))
    submit(page, "#import")
    assert "已安装2027年全国日历" in page.locator(".flash").inner_text()
    shot(page, "admin-calendar")
    page.click("#installed-link a")
    page.wait_for_url(re.compile(r".*/calendar\?year=2027$"))
    assert "元旦" in page.locator("main").inner_text()

    # 考核方案: assign the 常熟 scheme to the city office.
    page.goto("/admin/schemes")
    page.select_option("#assign [name=scheme]", "changshu-2020")
    page.select_option("#assign [name=office]", "city")
    submit(page, "#assign")
    assert "已将考核方案 changshu-2020 分配给" in page.locator(".flash").inner_text()
    assert "常熟市人民政府办公室" in page.locator("#scheme-changshu-2020").inner_text()
    shot(page, "admin-schemes")
    logout(page)

    # A clerk has no 管理 link, and its address answers 404.
    login(page, "clerk")
    assert page.locator("nav >> text=管理").count() == 0
    answer = page.goto("/admin/users")
    assert answer is not None and answer.status == 404
    page.context.close()
