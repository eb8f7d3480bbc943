"""Reads from the views: which views, and read-your-writes waits on them."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends

from api.deps import ServicesDep
from api.problems import ApiProblem
from domain.desk import HelpDesk
from projections.engine.runner import ViewRunner


async def get_views(services: ServicesDep) -> ViewRunner:
    """The views, or 503 when this process was started without them."""
    if services.views is None:
        raise ApiProblem(503, "Service Unavailable", "the ticket views are not running")
    return services.views


Views = Annotated[ViewRunner, Depends(get_views)]


def settle(
    desk: HelpDesk, views: ViewRunner, after: int | None, wait: float, *names: str
) -> int:
    """The log position the answer should include.

    With `after`, wait (at most `wait` seconds in all) until the named views have
    reached it; without, the log's position now, so `caught_up` stays honest.
    """
    if after is None:
        return desk.recorder.max_notification_id() or 0
    deadline = time.monotonic() + wait
    for name in names:
        views.wait_until(after, max(deadline - time.monotonic(), 0.0), name)
    return after
