"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from api.deps import Desk
from api.problems import problem
from api.workers import Router

router = Router(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    # On the event loop, not the thread pool: when the database is away, the
    # pool's threads wait on it, and liveness must not wait behind them.
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(desk: Desk, request: Request) -> dict[str, object] | JSONResponse:
    """The event store answers and the default configuration exists."""
    try:
        position = desk.recorder.max_notification_id() or 0
        desk.statuses()
    except Exception:
        # Whatever fails (the store, a missing configuration), the process is not
        # ready; the probe's caller needs no more detail than that.
        return problem(
            503, "Service Unavailable", "the event store is not ready", request
        )
    return {"status": "ready", "log_position": position}
