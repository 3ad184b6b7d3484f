"""Every letter kind and every reply decision rendered to PDF; what they print read back with the
extractor of uploaded letters and checked with the one element checker."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from service.letters import render, service
from service.letters.extract import extract
from service.letters.samples import (
    DECISION_FIELDS,
    FakeAgency,
    FakeCase,
    full_case,
    notice_orders,
    reply_order,
)
from service.letters.templates import render_html
from tests.letter_support import plain_png
from workflow.letters.check import check_text
from workflow.replies import DECISIONS, FACT_ELEMENTS

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture
def seal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An electronic-seal directory holding the test agency's seal file."""
    (tmp_path / f"{FakeAgency().code}.png").write_bytes(plain_png())
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path})())
    return tmp_path


@pytest.fixture
def no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No electronic seal configured: a wet stamp, confirmed by the issuer."""
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path})())
    return tmp_path


def render_pdf(order, *, case=None, number="常住建依申复〔2026〕12号", seal_confirmed=False) -> bytes:
    ctx = service.build_context(case=case or full_case(), order=order, agency=FakeAgency(), number=number,
                                seal_confirmed=seal_confirmed)
    return render.html_to_pdf(render_html(ctx))


@cache
def _reply_pdf_cached(code: str, seal: bool) -> bytes:
    return render_pdf(reply_order(code), seal_confirmed=seal)


@pytest.mark.parametrize("code", list(DECISIONS))
def test_reply_every_decision_prints_every_element(code: str, seal_dir: Path) -> None:
    order = reply_order(code)
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=False) == []
    pdf = render_pdf(order)
    got = extract(pdf, registered_seal=plain_png())
    assert got.seal is True and got.seal_kind == "registered"
    report = check_text(got.text, decision=code, facts=FACT_ELEMENTS, seal=got.seal)
    assert report.missing == (), report
    assert report.decision == code
    flat = "".join(got.text.split())
    agency = FakeAgency()
    for needle in ("常住建依申复〔2026〕12号", "张三：", "2026年3月2日", "2026年3月20日", agency.reconsideration_body,
                   agency.court, "六十日", "送达方式：邮寄"):
        assert needle in flat
    if code in ("withhold", "partial"):
        assert "应当先" in flat and "行政复议法》第二十三条" in flat
    else:
        assert "六个月" in flat and "应当先" not in flat
    # The third party is never named to the applicant.
    assert "常州某置业有限公司" not in flat


def test_ordinary_reply_is_one_page_with_two_embedded_subset_faces_within_budget(no_seal: Path) -> None:
    pdf = render_pdf(reply_order("not_exist"), case=FakeCase(), seal_confirmed=True)
    assert render.subsetter() == "harfbuzz"
    assert extract(pdf).pages == 1
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False)
    if fonts.returncode == 0:
        rows = fonts.stdout.decode().splitlines()[2:]
        assert 1 <= len(rows) <= 2, rows
        for row in rows:
            name, *_, emb, sub, uni, _obj, _gen = row.split()
            assert "+" in name and (emb, sub, uni) == ("yes", "yes", "yes")
    assert len(pdf) <= 60 * 1024


def test_wet_stamp_counts_only_once_confirmed_and_nothing_is_drawn(no_seal: Path) -> None:
    order = reply_order("disclose")
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=False) == ["seal"]
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=True) == []
    html = render_html(service.build_context(case=full_case(), order=order, agency=FakeAgency(), number="x",
                                             seal_confirmed=True))
    assert "seal-mark" not in html and "<img" not in html
    got = extract(render_pdf(order, seal_confirmed=True))
    assert got.seal is False


def test_electronic_service_needs_the_e_seal(no_seal: Path, seal_dir: Path) -> None:
    order = reply_order("disclose", service_method="email")
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=True) == []


def test_electronic_service_without_e_seal_is_incomplete(no_seal: Path) -> None:
    order = reply_order("disclose", service_method="email")
    assert "seal:electronic_service" in service.check_order(case=full_case(), order=order, agency=FakeAgency(),
                                                             seal_confirmed=True)


NOTICE_TEXT = {
    "receipt": ("政府信息公开申请登记回执", "张三：", "本机关已于2026年3月2日通过网络收到", "2026年3月30日", "第三十一条"),
    "correction_notice": ("补正告知书", "张三：", "自收到本告知书之日起10个工作日内", "（2）所需信息的年份范围。",
                          "第三十条"),
    "extension_notice": ("延期答复告知书", "张三：", "延长20个工作日", "2026年4月28日前作出答复", "第三十三条第二款"),
    "consultation": ("征求第三方意见书", "常州某置业有限公司：", "15个工作日", "第十五条、第三十二条"),
    "consultation_agency": ("征求意见函", "常州市财政局：", "视为同意公开", "第三十四条"),
    "third_party_opinion": ("第三方意见告知书", "常州某置业有限公司：", "决定公开该政府信息", "公共利益",
                            "第十五条、第三十二条", "决定公开的政府信息内容为", "送达方式：邮寄",
                            "如对本机关公开上述信息的决定不服"),
    "fee_notice": ("收费通知书", "张三：", "人民币200.00元", "计算方式：", "缴纳方式：", "第四十二条",
                   "国办函〔2020〕109号"),
    "reasons_request": ("说明理由告知书", "张三：", "说明理由", "第三十五条"),
}


@pytest.mark.parametrize("name", list(NOTICE_TEXT))
def test_every_notice_kind_prints_its_elements(name: str, no_seal: Path) -> None:
    order = notice_orders()[name]
    assert service.check_order(case=FakeCase(), order=order, agency=FakeAgency(), seal_confirmed=True) == []
    pdf = render_pdf(order, case=FakeCase(), number="常住建依申X〔2026〕3号", seal_confirmed=True)
    got = extract(pdf)
    assert got.pages <= 2
    flat = "".join(got.text.split())
    for needle in ("常州市住房和城乡建设局", "常住建依申X〔2026〕3号", "2026年", *NOTICE_TEXT[name]):
        assert needle in flat, needle
    assert flat.count("常州市住房和城乡建设局") >= 2
    # Periods that run from the recipient's receipt print no date counted from sending.
    if name in ("correction_notice", "fee_notice", "consultation", "consultation_agency"):
        assert "即2026" not in flat
    assert "如对本答复不服" not in flat


def test_notice_missing_content_is_reported(no_seal: Path) -> None:
    order = notice_orders()["correction_notice"]
    bare = dataclasses.replace(order, fields={k: v for k, v in order.fields.items() if k != "items"})
    assert service.check_order(case=FakeCase(), order=bare, agency=FakeAgency(), seal_confirmed=True) == [
        "content:items"]
    assert "seal" in service.check_order(case=FakeCase(), order=order, agency=FakeAgency(), seal_confirmed=False)
    receipt = notice_orders()["receipt"]
    assert service.check_order(case=FakeCase(), order=receipt, agency=FakeAgency(), seal_confirmed=False) == []


def test_html_is_autoescaped(no_seal: Path) -> None:
    case = dataclasses.replace(FakeCase(), description="<script>alert(1)</script>")
    ctx = service.build_context(case=case, order=reply_order("not_exist"), agency=FakeAgency(), number=None)
    html = render_html(ctx)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_decision_fields_are_printed(no_seal: Path) -> None:
    flat = "".join(extract(render_pdf(reply_order("not_this_agency"), seal_confirmed=True)).text.split())
    assert "负责公开该政府信息的行政机关为常州市财政局，联系方式：0519-85681234" in flat
    assert DECISION_FIELDS["repeat"]["previous_reply_ref"] in "".join(
        extract(render_pdf(reply_order("repeat"), seal_confirmed=True)).text.split())


def test_rare_characters_print_in_a_fallback_face_not_as_boxes(no_seal: Path) -> None:
    name = "张𠀀𪚥𡒄"
    case = dataclasses.replace(FakeCase(), applicant={"name": name})
    pdf = render_pdf(reply_order("not_exist", applicant_name=name), case=case, seal_confirmed=True)
    assert f"{name}：" in "".join(extract(pdf).text.split())
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # Every character found a face that has it: the fallback is embedded next to the body face.
    assert "HanaMinB" in fonts or "BabelStone" in fonts, fonts


def test_bidi_override_in_typed_text_is_removed(no_seal: Path) -> None:
    case = dataclasses.replace(FakeCase(), description="老旧小区\u202e件文排安金资")
    flat = "".join(extract(render_pdf(reply_order("not_exist"), case=case, seal_confirmed=True)).text.split())
    assert "\u202e" not in flat and "“老旧小区件文排安金资”" in flat


def test_long_request_keeps_signature_and_date_together_on_the_last_page(no_seal: Path) -> None:
    from benchmarks.letters import LONG_REQUEST

    case = dataclasses.replace(FakeCase(), description=LONG_REQUEST)
    pdf = render_pdf(reply_order("disclose"), case=case, seal_confirmed=True)
    got = extract(pdf)
    assert got.pages == 2
    last = got.text.split("\f")[-2]
    flat_last = "".join(last.split())
    # The signature and the date are on the same page as the last lines of the text (the remedy notice).
    assert "常州市住房和城乡建设局2026年3月20日" in flat_last and "行政诉讼" in flat_last


def test_pdf_is_named_by_its_number() -> None:
    from service.letters.endpoints import content_disposition

    header = content_disposition("常住建依申复〔2026〕49号", 7)
    assert 'filename="letter-2026-49.pdf"' in header
    assert "filename*=UTF-8''%E5%B8%B8" in header and header.endswith(".pdf")
