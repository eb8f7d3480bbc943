"""A record rebuilt by the desk's repository is the one the library's own
projector rebuilds, at any version, and so are the snapshots taken of it."""

from __future__ import annotations

import pickle
from typing import Any

from eventsourcing.application import project_aggregate

from domain.articles import Article, Articles
from domain.audit import Origin
from domain.desk import HelpDesk
from domain.desk.replaying import apply_events
from domain.ids import ticket_id
from tests.e2e.memory_desk import open_ticket, staffed_desk

AGENT = Origin("agent:alice")


def state(record: Any) -> dict[str, bytes]:
    """Each attribute's value, as bytes (whatever its type compares by); the
    articles as a list, unpacked or not."""
    return {
        name: pickle.dumps(
            list(value) if isinstance(value, Articles) else value,
            pickle.HIGHEST_PROTOCOL,
        )
        for name, value in vars(record).items()
    }


def long_ticket(desk: HelpDesk, articles: int) -> str:
    number = open_ticket(desk, "bob@acme.test")
    for n in range(articles):
        note = Article(desk.new_article_id(), "agent", "internal", "note", f"n{n}")
        desk.add_article(number, note, AGENT)
    return number


def test_every_version_is_rebuilt_as_the_library_rebuilds_it() -> None:
    desk = staffed_desk()
    number = long_ticket(desk, 120)
    record_id = ticket_id(number)
    top = desk.ticket(number).version
    assert top > 100  # past two snapshots

    repository: Any = desk.repository
    for version in (1, 2, 49, 50, 51, 99, 100, 101, top, None):
        ours = repository.get(record_id, version=version)
        theirs = repository.get(
            record_id, version=version, projector_func=project_aggregate
        )
        assert state(ours) == state(theirs), version


def test_the_snapshots_are_of_the_record_as_its_events_make_it() -> None:
    desk = staffed_desk()
    number = long_ticket(desk, 120)
    record_id = ticket_id(number)
    assert desk.snapshots is not None

    snapshot: Any
    [snapshot] = desk.snapshots.get(record_id, desc=True, limit=1)
    events = list(desk.events.get(record_id, lte=snapshot.originator_version))
    from_events = project_aggregate(None, events)

    assert snapshot.originator_version == 100
    assert state(snapshot.mutate(None)) == state(from_events)


def test_no_events_leave_the_record_as_it_was() -> None:
    assert apply_events(None, []) is None
