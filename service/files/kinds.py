"""The kinds of attachment a case file holds, in the order the 卷宗 files them."""

from __future__ import annotations

from service.files.errors import FileInvalid

# code → label; the order is the order of the case file (申请 first, service proof last).
KINDS: dict[str, str] = {
    "application": "申请书",
    "identity": "身份证明",
    "correction": "补正材料",
    "third_party_opinion": "第三方意见",
    "released": "公开的信息",
    "signed_reply": "签章答复书扫描件",
    "service_proof": "送达回证",
    "other": "其他",
}
_BY_LABEL = {label: code for code, label in KINDS.items()}


def kind_code(value: str | None) -> str:
    """The kind code of ``value`` (a code or its Chinese label); 422 naming ``kind`` otherwise."""
    text = (value or "").strip()
    if text in KINDS:
        return text
    if text in _BY_LABEL:
        return _BY_LABEL[text]
    raise FileInvalid("kind", "unknown_kind", f"unknown kind {text!r}; one of {', '.join(KINDS)} (or {'、'.join(KINDS.values())})")


def kind_order(code: str) -> int:
    """Position of a kind in the case file."""
    return list(KINDS).index(code) if code in KINDS else len(KINDS)
