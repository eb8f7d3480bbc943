"""The agent dashboard: who holds which tickets, and how fast tickets get answered.

Definitions, so that every figure can be checked by hand against a ticket's history:

- A ticket is *open* in category new or open, *pending* in category pending;
  an agent holds it while they are its owner.
- Its *first response* is its first public agent article after it was created:
  an article written together with the ticket (stamped at its creation) opens it
  rather than answering it, and internal notes never count. The first response
  time runs from Created to that article; it is credited to the agent who wrote
  it (an admin's or a rule's reply counts in the overall figures only).
- A *resolution* is a status change from a category other than resolved/closed
  into resolved or closed (resolved -> closed is no second one). Its resolution
  time runs from Created to it, or, after a reopen (Reopened, or a status change
  out of resolved/closed), from that reopen: a reopen starts a new resolution.
  It is credited to the ticket's owner at that moment, or when nobody owns the
  ticket to the agent who resolved it, else to the overall figures only.

Durations are stored one row per first response and per resolution, with their
moment, and counted in per-day, per-agent histograms (projections.agent_durations),
so that a period's counts and medians are computed when read: the counts exactly,
a median exactly up to 1,000 durations and within +/-2% beyond. The tickets each
agent holds are counters kept in the same transaction as the tickets' rows.
"""

from __future__ import annotations

from typing import Any

from domain.articles import Sender, Visibility
from domain.people import Agent
from domain.statuses import FINISHED, Category
from domain.ticket import Ticket
from projections import agent_durations
from projections.agent_durations import NOBODY, bucket, count_duration
from projections.counters import bump
from projections.store import ViewCursor
from projections.ticket_summary import micros
from projections.view import Handler, RoutedView, Tables, Template

NAME = "agent_dashboard"
AGENT_ACTOR = "agent:"
RESPONSE, RESOLUTION = "response", "resolution"
#: What holding a ticket of each category counts as; other categories aren't held.
HELD = {
    Category.NEW.value: "open",
    Category.OPEN.value: "open",
    Category.PENDING.value: "pending",
}

TABLES: dict[str, Template] = {
    "dashboard_agents": (
        "CREATE TABLE IF NOT EXISTS {dashboard_agents} ("
        "id TEXT PRIMARY KEY, login TEXT NOT NULL, active INTEGER NOT NULL)"
    ),
    "dashboard_tickets": (
        "CREATE TABLE IF NOT EXISTS {dashboard_tickets} ("
        "id TEXT PRIMARY KEY, owner TEXT, status_category TEXT NOT NULL, "
        "created_us BIGINT NOT NULL, started_us BIGINT NOT NULL)"
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
            Ticket.ArticleAdded: _article_added,
            Ticket.Assigned: lambda e, c, t: _set_owner(c, t, e, e.owner),
            Ticket.Unassigned: lambda e, c, t: _set_owner(c, t, e, None),
            Ticket.StatusChanged: lambda e, c, t: _enter(c, t, e, e.category),
            Ticket.Reopened: _reopened,
            Ticket.Merged: lambda e, c, t: _enter(c, t, e, Category.MERGED.value),
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
    at = micros(event.timestamp)
    cursor.execute(
        f"INSERT INTO {tables['dashboard_tickets']} (id, owner, status_category, "
        "created_us, started_us) VALUES (?, NULL, ?, ?, ?)",
        (str(event.originator_id), event.status_category, at, at),
    )
    _hold(cursor, tables, None, event.status_category, 1)


def _article_added(
    event: Ticket.ArticleAdded, cursor: ViewCursor, tables: Tables
) -> None:
    """Keep and count the ticket's first response, if this article is one."""
    if event.visibility != Visibility.PUBLIC or event.sender != Sender.AGENT:
        return
    ticket, at = str(event.originator_id), micros(event.timestamp)
    cursor.execute(
        f"SELECT created_us, response.ticket FROM {tables['dashboard_tickets']} t "
        f"LEFT JOIN {tables['dashboard_responses']} response "
        "ON response.ticket = t.id WHERE t.id = ?",
        (ticket,),
    )
    row = cursor.fetchone()
    if row is None or row[1] is not None or int(row[0]) >= at:
        return
    agent, duration = credited_agent(event.actor), at - int(row[0])
    step = bucket(duration)
    cursor.execute(
        f"INSERT INTO {tables['dashboard_responses']} "
        "(ticket, agent, responded_us, duration_us, bucket) VALUES (?, ?, ?, ?, ?)",
        (ticket, agent, at, duration, step),
    )
    count_duration(cursor, tables, RESPONSE, agent, at, step)


def _set_owner(
    cursor: ViewCursor, tables: Tables, event: Any, owner: str | None
) -> None:
    """Give the ticket a new owner, who now holds it if it's open or pending."""
    table, ticket = tables["dashboard_tickets"], str(event.originator_id)
    cursor.execute(
        f"SELECT owner, status_category FROM {table} WHERE id = ?", (ticket,)
    )
    row = cursor.fetchone()
    if row is None or row[0] == owner:
        return
    cursor.execute(f"UPDATE {table} SET owner = ? WHERE id = ?", (owner, ticket))
    _hold(cursor, tables, row[0], row[1], -1)
    _hold(cursor, tables, owner, row[1], 1)


def _reopened(event: Ticket.Reopened, cursor: ViewCursor, tables: Tables) -> None:
    _set_owner(cursor, tables, event, event.owner)
    _enter(cursor, tables, event, event.category)


def _enter(cursor: ViewCursor, tables: Tables, event: Any, category: str) -> None:
    """Move the ticket into a category: a resolution, a reopen, or neither."""
    table, ticket = tables["dashboard_tickets"], str(event.originator_id)
    cursor.execute(
        f"SELECT owner, status_category, started_us FROM {table} WHERE id = ?",
        (ticket,),
    )
    row = cursor.fetchone()
    if row is None:
        return
    owner, was, started = row
    at = micros(event.timestamp)
    if category in FINISHED and was not in FINISHED:
        _resolved(
            cursor,
            tables,
            event,
            owner or credited_agent(event.actor),
            at - int(started),
        )
    elif was in FINISHED and category not in FINISHED:
        started = at
    cursor.execute(
        f"UPDATE {table} SET status_category = ?, started_us = ? WHERE id = ?",
        (category, started, ticket),
    )
    if HELD.get(was) != HELD.get(category):
        _hold(cursor, tables, owner, was, -1)
        _hold(cursor, tables, owner, category, 1)


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
