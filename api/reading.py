"""Reads from the views: which views, and read-your-writes waits on them.

A read with `after` waits (at most `wait` seconds) until the views it reads
have applied the log up to there. The wait holds none of the request worker
threads (api/workers.py): there are few of them, and a handful of callers
waiting five seconds each would otherwise stop every other request. It sleeps
on a thread of its own instead, woken as soon as the views move on.
"""

from __future__ import annotations

import time
from typing import Annotated

from anyio import CapacityLimiter, move_on_after, to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends

from api.deps import ServicesDep
from api.problems import ApiProblem
from domain.desk import HelpDesk
from projections.engine.runner import ViewRunner

#: Requests waiting for the views at once; more wait their turn, within their
#: own `wait`, and are answered with `caught_up` false if it runs out.
WAITERS = 100
_WAITERS: RunVar[CapacityLimiter] = RunVar("tickettape_view_waiters")


async def get_views(services: ServicesDep) -> ViewRunner:
    """The views, or 503 when this process was started without them."""
    if services.views is None:
        raise ApiProblem(503, "Service Unavailable", "the ticket views are not running")
    return services.views


Views = Annotated[ViewRunner, Depends(get_views)]


async def caught_up(
    views: ViewRunner, after: int | None, wait: float, *names: str
) -> None:
    """Wait until the named views have reached `after`, at most `wait` seconds.

    Nothing to wait for without `after`; whether the views got there is told
    by the answer's `caught_up`, from the position its read saw.
    """
    if after is None or wait <= 0:
        return
    with move_on_after(wait):
        await to_thread.run_sync(
            _wait, views, after, wait, names, limiter=_waiters(), abandon_on_cancel=True
        )


def answer_position(desk: HelpDesk, after: int | None) -> int:
    """The log position the answer should include: `after` if asked, else the
    log's end as the request's look at it found it, so `caught_up` stays honest."""
    return desk.log_position() if after is None else after


def _wait(views: ViewRunner, after: int, wait: float, names: tuple[str, ...]) -> None:
    deadline = time.monotonic() + wait
    for name in names:
        if not views.wait_until(after, max(deadline - time.monotonic(), 0.0), name):
            return


def _waiters() -> CapacityLimiter:
    """This event loop's limiter of waiting threads."""
    try:
        return _WAITERS.get()
    except LookupError:
        limiter = CapacityLimiter(WAITERS)
        _WAITERS.set(limiter)
        return limiter
