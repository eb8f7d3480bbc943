"""`tickettape mail send | outbox`: the outbox worker, and what it sent or failed."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from projections.engine.worker import work
from projections.outbox.query import STATES, latest_deliveries
from projections.outbox.view import OutboxView
from tickettape.bootstrap import mail_outbox
from tickettape.console import fail, out, runtime

#: Wide enough for every column of the list, whatever the terminal.
LIST_WIDTH = 132


def send_mail() -> None:
    """Send the outgoing mail as it comes due, until SIGTERM or Ctrl-C: for when
    serve does not (MAIL_SEND_IN_PROCESS false), to the relay in SMTP_URL."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with runtime([OutboxView()]) as opened:
        if not opened.settings.smtp_url:
            raise fail("TICKETTAPE_SMTP_URL is not set: there is no relay to send to")
        try:
            outbox = mail_outbox(opened)
        except ValueError as error:
            raise fail(f"TICKETTAPE_SMTP_URL: {error}") from None
        out.print(f"sending mail via {escape(outbox.relay.describe())}", soft_wrap=True)
        work(outbox)
        out.print("mail outbox stopped")


def list_outbox(
    state: Annotated[
        str | None, typer.Option(help="pending, sent or failed (default: any)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The latest deliveries of outgoing mail: to whom, and how each stands."""
    if state is not None and state not in STATES:
        raise fail(f"unknown state {state!r}; one of {', '.join(STATES)}")
    with runtime([OutboxView()]) as opened:
        opened.views.catch_up()
        rows = latest_deliveries(opened.views.store, state, limit)
    if as_json:
        items = [asdict(row) for row in rows]
        typer.echo(json.dumps({"items": items}, default=str))
        return
    table = Table("written", "ticket", "recipient", "state", "tries", "reason")
    for row in rows:
        table.add_row(
            row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            row.number,
            escape(row.recipient),
            row.state,
            str(row.attempts),
            escape(row.reason or "-"),
        )
    Console(file=out.file, width=max(out.width, LIST_WIDTH)).print(table)
