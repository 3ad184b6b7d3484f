"""How the letters read, on the text extracted from their PDFs: the faults found by reading every
sample (docs/letters/) are gone, and the printed-text checker reports each class of them when a
letter from elsewhere has it (``text:…`` / ``layout:…`` codes)."""

from __future__ import annotations

import dataclasses
import shutil
from functools import cache

import pytest

from service.letters import render, service
from service.letters.extract import extract
from service.letters.samples import FakeAgency, FakeCase, full_case, notice_orders, reply_order
from service.letters.templates import render_html
from workflow.letters.check import check_text
from workflow.letters.prose import prose_faults

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

NEEDS = dataclasses.replace(FakeCase(), correction=full_case().correction, reasons_requested_on=full_case().reasons_requested_on)


@pytest.fixture(scope="module", autouse=True)
def _no_seal(tmp_path_factory: pytest.TempPathFactory):
    """No electronic seal configured (a wet stamp, confirmed by the issuer), for the whole module."""
    with pytest.MonkeyPatch.context() as mp:
        seals = tmp_path_factory.mktemp("seals")
        mp.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": seals})())
        yield


@cache
def _text(name: str) -> str:
    """The extracted text (pages split by form feeds) of sample ``name``, rendered without an e-seal."""
    if name in notice_orders():
        case, order = FakeCase(), notice_orders()[name]
    else:
        code = name.removeprefix("reply_")
        case = full_case() if code == "partial" else NEEDS if code in ("still_unclear", "excessive") else FakeCase()
        order = reply_order(code)
    ctx = service.build_context(case=case, order=order, agency=FakeAgency(), number="常住建依申复〔2026〕9号",
                                seal_confirmed=True)
    return extract(render.html_to_pdf(render_html(ctx))).text


def flat(name: str) -> str:
    return "".join(_text(name).split())


SAMPLES = [*notice_orders(), "reply_publication", "reply_already_public", "reply_still_unclear", "reply_excessive", "reply_partial",
           "reply_not_this_agency", "reply_registry", "reply_confirm_reissue"]


@pytest.mark.parametrize("name", SAMPLES)
def test_signature_date_and_record_print_on_one_page(name: str) -> None:
    # These ran to a second page with the 版记 (or part of it) alone under the page break.
    pages = [p for p in _text(name).split("\f") if p.strip()]
    last = "".join(pages[-1].split())
    assert "常州市住房和城乡建设局" in last and "送达方式：" in last and "申请登记编号：" in last, name
    assert not [c for c in check_text(_text(name), kind="reply" if name.startswith("reply") else name.split("_agency")[0])
                .missing if c.startswith(("text:", "layout:"))], name


def test_a_value_in_an_unquoted_slot_keeps_double_quotes() -> None:
    # "途径：…门户网站‘政府信息公开—财政资金’栏目": the normaliser had nested quotes for a quoted slot.
    assert "门户网站“政府信息公开—财政资金”栏目" in flat("reply_already_public")
    assert "所指“项目”的名称" in flat("reply_still_unclear")
    assert "‘" not in flat("reply_already_public")


def test_still_unclear_states_the_correction_once() -> None:
    text = flat("reply_still_unclear")
    assert text.count("发出补正告知书") == 1 and text.count("经审查") == 1
    assert "您补正后的申请内容仍不明确：" in text


def test_excessive_says_under_review_once() -> None:
    assert flat("reply_excessive").count("经审查") == 1


def test_third_party_opinion_does_not_echo_its_own_words() -> None:
    text = flat("third_party_opinion")
    assert "您不同意公开，理由为：涉及商业秘密" in text and "理由为：不同意公开" not in text
    assert "造成重大影响，理由是：" in text


def test_consultation_names_the_regulations_it_applies() -> None:
    assert "由本机关依照《中华人民共和国政府信息公开条例》的规定决定是否公开" in flat("consultation")


