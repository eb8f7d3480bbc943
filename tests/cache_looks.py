"""Counting the looks a desk's record cache takes at the log (domain/desk/cache.py)."""

from __future__ import annotations

from typing import Any

from domain.desk import HelpDesk


def counted_looks(desk: HelpDesk) -> list[int]:
    """The positions the desk's record cache looks at the log from, from now on."""
    looks: list[int] = []
    log = desk.records._log
    assert log is not None
    changed_since = log.changed_since

    def look(position: int, limit: int) -> Any:
        looks.append(position)
        return changed_since(position, limit)

    log.changed_since = look  # type: ignore[method-assign]
    return looks
