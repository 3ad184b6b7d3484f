"""Text and seal out of a letter file: the one extractor used for the system's own rendered letters
and for letters uploaded to ``POST /letters/check``.

PDF: the text layer through poppler's ``pdftotext``; a PDF without one (a scan) is rasterised with
``pdftoppm`` and read by ``tesseract`` (chi_sim), or reported plainly as unreadable when OCR is not
installed or finds nothing. DOCX: the paragraphs of ``word/document.xml``. Plain text: UTF-8 or
GB18030. Seal: only the agency's registered e-seal image (matched by its pixels, not merely an image
being there) or a red round stamp found on the rendered last page count.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from workflow.errors import InvalidField

# A page with fewer printable characters than this in its text layer is taken as scanned.
MIN_TEXT_PER_PAGE = 20
OCR_PAGES = 6
OCR_DPI = 150


class UnsupportedType(InvalidField):
    """The upload is not a PDF, DOCX or text letter (HTTP 415)."""


@dataclass(frozen=True)
class Extracted:
    """A letter's text, how it was read, and whether a seal was found.

    ``method``: ``text`` (PDF text layer), ``ocr`` (scanned PDF read by OCR), ``docx`` or ``plain``.
    ``seal``: True/False when looked for, None when it cannot be told (text and DOCX uploads).
    ``seal_kind``: ``registered`` (the agency's e-seal image), ``stamp`` (a red round stamp) or ``""``.
    """

    text: str
    seal: bool | None
    pages: int
    method: str = "text"
    seal_kind: str = ""
    note: str = ""

    @property
    def has_seal_image(self) -> bool | None:
        """Older name of :attr:`seal`."""
        return self.seal


def kind_of(data: bytes) -> str:
    """``pdf``, ``docx``, ``image`` or ``text`` from the file's first bytes (never from its name)."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "zip"
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        return "image"
    head = data[:4096]
    if b"\x00" in head:
        return "binary"
    return "text"


def _run(args: list[str], data: bytes | None = None, timeout: float = 30) -> bytes | None:
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def pdf_pages(data: bytes) -> int:
    """The page count from ``pdfinfo`` (0 if it cannot be read)."""
    out = _run(["pdfinfo", "-"], data, timeout=20)
    if out is None:
        return 0
    m = re.search(rb"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def pdf_text(data: bytes) -> str | None:
    """The PDF's text layer (pdftotext), None when poppler cannot read it."""
    out = _run(["pdftotext", "-enc", "UTF-8", "-", "-"], data, timeout=30)
    return None if out is None else out.decode("utf-8", "replace")


def rasterise(data: bytes, *, first: int, last: int, dpi: int, gray: bool = False) -> list[bytes]:
    """Pages ``first``..``last`` of a PDF as PNG images (pdftoppm)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        args = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last)]
        if gray:
            args.append("-gray")
        if _run([*args, str(src), str(Path(tmp) / "p")], timeout=60) is None:
            return []
        return [p.read_bytes() for p in sorted(Path(tmp).glob("p*.png"))]


def ocr_available() -> bool:
    """Whether tesseract with the simplified-Chinese data is installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    out = _run([exe, "--list-langs"], timeout=10)
    return out is not None and b"chi_sim" in out


def ocr_image(png: bytes) -> str:
    """The text tesseract reads in one page image (chi_sim; page segmentation for a block of text)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.png"
        src.write_bytes(png)
        out = _run(["tesseract", str(src), "stdout", "-l", "chi_sim", "--psm", "6"], timeout=60)
    text = (out or b"").decode("utf-8", "replace")
    # tesseract spaces out CJK characters; the checks ignore whitespace, people reading the text don't.
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def docx_text(data: bytes) -> str:
    """The paragraphs of a DOCX file, one per line (tables included, in document order)."""
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > 50 * 1024 * 1024:
                raise InvalidField("file", "the DOCX document part is too large", code="letter.docx_too_large")
            root = ElementTree.fromstring(z.read(info))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise InvalidField("file", f"not a readable DOCX file: {exc}", code="letter.docx_unreadable") from None
    lines = []
    for para in root.iter(f"{ns}p"):
        lines.append("".join(t.text or "" for t in para.iter(f"{ns}t")))
    return "\n".join(lines)


# --- seals -------------------------------------------------------------------------------------

def _thumb(png_or_image: object, size: int = 24) -> list[int]:
    from PIL import Image

    image = png_or_image if isinstance(png_or_image, Image.Image) else Image.open(io.BytesIO(png_or_image))  # type: ignore[arg-type]
    image = image.convert("RGBA")
    flat = Image.new("RGBA", image.size, (255, 255, 255, 255))
    flat.alpha_composite(image)
    return list(flat.convert("L").resize((size, size)).getdata())


def same_image(a: object, b: object) -> bool:
    """Whether two images show the same picture (24 × 24 grey thumbnails within a small mean difference)."""
    try:
        ta, tb = _thumb(a), _thumb(b)
    except Exception:  # noqa: BLE001 - an undecodable image simply does not match
        return False
    return sum(abs(x - y) for x, y in zip(ta, tb, strict=True)) / len(ta) < 12


def registered_seal_on_page(data: bytes, registered: bytes) -> bool:
    """Whether the last page of the PDF carries the agency's registered e-seal image."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        page = reader.pages[-1]
        for image in page.images:
            if same_image(image.image, registered):
                return True
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on malformed files: no seal found
        return False
    return False


def red_round_stamp(png: bytes) -> bool:
    """Whether a page image shows a red round stamp: a cluster of red pixels 30–50 mm across, about
    as tall as wide, whose outline fills a ring (not a red heading line or a red rule)."""
    from PIL import Image, ImageChops

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    # One pixel a millimetre of an A4 page: enough to see a 40 mm ring, cheap to walk. The red mask
    # is made with Pillow's channel operations (R high, G and B low), not pixel by pixel in Python.
    small = image.resize((210, max(1, int(210 * height / width))))
    r, g, b = small.split()
    redness = ImageChops.subtract(r, ImageChops.lighter(g, b))
    mask = ImageChops.multiply(redness.point(lambda v: 255 if v > 60 else 0), r.point(lambda v: 255 if v > 150 else 0))
    w, h = small.size
    data = list(mask.getdata())
    red = [[data[y * w + x] > 0 for x in range(w)] for y in range(h)]
    mm = w / 210.0  # pixels per millimetre of an A4 page
    seen = [[False] * w for _ in range(h)]
    for y0 in range(h):
        for x0 in range(w):
            if not red[y0][x0] or seen[y0][x0]:
                continue
            stack, points = [(x0, y0)], []
            seen[y0][x0] = True
            while stack:
                x, y = stack.pop()
                points.append((x, y))
                for dx in (-2, -1, 0, 1, 2):
                    for dy in (-2, -1, 0, 1, 2):
                        nx, ny = x + dx, y + dy
                        if 0 <= nx < w and 0 <= ny < h and red[ny][nx] and not seen[ny][nx]:
                            seen[ny][nx] = True
                            stack.append((nx, ny))
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            bw, bh = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
            if not (25 * mm <= bw <= 55 * mm and 25 * mm <= bh <= 55 * mm and 0.8 <= bw / bh <= 1.25):
                continue
            cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
            radius = (bw + bh) / 4
            ring = sum(1 for x, y in points if ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 > 0.8 * radius)
            # A stamp's border ring holds a good share of its red; a filled red block or text has no ring.
            if ring / len(points) > 0.3:
                return True
    return False


def extract(data: bytes, *, filename: str = "", content_type: str = "",
            registered_seal: bytes | None = None, ocr: bool = True, stamp: bool = True) -> Extracted:
    """Read a letter file: text (text layer, OCR for scans, DOCX, plain text) and the seal.

    Raises :class:`UnsupportedType` (415) for other file types and :class:`InvalidField` (422) for
    a file that cannot be read, saying why (a scan without OCR installed, a damaged PDF).
    ``stamp=False`` skips looking for a red stamp (the system's own letters carry the e-seal or none).
    """
    kind = kind_of(data)
    if kind == "pdf":
        pages = pdf_pages(data)
        text = pdf_text(data)
        if text is None or pages == 0:
            raise InvalidField("file", "not a readable PDF (poppler could not open it)", code="letter.pdf_unreadable")
        method, note = "text", ""
        if len(re.sub(r"\s+", "", text)) < MIN_TEXT_PER_PAGE * pages:
            if not ocr or not ocr_available():
                raise InvalidField("file", "扫描件没有文字层，本系统未安装文字识别（tesseract-ocr、chi_sim），无法读取该文书",
                                   code="letter.scan_needs_ocr")
            images = rasterise(data, first=1, last=min(pages, OCR_PAGES), dpi=OCR_DPI, gray=True)
            text = "\n".join(ocr_image(png) for png in images)
            method, note = "ocr", "扫描件没有文字层，已用文字识别读取"
            if len(re.sub(r"\s+", "", text)) < MIN_TEXT_PER_PAGE:
                raise InvalidField("file", "扫描件没有文字层，文字识别也未能读出内容，无法检查该文书",
                                   code="letter.ocr_empty")
        seal, seal_kind = False, ""
        if registered_seal is not None and registered_seal_on_page(data, registered_seal):
            seal, seal_kind = True, "registered"
        elif stamp:
            last_page = rasterise(data, first=pages, last=pages, dpi=50)
            if last_page and red_round_stamp(last_page[0]):
                seal, seal_kind = True, "stamp"
        return Extracted(text=text, seal=seal, pages=pages, method=method, seal_kind=seal_kind, note=note)
    if kind == "docx":
        return Extracted(text=docx_text(data), seal=None, pages=0, method="docx")
    if kind == "image":
        if not ocr or not ocr_available():
            raise InvalidField("file", "图片扫描件需要文字识别（tesseract-ocr、chi_sim），本系统未安装",
                               code="letter.image_needs_ocr")
        text = ocr_image(data)
        return Extracted(text=text, seal=red_round_stamp(data), pages=1, method="ocr",
                         note="图片扫描件，已用文字识别读取")
    if kind == "text":
        for encoding in ("utf-8", "gb18030"):
            try:
                return Extracted(text=data.decode(encoding), seal=None, pages=0, method="plain")
            except UnicodeDecodeError:
                continue
    raise UnsupportedType("file", "not a letter file: send a PDF, a DOCX or UTF-8/GB18030 text")
