"""`create_app`: the FastAPI application over one store and one queue.

Thin: uploads become jobs in the store and messages on the queue; reads and review decisions
call the same store functions the CLI and the review screen call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from nianbao.service import routes_jobs, routes_reports, routes_review
from nianbao.service.bodylimit import BodyLimit
from nianbao.service.limits import Refused
from nianbao.service.queue import Sender
from nianbao.service.settings import Settings
from nianbao.store import NotClean, StaleEdit, StoreError, UnknownReport, open_store

DESCRIPTION = """
Upload annual reports, follow their jobs, read the verified cells with their provenance,
export, and record review decisions. Every endpoint but `/health` needs
`Authorization: Bearer <token>` (`nianbao token create --role submitter|reviewer|admin`).
Counts are JSON numbers; amounts (万元) are decimal strings, exact as printed.
"""


def _status_of(exc: StoreError) -> int:
    if isinstance(exc, StaleEdit):
        return 409  # somebody else changed it: reload, then decide
    if isinstance(exc, UnknownReport):
        return 404
    if isinstance(exc, NotClean):
        return 422
    return 422


def create_app(settings: Settings, sender: Sender | None = None) -> FastAPI:
    """The API on the store at `settings.db`, sending jobs to Redis at `settings.redis_url`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings.db)
        app.state.sender = sender or Sender(settings)
        try:
            yield
        finally:
            app.state.sender.close()
            app.state.store.close()

    app = FastAPI(
        title="nianbao",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=_status_of(exc))

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.get("/health", tags=["service"])
    def health(request: Request) -> dict[str, Any]:
        """No token needed: whether the store and the queue answer."""
        queue_ok = request.app.state.sender.ping()
        return {"status": "ok" if queue_ok else "degraded", "queue": queue_ok}

    app.include_router(routes_jobs.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_review.router)
    return app
