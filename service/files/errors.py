"""Refusals of an upload, each with a code and its parameters, and their Chinese wording for the desk."""

from __future__ import annotations

from typing import Any

from workflow.errors import Conflict, DomainError, InvalidField


class FileInvalid(InvalidField):
    """A bad upload field (HTTP 422 naming it), with a code for the desk's wording."""

    def __init__(self, field: str, code: str, message: str, **params: Any) -> None:
        super().__init__(field, message)
        self.code = code
        self.params = params


class FileConflict(Conflict):
    """An upload the case's state or the user's role does not allow (HTTP 409)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.code = code
        self.params = details


class TooLarge(DomainError):
    """The upload is larger than the limit (HTTP 413)."""

    code = "too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"file: larger than the limit of {limit_bytes // (1024 * 1024)} MB")
        self.limit_bytes = limit_bytes
        self.message = str(self)
        self.params = {"mb": limit_bytes // (1024 * 1024)}


class UnsupportedFileType(DomainError):
    """The content is not one of the accepted types (HTTP 415)."""

    code = "unsupported"

    def __init__(self, detected: str) -> None:
        super().__init__(f"file: type {detected} is not accepted; send PDF, JPEG, PNG, TIFF, OFD, DOCX or XLSX")
        self.detected = detected
        self.message = str(self)
        self.params = {"detected": detected}


CHINESE: dict[str, str] = {
    "too_large": "文件超过大小上限（{mb} MB），未保存。",
    "unsupported": "不接受该类型的文件（识别为 {detected}）；只接受 PDF、JPEG、PNG、TIFF、OFD、DOCX、XLSX。",
    "empty": "文件为空（0 字节）。",
    "damaged": "{what} 文件已损坏或不完整（可能上传中断），请重新扫描或导出后上传。",
    "unknown_kind": "请选择附件类别。",
    "not_this_letter": "所选文书不属于本案。",
    "no_file": "请选择要上传的文件。",
    "not_multipart": "请以表单（multipart/form-data）上传文件。",
    "one_file": "每次上传一个文件。",
    "field_too_long": "表单字段过长。",
    "role": "您的角色不能上传附件。",
    "archived": "案件已归档，卷宗已封存，不能再添加附件。",
}


def chinese(exc: Exception) -> str:
    """The desk's wording of an upload refusal."""
    code = getattr(exc, "code", None)
    if code in CHINESE:
        return CHINESE[code].format(**getattr(exc, "params", {}))
    return str(exc)
