"""Service (送达) of notices and the windows that run from the recipient's receipt: recorded or estimated,
the Saturday correction notice, EMS numbers; and the service records through the API."""

from __future__ import annotations

from datetime import date as D

import pytest
from freezegun import freeze_time
from workflow_support import CAL, HANDLER, POLICY, Story

from tests.conftest import auth
from workflow.clock import receipt_windows
from workflow.delivery import ServiceMethod, check_service, normalise_ems, s10_check_digit
from workflow.errors import ActionNotAllowed, InvalidField
from workflow.events import NOTICE_LATE

# --- EMS numbers ---------------------------------------------------------------------------------

def test_ems_numbers_s10_with_check_digit_or_13_digits() -> None:
    # S10 check digit of 12345678: 1·8+2·6+3·4+4·2+5·3+6·5+7·9+8·7 = 204; 204 mod 11 = 6; 11−6 = 5.
    assert s10_check_digit("12345678") == 5
    assert normalise_ems("ea 1234 5678 5cn") == "EA123456785CN"
    assert normalise_ems("1151234567890") == "1151234567890"
    with pytest.raises(InvalidField) as err:
        normalise_ems("EA123456784CN")
    assert err.value.code == "service.ems_check_digit"
    for bad in ("123", "EA12345678CN", "顺丰123456789", ""):
        with pytest.raises(InvalidField) as err:
            normalise_ems(bad)
        assert err.value.code == "service.ems_malformed" and err.value.field == "ems_number"


def test_service_dates_are_checked_against_the_letter_and_today() -> None:
    ok = dict(method=ServiceMethod.POST, ems_number="EA123456785CN", issued_on=D(2026, 3, 4), today=D(2026, 3, 10))
    with pytest.raises(InvalidField) as err:
        check_service(sent_on=D(2026, 3, 3), received_on=None, **ok)
    assert err.value.code == "service.before_letter"
    with pytest.raises(InvalidField) as err:
        check_service(sent_on=D(2026, 3, 11), received_on=None, **ok)
    assert err.value.code == "date.in_future"
    with pytest.raises(InvalidField) as err:
        check_service(sent_on=D(2026, 3, 5), received_on=D(2026, 3, 4), **ok)
    assert err.value.code == "service.received_before_sent"
    with pytest.raises(InvalidField) as err:
        check_service(sent_on=D(2026, 3, 5), received_on=None, **{**ok, "ems_number": None})
    assert err.value.code == "service.ems_required"


# --- the Saturday correction notice -----------------------------------------------------------------

def test_correction_notice_sent_on_the_saturday_after_the_7th_working_day_is_late() -> None:
    # Received Wed 3/4; 7 working days: 3/5–6 (2), 3/9–13 (7) → due Fri 3/13. Sent Sat 3/14: only 7
    # working days have passed (the old count said "in time"), but the sending date is after the due date.
    story = Story(D(2026, 3, 4))
    story.do("accept", D(2026, 3, 4))
    out = story.do("request_correction", D(2026, 3, 14), actor=HANDLER, items=["文件名称"])
    late = [a for a in out.assessment if a.kind == NOTICE_LATE]
    assert len(late) == 1 and late[0].details["due_on"] == "2026-03-13"
    assert "应于2026-03-13前发出" in late[0].note


def test_correction_notice_on_the_7th_working_day_is_in_time() -> None:
    story = Story(D(2026, 3, 4))
    story.do("accept", D(2026, 3, 4))
    out = story.do("request_correction", D(2026, 3, 13), actor=HANDLER, items=["文件名称"])
    assert not [a for a in out.assessment if a.kind == NOTICE_LATE]


# --- windows from receipt ---------------------------------------------------------------------------

def _corrected_story() -> Story:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("request_correction", D(2026, 3, 4), actor=HANDLER, items=["文件名称"], period_days=10)
    return story


def test_correction_period_from_the_recorded_receipt() -> None:
    story = _corrected_story()
    story.serve("correction", D(2026, 3, 4), D(2026, 3, 9), method="post", ems_number="EA123456785CN")
    # Received Mon 3/9; 10 working days: 3/10–13 (4), 3/16–20 (9), Mon 3/23 (10).
    with pytest.raises(ActionNotAllowed) as err:
        story.do("lapse", D(2026, 3, 23), actor=HANDLER)
    assert err.value.code == "lapse.correction_period_open" and err.value.params["end"] == "2026-03-23"
    story.do("lapse", D(2026, 3, 24), actor=HANDLER)
    [window] = receipt_windows(story.case, calendar=CAL, policy=POLICY)
    assert (window.received_on, window.estimated, window.ends_on) == (D(2026, 3, 9), False, D(2026, 3, 23))


