"""Refusals of an upload, each with a code and its parameters, and their Chinese wording for the desk."""

from __future__ import annotations

from typing import Any

from workflow.errors import Conflict, DomainError, InvalidField


class FileInvalid(InvalidField):
    """A bad upload field (HTTP 422 naming it); ``code`` is looked up under ``upload.`` in the catalogue."""

    def __init__(self, field: str, code: str, message: str, **params: Any) -> None:
        super().__init__(field, message, code=f"upload.{code}", **params)


class FileConflict(Conflict):
    """An upload the case's state or the user's role does not allow (HTTP 409)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, code=f"upload.{code}", **details)


class TooLarge(DomainError):
    """The upload is larger than the limit (HTTP 413)."""

    code = "upload.too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"file: larger than the limit of {limit_bytes // (1024 * 1024)} MB")
        self.limit_bytes = limit_bytes
        self.message = str(self)
        self.params = {"mb": limit_bytes // (1024 * 1024)}


class UnsupportedFileType(DomainError):
    """The content is not one of the accepted types (HTTP 415)."""

    code = "upload.unsupported"

    def __init__(self, detected: str) -> None:
        super().__init__(f"file: type {detected} is not accepted; send PDF, JPEG, PNG, TIFF, OFD, DOCX or XLSX")
        self.detected = detected
        self.message = str(self)
        self.params = {"detected": detected}


def chinese(exc: Exception) -> str:
    """The desk's wording of an upload refusal (``workflow/error_catalogue.toml``, section ``upload``)."""
    from workflow.errors import wording

    code = getattr(exc, "code", None)
    found = wording(code, getattr(exc, "params", {})) if isinstance(code, str) else None
    return found or str(exc)
