"""View stores beside the event stores (a SQLite file, or the PostgreSQL schema),
and an outbox with its relay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.desk import HelpDesk
from projections.engine.store import ViewStore
from projections.outbox.view import OutboxView
from tests.capture_relay import CaptureRelay, capture_relay
from tests.projections.outbox_steps import Outbox, outbox_on
from tests.projections.view_stores import OpenViews, view_store_beside, wipe
from tests.stores import DeskFactory


@pytest.fixture
def open_views(
    durable_store_env: dict[str, str], tmp_path: Path
) -> Iterator[OpenViews]:
    """Call to open (again) the view store beside the event store; all closed after."""
    opened: list[ViewStore] = []

    def open_store() -> ViewStore:
        opened.append(view_store_beside(durable_store_env, tmp_path))
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def view_store(open_views: OpenViews) -> ViewStore:
    """An empty view store of each durable kind."""
    return open_views()


@pytest.fixture
def desk(durable_store_env: dict[str, str], desk_factory: DeskFactory) -> HelpDesk:
    """An initialized desk on the same kind of store as the views."""
    return desk_factory(durable_store_env)


@pytest.fixture
def relay() -> Iterator[CaptureRelay]:
    """A real SMTP relay on loopback that keeps what it is handed."""
    with capture_relay() as running:
        yield running


@pytest.fixture
def outbox(view_store: ViewStore, relay: CaptureRelay) -> Outbox:
    """An outbox worker on an in-memory desk, sending to the relay."""
    wipe(view_store, OutboxView())
    return outbox_on(view_store, relay.url)
