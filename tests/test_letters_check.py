"""The external check (POST /api/v1/letters/check and workflow.letters.check) on letters written here:
each defect class of issue 9 caught, each correct variant passing, a scanned letter read by OCR, a
DOCX letter read, seals told apart, and bad uploads refused with 413/415/422, never a 500."""

from __future__ import annotations

import io
import shutil
import zipfile
from functools import lru_cache

import pytest

from service.letters.extract import extract, ocr_available
from tests.conftest import auth
from tests.letter_support import other_png, plain_png
from workflow.letters.check import Expect, check_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

AGENCY = "常熟市住房和城乡建设局"
EXPECT = Expect(agency_name=AGENCY, reconsideration_body="常熟市人民政府", court="常熟市人民法院",
                day=__import__("datetime").date(2026, 10, 10))
RECON = "如对本答复不服，可以自收到本答复之日起六十日内向常熟市人民政府申请行政复议"
LITIG = "也可以自收到本答复之日起六个月内向常熟市人民法院提起行政诉讼"


def letter(remedy: str = f"{RECON}，{LITIG}。", *, body: str | None = None) -> str:
    """A complete 予以公开 reply as an office outside the system would write it (one line per paragraph)."""
    body = body or ("经审查，您申请获取的政府信息属于公开范围。根据《中华人民共和国政府信息公开条例》第三十六条"
                    "第（二）项的规定，本机关予以公开，现随本答复书提供。")
    return "\n".join([
        AGENCY, "常住建依申复〔2026〕49号", "政府信息公开申请答复书", "张三：",
        "本机关于2026年9月21日收到您提交的政府信息公开申请，申请公开“某小区旧城改造项目的立项批复文件”的政府信息。",
        body, remedy, AGENCY, "2026年10月10日", "送达方式：邮寄（中国邮政）　送达日期：2026年10月10日"])


# --- the checker on text: defect classes and correct variants --------------------------------

def test_complete_letter_passes() -> None:
    report = check_text(letter(), seal=True, expect=EXPECT)
    assert report.missing == () and report.decision == "disclose"


@pytest.mark.parametrize("remedy, defect", [
    # A wrong 复议 body: not the one configured, and (since 2024) a department instead of the government.
    (f"{RECON.replace('常熟市人民政府', '苏州市住房和城乡建设局')}，{LITIG}。", "reconsideration_body:configured"),
    (f"{RECON.replace('常熟市人民政府', '苏州市住房和城乡建设局')}，{LITIG}。",
     "reconsideration_body:same_level_government"),
    # 三十日 for 复议 although 六十日 appears elsewhere in the letter.
    (f"{RECON.replace('六十日', '三十日')}，{LITIG}。本答复自送达之日起六十日内有效。", "remedy:reconsideration_period"),
    # Swapped periods.
    ("如对本答复不服，可以自收到本答复之日起六个月内向常熟市人民政府申请行政复议，也可以自收到本答复之日起六十日内"
     "向常熟市人民法院提起行政诉讼。", "remedy:periods_swapped"),
    # The superseded three months.
    (f"{RECON}，{LITIG.replace('六个月', '三个月')}。", "remedy:litigation_period"),
    # No remedy notice at all.
    ("特此告知。", "remedy"),
    # A court other than the configured one.
    (f"{RECON}，{LITIG.replace('常熟市人民法院', '苏州市中级人民法院')}。", "court:configured"),
])
def test_each_remedy_defect_is_caught(remedy: str, defect: str) -> None:
    assert defect in check_text(letter(remedy), seal=True, expect=EXPECT).missing


@pytest.mark.parametrize("remedy", [
    f"{RECON}，{LITIG}。",
    f"{RECON}；或者在六个月内依法向常熟市人民法院起诉。",
    f"{RECON}，也可以自收到本答复之日起六个月内，依法向常熟市人民法院提起诉讼。",
    "如不服本答复，可在收到本答复之日起60日内向常熟市人民政府申请行政复议，或在6个月内向常熟市人民法院提起行政诉讼。",
])
def test_correct_variants_pass(remedy: str) -> None:
    assert check_text(letter(remedy), seal=True, expect=EXPECT).missing == ()


def test_refusal_must_say_reconsideration_first_and_may_name_fifteen_days() -> None:
    body = ("经审查，您申请获取的政府信息属于行政机关在履行行政管理职能过程中形成的过程性信息。根据《中华人民共和国"
            "政府信息公开条例》第十六条第二款、第三十六条第（三）项的规定，本机关决定不予公开。")
    plain = check_text(letter(body=body), decision="withhold", seal=True, expect=EXPECT)
    assert "reconsideration_first" in plain.missing
    first = ("根据《中华人民共和国行政复议法》第二十三条的规定，对本机关不予公开的决定不服的，应当先自收到本答复之日起"
             "六十日内向常熟市人民政府申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法"
             "向常熟市人民法院提起行政诉讼。")
    assert check_text(letter(first, body=body), decision="withhold", seal=True, expect=EXPECT).missing == ()


def test_facts_of_the_case_must_be_stated() -> None:
    report = check_text(letter(), facts=("correction_receipt", "extension"), seal=True, expect=EXPECT)
    assert {"correction_receipt", "extension"} <= set(report.missing)


