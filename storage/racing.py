"""Processes started together on an empty PostgreSQL store race to create the
same tables: the loser tries again once the winner is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

#: Attempts at creating the tables when other processes create them at once.
CREATE_ATTEMPTS = 5

T = TypeVar("T")


def lost_catalog_race(error: BaseException) -> bool:
    """Whether creating tables failed only because another process was creating
    the same ones: PostgreSQL's catalog then refuses the loser with "tuple
    concurrently updated", or with a duplicate key in one of its own tables
    (pg_type, pg_class) where IF NOT EXISTS checked before the winner committed.
    """
    text = str(error)
    duplicate = "duplicate key value" in text and '"pg_' in text
    return "concurrently" in text or duplicate


def despite_racing_creators(create: Callable[[], T]) -> T:
    """Create the tables, again after a short pause if a catalog race was lost;
    any other failure, and the last attempt's, is raised."""
    for attempt in range(1, CREATE_ATTEMPTS):
        try:
            return create()
        except Exception as error:
            if not lost_catalog_race(error):
                raise
            time.sleep(0.05 * attempt)
    return create()
