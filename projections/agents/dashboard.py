"""The agent dashboard: who holds which tickets, and how fast tickets get answered.

Definitions, so that every figure can be checked by hand against a ticket's history:

- A ticket is *open* in category new or open, *pending* in category pending;
  an agent holds it while they are its owner.
- Its *first response* is domain.ticket_facts' `first_response_at`: its first
  public article sent by an agent, the one an agent opens the ticket with
  included; internal notes never count. The first response time runs from
  Created to that article (zero for a ticket an agent opened with a message to
  the customer); it is credited to the agent who wrote it (an admin's or a
  rule's reply counts in the overall figures only).
- A *resolution* is a status change from a category other than resolved/closed
  into resolved or closed (resolved -> closed is no second one): the end of the
  ticket's `working_since`. Its resolution time runs from that moment (Created,
  or the last reopen: a reopen starts a new resolution). It is credited to the
  ticket's owner at that moment, or when nobody owns the ticket to the agent
  who resolved it, else to the overall figures only.

Durations are stored one row per first response and per resolution, with their
moment, and counted in per-day, per-agent histograms (projections.agents.durations),
so that a period's counts and medians are computed when read: the counts exactly,
a median exactly up to 1,000 durations and within +/-2% beyond. The tickets each
agent holds are counters kept in the same transaction as the tickets' rows.
"""

from __future__ import annotations

from typing import Any

from domain.people import Agent
from domain.statuses import Category
from domain.ticket import Ticket
from domain.ticket_facts import TicketFacts, changes, settle
from projections.agents import durations as agent_durations
from projections.agents.durations import bucket, count_duration
from projections.engine.counters import bump
from projections.engine.store import ViewCursor
from projections.engine.values import NOBODY, micros, stored
from projections.engine.view import Handler, RoutedView, Tables, Template

NAME = "agent_dashboard"
AGENT_ACTOR = "agent:"
RESPONSE, RESOLUTION = "response", "resolution"
#: What holding a ticket of each category counts as; other categories aren't held.
HELD = {
    Category.NEW.value: "open",
    Category.OPEN.value: "open",
    Category.PENDING.value: "pending",
}
#: The ticket facts each ticket's row keeps, by column; moments are micros().
FACTS = {
    "owner": "owner",
    "status_category": "status_category",
    "created_at": "created_us",
    "working_since": "working_since_us",
    "first_response_at": "first_response_us",
}

TABLES: dict[str, Template] = {
    "dashboard_agents": (
        "CREATE TABLE IF NOT EXISTS {dashboard_agents} ("
        "id TEXT PRIMARY KEY, login TEXT NOT NULL, active INTEGER NOT NULL)"
    ),
    "dashboard_tickets": (
        "CREATE TABLE IF NOT EXISTS {dashboard_tickets} ("
        "id TEXT PRIMARY KEY, owner TEXT, status_category TEXT NOT NULL, "
        "created_us BIGINT NOT NULL, working_since_us BIGINT, "
        "first_response_us BIGINT)"
    ),
    # Per owner (NOBODY: nobody's), the tickets held as open and as pending.
    "dashboard_held": (
        "CREATE TABLE IF NOT EXISTS {dashboard_held} ("
        "owner TEXT NOT NULL, held TEXT NOT NULL, tickets INTEGER NOT NULL, "
        "PRIMARY KEY (owner, held))"
    ),
    "dashboard_responses": (
        "CREATE TABLE IF NOT EXISTS {dashboard_responses} ("
        "ticket TEXT PRIMARY KEY, agent TEXT, responded_us BIGINT NOT NULL, "
        "duration_us BIGINT NOT NULL, bucket INTEGER NOT NULL)"
    ),
    # One row per resolution: the event's version tells a ticket's apart.
    "dashboard_resolutions": (
        "CREATE TABLE IF NOT EXISTS {dashboard_resolutions} ("
        "ticket TEXT NOT NULL, version INTEGER NOT NULL, agent TEXT, "
        "resolved_us BIGINT NOT NULL, duration_us BIGINT NOT NULL, "
        "bucket INTEGER NOT NULL, PRIMARY KEY (ticket, version))"
    ),
    **agent_durations.TABLES,
}
# The edges of a period are read from the raw rows: these indexes hold every
# column those reads need (agent, bucket, duration), so no row is looked up
# (at 1M tickets a 30-day dashboard took 120 ms with lookups, 30-50 without).
INDEXES = [
    "CREATE INDEX IF NOT EXISTS {dashboard_responses}_at "
    "ON {dashboard_responses} (responded_us, agent, bucket, duration_us)",
    "CREATE INDEX IF NOT EXISTS {dashboard_responses}_agent_at "
    "ON {dashboard_responses} (agent, responded_us, bucket, duration_us)",
    "CREATE INDEX IF NOT EXISTS {dashboard_resolutions}_at "
    "ON {dashboard_resolutions} (resolved_us, agent, bucket, duration_us)",
    "CREATE INDEX IF NOT EXISTS {dashboard_resolutions}_agent_at "
    "ON {dashboard_resolutions} (agent, resolved_us, bucket, duration_us)",
]