def test_nothing_found_in_empty_text() -> None:
    report = check_text("")
    assert report.found == () and "number" in report.missing and report.unchecked == ("seal",)


# --- letters as files: PDF with and without seals, scans, DOCX -----------------------------

def _html(text: str, extra: str = "") -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return (f"<html><body style=\"font-family: 'AR PL UMing CN'; font-size: 12pt\">{paragraphs}{extra}"
            "</body></html>")


@lru_cache(maxsize=8)
def pdf_of(text: str, extra: str = "") -> bytes:
    from service.letters.render import html_to_pdf

    return html_to_pdf(_html(text, extra))


def _img(png: bytes) -> str:
    import base64

    return f'<img style="width:40mm;height:40mm" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


RED_STAMP = ('<div style="width:40mm;height:40mm;border:1.2mm solid #e00000;border-radius:50%;color:#e00000;'
             'text-align:center;line-height:40mm;font-size:14pt">★</div>')


def test_only_the_registered_seal_image_or_a_red_stamp_counts_as_a_seal() -> None:
    text = letter()
    assert extract(pdf_of(text, _img(plain_png())), registered_seal=plain_png()).seal_kind == "registered"
    # Any other image on the last page is not a seal.
    assert extract(pdf_of(text, _img(other_png())), registered_seal=plain_png()).seal is False
    assert extract(pdf_of(text, _img(other_png()))).seal is False
    # A red round stamp printed on the page is.
    stamped = extract(pdf_of(text, RED_STAMP))
    assert stamped.seal is True and stamped.seal_kind == "stamp"
    # A red heading and rule (our own letters' 版头) are not a stamp.
    assert extract(pdf_of(text, '<h1 style="color:#d40000">常熟市住房和城乡建设局</h1><hr style="border:1mm solid red">')
                   ).seal is False


def _scan(pdf: bytes) -> bytes:
    """The letter printed and scanned: page images only, no text layer."""
    from PIL import Image

    from service.letters.extract import rasterise

    pages = [Image.open(io.BytesIO(png)).convert("RGB") for png in rasterise(pdf, first=1, last=1, dpi=200)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    return out.getvalue()


@pytest.mark.skipif(not ocr_available(), reason="tesseract-ocr with chi_sim not installed")
def test_scanned_letter_is_read_by_ocr() -> None:
    scan = _scan(pdf_of(letter(), RED_STAMP))
    got = extract(scan)
    assert got.method == "ocr" and "文字层" in got.note
    report = check_text(got.text, seal=got.seal)
    assert got.seal is True
    # OCR reads the letter well enough to find its number, decision, basis and remedy.
    for element in ("number", "decision", "legal_basis", "remedy"):
        assert element in report.found, (element, got.text)


def docx_of(text: str) -> bytes:
    """A minimal Word document with one paragraph per line."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body>{body}'
                   "</w:body></w:document>")
    return out.getvalue()


def test_docx_letter_is_read() -> None:
    got = extract(docx_of(letter()))
    assert got.method == "docx" and got.seal is None
    report = check_text(got.text, seal=got.seal, expect=EXPECT)
    assert report.missing == () and report.unchecked == ("seal",)


# --- the endpoint ----------------------------------------------------------------------------

def post(client, world, data: bytes, name: str, ctype: str, **form):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/letters/check", files={"file": (name, data, ctype)}, data=form,
                       headers=auth(world, "approver"))


def test_endpoint_reads_docx_and_pdf_and_reports_how(client, world) -> None:  # type: ignore[no-untyped-def]
    r = post(client, world, docx_of(letter()), "reply.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert r.status_code == 200, r.text
    assert r.json()["method"] == "docx" and r.json()["missing"] == []
    r = post(client, world, pdf_of(letter(), RED_STAMP), "reply.pdf", "application/pdf")
    assert r.status_code == 200 and r.json()["seal_kind"] == "stamp" and r.json()["missing"] == [], r.text


def test_endpoint_refuses_bad_uploads_plainly(client, world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # Another type: 415.
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("a.txt", "x")
    assert post(client, world, zipped.getvalue(), "a.zip", "application/zip").status_code == 415
    assert post(client, world, b"\x00\x01\x02binary" * 100, "a.bin", "application/octet-stream").status_code == 415
    # A damaged PDF: 422 naming the file.
    r = post(client, world, b"%PDF-1.4\n garbage", "x.pdf", "application/pdf")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "file", r.text
    # Over the limit: 413 at once.
    from service.settings import get_settings

    monkeypatch.setattr(get_settings(), "letter_check_max_bytes", 200 * 1024)
    big = b"%PDF-1.4\n" + b"0" * (400 * 1024)
    assert post(client, world, big, "big.pdf", "application/pdf").status_code == 413
    # An unknown decision: 422 naming it.
    r = post(client, world, letter().encode(), "x.txt", "text/plain", decision="nonsense")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "decision"


def test_scanned_pdf_without_ocr_says_it_could_not_be_read(client, world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from service.letters import extract as extract_module

    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    r = post(client, world, _scan(pdf_of(letter())), "scan.pdf", "application/pdf")
    assert r.status_code == 422 and "没有文字层" in r.json()["detail"][0]["msg"], r.text
