"""The value objects of a ticket's state, through the desk's JSON transcoder."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.desk import HelpDesk
from domain.links import Link, Rating, TimeEntry
from domain.statuses import Status
from domain.tasks import Task

AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
REF = AttachmentRef("a.pdf", "application/pdf", 12, "0" * 64)
VALUES: list[Any] = [
    Article(
        article_id="a1",
        sender="agent",
        visibility="internal",
        channel="note",
        body="Hello",
        to=["x@y.test"],
        attachments=[REF],
        author="agent:alice",
        created_at=AT,
    ),
    REF,
    Link("20261206000001", "parent"),
    TimeEntry(15, "call", "a1", "agent:alice", AT),
    Rating(4, "fine", AT, "customer:bob@acme.test"),
    Status("waiting", "pending", True, False),
    Task("t1", "Call back", "alice", AT, True, AT),
]


@pytest.fixture(scope="module")
def transcoder() -> Any:
    desk = HelpDesk(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        yield desk.mapper.transcoder
    finally:
        desk.close()


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_a_value_comes_back_equal_frozen_and_hashable(
    transcoder: Any, value: Any
) -> None:
    back = transcoder.decode(transcoder.encode({"value": value}))["value"]

    assert type(back) is type(value)
    assert back == value
    assert dataclasses.asdict(back) == dataclasses.asdict(value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.__setattr__(dataclasses.fields(back)[0].name, None)
    if not any(
        isinstance(getattr(value, f.name), list) for f in dataclasses.fields(value)
    ):
        assert hash(back) == hash(value)


def test_a_value_stored_before_a_field_was_added_gets_its_default(
    transcoder: Any,
) -> None:
    stored = json.loads(transcoder.encode({"value": VALUES[0]}))
    del stored["value"]["_data_"]["in_reply_to"], stored["value"]["_data_"]["cc"]

    back = transcoder.decode(json.dumps(stored).encode())["value"]

    assert back == VALUES[0]
    assert back.in_reply_to is None
    assert back.cc == []


def test_a_value_stored_with_a_field_since_removed_is_refused(transcoder: Any) -> None:
    stored = json.loads(transcoder.encode({"value": REF}))
    stored["value"]["_data_"]["colour"] = "blue"

    with pytest.raises(TypeError):
        transcoder.decode(json.dumps(stored).encode())
