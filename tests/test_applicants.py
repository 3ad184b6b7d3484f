"""Applicants: kinds, identity numbers with their check characters (GB 11643, GB 32100), contact."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.applicants import (
    ApplicantKind,
    IdType,
    OrgKind,
    check_resident_id,
    check_uscc,
    resident_id_check_digit,
    uscc_check_char,
    validate_applicant,
)
from workflow.errors import InvalidField


def person(**over: object) -> dict:
    data = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800000000"}
    data.update(over)
    return data


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "440524188001010014"])
def test_valid_resident_ids(number: str) -> None:
    # The two examples of GB 11643-1999 itself.
    assert check_resident_id(number) == number.upper()


@pytest.mark.parametrize(("number", "why"), [
    ("110105194912310021", "check digit is 1, expected X"),
    ("440524188001010015", "expected 4"),
    ("11010519491331002X", "not a real date"),  # month 13
    ("11010519490229002X", "not a real date"),  # 1949 is no leap year
    ("11010519491231002", "17 digits"),
    ("1101051949123100XX", "17 digits"),
])
def test_invalid_resident_ids(number: str, why: str) -> None:
    with pytest.raises(InvalidField, match=why) as err:
        validate_applicant(person(id_number=number))
    assert err.value.field == "applicant.id_number"


@given(area=st.integers(110000, 659999), born=st.dates(date(1900, 1, 1), date(2025, 12, 31)),
       seq=st.integers(0, 999), wrong=st.sampled_from("0123456789X"))
def test_resident_id_check_digit_property(area: int, born: date, seq: int, wrong: str) -> None:
    first17 = f"{area:06d}{born:%Y%m%d}{seq:03d}"
    good = first17 + resident_id_check_digit(first17)
    assert check_resident_id(good) == good
    if wrong != good[-1]:
        with pytest.raises(InvalidField):
            check_resident_id(first17 + wrong)


def test_uscc() -> None:
    assert check_uscc("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(InvalidField, match="GB 32100"):
        check_uscc("91350100M000100Y44")
    with pytest.raises(InvalidField, match="without I, O, Z, S, V"):
        check_uscc("91350100M000100I43")


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_uscc_check_char_property(first17: str) -> None:
    assert check_uscc(first17 + uscc_check_char(first17))


def test_person_defaults_and_report_column() -> None:
    a = validate_applicant(person())
    assert a.kind == ApplicantKind.PERSON and a.id_type == IdType.RESIDENT_ID
    assert a.report_column == "自然人"
    assert a.to_dict()["kind"] == "natural_person"


def test_organisation_needs_its_kind_and_uses_a_credit_code() -> None:
    org = {"kind": "organisation", "name": "某律师事务所", "id_number": "91350100M000100Y43", "email": "a@b.cn"}
    with pytest.raises(InvalidField) as err:
        validate_applicant(org)
    assert err.value.field == "applicant.org_kind"
    a = validate_applicant({**org, "org_kind": "法律服务机构", "representative": {"name": "李四"}})
    assert a.org_kind == OrgKind.LEGAL_SERVICES and a.id_type == IdType.USCC
    assert a.report_column == "法律服务机构" and a.representative is not None
    assert validate_applicant({**org, "org_kind": "research", "kind": "法人或其他组织"}).org_kind == OrgKind.RESEARCH


def test_passport_and_other_documents() -> None:
    assert validate_applicant(person(id_type="passport", id_number="e12345678")).id_number == "E12345678"
    with pytest.raises(InvalidField):
        validate_applicant(person(id_type="passport", id_number="E1"))


@pytest.mark.parametrize(("over", "field"), [
    ({"name": ""}, "applicant.name"),
    ({"kind": "robot"}, "applicant.kind"),
    ({"id_type": "library_card"}, "applicant.id_type"),
    ({"id_number": None}, "applicant.id_number"),
    ({"org_kind": "商业企业"}, "applicant.org_kind"),  # a person has no organisation kind
    ({"phone": None}, "applicant.phone"),  # no contact at all
    ({"phone": "call me"}, "applicant.phone"),
    ({"email": "not-an-address"}, "applicant.email"),
    ({"representative": {"name": "李四", "id_number": "110105194912310021"}}, "applicant.representative.id_number"),
    ({"representative": {"phone": "123456"}}, "applicant.representative.name"),
])
def test_applicant_errors_name_the_field(over: dict, field: str) -> None:
    with pytest.raises(InvalidField) as err:
        validate_applicant(person(**over))
    assert err.value.field == field


def test_birth_date_must_be_real_but_may_be_old() -> None:
    first17 = f"110105{date(1900, 1, 1) + timedelta(days=0):%Y%m%d}001"
    assert check_resident_id(first17 + resident_id_check_digit(first17))
