"""A proof of service uploaded in a real browser: the receipt's service recorded on the 送达 card, then
its 送达回证 scan attached below it and listed with a download link.

Screenshot: service-proofs (docs/screenshots/ with OGI_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server, shot
from tests.browser.test_casework import _register
from tests.browser.test_desk import login, new_page
from tests.files_support import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-service-proofs")]


def test_proof_of_service_from_the_case_page(server: Server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, server)
    login(page, "clerk")
    _register(page, "申请公开某街道老旧小区加装电梯的补贴文件")
    item = page.locator("#service li").first
    item.locator("[name=method]").select_option("direct")
    item.locator("button").click()
    assert page.locator("#service-error").count() == 0
    proofs = page.locator(".service-proofs").first
    assert "尚无送达凭证" in proofs.inner_text()
    scan = tmp_path / "送达回证.png"
    scan.write_bytes(image_bytes("PNG", (600, 400)))
    proofs.locator("[name=file]").set_input_files(str(scan))
    proofs.locator("button").click()
    assert "已上传送达凭证：送达回证.png（送达回证）" in page.locator("main").inner_text()
    proofs = page.locator(".service-proofs").first
    assert "送达回证.png（送达回证，PNG，1 页）" in proofs.inner_text()
    assert proofs.locator("a[download]").get_attribute("href").endswith("/content")
    # An HTML file named .png is refused on the card, in Chinese.
    fake = tmp_path / "回证.png"
    fake.write_bytes(b"<html><body>not a scan</body></html>")
    page.locator(".service-proofs").first.locator("[name=file]").set_input_files(str(fake))
    page.locator(".service-proofs").first.locator("button").click()
    assert "不接受该类型的文件（识别为 HTML）" in page.locator("#service-error").inner_text()
    page.locator("#service").scroll_into_view_if_needed()
    shot(page, "service-proofs")
