"""The 年度报告 page of the web desk: who sees it, the tables in the page, the downloads."""

from __future__ import annotations

from tests.test_web import login


def test_annual_report_page_for_approvers_and_supervisors(client, world) -> None:
    login(client, "clerk")
    assert client.get("/reports").status_code == 404  # clerks do not produce the report
    assert "年度报告" not in client.get("/").text
    client.cookies.clear()
    login(client, "approver")
    page = client.get("/reports", params={"year": 2025})
    assert page.status_code == 200
    assert "常熟市住房和城乡建设局" in page.text and "表三" in page.text
    assert "format=pdf" in page.text and "format=xlsx" in page.text
    pdf = client.get("/api/v1/reports/annual", params={"agency": "housing", "year": 2025, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Another unit's report: the page says it cannot be produced, it never shows the tables.
    other = client.get("/reports", params={"agency": "env", "year": 2025})
    assert "无法生成" in other.text and "表三" not in other.text.split("无法生成")[1]
    client.cookies.clear()
    login(client, "assessor")
    assert "常熟市生态环境局" in client.get("/reports", params={"agency": "env", "year": 2025}).text