@pytest.mark.parametrize(("text", "code"), [
    ("现告知您获取的途径：门户网站（共3页）。。", "text:doubled_punctuation"),
    ("获取的途径：可在市图书馆查阅，。", "text:doubled_punctuation"),
    ("途径：门户网站‘政府信息公开’栏目。", "text:quote_nesting"),
    ("申请获取“老旧小区“资金”文件”的政府信息。", "text:quote_nesting"),
    ("申请获取“老旧小区的政府信息。", "text:quote_unbalanced"),
    ("本机关已于2026年3月4日向您发出补正告知书，并于2026年3月6日收到。答复如下：本机关已于2026年3月4日向您发出补正告知书。",
     "text:repeated_fact"),
    ("您不同意公开，理由为：不同意公开，涉及商业秘密。", "text:echo"),
    ("属于行政查询事项：属于行政查询事项，另有程序。", "text:echo"),
])
def test_checker_reports_each_class_of_prose_fault(text: str, code: str) -> None:
    assert code in prose_faults(text)


def test_checker_reports_a_closing_split_over_two_pages() -> None:
    pages = "如对本答复不服……\n常州市住房和城乡建设局\n2026年3月20日\n送达方式：邮寄\n— 1 —\n\f申请登记编号：常住建〔2026〕37号\n— 2 —\n"
    assert "layout:closing_split" in prose_faults("", pages=pages)
    assert prose_faults("", pages=pages.replace("\f", "")) == []


def test_correct_prose_passes() -> None:
    ok = ("本机关已于2026年3月2日收到您提交的政府信息公开申请，申请获取“关于‘老旧小区’的文件”的政府信息。"
          "本机关已于2026年3月4日向您发出补正告知书。如对本答复不服，可以自收到本答复之日起六十日内向常州市人民政府申请行政复议，"
          "也可以自收到本答复之日起六个月内向常州市天宁区人民法院提起行政诉讼。（1）附表：涉及个人隐私。")
    assert prose_faults(ok) == []


def _opinion(**fields: str) -> str:
    from service.letters.samples import FakeAgency as Agency
    from workflow.letters.compose import AgencyProfile, compose

    order = notice_orders()["third_party_opinion"]
    text = compose(order.kind, order.issued_on, {**order.fields, **fields}, case=FakeCase(),
                   agency=AgencyProfile.of(Agency()))
    return text.body


def test_a_bare_objection_is_not_echoed_and_an_override_needs_its_reason() -> None:
    from workflow.errors import InvalidField

    assert "您不同意公开。" in _opinion(opinion="不同意公开")
    assert "您不同意公开，理由为：批复附件含本公司商业秘密。" in _opinion(opinion="我公司不同意公开：批复附件含本公司商业秘密")
    with pytest.raises(InvalidField) as err:
        _opinion(reason="  ")
    assert err.value.field == "reason"


@pytest.mark.parametrize("name", ["correction_notice", "reply_already_public", "reply_not_this_agency",
                                  "reply_confirm_reissue", "reply_registry"])
def test_a_closing_that_would_sit_alone_is_fitted_by_tighter_line_spacing(name: str) -> None:
    # GB/T 9704 7.3.5.4: these spilled only their closing onto page 2; the line pitch is tightened instead.
    assert len([p for p in _text(name).split("\f") if p.strip()]) == 1


def test_a_publication_is_named_in_title_marks() -> None:
    assert "您申请获取的《常州年鉴（2025）》属于公开出版物" in flat("reply_publication")


def test_a_run_of_mixed_marks_in_typed_text_prints_as_one() -> None:
    from workflow.letters.normalise import clause

    # Hypothesis found "申请获取“1、；1”": the normaliser only collapsed a repeated mark ("，，").
    assert clause("附件1、；附件2") == "附件1；附件2"
    assert clause("联系人:, 王某") == "联系人：王某"
    assert clause("A，、B") == "A，B"
