"""A ticket's snapshot stores its articles apart, unpacked only when read
(domain/desk/snapshots.py): loads equal the events' own rebuild, a load that
reads no article decodes none, and snapshots stored whole before still load."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper

from domain.articles import Article, Articles
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import InvalidValue
from domain.ids import ticket_id
from tests.integration.unsnapped import UnsnappedDesk, replayed
from tickettape.encryption import CIPHER_TOPIC, KEY_BYTES

DeskFactory = Callable[..., HelpDesk]

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")
SECRET = "the printer password is hunter2"
COLD = {"RECORD_CACHE_SIZE": "0"}


def note(n: int) -> Article:
    return Article(f"n{n}", "agent", "internal", "note", f"note {n}: {SECRET}")


def ticket_of(desk: HelpDesk, articles: int) -> str:
    """A ticket of one customer article and `articles` notes, with a tag now
    and then, so that snapshots fall both on notes and between them."""
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    first = Article("a1", "customer", "public", "web", "It smokes.")
    number = desk.open_ticket(draft, first, BOB).number
    for n in range(articles):
        desk.add_article(number, note(n), ALICE)
        if n % 7 == 0:
            desk.tag(number, f"t{n}", ALICE)
    return number


def packed(ticket: Any) -> bool:
    """Whether the ticket's articles are still as the snapshot stored them."""
    return vars(ticket)["articles"].still_packed() is not None


@pytest.mark.parametrize("cache", ["warm", "cold"])
def test_a_ticket_loads_from_its_snapshots_as_from_its_events(
    durable_store_env: dict[str, str], desk_factory: DeskFactory, cache: str
) -> None:
    store_env = durable_store_env
    # Written without the record cache, every command loads the ticket from
    # its snapshot, still packed, and the next snapshot adds to the packed
    # articles the ones written since.
    writer = desk_factory({**store_env, **(COLD if cache == "cold" else {})})
    number = ticket_of(writer, 130)
    assert writer.snapshots is not None
    versions = [s.originator_version for s in writer.snapshots.get(ticket_id(number))]
    assert versions == [50, 100, 150]

    reader = desk_factory({**store_env, **COLD})
    for version in (49, 50, 51, 99, 100, 101, 150, None):
        loaded = reader.ticket(number, version=version)
        events = replayed(reader, number, version)
        assert vars(loaded) == vars(events), version
        assert list(loaded.articles) == list(events.articles)
        assert [a.article_id for a in loaded.articles] == loaded.articles.ids()


def test_a_load_that_reads_no_article_decodes_none(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    number = ticket_of(desk_factory(durable_store_env), 60)
    # A desk of its own: its first load of the ticket is from the snapshot.
    desk = desk_factory(durable_store_env)

    ticket = desk.ticket(number)
    assert packed(ticket)
    assert len(ticket.articles) == 61
    assert ticket.articles.has("n59")
    assert not ticket.articles.has("n60")
    assert packed(ticket)
    # The desk shares that record; commands change copies of it, packed too.
    desk.change_priority(number, "high", ALICE)
    desk.add_article(number, note(60), ALICE)
    assert packed(ticket)
    assert packed(desk.ticket(number))

    assert ticket.articles[-1].article_id == "n59"
    assert not packed(ticket)
    latest = desk.ticket(number).articles
    assert (latest[-1].article_id, latest[-1].body) == ("n60", note(60).body)
    assert latest.ids() == [a.article_id for a in replayed(desk, number).articles]


def test_an_article_added_twice_is_refused_from_a_packed_ticket(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    number = ticket_of(desk_factory(durable_store_env), 55)
    desk = desk_factory({**durable_store_env, **COLD})

    with pytest.raises(InvalidValue, match="exists already"):
        desk.add_article(number, note(3), ALICE)

    assert len(desk.ticket(number).articles) == 56


def test_a_snapshot_stored_whole_still_loads(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    # Written without snapshots, then given one the way snapshots were stored
    # before their articles went apart: one document, class version 2.
    number = ticket_of(desk_factory(durable_store_env, UnsnappedDesk), 40)
    desk = desk_factory({**durable_store_env, **COLD})
    ticket = replayed(desk, number)
    old = Snapshot.take(ticket)
    state = dict(old.state, articles=list(ticket.articles), class_version=2)
    object.__setattr__(old, "state", state)
    assert desk.snapshots is not None
    whole: Mapper[Any] = Mapper(desk.mapper.transcoder)
    stored = whole.to_stored_event(old)
    assert b"\n" not in stored.state
    desk.snapshots.recorder.insert_events([stored])
    desk.tag(number, "after", ALICE)

    loaded = desk.ticket(number)

    assert isinstance(loaded.articles, Articles)
    assert not packed(loaded)
    assert vars(loaded) == vars(replayed(desk, number))


def test_an_encrypted_snapshot_hides_its_articles_and_loads(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    key = base64.b64encode(os.urandom(KEY_BYTES)).decode()
    env = {**durable_store_env, "CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key}
    desk = desk_factory({**env, **COLD})
    number = ticket_of(desk, 60)
    assert desk.snapshots is not None

    [stored] = desk.snapshots.recorder.select_events(ticket_id(number))

    assert SECRET.encode() not in stored.state
    assert b"n59" not in stored.state
    loaded = desk.ticket(number)
    assert packed(loaded)
    assert vars(loaded) == vars(replayed(desk, number))


def test_a_snapshot_missing_its_article_ids_is_refused(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory({**durable_store_env, **COLD})
    number = ticket_of(desk, 60)
    assert desk.snapshots is not None
    [stored] = desk.snapshots.recorder.select_events(ticket_id(number))
    head, _, articles = stored.state.partition(b"\n")
    broken = head.replace(b'"articles":["a1"', b'"articles":{"a1":1},"x":["a1"')

    with pytest.raises(ValueError, match="no list of their ids"):
        desk.snapshots.mapper.to_domain_event(
            type(stored)(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                broken + b"\n" + articles,
            )
        )


@pytest.mark.parametrize(
    "state",
    [
        b"garbage",
        b'{"topic": "domain.ticket:Ticket", "state": {"articles": 1}}\n[]',
        b'{"topic": "domain.ticket:Ticket", "state": 5}',
        b'{"state": {}}',
        b"\xff\xfe\n[]",
        b"",
        b"cut",
    ],
    ids=[
        "not-json",
        "no-ids",
        "state-not-an-object",
        "no-topic",
        "not-utf8",
        "empty",
        "articles-cut-off",
    ],
)
def test_a_snapshot_that_does_not_decode_is_passed_over(
    durable_store_env: dict[str, str],
    desk_factory: DeskFactory,
    state: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Damaged, written by a newer release, or altered by hand: the events
    # are the record, and the ticket is rebuilt from them.
    desk = desk_factory({**durable_store_env, **COLD})
    number = ticket_of(desk, 60)
    top = desk.ticket(number).version
    assert desk.snapshots is not None
    [good] = desk.snapshots.recorder.select_events(ticket_id(number))
    if state == b"cut":
        state = good.state[:-20]
    bad = type(good)(good.originator_id, top, good.topic, state)
    desk.snapshots.recorder.insert_events([bad])

    loaded = desk.ticket(number)

    assert loaded.version == top
    assert vars(loaded) == vars(replayed(desk, number))
    assert f"at version {top} cannot be read" in caplog.text
    desk.tag(number, "still-writable", ALICE)
    assert "still-writable" in desk.ticket(number).tags
