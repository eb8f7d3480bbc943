"""Where a request's work runs: the store's on a few worker threads, the rest on
the event loop.

The store's clients block (eventsourcing, sqlite3, psycopg's sync API), so a
route that reads or writes the store is a plain `def` that FastAPI runs on a
worker thread. Two things make that dearer than it need be:

- FastAPI hops to a worker thread a second time, after the endpoint, only to
  check its answer against the response model. `Router` runs a plain endpoint
  on a worker and everything after it on the loop: one hop fewer a request.
- Every worker that can run competes for the one GIL, and a worker that steps
  out of it for a moment (each SQLite call does) waits to get it back while the
  others run. anyio's default of 40 workers suits waiting on a network; on the
  embedded SQLite store 4 answer more requests (measured: lists of 25 +16%,
  the queue work list +48%, a search +38%, HTTP writes unchanged), so
  the settings' `worker_threads` says how many there are
  (tickettape/settings.py), and `workers_lifespan` makes it so.

Waiting for the views (read-your-writes) holds no worker: see api/reading.py.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool


def on_a_worker(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain endpoint as a coroutine that runs it on a worker thread.

    FastAPI reads the endpoint's parameters through the wrapper (it follows
    `__wrapped__`), and the answer is checked on the loop.
    """
    if inspect.iscoroutinefunction(endpoint) or not inspect.isfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


class Router(APIRouter):
    """An APIRouter that runs plain endpoints on a worker, the rest on the loop."""

    def add_api_route(
        self, path: str, endpoint: Callable[..., Any], **kwargs: Any
    ) -> None:
        """Add the route, a plain endpoint wrapped by `on_a_worker`."""
        super().add_api_route(path, on_a_worker(endpoint), **kwargs)


def workers_lifespan(threads: int | None) -> Callable[[FastAPI], Any]:
    """A lifespan that gives the event loop's worker threads their number
    (None: anyio's own)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan
