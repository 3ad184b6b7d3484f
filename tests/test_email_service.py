"""Service by e-mail from the case (API and desk): the letter's PDF reaches a real local SMTP receiver and
the service record (电子邮件, sent today, recipient, Message-ID) is written in the same action; sending is
not receipt, so the window stays estimated until the applicant confirms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from freezegun import freeze_time

from service.letters.extract import pdf_text
from tests.conftest import auth
from tests.notify_receivers import SmtpReceiver, free_port

APPLICANT = {"kind": "natural_person", "name": "张三", "id_type": "resident_id", "id_number": "11010519491231002X",
             "phone": "13900000000", "email": "zhangsan@example.cn"}


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpReceiver]:
    from service.settings import get_settings

    with SmtpReceiver() as box:
        monkeypatch.setenv("OGI_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("OGI_SMTP_PORT", str(box.port))
        monkeypatch.setenv("OGI_SMTP_SECURITY", "none")
        monkeypatch.setenv("OGI_SMTP_FROM", "gongkai@housing.example.cn")
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


@pytest.fixture
def today(client) -> Iterator[None]:  # type: ignore[no-untyped-def]  # after the app: pydantic must not see freezegun's date
    with freeze_time("2026-10-20 02:00:00", tick=True):  # Tuesday 20 October 2026, Beijing
        yield


def _correction_letter(client, world, applicant: dict = APPLICANT) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A request with a correction notice sent today (20 October): (request id, letter id)."""
    from tests.test_delivery import _request_with_correction

    return _request_with_correction(client, world, applicant, sent_on="2026-10-20")


@pytest.mark.usefixtures("today")
def test_email_sends_the_pdf_and_records_the_service(client, world, smtp) -> None:
    rid, letter = _correction_letter(client, world)
    h = auth(world, "clerk")
    r = client.post(f"/api/v1/letters/{letter}/service/email", json={}, headers=h)
    assert r.status_code == 201, r.text
    got = r.json()
    # What the applicant's mailbox received: one message, to the registered address, with the letter's PDF.
    [mail] = smtp.messages
    assert mail["To"] == "zhangsan@example.cn" and mail["From"] == "gongkai@housing.example.cn"
    number = client.get(f"/api/v1/letters/{letter}", headers=h).json()["number"]
    assert number in mail["Subject"] and "补正" in mail["Subject"]
    assert "请在收到后回复本邮件确认收到" in mail.get_body(("plain",)).get_content()
    [pdf] = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{number}.pdf"
    text = (pdf_text(pdf.get_content()) or "").replace("\n", "").replace(" ", "")
    assert "补正" in text and "张三" in text and "文件名称" in text
    # The record: e-mail, sent today, recipient and the Message-ID the mailbox got; the receipt is not
    # recorded by sending, so the window runs from the estimate (the day after) until confirmed.
    assert (got["method"], got["method_label"], got["sent_on"]) == ("email", "电子邮件", "2026-10-20")
    assert got["email_to"] == "zhangsan@example.cn" and got["message_id"] == mail["Message-ID"]
    assert got["sent_at"].startswith("2026-10-20T02:00")
    assert (got["received_on"], got["receipt_on"], got["receipt_estimated"]) == (None, "2026-10-21", True)
    [window] = client.get(f"/api/v1/requests/{rid}/windows", headers=h).json()
    # Estimated receipt Wed 10/21; 10 working days: 10/22–23 (2), 10/26–30 (7), 11/2–4 (10) → Wed 11/4.
    assert (window["received_on"], window["estimated"], window["ends_on"]) == ("2026-10-21", True, "2026-11-04")
    sent = [e for e in client.get(f"/api/v1/requests/{rid}", headers=h).json()["events"] if e["kind"] == "letter_sent"]
    assert sent[-1]["data"]["message_id"] == mail["Message-ID"]
    # Sent once: a second send is refused and nothing more goes out.
    r = client.post(f"/api/v1/letters/{letter}/service/email", json={}, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "service.already_recorded"
    assert len(smtp.messages) == 1
    # The applicant's confirmation is the receipt.
    r = client.post(f"/api/v1/letters/{letter}/service/receipt", json={"received_on": "2026-10-20"}, headers=h)
    assert r.status_code == 200 and r.json()["receipt_estimated"] is False


@pytest.mark.usefixtures("today")
def test_email_refusals_no_address_bad_address_server_down(client, world, smtp, monkeypatch) -> None:
    from service.settings import get_settings

    no_mail = {k: v for k, v in APPLICANT.items() if k != "email"}
    rid, letter = _correction_letter(client, world, no_mail)
    h = auth(world, "clerk")
    url = f"/api/v1/letters/{letter}/service/email"
    r = client.post(url, json={}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "service.email_no_address"
    r = client.post(url, json={"to": "not an address"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "to"
    # The server is down: 409, nothing recorded, so the letter can still be served another way.
    monkeypatch.setenv("OGI_SMTP_PORT", str(free_port()))
    get_settings.cache_clear()
    r = client.post(url, json={"to": "lisi@example.cn"}, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "service.email_failed"
    assert client.get(f"/api/v1/letters/{letter}/service", headers=h).status_code == 404
    assert not smtp.messages


def _email_form(page: str) -> str:
    """The 送达 card's e-mail form (letters not yet served, the address)."""
    form = page[page.index('id="email-send"'):]
    return form[:form.index("</form>")]


@pytest.mark.usefixtures("today")
def test_desk_sends_by_email_and_shows_the_record(client, world, smtp) -> None:
    from tests.test_web import login, post_form

    rid, letter = _correction_letter(client, world)
    login(client, "clerk")
    page = client.get(f"/requests/{rid}").text
    form = _email_form(page)
    assert "电子邮件发送文书并登记送达" in form and 'value="zhangsan@example.cn"' in form
    assert f'<option value="{letter}">' in form
    r = post_form(client, "/service/email", {"letter_id": letter, "to": "zhangsan@example.cn"},
                  page_url=f"/requests/{rid}")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    [mail] = smtp.messages
    assert "已通过电子邮件发送并登记送达" in page
    assert "电子邮件（发往 zhangsan@example.cn" in page and "收到日期未登记" in page
    # A refusal comes back in Chinese next to the letter.
    rid2, letter2 = _correction_letter(client, world, {k: v for k, v in APPLICANT.items() if k != "email"})
    r = post_form(client, "/service/email", {"letter_id": letter2, "to": "zhangsan"}, page_url=f"/requests/{rid2}")
    page = client.get(r.headers["location"]).text
    assert "收件邮箱：“zhangsan”不是有效的电子邮箱地址" in page
    assert len(smtp.messages) == 1 and mail["To"] == "zhangsan@example.cn"
    # A served letter is no longer offered for sending.
    assert f'<option value="{letter}">' not in _email_form(client.get(f"/requests/{rid}").text)
