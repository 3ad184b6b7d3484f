"""Real sample files for attachment and case-file tests (made here, not mocked): PDFs, images, OFD, DOCX."""

from __future__ import annotations

import io
import zipfile


def pdf_bytes(pages: int = 1, text: str = "") -> bytes:
    """A valid PDF of ``pages`` pages; with ``text``, each page says it (rendered by WeasyPrint)."""
    if text:
        from service.letters.render import html_to_pdf

        body = "".join(f'<section style="page-break-after: always">{text} 第{i + 1}页</section>'
                       for i in range(pages))
        return html_to_pdf(f'<html><body style="font-family: \'AR PL UMing CN\'">{body}</body></html>')
    from service.requests.demo import released_pdf

    return released_pdf(pages)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (60, 40), frames: int = 1) -> bytes:
    """A small valid image (PNG, JPEG or TIFF, optionally several TIFF frames)."""
    from PIL import Image

    imgs = [Image.new("RGB", size, (200, 30 * i % 255, 40)) for i in range(frames)]
    buf = io.BytesIO()
    if frames > 1:
        imgs[0].save(buf, format=fmt, save_all=True, append_images=imgs[1:])
    else:
        imgs[0].save(buf, format=fmt)
    return buf.getvalue()


def zip_bytes(members: dict[str, str]) -> bytes:
    """A ZIP with the given text members (OFD, DOCX and XLSX are ZIPs)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def ofd_bytes(pages: int = 2) -> bytes:
    """A minimal OFD package listing ``pages`` pages."""
    page_list = "".join(f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(pages))
    return zip_bytes({
        "OFD.xml": '<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                   "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<?xml version="1.0"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016">'
                              f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
    })


def docx_bytes(pages: int = 3) -> bytes:
    """A minimal DOCX whose docProps/app.xml says it has ``pages`` pages."""
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>",
                      "docProps/app.xml": f"<Properties><Pages>{pages}</Pages></Properties>"})


def xlsx_bytes(sheets: int = 2) -> bytes:
    """A minimal XLSX workbook with ``sheets`` worksheets."""
    sheet_list = "".join(f'<sheet name="S{i}" sheetId="{i + 1}"/>' for i in range(sheets))
    return zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": f"<workbook><sheets>{sheet_list}</sheets></workbook>"})
