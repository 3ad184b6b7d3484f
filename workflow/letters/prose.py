"""Faults a reader sees at once in a letter's printed prose, found on the extracted text.

The element check asks whether each required element is there; this asks whether the sentences
read right: doubled or clashing punctuation ("。。", "，。"), quotes nested wrongly (a single ‘…’
outside any “…”) or left open, one dated notice stated twice, a typed value echoing the words
just before its colon ("您不同意公开，理由为：不同意公开"), and the closing (signature, date and
service record) split over two pages. Each fault is a code ``text:…`` / ``layout:…`` the checker
reports as missing, so such a letter is never complete.
"""

from __future__ import annotations

import re

from workflow.replies import DATE_RE

# Two sentence marks in a row: the template's mark after a value that kept its own.
_DOUBLE_MARK = re.compile(r"[。，；：、][。，；：、]|！。|？。")
# The same notice, with the same date, stated twice ("已于…向您发出补正告知书" in the facts and again
# in the decision).
_DATED_NOTICE = re.compile(rf"已于(?P<date>{DATE_RE})向您发出(?P<doc>[\u4e00-\u9fff]{{2,12}}?(?:告知书|通知书))")
# A phrase of four or more characters right before a colon (optionally "，理由为/是") and again right after.
_ECHO = re.compile(r"(?P<x>[\u4e00-\u9fff]{4,})[，,]?(?:理由(?:为|是))?[：:](?P=x)")
_OPEN, _CLOSE = "“‘", "”’"


def quote_faults(text: str) -> list[str]:
    """``text:quote_nesting`` when a quote mark sits at the wrong depth (‘ outside “…”, “ inside “…”),
    ``text:quote_unbalanced`` when a quote is closed that was never opened or left open."""
    faults: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN:
            if (ch == "‘") != (depth % 2 == 1):
                faults.append("text:quote_nesting")
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                faults.append("text:quote_unbalanced")
                continue
            depth -= 1
            if (ch == "’") != (depth % 2 == 1):
                faults.append("text:quote_nesting")
    if depth:
        faults.append("text:quote_unbalanced")
    return list(dict.fromkeys(faults))


def closing_split(text: str) -> bool:
    """Whether the signature date and the service record (版记) print on different pages (``\\f`` between pages)."""
    pages = text.split("\f")
    if len([p for p in pages if p.strip()]) < 2:
        return False
    where: dict[str, int] = {}
    for i, page in enumerate(pages):
        for line in page.splitlines():
            flat = re.sub(r"\s+", "", line)
            if re.fullmatch(DATE_RE, flat):
                where["date"] = i
            elif flat.startswith("送达方式"):
                where["record"] = i
            elif flat.startswith(("申请登记编号", "联系方式")):
                where["record_end"] = i
    return len(set(where.values())) > 1


def prose_faults(flat: str, *, pages: str = "") -> list[str]:
    """Every fault of the printed prose: ``flat`` is the text with whitespace and page numbers removed,
    ``pages`` the extracted text with its page breaks (for the layout check)."""
    faults: list[str] = []
    if _DOUBLE_MARK.search(flat):
        faults.append("text:doubled_punctuation")
    faults += quote_faults(flat)
    notices = [(m.group("date"), m.group("doc")) for m in _DATED_NOTICE.finditer(flat)]
    if len(notices) != len(set(notices)):
        faults.append("text:repeated_fact")
    if _ECHO.search(flat):
        faults.append("text:echo")
    if pages and closing_split(pages):
        faults.append("layout:closing_split")
    return faults
