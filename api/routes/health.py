"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import Desk

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    # On the event loop, not the thread pool: when the database is away, the
    # pool's threads wait on it, and liveness must not wait behind them.
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(desk: Desk) -> dict[str, object] | JSONResponse:
    """The event store answers and the default configuration exists."""
    try:
        position = desk.recorder.max_notification_id() or 0
        desk.statuses()
    except Exception as error:
        return JSONResponse(
            {"status": "unavailable", "detail": type(error).__name__}, status_code=503
        )
    return {"status": "ready", "log_position": position}
