"""The archive is readable without the code: plain JSON carrying who and why."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.ids import ticket_id

DeskFactory = Callable[..., HelpDesk]

BOB = Origin("customer:bob@acme.test", "mail-1")
ALICE = Origin("agent:alice", "req-7")


def tagged_ticket(desk: HelpDesk) -> UUID:
    """A ticket opened by bob and tagged by alice; returns its id."""
    draft = TicketDraft(title="Printer on fire", customer="bob@acme.test")
    first = Article("a1", "customer", "public", "web", "It smokes.")
    number = desk.open_ticket(draft, first, BOB).number
    desk.tag(number, "vip", ALICE)
    return ticket_id(number)


def raw_states(env: dict[str, str], originator_id: UUID) -> list[bytes]:
    """The stored state column of a stream, read straight from the database."""
    if "SQLITE_DBNAME" in env:
        # The SQLite recorder keeps UUIDs as 32 hex digits, without dashes.
        query = (
            "SELECT state FROM stored_events WHERE originator_id = ? "
            "ORDER BY originator_version"
        )
        with contextlib.closing(sqlite3.connect(env["SQLITE_DBNAME"])) as conn:
            rows = conn.execute(query, (originator_id.hex,)).fetchall()
        return [bytes(row[0]) for row in rows]
    select = sql.SQL(
        "SELECT state FROM {}.helpdesk_events WHERE originator_id = %s "
        "ORDER BY originator_version"
    ).format(sql.Identifier(env["POSTGRES_SCHEMA"]))
    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
    ) as conn:
        return [bytes(row[0]) for row in conn.execute(select, (originator_id,))]


def stamps(states: list[bytes]) -> list[tuple[Any, Any]]:
    """The (actor, correlation id) of each JSON state."""
    decoded = [json.loads(state) for state in states]
    return [(d["actor"], d["correlation_id"]) for d in decoded]


EXPECTED = [
    (BOB.actor, BOB.correlation_id),
    (BOB.actor, BOB.correlation_id),
    (ALICE.actor, ALICE.correlation_id),
]


def test_recorded_state_is_json_with_actor_and_correlation(
    store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(store_env)
    originator_id = tagged_ticket(desk)

    stored = desk.recorder.select_events(originator_id)

    assert stamps([event.state for event in stored]) == EXPECTED


def test_the_database_holds_plain_json(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(durable_store_env)
    originator_id = tagged_ticket(desk)

    states = raw_states(durable_store_env, originator_id)

    assert stamps(states) == EXPECTED
    assert json.loads(states[-1])["tag"] == "vip"
    assert json.loads(states[0])["title"] == "Printer on fire"
