"""Ticket summaries for spreadsheets, folded from the event store (not the views)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.desk import HelpDesk
from domain.ticket import Ticket

COLUMNS = [
    "number",
    "title",
    "customer",
    "organization",
    "queue",
    "status",
    "category",
    "priority",
    "type",
    "owner",
    "created",
    "updated",
    "finished",
]
BATCH = 500


def ticket_ids(desk: HelpDesk) -> Iterator[UUID]:
    """The id of every ticket, in the order they were opened."""
    topic, start = get_topic(Ticket.Created), 1
    while batch := desk.recorder.select_notifications(start, BATCH, topics=[topic]):
        yield from (UUID(str(n.originator_id)) for n in batch)
        start = batch[-1].id + 1


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def summary_row(ticket: Ticket) -> list[str]:
    """One ticket's spreadsheet row, in the order of COLUMNS."""
    return [
        ticket.number,
        ticket.title,
        ticket.customer,
        ticket.organization or "",
        ticket.queue,
        ticket.status,
        ticket.status_category,
        ticket.priority,
        ticket.type,
        ticket.owner or "",
        _when(ticket.created_on),
        _when(ticket.modified_on),
        _when(ticket.finished_at),
    ]


def write_summaries(desk: HelpDesk, file: TextIO) -> int:
    """Write the header and one row per ticket as CSV; how many tickets."""
    writer = csv.writer(file)
    writer.writerow(COLUMNS)
    count = 0
    for ticket_id in ticket_ids(desk):
        ticket: object = desk.repository.get(ticket_id)
        if isinstance(ticket, Ticket):
            writer.writerow(summary_row(ticket))
            count += 1
    return count
