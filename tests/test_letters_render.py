"""Every letter kind and every reply decision rendered to PDF; elements asserted through pdftotext."""

from __future__ import annotations

import dataclasses
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from service.letters import render, service
from service.letters.extract import extract
from service.letters.samples import FakeAgency, FakeCase, full_case, notice_orders, reply_order
from service.letters.templates import render_html
from workflow.replies import DECISIONS, FACT_ELEMENTS, find_elements

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def plain_png(size: int = 32) -> bytes:
    """A plain grey square: stands in for an agency's seal file in tests (never a drawn seal)."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * size for _ in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def seal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An electronic-seal directory holding the test agency's (plain) seal file."""
    (tmp_path / f"{FakeAgency().code}.png").write_bytes(plain_png())
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path})())
    return tmp_path


@pytest.fixture
def no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No electronic seal configured: letters mark the wet-stamp position."""
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path})())
    return tmp_path




def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def render_pdf(order, *, case=None, number="常住建依申复〔2026〕12号", seal_confirmed=False) -> bytes:
    ctx = service.build_context(case=case or full_case(), order=order, agency=FakeAgency(), number=number,
                                seal_confirmed=seal_confirmed)
    return render.html_to_pdf(render_html(ctx))


@pytest.mark.parametrize("code", list(DECISIONS))
def test_reply_every_decision_has_every_element_in_extracted_text(code: str, seal_dir: Path) -> None:
    order = reply_order(code)
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=False) == []
    pdf = render_pdf(order)
    got = extract(pdf)
    assert got.pages == 1, "a reply fits one page"
    report = find_elements(got.text, decision=code, facts=FACT_ELEMENTS, has_seal_image=got.has_seal_image)
    assert report.missing == (), report
    assert report.decision == code
    flat = "".join(got.text.split())
    agency = FakeAgency()
    for needle in ("常住建依申复〔2026〕12号", "张三：", "2026年3月2日", "2026年3月20日", agency.reconsideration_body,
                   agency.court, "六十日", "送达方式：邮寄"):
        assert needle in flat
    # The decision-specific content of LAW.md §5 is printed, not just a label.
    for value in order.fields.values():
        if isinstance(value, str) and code != "withhold" and value not in ("post", code):
            pass
    key = {"already_public": "access_route", "disclose": "disclosure", "partial": "disclosure",
           "withhold": "reason", "not_this_agency": "competent_agency", "needs_creation": "reason",
           "repeat": "previous_reply_ref", "publication": "where_to_obtain", "excessive": "reason",
           "confirm_reissue": "reason", "registry": "law_and_procedure", "petition": "channel",
           "not_exist": "search_note"}.get(code)
    if key:
        assert "".join(str(order.fields[key]).split()) in flat
    if code in ("withhold", "partial"):
        assert "应当先" in flat and "行政复议法》第二十三条" in flat
    else:
        assert "六个月" in flat and "应当先" not in flat


def test_reply_font_is_one_embedded_subset_and_size_within_budget(no_seal: Path) -> None:
    pdf = render_pdf(reply_order("withhold"), seal_confirmed=True)
    assert render.subsetter() == "harfbuzz"
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False)
    if fonts.returncode == 0:
        rows = fonts.stdout.decode().splitlines()[2:]
        assert len(rows) == 1, rows
        name, *_, emb, sub, uni, _obj, _gen = rows[0].split()
        assert "+" in name and (emb, sub, uni) == ("yes", "yes", "yes")
    assert len(pdf) <= 60 * 1024


def test_wet_stamp_counts_only_once_confirmed(no_seal: Path) -> None:
    order = reply_order("disclose")
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=False) == ["seal"]
    assert service.check_order(case=full_case(), order=order, agency=FakeAgency(), seal_confirmed=True) == []
    got = extract(render_pdf(order, seal_confirmed=True))
    # The position is marked, but nothing is drawn that could pass for a seal: no image at all.
    assert got.has_seal_image is False
    assert "seal" in find_elements(got.text, has_seal_image=got.has_seal_image).missing


NOTICE_TEXT = {
    "receipt": ("政府信息公开申请登记回执", "张三：", "网络", "2026年3月30日", "第三十一条"),
    "correction_notice": ("补正告知书", "张三：", "10个工作日", "2026年3月18日", "所需信息的年份范围", "第三十条"),
    "extension_notice": ("延期答复告知书", "张三：", "延长20个工作日", "2026年4月28日", "第三十三条第二款"),
    "consultation": ("征求第三方意见书", "常州某置业有限公司：", "15个工作日", "2026年3月27日", "第三十二条"),
    "consultation_agency": ("征求意见函", "常州市财政局：", "视为同意公开", "第三十四条"),
    "third_party_opinion": ("第三方意见告知书", "常州某置业有限公司：", "决定予以公开", "公共利益", "第三十二条",
                            "行政复议"),
    "fee_notice": ("收费通知书", "张三：", "200.00元", "2026年4月7日", "第四十二条", "国办函〔2020〕109号"),
    "reasons_request": ("说明理由告知书", "张三：", "说明理由", "第三十五条"),
}


@pytest.mark.parametrize("name", list(NOTICE_TEXT))
def test_every_notice_kind_renders_with_its_elements(name: str, no_seal: Path) -> None:
    order = notice_orders()[name]
    assert service.check_order(case=FakeCase(), order=order, agency=FakeAgency(), seal_confirmed=True) == []
    pdf = render_pdf(order, case=FakeCase(), number="常住建依申X〔2026〕3号", seal_confirmed=True)
    got = extract(pdf)
    assert got.pages == 1
    flat = "".join(got.text.split())
    for needle in ("常州市住房和城乡建设局", "常住建依申X〔2026〕3号", "2026年", *NOTICE_TEXT[name]):
        assert needle in flat, needle
    # Agency name as heading and again as signature.
    assert flat.count("常州市住房和城乡建设局") >= 2


def test_notice_missing_content_is_reported(no_seal: Path) -> None:
    order = notice_orders()["correction_notice"]
    bare = dataclasses.replace(order, fields={k: v for k, v in order.fields.items() if k != "items"})
    assert service.check_order(case=FakeCase(), order=bare, agency=FakeAgency(), seal_confirmed=True) == [
        "content:items"]
    assert "seal" in service.check_order(case=FakeCase(), order=order, agency=FakeAgency(), seal_confirmed=False)
    # The receipt is an acknowledgment: no seal needed.
    receipt = notice_orders()["receipt"]
    assert service.check_order(case=FakeCase(), order=receipt, agency=FakeAgency(), seal_confirmed=False) == []


def test_html_is_autoescaped(no_seal: Path) -> None:
    case = dataclasses.replace(FakeCase(), description="<script>alert(1)</script>")
    ctx = service.build_context(case=case, order=reply_order("not_exist"), agency=FakeAgency(), number=None)
    html = render_html(ctx)
    assert "<script>" not in html and "&lt;script&gt;" in html