def test_correction_period_from_the_estimated_receipt_by_post() -> None:
    story = _corrected_story()
    # Not served on record: by post (the applicant's delivery), estimated received 3 days after sending:
    # Sat 3/7; 10 working days: 3/9–13 (5), 3/16–20 (10) → Fri 3/20.
    [window] = receipt_windows(story.case, calendar=CAL, policy=POLICY)
    assert (window.received_on, window.estimated, window.ends_on) == (D(2026, 3, 7), True, D(2026, 3, 20))
    with pytest.raises(ActionNotAllowed):
        story.do("lapse", D(2026, 3, 20), actor=HANDLER)
    # Sent by post on record, receipt still unknown: the same estimate, from the recorded sending day 3/5.
    story.serve("correction", D(2026, 3, 5), method="post", ems_number="EA123456785CN")
    [window] = receipt_windows(story.case, calendar=CAL, policy=POLICY)
    # 3/5 + 3 = Sun 3/8; 10 working days → Fri 3/20 again.
    assert (window.received_on, window.estimated, window.ends_on) == (D(2026, 3, 8), True, D(2026, 3, 20))


def test_the_printed_correction_date_is_never_shortened_by_an_early_receipt() -> None:
    story = _corrected_story()
    story.serve("correction", D(2026, 3, 4), D(2026, 3, 4))  # handed over the same day
    # Sent and received Wed 3/4: 3/5–6 (2), 3/9–13 (7), 3/16–18 (10) → Wed 3/18, the printed date.
    [window] = receipt_windows(story.case, calendar=CAL, policy=POLICY)
    assert window.ends_on == D(2026, 3, 18) and not window.estimated


def test_fee_window_from_receipt_recorded_and_estimated() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    out = story.do("issue_fee_notice", D(2026, 3, 4), actor=HANDLER, amount_yuan="100")
    # The notice prints a pay-by date from the estimate by post: Sat 3/7 + 20 working days:
    # 3/9–13 (5), 3/16–20 (10), 3/23–27 (15), 3/30–4/3 (20) → Fri 4/3.
    assert out.letters[0].fields["pay_by"] == "2026-04-03"
    story.serve("fee", D(2026, 3, 4), D(2026, 3, 6), method="email")
    # Received Fri 3/6: 3/9–13 (5), 3/16–20 (10), 3/23–27 (15), 3/30–4/2 (19), 4/3 (20) → Fri 4/3.
    [window] = receipt_windows(story.case, calendar=CAL, policy=POLICY)
    assert (window.received_on, window.estimated, window.ends_on) == (D(2026, 3, 6), False, D(2026, 4, 3))
    with pytest.raises(ActionNotAllowed):
        story.do("lapse", D(2026, 4, 3), actor=HANDLER)
    story.do("lapse", D(2026, 4, 7), actor=HANDLER)  # 4/4–6 are the Qingming days off


def test_consultation_window_runs_from_the_partys_receipt() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("start_consultation", D(2026, 3, 9), actor=HANDLER, party="某公司")
    story.serve("consultation:1", D(2026, 3, 9), D(2026, 3, 11), method="post", ems_number="1151234567890")
    # Received Wed 3/11; 15 working days: 3/12–13 (2), 3/16–20 (7), 3/23–27 (12), 3/30–4/1 (15) → Wed 4/1.
    [window] = receipt_windows(story.case, calendar=CAL, policy=POLICY)
    assert (window.subject, window.ends_on, window.estimated) == ("consultation:1", D(2026, 4, 1), False)
    # Silence: the pause runs from sending (3/9) to the end of the window (4/1).
    status = story.clock(D(2026, 4, 8))
    assert [(p.start, p.end) for p in status.pauses] == [(D(2026, 3, 9), D(2026, 4, 1))]


# --- the API ----------------------------------------------------------------------------------------

@pytest.fixture
def today_2026_10_20(client):  # after the app is built: pydantic must not see freezegun's date class
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


