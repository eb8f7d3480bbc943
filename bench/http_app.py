"""The app factory uvicorn imports in each worker: the API over TICKETTAPE_* env.

`uvicorn bench.http_app:create --factory` builds the same app `tickettape serve`
serves, without the views' background thread (in production projection workers
run apart from the API processes; the write path is what this scenario measures).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tickettape.bootstrap import build_app, open_runtime
from tickettape.settings import Settings


def create() -> FastAPI:
    """The API on the configured store; its connections close at shutdown."""
    runtime = open_runtime(Settings())
    app = build_app(runtime)

    # The app's own lifespan (its worker threads), then the store's closing.
    own = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[None]:
        try:
            async with own(served):
                yield
        finally:
            runtime.close()

    app.router.lifespan_context = lifespan
    return app
