"""Property test: whatever a person types into any field of any letter, the composed letter prints
no "。。", no "。X。" fragment, no one-character list items made of a split string, balanced quotes
and brackets, and no bidi control characters. A value the letter cannot use is refused (422)."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.letters.samples import FakeAgency, full_case, notice_orders, reply_order
from workflow.errors import InvalidField
from workflow.letters.compose import AgencyProfile, LetterText, compose
from workflow.letters.normalise import clause
from workflow.letters.prose import prose_faults
from workflow.replies import DECISIONS

AGENCY = AgencyProfile.of(FakeAgency())
# What people type: Chinese text, Latin, digits, every kind of punctuation and quote, whitespace,
# and the invisible characters that reorder or hide text.
ALPHABET = st.sampled_from(list("政府信息公开申请附件共页图书馆查阅获取办理ab12 \n\t\u3000。，、；：？！…—“”‘’\"'《》（）()【】「」.,;:")
                           + ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200f", "\ufeff"])
TYPED = st.text(ALPHABET, min_size=0, max_size=40)
PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "(": ")", "【": "】", "「": "」"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\ufeff]")


def assert_clean(text: LetterText) -> None:
    for p in text.paragraphs:
        line = p.text
        assert "。。" not in line, line
        assert not re.search(r"。[^。]。", line), line
        assert not BIDI.search(line), repr(line)
        for left, right in PAIRS.items():
            assert line.count(left) == line.count(right), (left, line)
        if p.style == "item":
            assert len(re.sub(r"^（\d+）|。$", "", line)) > 1, line
    assert not BIDI.search(text.addressee)
    # What the printed-text checker reports of punctuation and quotes (text:echo is left to the desk:
    # random text may repeat the words before a colon).
    faults = [f for f in prose_faults("".join(text.body.split())) if f != "text:echo"]
    assert not faults, (faults, text.body)


TYPED_FIELDS = {
    "already_public": ["access_route"], "disclose": ["disclosure", "obtain_by"],
    "withhold": ["explanation"], "not_exist": ["search_note"], "not_this_agency": ["reason"],
    "needs_creation": ["reason"], "still_unclear": ["unclear_points"], "repeat": ["previous_reply_ref"],
    "petition": ["channel"], "excessive": ["reason"], "confirm_reissue": ["reason"],
    "registry": ["law_and_procedure"],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.sampled_from(list(DECISIONS)), value=TYPED, description=TYPED, name=TYPED)
def test_any_typed_text_in_any_reply(code: str, value: str, description: str, name: str) -> None:
    fields = dict(reply_order(code).fields)
    fields["applicant_name"] = name
    for key in TYPED_FIELDS.get(code, []):
        fields[key] = value
    if code == "partial":
        fields["withheld_parts"] = [{"what": value, "category": 4, "explanation": value}]
        fields["disclosure"] = value
    if code == "publication":
        fields["publication"] = {"title": value, "where": value}
    if code == "not_this_agency":
        fields["competent_agency"] = {"name": value, "contact": value}
    case = full_case()
    case.description = description
    case.applicant = {"name": name}
    try:
        text = compose("reply", date(2026, 3, 20), fields, case=case, agency=AGENCY)
    except InvalidField:
        return  # refused with the field named: nothing printed
    assert_clean(text)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(list(notice_orders())), value=TYPED, items=TYPED)
def test_any_typed_text_in_any_notice(kind: str, value: str, items: str) -> None:
    order = notice_orders()[kind]
    fields = {k: (value if isinstance(v, str) and k in ("reason", "opinion", "basis_detail", "party", "description",
                                                        "applicant_name", "channel_label") else v)
              for k, v in order.fields.items()}
    if kind == "correction_notice":
        fields["items"] = items  # one typed string is one item, never one item per character
    try:
        text = compose(order.kind, order.issued_on, fields, case=full_case(), agency=AGENCY)
    except InvalidField:
        return  # refused with the field named
    assert_clean(text)
    if kind == "correction_notice":
        listed = [p for p in text.paragraphs if p.style == "item"]
        assert len(listed) <= 1


@given(value=TYPED)
def test_normaliser_is_idempotent_and_leaves_no_closing_punctuation(value: str) -> None:
    once = clause(value)
    assert clause(once) == once
    assert not once.endswith(("。", "，", "；", "、", "：", "."))
