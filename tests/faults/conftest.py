"""A PostgreSQL server the fault tests may crash: their own, never the shared one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools.throwaway_postgres import ThrowawayServer, own_postgres_server


@pytest.fixture(scope="module")
def crashable_postgres() -> Iterator[ThrowawayServer]:
    """A throwaway server of this module's own, which its tests stop and start."""
    with own_postgres_server() as server:
        yield server