class AgentDashboard(RoutedView):
    """Keeps the agents, each ticket's owner and clock, responses and resolutions."""

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        handlers: dict[type[Any], Handler] = {
            Agent.Created: _hired,
            Agent.Updated: _agent_updated,
            Ticket.Created: _created,
            **dict.fromkeys(
                (
                    Ticket.ArticleAdded,
                    Ticket.Assigned,
                    Ticket.Unassigned,
                    Ticket.StatusChanged,
                    Ticket.Reopened,
                    Ticket.PendingExpired,
                    Ticket.Merged,
                ),
                _learn,
            ),
        }
        super().__init__(handlers)


def credited_agent(actor: str) -> str | None:
    """The agent's login if an agent did it; None for admins, rules and system."""
    return actor.removeprefix(AGENT_ACTOR) if actor.startswith(AGENT_ACTOR) else None


def _hired(event: Agent.Created, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"INSERT INTO {tables['dashboard_agents']} (id, login, active) "
        "VALUES (?, ?, 1)",
        (str(event.originator_id), event.login),
    )


def _agent_updated(event: Agent.Updated, cursor: ViewCursor, tables: Tables) -> None:
    cursor.execute(
        f"UPDATE {tables['dashboard_agents']} SET active = ? WHERE id = ?",
        (int(event.active), str(event.originator_id)),
    )


def _created(event: Ticket.Created, cursor: ViewCursor, tables: Tables) -> None:
    facts = TicketFacts().after(event)
    kept = {column: stored(getattr(facts, fact)) for fact, column in FACTS.items()}
    cursor.execute(
        f"INSERT INTO {tables['dashboard_tickets']} (id, {', '.join(kept)}) "
        f"VALUES (?, {', '.join('?' for _ in kept)})",
        (str(event.originator_id), *kept.values()),
    )
    _hold(cursor, tables, facts.owner, event.status_category, 1)


def _learn(event: Any, cursor: ViewCursor, tables: Tables) -> None:
    """Fold the event into the ticket's facts: count a first response or a
    resolution if it is one, and move the ticket between what owners hold."""
    found = {fact: change for fact, change in changes(event).items() if fact in FACTS}
    if not found:
        return
    table, ticket = tables["dashboard_tickets"], str(event.originator_id)
    cursor.execute(
        f"SELECT {', '.join(FACTS.values())} FROM {table} WHERE id = ?", (ticket,)
    )
    row = cursor.fetchone()
    if row is None:
        return
    was: dict[str, Any] = dict(zip(FACTS, row, strict=True))
    now = {**was, **{f: stored(v) for f, v in settle(found, was).items()}}
    if now == was:
        return
    assignments = ", ".join(f"{column} = ?" for column in FACTS.values())
    cursor.execute(
        f"UPDATE {table} SET {assignments} WHERE id = ?", (*now.values(), ticket)
    )
    if was["first_response_at"] is None and now["first_response_at"] is not None:
        _responded(cursor, tables, event, now)
    if was["working_since"] is not None and now["working_since"] is None:
        agent = now["owner"] or credited_agent(event.actor)
        duration = micros(event.timestamp) - was["working_since"]
        _resolved(cursor, tables, event, agent, duration)
    held = (now["owner"], HELD.get(now["status_category"]))
    if (was["owner"], HELD.get(was["status_category"])) != held:
        _hold(cursor, tables, was["owner"], was["status_category"], -1)
        _hold(cursor, tables, now["owner"], now["status_category"], 1)


def _responded(
    cursor: ViewCursor, tables: Tables, event: Any, now: dict[str, Any]
) -> None:
    """Keep the ticket's first response and count it."""
    at = now["first_response_at"]
    agent, duration = credited_agent(event.actor), at - now["created_at"]
    step = bucket(duration)
    cursor.execute(
        f"INSERT INTO {tables['dashboard_responses']} "
        "(ticket, agent, responded_us, duration_us, bucket) VALUES (?, ?, ?, ?, ?)",
        (str(event.originator_id), agent, at, duration, step),
    )
    count_duration(cursor, tables, RESPONSE, agent, at, step)


def _resolved(
    cursor: ViewCursor, tables: Tables, event: Any, agent: str | None, duration: int
) -> None:
    """Keep a resolution's row and count it."""
    at, step = micros(event.timestamp), bucket(duration)
    cursor.execute(
        f"INSERT INTO {tables['dashboard_resolutions']} "
        "(ticket, version, agent, resolved_us, duration_us, bucket) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (str(event.originator_id), event.originator_version, agent, at, duration, step),
    )
    count_duration(cursor, tables, RESOLUTION, agent, at, step)


def _hold(
    cursor: ViewCursor, tables: Tables, owner: str | None, category: str, amount: int
) -> None:
    """Add to what an owner (None: nobody) holds, if a ticket of the category counts."""
    held = HELD.get(category)
    if held is not None:
        keys = {"owner": owner or NOBODY, "held": held}
        bump(cursor, tables["dashboard_held"], keys, amount)
