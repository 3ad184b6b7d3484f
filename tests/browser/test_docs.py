"""/docs renders in Chromium from the vendored Swagger UI files, under the desk's CSP, with no network
beyond the desk itself (as on 政务外网)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_docs_render_offline_under_the_csp(server, browser) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.conftest import shot

    page = browser.new_page()  # type: ignore[attr-defined]
    elsewhere: list[str] = []
    problems: list[str] = []
    # Anything not from the desk is refused, so the page must render from the desk's own files.
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
               else (elsewhere.append(route.request.url), route.abort()))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 20
    assert "OGI Desk" in page.locator(".title").first.inner_text()
    assert elsewhere == []
    assert not [p for p in problems if "Content Security Policy" in p], problems
    shot(page, "api-docs")
    page.close()
