"""One normaliser for every value a person typed before it meets a template sentence.

Templates write the sentence around a typed value (``……获取方式：{where}。``); the value must
therefore arrive without its own closing punctuation, without invisible direction controls that
reorder the printed line, with whitespace collapsed, and with quotation marks that nest inside the
template's own “…” (inner “…” become ‘…’, unbalanced marks are dropped). Pure, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Unicode bidirectional controls (embeddings, overrides, isolates, marks): an RLO reverses the text
# after it on the printed page. Zero-width characters and BOMs are removed with them.
_INVISIBLE = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                     "\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# What may close a typed value; the template's sentence supplies its own ending.
_CLOSING = "。．.；;，,、：:！!？?…—~～ \t\r\n\u3000"
_OPENING = "，,、；;：:。． \t\r\n\u3000"
_QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "（": "）", "(": ")", "【": "】", "〔": "〕"}


def strip_controls(text: str) -> str:
    """``text`` without bidi controls, zero-width characters and other control characters (keeps newlines)."""
    text = text.translate(_INVISIBLE)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))


def _collapse(text: str) -> str:
    # Whitespace between two CJK characters is a typing accident (pdftotext and copy-paste add it);
    # between Latin words it is kept as one space.
    text = re.sub(r"[\s\u3000]+", " ", text).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def _straight_quotes(text: str) -> str:
    # ASCII double quotes around CJK text become “…” so they can be balanced and nested like the rest.
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def _balance(text: str) -> str:
    """Drop quotation marks and brackets that have no partner (a lone “ or ） would print as a defect)."""
    closers = {v: k for k, v in _QUOTE_PAIRS.items()}
    stack: list[tuple[str, int]] = []
    drop: set[int] = set()
    for i, ch in enumerate(text):
        if ch in _QUOTE_PAIRS and not (ch in closers and stack and stack[-1][0] == closers[ch]):
            stack.append((ch, i))
        elif ch in closers:
            if stack and stack[-1][0] == closers[ch]:
                stack.pop()
            else:
                drop.add(i)
    drop.update(i for _, i in stack)
    return "".join(ch for i, ch in enumerate(text) if i not in drop)


def _nest(text: str) -> str:
    """Inside the template's “…”, the value's own double quotes become single ones (GB/T 15834)."""
    return text.replace("“", "‘").replace("”", "’")


def requote(sentence: str) -> str:
    """A filled sentence with every quote at its depth: “…” outside, ‘…’ inside “…” (GB/T 15834).

    A value nested for a quoted slot (“…” → ‘…’ by :func:`clause`) may land in a slot that is not
    quoted ("途径：门户网站‘政府信息公开’栏目"); this puts its marks back to the outer form."""
    out = []
    depth = 0
    for ch in sentence:
        if ch in "“‘":
            out.append("“" if depth % 2 == 0 else "‘")
            depth += 1
        elif ch in "”’" and depth:
            depth -= 1
            out.append("”" if depth % 2 == 0 else "’")
        else:
            out.append(ch)
    return "".join(out)


def _full_width(marks: str) -> str:
    """Half-width sentence marks as their full-width forms."""
    return marks.translate(str.maketrans(";:,", "；：，"))


def clause(value: object) -> str:
    """A typed value ready to sit inside a template sentence: controls and outer punctuation removed,
    whitespace collapsed, quotes balanced and nested (“…” → ‘…’). Empty for None."""
    if value is None:
        return ""
    text = _balance(_straight_quotes(strip_controls(unicodedata.normalize("NFC", str(value)))))
    text = _collapse(text)
    previous = None
    while previous != text:
        previous = text
        text = text.rstrip(_CLOSING).lstrip(_OPENING)
        # A value wrapped whole in “…” or （…） would print the template's marks twice.
        for left, right in (("“", "”"), ("‘", "’"), ("「", "」")):
            if text.startswith(left) and text.endswith(right) and _balance(text[1:-1]) == text[1:-1]:
                text = text[1:-1]
    # Sentence punctuation inside a value runs on badly ("。X。"): a full stop inside becomes a
    # semicolon, so the template's single sentence stays one sentence.
    text = re.sub(r"[。．]+(?=\S)", "；", text)
    # A run of marks ("、；", "，，", "：，") prints as one, the strongest of the run. Collapsing spaces
    # can join marks into a new run ("： 、") and a merged mark can drop a space: repeat until stable,
    # so normalising twice changes nothing.
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"[；;，,、：:]{2,}", lambda m: next(c for c in "；：，、" if c in _full_width(m.group(0))), text)
        text = _collapse(text)
    return _nest(text)


def name(value: object) -> str:
    """A name (person, organisation, place): controls removed, whitespace collapsed, no punctuation around."""
    return clause(value).replace("；", "")


def items(values: Iterable[object] | object) -> list[str]:
    """A list of typed values, each a :func:`clause`; empty ones dropped. A single string is one item
    (never one item per character), so a typed paragraph stays a paragraph."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    try:
        seq = list(values)  # type: ignore[arg-type]
    except TypeError:
        seq = [values]
    return [c for c in (clause(v) for v in seq) if c]
