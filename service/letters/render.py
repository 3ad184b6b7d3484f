"""HTML → PDF, the fast path: one WeasyPrint FontConfiguration per process, one TrueType CJK face
named by family, HarfBuzz's subsetter.

Measured on the reference machine (benchmarks/README.md "Letters"): the naive configuration
(Noto Serif CJK regular + bold, fontTools subsetting because libharfbuzz-subset is absent) takes
seconds and ~240 KB per one-page letter; the fast path takes ~30 ms and ~40 KB. What
matters, in order: HarfBuzz's subsetter (libharfbuzz-subset0) instead of fontTools; a single
TrueType face (AR PL UMing CN) instead of Noto CJK's CID-keyed CFF, whose subset keeps every glyph
id below the highest one used (WeasyPrint subsets with RETAIN_GIDS) and so stays ~150 KB per face;
one weight only; reusing the FontConfiguration.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

LOGGER = logging.getLogger(__name__)

# WeasyPrint write_pdf options of the fast path. Images (an agency's electronic seal) are
# re-encoded losslessly by optimize_images; fonts are subset (full_fonts False) without hinting.
PDF_OPTIONS: dict[str, Any] = {
    "optimize_images": True,
    "full_fonts": False,
    "hinting": False,
    "uncompressed_pdf": False,
}

_lock = threading.Lock()
_render_lock = threading.Lock()
_font_config: Any = None


def font_config() -> Any:
    """The process-wide WeasyPrint FontConfiguration (creating one per render costs fontconfig set-up)."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


def subsetter() -> str:
    """Which font subsetter WeasyPrint will use here: ``harfbuzz`` (fast) or ``fonttools`` (slow)."""
    from weasyprint.pdf import fonts

    return "harfbuzz" if fonts.harfbuzz_subset is not None else "fonttools"


# GB/T 9704-2012 7.3.5.4: when the signature block does not fit in the space left, line and
# character spacing may be adjusted. A letter whose closing (last lines, signature, 版记) spills onto
# a page of its own is laid out once more at this line pitch (about 23.6 lines a page instead of
# 22) and kept so only when that saves the page. One-page letters are laid out once.
TIGHT_CSS = "html { line-height: 27pt } .signature { margin-top: 14pt }"


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render one letter's HTML (a self-contained snapshot) to PDF bytes on the fast path."""
    from weasyprint import HTML

    if subsetter() != "harfbuzz":
        LOGGER.warning("libharfbuzz-subset is not installed: letters render ~100× slower (fontTools subsetting)")
    page, sheets = _split_style(html)
    # One layout at a time per process: the process-wide FontConfiguration (Pango's font map) is not
    # safe to lay out from two threads at once; two registrations rendering together in one server
    # process hung in Pango's line breaking. Server processes (`--workers N`) render in parallel.
    with _render_lock:
        parsed = HTML(string=page, base_url=base_url)
        document = parsed.render(font_config=font_config(), stylesheets=sheets)
        if len(document.pages) > 1 and 'class="closing"' in html:
            # The same parsed page, laid out again with the tighter pitch added after the letter's sheet.
            tight = parsed.render(font_config=font_config(), stylesheets=[*sheets, _stylesheet(TIGHT_CSS)])
            if len(tight.pages) < len(document.pages):
                document = tight
        return document.write_pdf(**PDF_OPTIONS)


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


@functools.lru_cache(maxsize=8)
def _stylesheet(css: str) -> Any:
    """A stylesheet parsed once per process (parsing the letter sheet for every letter cost about a tenth of a render)."""
    from weasyprint import CSS

    return CSS(string=css, font_config=font_config())


def _split_style(html: str) -> tuple[str, list[Any]]:
    """``html`` without its first inline ``<style>`` (the letter stylesheet every snapshot carries),
    and that stylesheet parsed once for every letter, to be applied as the same author sheet."""
    match = _STYLE.search(html)
    if not match:
        return html, []
    return html[:match.start()] + html[match.end():], [_stylesheet(match.group(1))]


def warm_up() -> None:
    """Render a tiny letter once so fontconfig, Pango and the font file are loaded before the first user."""
    html_to_pdf('<html><body style="font-family: \'AR PL UMing CN\'">政府信息公开</body></html>')


DRAFT_WATERMARK_CSS = (
    "<style>body::before{content:'草稿';position:fixed;top:38%;left:12%;font-size:120pt;"
    "color:rgba(200,0,0,0.18);transform:rotate(-30deg);z-index:9999;pointer-events:none;}</style>"
)


def with_draft_watermark(html: str) -> str:
    """The letter's HTML with a large diagonal 草稿 (draft) watermark: for previews of unsigned drafts only."""
    if "</head>" in html:
        return html.replace("</head>", DRAFT_WATERMARK_CSS + "</head>", 1)
    return DRAFT_WATERMARK_CSS + html
