"""The desk's Chinese wording of domain errors and scoring trails (the rules stay in the domain)."""

from __future__ import annotations

import pytest

from service.web import messages
from workflow.applicants import check_resident_id, validate_applicant
from workflow.errors import ActionNotAllowed, Conflict, InvalidField


def test_id_errors_in_chinese() -> None:
    with pytest.raises(InvalidField) as exc:
        check_resident_id("110105194912310021")
    assert messages.field_message(exc.value) == "身份证号码校验位不正确：应为 X，填写的是 1"
    with pytest.raises(InvalidField) as exc:
        validate_applicant({"kind": "natural_person", "name": "张三", "id_number": "11010519491231002X"})
    assert exc.value.field == "applicant.phone"
    assert "至少填写一种联系方式" in messages.field_message(exc.value)


def test_unknown_message_keeps_the_original() -> None:
    assert messages.field_message(InvalidField("x", "something new")) == "填写有误：something new"


@pytest.mark.parametrize(("code", "params", "expected"), [
    ("correction.only_once", {}, "补正告知只能发出一次"),
    ("extension.too_late", {"due": "2026-10-15"}, "延期须在答复期限（2026-10-15）届满前告知"),
    ("lapse.correction_period_open", {"end": "2026-10-09"}, "补正期限至 2026-10-09 届满"),
    ("action.role_not_allowed", {"role": "clerk"}, "登记员无权执行此操作"),
])
def test_refusals_in_chinese(code: str, params: dict, expected: str) -> None:
    refused = ActionNotAllowed("reviewing", "extend", ["reply"], "(English reason)", code=code, **params)
    text = messages.refusal_message(refused)
    assert text.startswith("不能延期答复（当前状态：审查办理中）")
    assert expected in text


def test_missing_letter_elements_are_named() -> None:
    text = messages.conflict_message(Conflict("letter is missing required elements", missing=["seal", "remedy"]))
    assert "印章" in text and "救济途径告知" in text
    errors, status = messages.form_errors(Conflict("x", missing=["seal"]))
    assert status == 409 and "印章" in errors["_"]


def test_trail_reasons_in_chinese() -> None:
    assert messages.trail_reason("-5 per event") == "每次 -5 分"
    assert messages.trail_reason("not met: 1 of 10 needed (ogi.case_closed)") == "未达到：需办结 10 件，实有 1 件"
    assert messages.trail_reason("an unknown explanation") == "an unknown explanation"
