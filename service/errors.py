"""HTTP mapping of domain errors: 409 for conflicts and refused actions, 422 naming the field, 404."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from workflow.errors import ActionNotAllowed, Conflict, InvalidField, NotFound

CONFLICT_RESPONSE = {409: {"description": "Not allowed now: names the state, the action and what is allowed"}}
FORBIDDEN_RESPONSE = {403: {"description": "The change affects units outside yours (or needs a deployment admin)"}}
INVALID_RESPONSE = {422: {"description": "A field is invalid; `detail[].loc` names it"}}


def invalid_body(field: str, message: str, where: str = "body", code: str | None = None) -> dict:
    """The FastAPI-style 422 body for one field (with the domain error's catalogue ``code`` when known)."""
    item: dict = {"loc": [where, *field.split(".")], "msg": message, "type": "value_error"}
    if code is not None:
        item["code"] = code
    return {"detail": [item]}


def install(app: FastAPI) -> None:
    """Register the handlers that turn domain errors into HTTP answers."""

    @app.middleware("http")
    async def _refuse_nul(request: Request, call_next):  # type: ignore[no-untyped-def]
        # PostgreSQL text cannot hold NUL: refuse it where it arrives, naming the parameter, instead
        # of failing in the database (SQLite would store it silently).
        for name, value in request.query_params.multi_items():
            if "\x00" in value or "\x00" in name:
                return JSONResponse(status_code=422, content=invalid_body(name, "contains a NUL character", "query"))
        if "\x00" in request.url.path or "%00" in request.url.path:
            return JSONResponse(status_code=422, content=invalid_body("path", "contains a NUL character", "path"))
        return await call_next(request)

    @app.exception_handler(DataError)
    async def _data_error(_: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot store (a NUL inside a JSON string or form field, an out-of-range
        # number): the input is at fault, not the server.
        return JSONResponse(status_code=422, content=invalid_body("body", f"value cannot be stored: {exc.orig}"))

    @app.exception_handler(ActionNotAllowed)
    async def _not_allowed(_: Request, exc: ActionNotAllowed) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={"detail": {"error": "action_not_allowed", "state": exc.state, "action": exc.action,
                                "allowed": exc.allowed, "message": exc.reason, "code": exc.code,
                                # The step the case lacks, when that is the refusal (a letter states only facts).
                                **({"missing_step": exc.params["missing_step"]}
                                   if "missing_step" in exc.params else {})}},
        )

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": {"error": "conflict", "message": exc.message, "code": exc.code,
                                                                  **exc.details}})

    @app.exception_handler(InvalidField)
    async def _invalid(_: Request, exc: InvalidField) -> JSONResponse:
        return JSONResponse(status_code=422, content=invalid_body(exc.field, exc.message, code=exc.code))

    from service.files.errors import TooLarge, UnsupportedFileType

    @app.exception_handler(TooLarge)
    async def _too_large(_: Request, exc: TooLarge) -> JSONResponse:
        # Sent while the client may still be uploading: close the connection rather than read the rest.
        return JSONResponse(status_code=413, content=invalid_body("file", exc.message, code=exc.code),
                            headers={"Connection": "close"})

    @app.exception_handler(UnsupportedFileType)
    async def _unsupported(_: Request, exc: UnsupportedFileType) -> JSONResponse:
        return JSONResponse(status_code=415, content=invalid_body("file", exc.message, code=exc.code))

    from service.boundaries import NotPermitted

    @app.exception_handler(NotPermitted)
    async def _not_permitted(_: Request, exc: NotPermitted) -> JSONResponse:
        return JSONResponse(status_code=403, content={"detail": {"error": "not_permitted", "message": exc.message,
                                                                  "field": exc.field}})

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc) or "not found"})
