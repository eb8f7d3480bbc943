"""The disclosure policy: an entry for every event, field and article part."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

from api.schemas.search import SearchHitOut
from api.schemas.tickets import ArticleOut, TicketOut
from api.schemas.views import TicketSummaryOut
from domain.articles import Article
from domain.disclosure import (
    ARTICLE_FIELDS,
    ENVELOPE,
    EVENTS,
    EVERYTHING,
    TICKET_FIELDS,
    Disclosure,
    Reader,
)
from domain.links import Link
from domain.ticket import Ticket
from replay.history import TRACKED

EVENT_CLASSES = sorted(
    (
        kind
        for kind in vars(Ticket).values()
        if isinstance(kind, type)
        and issubclass(kind, Aggregate.Event)
        and kind is not Ticket.Event
    ),
    key=lambda kind: kind.__name__,
)
CUSTOMER = Disclosure(Reader.CUSTOMER, lambda number: number == "own")


def event(event_class: Any, **fields: Any) -> Any:
    """An event of this class on some ticket, by agent alice."""
    return event_class(
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime(2024, 1, 1, tzinfo=UTC),
        actor="agent:alice",
        correlation_id=None,
        **fields,
    )


def test_every_ticket_event_has_a_rule() -> None:
    assert len(EVENT_CLASSES) >= 19
    missing = [kind.__name__ for kind in EVENT_CLASSES if kind not in EVENTS]
    assert not missing, f"no disclosure rule for {missing}"


@pytest.mark.parametrize("kind", EVENT_CLASSES, ids=lambda kind: kind.__name__)
def test_every_field_of_an_event_has_an_entry(kind: type[Ticket.Event]) -> None:
    rule = EVENTS[kind]
    names = {field.name for field in dataclasses.fields(kind)}
    missing = names - set(ENVELOPE) - set(rule.fields)
    assert not missing, f"{kind.__name__}: no entry for {sorted(missing)}"
    if rule.names_ticket is not None:
        assert rule.names_ticket in names


def test_every_article_field_has_an_entry() -> None:
    names = {field.name for field in dataclasses.fields(Article)}
    names |= set(ArticleOut.model_fields)
    assert names - set(ARTICLE_FIELDS) == set()


@pytest.mark.parametrize("schema", [TicketOut, TicketSummaryOut, SearchHitOut])
def test_every_ticket_field_shown_has_an_entry(schema: Any) -> None:
    shown = set(schema.model_fields) - {"article_id", "snippet"}
    assert shown - set(TICKET_FIELDS) == set()


def test_every_ticket_field_in_a_history_entry_has_an_entry() -> None:
    assert set(TRACKED) - set(TICKET_FIELDS) == set()


def test_auditors_are_told_everything() -> None:
    for rule in EVENTS.values():
        assert Reader.AUDITOR in rule.readers
        assert all(Reader.AUDITOR in readers for readers in rule.fields.values())
    for table in (TICKET_FIELDS, ARTICLE_FIELDS):
        assert all(Reader.AUDITOR in readers for readers in table.values())


def test_a_customer_is_not_told_time_spent_on_a_reply() -> None:
    reply = event(
        Ticket.ArticleAdded,
        article_id="a1",
        sender="agent",
        visibility="public",
        channel="web",
        subject="",
        body="Try this.",
        body_html=None,
        from_address=None,
        to=[],
        cc=[],
        attachments=[],
        message_id=None,
        in_reply_to=None,
        time_spent_minutes=7,
    )
    told = CUSTOMER.event_fields(reply)
    assert told is not None
    assert told["body"] == "Try this."
    assert "time_spent_minutes" not in told
    assert not CUSTOMER.sees_article_field("time_spent_minutes")
    note = dataclasses.replace(reply, visibility="internal")
    assert CUSTOMER.event_fields(note) is None
    assert (EVERYTHING.event_fields(note) or {})["time_spent_minutes"] == 7


def test_a_status_reason_is_a_note_to_colleagues() -> None:
    change = event(
        Ticket.StatusChanged,
        from_status="new",
        to_status="open",
        category="open",
        pending_until=None,
        reason="the customer is difficult",
    )
    assert CUSTOMER.event_fields(change) == {
        "from_status": "new",
        "to_status": "open",
        "category": "open",
        "pending_until": None,
    }
    assert (EVERYTHING.event_fields(change) or {})["reason"].startswith("the")


def test_a_customer_is_told_only_of_tickets_they_may_see() -> None:
    own, other = (event(Ticket.Linked, number=n, kind="related") for n in ("own", "9"))
    assert CUSTOMER.sees_event(own)
    assert not CUSTOMER.sees_event(other)
    links = [Link("own", "related"), Link("9", "parent")]
    assert CUSTOMER.links(links) == [Link("own", "related")]
    assert CUSTOMER.other_ticket("9") is None
    assert EVERYTHING.links(links) == links


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (Ticket.TimeAccounted, {"minutes": 5, "article_id": None, "activity": "x"}),
        (Ticket.FieldChanged, {"name": "serial", "value": "X1", "previous": None}),
        (
            Ticket.TaskScheduled,
            {
                "task_id": "t1",
                "title": "Call back",
                "assignee": "alice",
                "due_at": datetime(2024, 1, 2, tzinfo=UTC),
            },
        ),
        (Ticket.TaskDone, {"task_id": "t1"}),
        (Ticket.TaskReopened, {"task_id": "t1"}),
    ],
)
def test_staff_work_is_not_told_to_customers(
    kind: type[Ticket.Event], fields: dict[str, Any]
) -> None:
    assert CUSTOMER.event_fields(event(kind, **fields)) is None
    assert Disclosure(Reader.AGENT).event_fields(event(kind, **fields)) == fields


def test_a_tickets_tasks_are_for_staff() -> None:
    assert not CUSTOMER.sees_ticket_field("tasks")
    assert Disclosure(Reader.AGENT).sees_ticket_field("tasks")
    assert EVERYTHING.sees_ticket_field("tasks")
