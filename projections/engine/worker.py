"""A projection worker: this process keeps some views caught up until told to stop."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from projections.engine.following import LogFollower
from projections.engine.view import View

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def chosen_views(views: Sequence[View], names: Sequence[str]) -> list[View]:
    """The views with these names (all of them when none are named), in that order.

    Raises KeyError naming the first unknown view.
    """
    if not names:
        return list(views)
    by_name = {view.name: view for view in views}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise KeyError(unknown[0])
    return [by_name[name] for name in dict.fromkeys(names)]


class StopRequested(Exception):
    """The operator asked the worker to stop (SIGTERM or SIGINT)."""


def work(runner: LogFollower) -> None:
    """Keep catching up (views, chain) until SIGTERM or SIGINT, then finish the batch.

    The loop runs on the runner's thread; this (main) thread only waits for a
    signal, so the handler never interrupts a batch or a lock it holds. Later
    signals are ignored while the batch commits: it is short, and SIGKILL is
    always safe (a batch is one transaction).
    """
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stopping:
            stopping.append(signum)
            raise StopRequested(signal.strsignal(signum))

    runner.start()
    previous: dict[int, Any] = {}
    try:
        for stop_signal in STOP_SIGNALS:
            previous[stop_signal] = signal.signal(stop_signal, on_signal)
        while True:
            # Short naps rather than pause(): a signal landing just before a
            # pause() began would wait for the next one.
            time.sleep(0.5)
    except StopRequested as request:
        log.info("%s: stopping after the current batch", request)
    finally:
        runner.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
