"""`tickettape mail quarantine | show | discard`: the held messages, without HTTP.

The list and a message are read from the mail view, caught up first; a discard
runs DiscardMail as the CLI and prints the record as it left it.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.schemas.mail import DiscardIn, MailMessageOut
from domain.audit import Origin
from domain.commands import DiscardMail
from domain.mail import InboundMail, MailState
from projections.mail.query import MailRow, as_row, find_messages, message
from projections.mail.view import MailView
from tickettape.console import CLI_ACTOR, fail, out, runtime

#: Wide enough for every column of the list, whatever the terminal.
LIST_WIDTH = 132
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]
RecordId = Annotated[str, typer.Argument(help="The message's id (its record's)")]


def list_quarantine(
    state: Annotated[
        MailState, typer.Option(help="quarantined, discarded or taken")
    ] = MailState.QUARANTINED,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: AsJson = False,
) -> None:
    """The messages in a state (the quarantine unless told), newest first."""
    with runtime([MailView()]) as opened:
        opened.views.catch_up()
        page = find_messages(opened.views.store, state, limit)
    if as_json:
        items = [MailMessageOut.of(m).model_dump(mode="json") for m in page.messages]
        typer.echo(json.dumps({"items": items, "total": page.total}))
        return
    table = Table("received", "id", "sender", "subject", "reason", "detail", "size")
    for row in page.messages:
        table.add_row(
            row.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(row.id),
            escape(row.sender or "-"),
            escape(row.subject),
            escape(row.reason or "-"),
            escape(row.detail),
            str(row.raw_size),
        )
    Console(file=out.file, width=max(out.width, LIST_WIDTH)).print(table)
    out.print(f"{len(page.messages)} of {page.total} {state.value}")


def show_message(
    record: RecordId,
    raw: Annotated[bool, typer.Option("--raw", help="Print the raw message")] = False,
    as_json: AsJson = False,
) -> None:
    """One received message, or its raw bytes."""
    record_id = _record_id(record)
    with runtime([MailView()]) as opened:
        opened.views.catch_up()
        found = message(opened.views.store, record_id)
        if found is None:
            raise fail(f"no message {record_id}")
        content = opened.blobs.get(found.raw_sha256) if raw else None
    if raw:
        if content is None:
            raise fail("the raw message is missing from the blob store")
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    elif as_json:
        typer.echo(MailMessageOut.of(found).model_dump_json())
    else:
        _print(found)


def discard_message(
    record: RecordId,
    reason: Annotated[str, typer.Option(help="Why it is set aside (1-1000 chars)")],
) -> None:
    """Set a quarantined message aside for good; its record and raw bytes stay."""
    record_id = _record_id(record)
    try:
        why = DiscardIn(reason=reason).reason
    except ValidationError:
        raise fail("the reason has 1 to 1000 characters, no NUL") from None
    with runtime([]) as opened:
        desk = opened.desk
        key = desk.record_to_change(record_id, InboundMail, "message").key
        desk.handle(DiscardMail(key, why), Origin(CLI_ACTOR))
        row = as_row(desk.record_to_change(record_id, InboundMail, "message"))
    _print(row)


def _record_id(record: str) -> UUID:
    try:
        return UUID(record)
    except ValueError:
        raise fail(f"{record!r} is no message id") from None


def _print(row: MailRow) -> None:
    table = Table("field", "value", show_header=False)
    for name, value in MailMessageOut.of(row).model_dump(mode="json").items():
        table.add_row(name, escape("-" if value is None else str(value)))
    out.print(table)
