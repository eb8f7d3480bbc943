"""What a read model is to the runner, and how one batch of the log reaches it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from domain.desk import HelpDesk
from projections.engine.store import ViewCursor, ViewStore
from projections.engine.tracking import locked_position, record_position

Tables = Mapping[str, str]
Handler = Callable[[Any, ViewCursor, Tables], None]


class RoutedView:
    """A view that sends each event class to its handler and reads only those."""

    def __init__(self, handlers: Mapping[type[Any], Handler]) -> None:
        self._handlers = dict(handlers)
        self.topics = [get_topic(kind) for kind in self._handlers]

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Change the view's rows for one event."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event, cursor, tables)


@dataclass(frozen=True)
class PerStore:
    """A template that differs between the stores; None where a store needs none.

    Full-text search is the case: an FTS5 table on SQLite, tsvector and GIN on
    PostgreSQL.
    """

    sqlite: str | None
    postgresql: str | None


Template = str | PerStore


class View(Protocol):
    """A read model: its tables, the event topics it reads, and how it applies one.

    `tables` and `indexes` are SQL templates whose `{name}` fields are filled with
    the actual table names, so a rebuild can fill a fresh copy beside the live one.
    """

    @property
    def name(self) -> str:
        """The view's name, its tracking row's key."""

    @property
    def topics(self) -> Sequence[str]:
        """The topics of the events it reads."""

    @property
    def tables(self) -> Mapping[str, Template]:
        """CREATE TABLE templates by logical table name."""

    @property
    def indexes(self) -> Sequence[Template]:
        """CREATE INDEX templates."""

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Change the view's rows for one event."""


@runtime_checkable
class PositionedView(View, Protocol):
    """A read model whose rows carry the log position of their event."""

    def apply_at(
        self, position: int, event: Any, cursor: ViewCursor, tables: Tables
    ) -> None:
        """Change the view's rows for the event at this log position."""


@runtime_checkable
class BatchedView(View, Protocol):
    """A read model that applies a whole batch at once (its rows written once)."""

    def apply_batch(
        self, events: Sequence[Any], cursor: ViewCursor, tables: Tables
    ) -> None:
        """Change the view's rows for these events, in their order."""


def live_tables(view: View) -> dict[str, str]:
    """The names of the tables readers use."""
    return {logical: f"view_{logical}" for logical in view.tables}


def create_tables(
    cursor: ViewCursor, view: View, tables: Tables, *, with_indexes: bool
) -> None:
    """Create the view's tables (and indexes) if they are missing."""
    templates = [*view.tables.values(), *(view.indexes if with_indexes else ())]
    for template in templates:
        if isinstance(template, PerStore):
            statement = template.postgresql if cursor.postgres else template.sqlite
        else:
            statement = template
        if statement is not None:
            cursor.execute(statement.format(**tables))


def advance(
    desk: HelpDesk,
    store: ViewStore,
    cursor: ViewCursor,
    view: View,
    tables: Tables,
    tracking: str,
    batch_size: int,
) -> tuple[int, bool]:
    """Apply the next batch in the caller's transaction; (position, caught up)."""
    start = locked_position(store, cursor, tracking)
    top = desk.recorder.max_notification_id() or 0
    if top <= start:
        return start, True
    batch = desk.recorder.select_notifications(
        start, batch_size, stop=top, topics=view.topics, inclusive_of_start=False
    )
    _apply(desk, view, batch, cursor, tables)
    # A short batch read the log up to `top`: the ids between are other topics
    # (or gaps), and skipping them keeps the lag honest.
    caught_up = len(batch) < batch_size
    end = top if caught_up else batch[-1].id
    record_position(cursor, tracking, end)
    return end, caught_up


def _apply(
    desk: HelpDesk,
    view: View,
    batch: Sequence[Notification],
    cursor: ViewCursor,
    tables: Tables,
) -> None:
    """Apply the batch's events to the view, at once where it can."""
    # Asked once per batch: a runtime-checkable Protocol's isinstance inspects
    # every member, and per event it cost more than the view's own statements.
    if isinstance(view, BatchedView):
        events = [desk.mapper.to_domain_event(n) for n in batch]
        view.apply_batch(events, cursor, tables)
        return
    positioned = view if isinstance(view, PositionedView) else None
    for notification in batch:
        event = desk.mapper.to_domain_event(notification)
        # The log position is the notification's, which the event itself lacks.
        if positioned is not None:
            positioned.apply_at(notification.id, event, cursor, tables)
        else:
            view.apply(event, cursor, tables)


def apply_batch(
    desk: HelpDesk, store: ViewStore, view: View, batch_size: int
) -> tuple[int, bool]:
    """One batch of the live view in one transaction; (position, caught up)."""
    with store.transaction(write=True) as cursor:
        return advance(
            desk, store, cursor, view, live_tables(view), view.name, batch_size
        )
