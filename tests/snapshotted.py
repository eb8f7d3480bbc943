"""Articles through a snapshot: stored by the desk's snapshot mapper, loaded back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper

from domain.articles import Articles
from domain.desk.snapshots import SnapshotMapper, state_transcoder

MAPPER = SnapshotMapper(Mapper(state_transcoder()))


class _Holder:
    """Stands in for a ticket: a snapshot is taken of its attributes."""

    id = UUID(int=1)
    version = 1

    def __init__(self, articles: Articles) -> None:
        self.articles = articles


def through_a_snapshot(articles: Articles) -> Articles:
    """The articles stored in a snapshot and loaded back (packed)."""
    taken: Any = Snapshot.take(_Holder(articles))
    loaded: Any = MAPPER.to_domain_event(MAPPER.to_stored_event(taken))
    back = loaded.state["articles"]
    assert isinstance(back, Articles)
    return back