def _request_with_correction(client, world, applicant: dict | None = None,  # type: ignore[no-untyped-def]
                             sent_on: str = "2026-10-12") -> tuple[int, int]:
    """A request with a correction notice sent on ``sent_on``: (request id, the notice's letter id)."""
    body = {"applicant": applicant or {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                                       "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00", "description": "某项目的立项批复"}
    rid = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk")).json()["id"]
    r = client.post(f"/api/v1/requests/{rid}/actions", headers=auth(world, "handler"),
                    json={"action": "request_correction", "sent_on": sent_on, "items": ["文件名称"],
                          "period_days": 10, "seal_confirmed": True})
    assert r.status_code == 200, r.text
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()
    return rid, next(x["id"] for x in letters if x["kind"] == "correction_notice")


@pytest.mark.usefixtures("today_2026_10_20")
def test_service_record_by_ems_then_receipt_moves_the_window(client, world) -> None:
    rid, letter = _request_with_correction(client, world)
    h = auth(world, "clerk")
    [window] = client.get(f"/api/v1/requests/{rid}/windows", headers=h).json()
    # Sent Mon 10/12, by post (estimated received Thu 10/15); 10 working days: 10/16 (1), 10/19–23 (6),
    # 10/26–29 (10) → Thu 10/29.
    assert window == {"subject": "correction", "label": "补正期限", "sent_on": "2026-10-12",
                      "received_on": "2026-10-15", "estimated": True, "ends_on": "2026-10-29"}
    url = f"/api/v1/letters/{letter}/service"
    bad = [({"method": "post", "sent_on": "2026-10-12", "ems_number": "123"}, "service.ems_malformed"),
           ({"method": "post", "sent_on": "2026-10-11", "ems_number": "EA123456785CN"}, "service.before_letter"),
           ({"method": "post", "sent_on": "2026-10-21", "ems_number": "EA123456785CN"}, "date.in_future"),
           ({"method": "post", "sent_on": "2026-10-12"}, "service.ems_required"),
           ({"method": "pigeon", "sent_on": "2026-10-12"}, "field.not_a_choice")]
    for body, code in bad:
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["code"] == code
    r = client.post(url, json={"method": "邮寄", "sent_on": "2026-10-12", "ems_number": "ea123456785cn"}, headers=h)
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["method"], got["method_label"], got["ems_number"]) == ("post", "邮寄", "EA123456785CN")
    assert (got["receipt_on"], got["receipt_estimated"], got["received_on"]) == ("2026-10-15", True, None)
    assert client.post(url, json={"method": "direct"}, headers=h).status_code == 409
    r = client.post(f"{url}/receipt", json={"received_on": "2026-10-21"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "date.in_future"
    r = client.post(f"{url}/receipt", json={"received_on": "2026-10-14"}, headers=h)
    assert r.status_code == 200 and r.json()["receipt_estimated"] is False
    # Received Wed 10/14: 10/15–16 (2), 10/19–23 (7), 10/26–28 (10) → Wed 10/28.
    [window] = client.get(f"/api/v1/requests/{rid}/windows", headers=h).json()
    assert (window["received_on"], window["estimated"], window["ends_on"]) == ("2026-10-14", False, "2026-10-28")
    assert client.post(f"{url}/receipt", json={"received_on": "2026-10-14"}, headers=h).status_code == 409
    assert client.get(url, headers=h).json()["id"] == got["id"]
    kinds = [e["kind"] for e in client.get(f"/api/v1/requests/{rid}", headers=h).json()["events"]]
    assert kinds[-2:] == ["letter_sent", "letter_received"]
    # Another unit's clerk sees nothing.
    assert client.get(url, headers=auth(world, "env_clerk")).status_code == 404


@pytest.mark.usefixtures("today_2026_10_20")
def test_case_page_shows_estimates_and_records_service(client, world) -> None:
    from tests.test_web import login, post_form

    rid, letter = _request_with_correction(client, world)
    login(client, "clerk")
    page = client.get(f"/requests/{rid}").text
    assert "补正期限" in page and "估算" in page and "未登记送达" in page
    r = post_form(client, f"/letters/{letter}/service",
                  {"method": "post", "sent_on": "2026-10-12", "ems_number": "12"}, page_url=f"/requests/{rid}")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "EMS 邮件号格式不正确" in page
    r = post_form(client, f"/letters/{letter}/service",
                  {"method": "post", "sent_on": "2026-10-12", "ems_number": "EA123456785CN"},
                  page_url=f"/requests/{rid}")
    page = client.get(r.headers["location"]).text
    assert "邮寄（EMS EA123456785CN）" in page and "收到日期未登记" in page
    r = post_form(client, f"/letters/{letter}/service/receipt", {"received_on": "2026-10-14"},
                  page_url=f"/requests/{rid}")
    page = client.get(r.headers["location"]).text
    assert "收到日期未登记" not in page and "（估算）" not in page
    clock = client.get(f"/api/v1/requests/{rid}/clock", headers=auth(world, "clerk")).json()
    assert clock["receipt_windows"][0]["estimated"] is False


# --- lapse (视为放弃) needs the applicant's receipt on record ---------------------------------------

def test_no_lapse_on_an_estimated_receipt_only_on_a_recorded_one() -> None:
    story = _corrected_story()
    story.serve("correction", D(2026, 3, 4), method="post", ems_number="EA123456785CN")  # sent, receipt unknown
    with pytest.raises(ActionNotAllowed) as err:
        story.do("lapse", D(2026, 4, 30), actor=HANDLER)
    assert err.value.code == "lapse.receipt_not_recorded"
    story.serve("correction", D(2026, 3, 4), D(2026, 3, 9), method="post", ems_number="EA123456785CN")
    story.do("lapse", D(2026, 4, 30), actor=HANDLER)
    assert story.case.status == "lapsed"


def test_public_notice_fixes_the_receipt_and_the_policy_can_accept_the_estimate() -> None:
    from dataclasses import replace

    story = _corrected_story()
    story.serve("correction", D(2026, 3, 4), method="public_notice")
    story.do("lapse", D(2026, 6, 30), actor=HANDLER)
    assert story.case.status == "lapsed"
    lenient = Story(D(2026, 3, 2), policy=replace(POLICY, lapse_needs_recorded_receipt=False))
    lenient.do("accept", D(2026, 3, 2))
    lenient.do("request_correction", D(2026, 3, 4), actor=HANDLER, items=["文件名称"], period_days=10)
    lenient.do("lapse", D(2026, 4, 30), actor=HANDLER)
    assert lenient.case.status == "lapsed"
