"""Registration: receipt date by channel and time zone (LAW.md §2), the registered event, the receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workflow_support import CAL, POLICY, reg

from workflow.errors import Conflict, InvalidField
from workflow.machine import Status, fold
from workflow.registration import Channel, parse_channel, receipt_date, register

BEIJING = ZoneInfo("Asia/Shanghai")
D = date


def test_in_person_at_half_past_midnight_beijing_is_that_beijing_day() -> None:
    # 2026-09-20 16:30 UTC = 2026-09-21 00:30 Beijing.
    arrival = datetime(2026, 9, 20, 16, 30, tzinfo=UTC)
    assert receipt_date(Channel.IN_PERSON, arrival, None, BEIJING) == D(2026, 9, 21)
    assert receipt_date("挂号信", arrival, None, BEIJING) == D(2026, 9, 21)
    # One minute before Beijing midnight is still the 20th (a Sunday make-up working day).
    assert receipt_date("in_person", datetime(2026, 9, 20, 15, 59, tzinfo=UTC), None, BEIJING) == D(2026, 9, 20)


def test_the_agency_time_zone_decides_the_day() -> None:
    arrival = datetime(2026, 9, 20, 16, 30, tzinfo=UTC)
    assert receipt_date("in_person", arrival, None, ZoneInfo("Asia/Urumqi")) == D(2026, 9, 20)  # UTC+6


@pytest.mark.parametrize("channel", ["ordinary_post", "online", "fax", "email", "平信", "网络", "传真", "电子邮件"])
def test_confirmation_channels_use_the_confirmation_date(channel: str) -> None:
    arrival = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
    assert receipt_date(channel, arrival, D(2026, 3, 4), BEIJING) == D(2026, 3, 4)
    assert receipt_date(channel, arrival, "2026-03-04", BEIJING) == D(2026, 3, 4)
    with pytest.raises(InvalidField) as err:
        receipt_date(channel, arrival, None, BEIJING)
    assert err.value.field == "confirmed_on"


def test_confirmation_before_arrival_is_invalid() -> None:
    arrival = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
    with pytest.raises(InvalidField, match="cannot precede") as err:
        receipt_date("email", arrival, D(2026, 3, 1), BEIJING)
    assert err.value.field == "confirmed_on"
    # Confirmed on the Beijing arrival day although UTC still shows the day before: fine.
    assert receipt_date("email", datetime(2026, 3, 1, 16, 30, tzinfo=UTC), D(2026, 3, 2), BEIJING) == D(2026, 3, 2)


def test_naive_arrival_is_rejected() -> None:
    with pytest.raises(InvalidField) as err:
        receipt_date("in_person", datetime(2026, 3, 2, 9, 0), None, BEIJING)
    assert err.value.field == "arrival_at"


def test_unknown_channel() -> None:
    with pytest.raises(InvalidField) as err:
        parse_channel("pigeon")
    assert err.value.field == "channel"
    assert parse_channel("EMS") == Channel.REGISTERED_POST


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)))
def test_receipt_day_is_the_beijing_calendar_day(arrival: datetime) -> None:
    day = receipt_date("in_person", arrival, None, BEIJING)
    assert day == (arrival + timedelta(hours=8)).date()
    assert receipt_date("in_person", arrival.astimezone(timezone(timedelta(hours=-5))), None, BEIJING) == day


def test_register_emits_everything_fold_needs_and_a_receipt() -> None:
    out = register(reg(D(2026, 3, 2), channel="email", arrival_at=datetime(2026, 3, 1, 20, 0, tzinfo=UTC),
                       confirmed_on="2026-03-04", form="electronic", delivery="email",
                       attachments=[{"name": "申请表.pdf", "size": 1024}]),
                   policy=POLICY, calendar=CAL)
    (event,) = out.events
    assert event.kind == "registered" and event.on == D(2026, 3, 4)
    d = event.data
    assert d["arrival_at"] == "2026-03-01T20:00:00+00:00" and d["confirmed_on"] == "2026-03-04"
    assert d["channel"] == "email" and d["requested_form"] == "electronic" and d["delivery"] == "email"
    assert d["applicant"]["id_number"] == "11010519491231002X"
    # Receipt Wed 3/4: 3/5–6 (2), 3/9–13 (7), 3/16–20 (12), 3/23–27 (17), 3/30–4/1 (20) → Wed 4/1.
    assert d["due_on"] == "2026-04-01"
    case = fold(out.events)
    assert case.status == Status.REGISTERED and case.receipt_date == D(2026, 3, 4)
    assert case.attachments == ({"name": "申请表.pdf", "size": 1024},)
    (letter,) = out.letters
    assert letter.kind == "receipt" and letter.fields["channel_label"] == "电子邮件"
    assert out.case == case


@pytest.mark.parametrize(("over", "field"), [
    ({"description": " "}, "description"),
    ({"number": ""}, "number"),
    ({"agency_code": ""}, "agency_code"),
    ({"form": "fax"}, "form"),
    ({"delivery": "drone"}, "delivery"),
    ({"attachments": [{"size": 3}]}, "attachments[0].name"),
    ({"applicant": {"name": "张三", "id_number": "110105194912310021", "phone": "1"}}, "applicant.id_number"),
])
def test_register_names_bad_fields(over: dict, field: str) -> None:
    with pytest.raises(InvalidField) as err:
        register(reg(D(2026, 3, 2), **over), policy=POLICY, calendar=CAL)
    assert err.value.field == field


def test_register_refuses_a_future_receipt_date() -> None:
    with pytest.raises(InvalidField):
        register(reg(D(2026, 3, 2)), policy=POLICY, calendar=CAL, today=D(2026, 3, 1))


def test_receipt_letter_check() -> None:
    with pytest.raises(Conflict) as err:
        register(reg(D(2026, 3, 2)), policy=POLICY, calendar=CAL, check_letter=lambda o: ["agency_name"])
    assert err.value.details["missing"] == ["agency_name"]
