"""The web desk: server-rendered pages in Chinese for every role, on the API's domain code and permissions.

``install`` mounts the session middleware, the static files (htmx is vendored: the machines are
offline), the login pages and each resource's ``views.py`` router.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from service.web.deps import CsrfRejected, Forbidden, LoginRequired, PageNotFound, redirect, render
from service.web.session import WebSessionMiddleware

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI) -> None:
    """Mount the web desk's pages and static files on ``app``."""
    from service.archive.views import router as archive_pages
    from service.assessment.views import router as assessment_pages
    from service.calendar.views import router as calendar_pages
    from service.delivery.views import router as delivery_pages
    from service.drafts.views import router as draft_pages
    from service.files.views import router as file_pages
    from service.letters.views import router as letter_pages
    from service.notify.views import router as notify_pages
    from service.reissue.views import router as reissue_pages
    from service.reports.views import router as report_pages
    from service.requests.views import router as request_pages
    from service.web.admin import router as admin_pages
    from service.web.auth import router as auth_pages

    app.add_middleware(WebSessionMiddleware)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(target)}")

    @app.exception_handler(CsrfRejected)
    async def _csrf_rejected(request: Request, _: CsrfRejected) -> Response:
        return render(request, "error.html", status_code=403, heading="请求被拒绝",
                      message="表单缺少有效的安全令牌（CSRF），为防止伪造请求已拒绝提交。"
                              "请返回刷新页面后重新填写提交；如长时间未操作，请重新登录。",
                      back="/")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "error.html", status_code=403, heading="无权操作", message=exc.message)

    @app.exception_handler(PageNotFound)
    async def _page_not_found(request: Request, _: PageNotFound) -> Response:
        return render(request, "error.html", status_code=404, heading="未找到", message="没有这个页面，或您无权查看。")

    for router in (auth_pages, request_pages, letter_pages, assessment_pages, calendar_pages, admin_pages,
                   delivery_pages, reissue_pages, draft_pages,
                   report_pages, file_pages, archive_pages, notify_pages):
        app.include_router(router)
