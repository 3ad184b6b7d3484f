"""``/docs``: Swagger UI from files installed with the project (the ``swagger-ui-py`` package ships
Swagger UI 5, which reads OpenAPI 3.1), never from a CDN: the desk runs on networks without the
internet (政务外网). The page has no inline script, so it works under the desk's CSP."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS = "/static/swagger-ui"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title} · API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def swagger_ui_dir() -> Path:
    """Where the installed Swagger UI files are."""
    return Path(str(files("swagger_ui") / "static"))


def install(app: FastAPI) -> None:
    """Serve the Swagger UI files and the ``/docs`` page (before the desk's own ``/static`` mount)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_dir())), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The interactive API documentation."""
        return HTMLResponse(_PAGE.format(title=app.title, assets=ASSETS, openapi=app.openapi_url))
