"""Reading the ticket summary: filters, who may see what, sorting and cursor pages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from domain.errors import InvalidValue
from domain.statuses import Category
from projections.engine.cursors import pack, unpack
from projections.engine.scope import Scope
from projections.engine.store import Row, ViewCursor, ViewStore
from projections.engine.tracking import position
from projections.engine.values import NOBODY, from_micros, micros
from projections.tickets.summary import NAME

TICKETS, TAGS = "view_tickets", "view_ticket_tags"
COUNTS = "view_ticket_counts"

#: Keyset columns per sort; the number last makes every key unique.
SORT_KEYS = {
    "created": ("t.created_us", "t.number"),
    "updated": ("t.updated_us", "t.number"),
    # Priority, then age: the oldest ticket of a priority comes first.
    "priority": ("t.priority_rank", "-t.created_us", "t.number"),
}
PRESETS = {
    "new_and_open": (Category.NEW, Category.OPEN, Category.PENDING),
    "closed": (Category.RESOLVED, Category.CLOSED),
}
COLUMNS = (
    "t.id, t.number, t.title, t.customer, t.organization, t.queue, t.status, "
    "t.status_category, t.priority, t.priority_rank, t.type, t.owner, t.hidden, "
    "t.created_us, t.updated_us, t.version, t.last_public_sender, t.last_public_us, "
    "t.waiting_since_us, t.first_response_us, t.merged_into"
)


@dataclass(frozen=True)
class TicketFilter:
    """What the reader asked for; every given condition must hold."""

    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    owners: tuple[str | None, ...] = ()
    priorities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    customer: str | None = None
    organization: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    waiting_for_agent: bool | None = None
    hidden: bool | None = None
    preset: str | None = None
    # The queues of the groups asked for (None: no group asked for).
    group_queues: tuple[str, ...] | None = None


#: A filter that asks for nothing: every ticket in scope.
ANYTHING = TicketFilter()
#: The filter's fields the summary's counters are kept by.
COUNTABLE = (
    "statuses",
    "categories",
    "queues",
    "owners",
    "priorities",
    "hidden",
    "preset",
    "group_queues",
)


@dataclass(frozen=True)
class TicketSummaryRow:
    """One ticket as the list shows it."""

    number: str
    title: str
    customer: str
    organization: str | None
    queue: str
    status: str
    status_category: str
    priority: str
    priority_rank: int
    type: str
    owner: str | None
    hidden: bool
    created_at: datetime
    updated_at: datetime
    version: int
    last_public_sender: str | None
    last_public_at: datetime | None
    waiting_for_agent: bool
    first_response_at: datetime | None
    merged_into: str | None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TicketPage:
    """A page of tickets, the total that match, and where the view stands."""

    tickets: list[TicketSummaryRow]
    total: int
    next_cursor: str | None
    position: int


def find_tickets(
    store: ViewStore,
    scope: Scope,
    wanted: TicketFilter,
    sort: str = "created",
    descending: bool = True,
    limit: int = 50,
    cursor: str | None = None,
) -> TicketPage:
    """A page of the tickets the scope allows and the filter wants."""
    keys = SORT_KEYS[sort]
    where, params = ticket_conditions(scope, wanted)
    order = " DESC" if descending else ""
    page_where, page_params = list(where), list(params)
    if cursor is not None:
        after = decode_cursor(cursor, sort, descending)
        page_where.append(
            f"({', '.join(keys)}) {'<' if descending else '>'} "
            f"({', '.join('?' for _ in keys)})"
        )
        page_params.extend(after)
    with store.transaction() as rows:
        total = count_tickets(rows, scope, wanted)
        rows.execute(
            f"SELECT {COLUMNS}, {', '.join(keys)} FROM {TICKETS} t "
            f"WHERE {' AND '.join(page_where)} "
            f"ORDER BY {', '.join(k + order for k in keys)} LIMIT ?",
            [*page_params, limit + 1],
        )
        found = rows.fetchall()
        tags = ticket_tags(rows, [row.id for row in found[:limit]])
        at = position(rows, NAME)
    page = [summary_row(row, tags.get(row.id, [])) for row in found[:limit]]
    more = len(found) > limit
    last_key = list(found[limit - 1][-len(keys) :]) if more else None
    next_cursor = encode_cursor(sort, descending, last_key) if last_key else None
    return TicketPage(page, total, next_cursor, at)


def count_tickets(rows: ViewCursor, scope: Scope, wanted: TicketFilter) -> int:
    """How many tickets match: from the counters when they are kept by all it asks."""
    counted = _counted(scope, wanted)
    if counted is None:
        where, params = ticket_conditions(scope, wanted)
        total = f"SELECT COUNT(*) FROM {TICKETS} t"
    else:
        where, params = ticket_conditions(scope, counted)
        total = f"SELECT COALESCE(SUM(t.tickets), 0) FROM {COUNTS} t"
    return rows.count(f"{total} WHERE {' AND '.join(where)}", params)


def _counted(scope: Scope, wanted: TicketFilter) -> TicketFilter | None:
    """The filter in the counters' terms, or None if it asks for more than they keep.

    A customer's scope, tags, types, dates, people and waiting need the rows.
    """
    beyond = replace(wanted, **{name: getattr(ANYTHING, name) for name in COUNTABLE})
    if scope.customer is not None or beyond != ANYTHING or NOBODY in wanted.owners:
        return None
    owners = tuple(NOBODY if owner is None else owner for owner in wanted.owners)
    return replace(wanted, owners=owners)


def encode_cursor(sort: str, descending: bool, key: list[Any]) -> str:
    """An opaque, URL-safe token for the page after the row with this key."""
    return pack([sort, descending, key])


def decode_cursor(cursor: str, sort: str, descending: bool) -> list[Any]:
    """The key inside a cursor made for this sort; InvalidValue otherwise."""
    found = unpack(cursor)
    kinds = [int] * (len(SORT_KEYS[sort]) - 1) + [str]
    if (
        not isinstance(found, list)
        or len(found) != 3
        or found[:2] != [sort, descending]
        or not isinstance(found[2], list)
        or [type(value) for value in found[2]] != kinds
    ):
        raise InvalidValue("the cursor is malformed or belongs to another sort order")
    return list(found[2])


def ticket_tags(rows: ViewCursor, ids: list[str]) -> dict[str, list[str]]:
    """The tags of these tickets (by id), each list in order."""
    tags: dict[str, list[str]] = {}
    if ids:
        rows.execute(
            f"SELECT ticket, tag FROM {TAGS} WHERE ticket IN "
            f"({', '.join('?' for _ in ids)}) ORDER BY tag",
            ids,
        )
        for ticket, tag in rows.fetchall():
            tags.setdefault(ticket, []).append(tag)
    return tags


def ticket_conditions(
    scope: Scope, wanted: TicketFilter
) -> tuple[list[str], list[Any]]:
    """SQL conditions on the summary (as `t`) for the scope and the filter."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []

    def one_of(column: str, values: tuple[Any, ...]) -> None:
        where.append(f"{column} IN ({', '.join('?' for _ in values)})")
        params.extend(values)

    queues = _queues(scope, wanted)
    if queues is not None:
        one_of("t.queue", queues or ("",))
    if scope.customer is not None:
        where.append("t.hidden = 0 AND (t.customer = ? OR t.organization = ?)")
        params.extend([scope.customer, scope.organization])
    for column, values in (
        ("t.status", wanted.statuses),
        ("t.status_category", wanted.categories),
        ("t.priority", wanted.priorities),
        ("t.type", wanted.types),
    ):
        if values:
            one_of(column, values)
    if wanted.preset is not None:
        # Literals, not parameters: only then can SQLite use the partial index
        # of unfinished tickets. The values are our own category names.
        categories = ", ".join(f"'{c.value}'" for c in PRESETS[wanted.preset])
        where.append(f"t.status_category IN ({categories})")
    if wanted.owners:
        named = tuple(o for o in wanted.owners if o is not None)
        either = [f"t.owner IN ({', '.join('?' for _ in named)})"] if named else []
        if None in wanted.owners:
            either.append("t.owner IS NULL")
        where.append(f"({' OR '.join(either)})")
        params.extend(named)
    if wanted.tags:
        where.append(
            f"EXISTS (SELECT 1 FROM {TAGS} g WHERE g.ticket = t.id AND g.tag IN "
            f"({', '.join('?' for _ in wanted.tags)}))"
        )
        params.extend(wanted.tags)
    for column, value in (
        ("t.customer", wanted.customer),
        ("t.organization", wanted.organization),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    for condition, moment in (
        ("t.created_us >= ?", wanted.created_after),
        ("t.created_us < ?", wanted.created_before),
        ("t.updated_us >= ?", wanted.updated_after),
        ("t.updated_us < ?", wanted.updated_before),
    ):
        if moment is not None:
            where.append(condition)
            params.append(micros(moment))
    if wanted.waiting_for_agent is not None:
        waits = wanted.waiting_for_agent
        where.append(f"t.waiting_since_us IS {'NOT ' if waits else ''}NULL")
    if wanted.hidden is not None:
        where.append("t.hidden = ?")
        params.append(int(wanted.hidden))
    return where, params


def _queues(scope: Scope, wanted: TicketFilter) -> tuple[str, ...] | None:
    """The queues both the scope and the filter allow; None if neither limits them.

    One condition instead of one per limit: the planners then estimate how many
    tickets a queue holds, and walk its index in order rather than sort them.
    """
    limits = [
        limit
        for limit in (scope.queues, wanted.queues or None, wanted.group_queues)
        if limit is not None
    ]
    if not limits:
        return None
    return tuple(q for q in dict.fromkeys(limits[0]) if all(q in o for o in limits))


def _moment(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def summary_row(row: Row, tags: list[str]) -> TicketSummaryRow:
    """A ticket from a row of COLUMNS."""
    return TicketSummaryRow(
        number=row.number,
        title=row.title,
        customer=row.customer,
        organization=row.organization,
        queue=row.queue,
        status=row.status,
        status_category=row.status_category,
        priority=row.priority,
        priority_rank=int(row.priority_rank),
        type=row.type,
        owner=row.owner,
        hidden=bool(row.hidden),
        created_at=from_micros(row.created_us),
        updated_at=from_micros(row.updated_us),
        version=int(row.version),
        last_public_sender=row.last_public_sender,
        last_public_at=_moment(row.last_public_us),
        waiting_for_agent=row.waiting_since_us is not None,
        first_response_at=_moment(row.first_response_us),
        merged_into=row.merged_into,
        tags=tags,
    )
