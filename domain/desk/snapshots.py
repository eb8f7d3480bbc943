"""How a ticket's snapshot is stored: its articles apart, unpacked when read.

A snapshot of a long ticket is mostly its articles (a thousand short ones are
some 670 KB of JSON, the rest of the ticket about one), and most loads never
read them: a status change, an assignment, a clock's mark, a zoom of the record
by a worker. So the snapshot's stored state is two JSON documents, one line
apart, the way the desk's transcoder writes them (JSON as it writes it has no
raw newline):

    {"timestamp": ..., "topic": ..., "state": {..., "articles": [ids]}}
    [article, article, ...]

The first is decoded as every stored event is, with the article ids where the
articles were; the second is kept as it is (`Articles.packed`) until something
reads an article. A snapshot stored before this format (one document, the
articles in it, class version 2) still loads: the ticket's upcast keeps its
decoded articles. Compression and the cipher apply to the two together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    EventStore,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from domain.articles import Article, Articles
from domain.attachments import AttachmentRef
from domain.links import Link, Rating, TimeEntry
from domain.statuses import Status
from domain.tasks import Task

log = logging.getLogger(__name__)

ARTICLES = "articles"
SEPARATOR = b"\n"
# The value objects kept in a ticket's state (and in configuration records).
STATE_VALUES = (Article, AttachmentRef, Link, TimeEntry, Rating, Status, Task)


class _DataclassAsDict(Transcoding):
    """Stores a frozen dataclass of the ticket's state as a plain JSON object.

    Decoding a value stored with every field fills the object's attributes
    directly: a frozen dataclass's __init__ sets each field through
    object.__setattr__, five times the cost, and a snapshot of a long ticket
    holds a thousand articles. A value stored before a field was added (or a
    class that checks its fields after __init__) goes through the constructor.
    """

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__.lower()
        direct = not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
        self._every_field = (
            frozenset(f.name for f in fields(cls) if f.init) if direct else None
        )

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        if self._every_field is not None and data.keys() == self._every_field:
            value: Any = object.__new__(self.type)
            value.__dict__.update(data)
            return value
        return self.type(**data)


def register_state_values(transcoder: JSONTranscoder) -> None:
    """Teach a JSON transcoder the value objects kept in records' state."""
    for cls in STATE_VALUES:
        if is_dataclass(cls):
            transcoder.register(_DataclassAsDict(cls))


@cache
def state_transcoder() -> JSONTranscoder:
    """The desk's transcoder as the library's Application makes it, with ours."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_state_values(transcoder)
    return transcoder


def unpack_articles(packed: bytes) -> list[Article]:
    """Articles as a snapshot stored them (a module function: a copy of a
    ticket whose articles are still packed is made with pickle)."""
    return cast(list[Article], state_transcoder().decode(packed))


class SnapshotMapper(Mapper[UUID]):
    """The desk's mapper for snapshots: a ticket's articles stored apart."""

    def __init__(self, events: Mapper[UUID]) -> None:
        super().__init__(events.transcoder, events.compressor, events.cipher)
        # Decodes what the cipher and the compressor gave back.
        self._plain: Mapper[UUID] = Mapper(events.transcoder)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = getattr(domain_event, "state", None)
        if not (
            isinstance(domain_event, CanSnapshotAggregate)
            and isinstance(state, dict)
            and isinstance(state.get(ARTICLES), Articles)
        ):
            return super().to_stored_event(domain_event)
        articles: Articles = state[ARTICLES]
        event_state = dict(vars(domain_event))
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        event_state["state"] = {**state, ARTICLES: articles.ids()}
        stored = (
            self.transcoder.encode(event_state)
            + SEPARATOR
            + _packed(self.transcoder, articles)
        )
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=stored,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        stored = stored_event.state
        try:
            if self.cipher:
                stored = self.cipher.decrypt(stored)
            if self.compressor:
                stored = self.compressor.decompress(stored)
        except Exception as error:
            raise MapperDeserialisationError(
                f"Failed to decrypt or decompress the snapshot of "
                f"'{stored_event.originator_id}' at version "
                f"{stored_event.originator_version}: {error}"
            ) from error
        head, apart, packed = stored.partition(SEPARATOR)
        event = self._plain.to_domain_event(
            StoredEvent(
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                topic=stored_event.topic,
                state=head,
            )
        )
        state = getattr(event, "state", None)
        if not (
            isinstance(state, dict) and isinstance(getattr(event, "topic", None), str)
        ):
            raise MapperDeserialisationError(
                f"the snapshot of '{stored_event.originator_id}' at version "
                f"{stored_event.originator_version} names no record's state"
            )
        if apart:
            ids = state.get(ARTICLES)
            if not isinstance(ids, list):
                raise MapperDeserialisationError(
                    f"the snapshot of '{stored_event.originator_id}' at version "
                    f"{stored_event.originator_version} has articles apart "
                    "but no list of their ids"
                )
            # Read later, when nothing can go back to the events: a cut-off
            # array is refused now (what is inside is the transcoder's).
            if not (packed.startswith(b"[") and packed.endswith(b"]")):
                raise MapperDeserialisationError(
                    f"the articles of the snapshot of '{stored_event.originator_id}'"
                    f" at version {stored_event.originator_version} are cut off"
                )
            state[ARTICLES] = Articles.packed(ids, packed, unpack_articles)
        return event


class SnapshotStore(EventStore[UUID]):
    """The library's snapshot store, passing over a snapshot it cannot read.

    A snapshot only saves work; the events are the record. One that does not
    decode (damaged, written by a newer release, altered by hand) is left out,
    with a warning, and the record is rebuilt from its events instead of
    becoming unreadable.
    """

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """The snapshots that decode, as the library's store selects them."""
        stored = self.recorder.select_events(
            originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        for snapshot in stored:
            try:
                yield self.mapper.to_domain_event(snapshot)
            except MapperDeserialisationError as error:
                log.warning(
                    "the snapshot of %s at version %s cannot be read, so its "
                    "events are replayed instead (%s)",
                    snapshot.originator_id,
                    snapshot.originator_version,
                    error,
                )


def _packed(transcoder: Transcoder, articles: Articles) -> bytes:
    """The articles as stored: those still packed as they came, spliced with
    the ones added since (both are JSON arrays)."""
    shelf = articles.still_packed()
    if shelf is None:
        return transcoder.encode(list(articles))
    packed, added = shelf
    if not added:
        return packed
    more = transcoder.encode(added)
    if packed == b"[]":
        return more
    return packed[:-1] + b"," + more[1:]
