"""The FastAPI application: REST API under /api/v1, the web desk, /healthz and OpenAPI at /docs."""

from __future__ import annotations

from fastapi import FastAPI

from service import errors, overload


def create_app() -> FastAPI:
    """Build the application with every resource's routes.

    Refuses (SecretKeyError with the remedy) when there is no usable secret key: a server that signs
    session cookies with a guessable key must not start at all.
    """
    from service import secret_key

    secret_key.current()
    from service.agencies.endpoints import router as agencies_router
    from service.archive.endpoints import router as archive_router
    from service.assessment.endpoints import router as assessment_router
    from service.calendar.endpoints import router as calendar_router
    from service.delivery.endpoints import router as delivery_router
    from service.drafts.endpoints import router as drafts_router
    from service.files.endpoints import router as files_router
    from service.letters.endpoints import check_router as letter_check_router
    from service.letters.endpoints import router as letters_router
    from service.notify.endpoints import router as notify_router
    from service.reissue.endpoints import router as reissue_router
    from service.reports.endpoints import router as reports_router
    from service.requests.endpoints import router as requests_router
    from service.users.endpoints import router as users_router
    from service.web.docs import install as install_docs
    from service.web.hardening import HardeningMiddleware
    from service.web.views import install as install_web

    app = FastAPI(
        title="OGI Desk 依申请公开办理平台",
        version="0.1.0",
        description="Disclosure requests under the 2019 Regulations on Open Government Information.",
        # /docs is served from vendored Swagger UI files (service/web/docs.py), never from a CDN.
        docs_url=None, redoc_url=None,
    )
    errors.install(app)
    overload.install(app)  # 503 + Retry-After when the database is too busy (issue 15)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness check; needs no login."""
        return {"status": "ok"}

    app.include_router(calendar_router, prefix="/api/v1")  # public: no login
    login = {400: {"description": "The body is not well-formed JSON"},
             401: {"description": "Login required: no or unknown bearer token"},
             403: {"description": "The user's role may not do this"}}
    for router in (requests_router, letters_router, letter_check_router, assessment_router, users_router, agencies_router, files_router,
                   archive_router, delivery_router, reissue_router, drafts_router):
        app.include_router(router, prefix="/api/v1", responses=login)
    app.include_router(reports_router, prefix="/api/v1", responses=login)
    app.include_router(notify_router, prefix="/api/v1", responses=login)
    install_docs(app)  # before the desk's /static mount, which would otherwise shadow its assets
    install_web(app)
    # Outermost: the headers reach every answer (errors included) and an oversized body is refused first.
    app.add_middleware(HardeningMiddleware)
    return app
