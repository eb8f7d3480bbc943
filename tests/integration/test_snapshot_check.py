"""`tickettape replay snapshots`: a snapshot altered in the database, or one
that does not decode, is named (exit 3) and can be dropped, on both stores."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eventsourcing.persistence import StoredEvent

from domain.articles import Article
from domain.audit import Origin
from domain.desk import TicketDraft
from domain.ids import ticket_id
from tests.replay.cli import replay
from tests.stores import cli_runtime
from tickettape.bootstrap import initialize

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")


def long_ticket(env: dict[str, str]) -> str:
    """A ticket of 60 events (one snapshot, at 50), on an initialized store."""
    with cli_runtime(env, record_cache_size=0) as runtime:
        initialize(runtime)
        desk = runtime.desk
        draft = TicketDraft("Printer on fire", "bob@acme.test")
        first = Article("a1", "customer", "public", "web", "It smokes.")
        number = desk.open_ticket(draft, first, BOB).number
        n = 0
        while desk.ticket(number).version < 60:
            note = Article(f"n{n}", "agent", "internal", "note", f"note {n}")
            desk.add_article(number, note, ALICE)
            n += 1
        return number


def forge(env: dict[str, str], number: str) -> None:
    """Rewrite the snapshot at 50 with another title, as someone with access
    to the database and the code could."""
    with cli_runtime(env, record_cache_size=0) as runtime:
        snapshots: Any = runtime.desk.snapshots
        record = ticket_id(number)
        [stored] = snapshots.recorder.select_events(record, lte=50)
        snapshot = snapshots.mapper.to_domain_event(stored)
        state = dict(snapshot.state, title="Nothing happened here")
        object.__setattr__(snapshot, "state", state)
        snapshots.recorder.drop_snapshot(record, 50)
        snapshots.recorder.insert_events([snapshots.mapper.to_stored_event(snapshot)])


def damage(env: dict[str, str], number: str) -> None:
    """Add a snapshot at 60 that does not decode."""
    with cli_runtime(env, record_cache_size=0) as runtime:
        snapshots: Any = runtime.desk.snapshots
        [stored] = snapshots.recorder.select_events(ticket_id(number), lte=50)
        garbage = StoredEvent(stored.originator_id, 60, stored.topic, b"\x00garbage")
        snapshots.recorder.insert_events([garbage])


def title_of(env: dict[str, str], number: str) -> str:
    with cli_runtime(env, record_cache_size=0) as runtime:
        return runtime.desk.ticket(number).title


def test_snapshots_of_untouched_tickets_are_intact(cli_env: dict[str, str]) -> None:
    long_ticket(cli_env)

    code, output = replay(cli_env, "snapshots")

    assert code == 0, output
    assert "intact" in output


def test_an_altered_snapshot_is_named_and_dropped(cli_env: dict[str, str]) -> None:
    number = long_ticket(cli_env)
    forge(cli_env, number)
    # What a load shows while the forged snapshot is the latest.
    assert title_of(cli_env, number) == "Nothing happened here"
    damage(cli_env, number)

    code, output = replay(cli_env, "snapshots")

    assert code == 3, output
    assert f"ticket {number} at version 50: it differs from its events in title" in (
        output
    )
    assert f"ticket {number} at version 60: it cannot be read" in output

    code, output = replay(cli_env, "snapshots", "--drop")

    assert code == 0, output
    assert "dropped 2 snapshot(s)" in output
    assert title_of(cli_env, number) == "Printer on fire"
    assert replay(cli_env, "snapshots")[0] == 0


def test_a_snapshot_whose_articles_were_altered_is_named(
    cli_env: dict[str, str],
) -> None:
    number = long_ticket(cli_env)
    with cli_runtime(cli_env, record_cache_size=0) as runtime:
        snapshots: Any = runtime.desk.snapshots
        [stored] = snapshots.recorder.select_events(ticket_id(number), lte=50)
        altered = stored.state.replace(b"note 7", b"note 8")
        snapshots.recorder.drop_snapshot(ticket_id(number), 50)
        snapshots.recorder.insert_events([replace(stored, state=altered)])

    code, output = replay(cli_env, "snapshots")

    assert code == 3, output
    assert "it differs from its events in articles" in output
