"""The operator's command line: init, serve, tokens and tickets without HTTP."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn
from rich.markup import escape
from rich.table import Table

from projections.engine.worker import work
from tickettape.bootstrap import Runtime, build_app, initialize
from tickettape.cli_archive import add_archive_commands
from tickettape.cli_backlog import add_backlog_command
from tickettape.cli_backup import add_backup_commands
from tickettape.cli_cipher import cipher_app
from tickettape.cli_history import add_history_commands, show_ticket
from tickettape.cli_mail import mail_app
from tickettape.cli_replay import replay_app
from tickettape.cli_seal import seal_app
from tickettape.cli_sla import sla_app
from tickettape.cli_sla_replay import add_sla_replay_command
from tickettape.cli_sla_whatif import add_whatif_command
from tickettape.cli_snapshots import add_snapshots_command
from tickettape.cli_tokens import token_app
from tickettape.cli_views_check import add_views_check_command
from tickettape.console import (
    fail,
    known_views,
    out,
    own_command,
    rebuild_views,
    runtime,
)
from tickettape.http_protocol import prompt_clients
from tickettape.sealing import sealing_problem

app = typer.Typer(help="tickettape: an event-sourced helpdesk backend.")
ticket_app = typer.Typer(help="Read tickets straight from the event store.")
app.add_typer(token_app, name="token")
app.add_typer(ticket_app, name="ticket")
views_app = typer.Typer(help="The read models: where they stand, and rebuilds.")
app.add_typer(views_app, name="projections")
add_history_commands(replay_app)
add_archive_commands(replay_app)
add_backlog_command(replay_app)
add_views_check_command(views_app)
add_sla_replay_command(replay_app)
add_whatif_command(replay_app)
add_snapshots_command(replay_app)
app.add_typer(replay_app, name="replay")
app.add_typer(seal_app, name="seal")
app.add_typer(cipher_app, name="cipher")
app.add_typer(sla_app, name="sla")
app.add_typer(mail_app, name="mail")
add_backup_commands(app)


def announce_first_token(secret: str | None, opened: Runtime) -> None:
    """Print the first admin token, which is shown only this once, and the keyring."""
    if secret is None:
        return
    out.print("[bold green]Created the default configuration.[/]")
    out.print("First admin token (shown only once, keep it safe):")
    out.print(f"  [bold]{secret}[/]")
    keyring = opened.settings.seal_key_path
    out.print(
        f"Every event is sealed with the secret key in {keyring}: keep a copy "
        "apart from the database and its backups."
    )


def writable(opened: Runtime) -> None:
    """Exit, saying why, when the store cannot seal (and so not write) events."""
    problem = sealing_problem(opened.desk.recorder)
    if problem is not None:
        raise fail(f"cannot write to the store: {problem}")


@app.command()
def init() -> None:
    """Create the default statuses, priorities, types and queue, and an admin token."""
    with runtime() as opened:
        writable(opened)
        secret = initialize(opened)
        if secret is None:
            out.print("Already initialized; nothing to do.")
        announce_first_token(secret, opened)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Initialize on first start, then serve the API."""
    with runtime() as opened:
        writable(opened)
        announce_first_token(initialize(opened), opened)
        bind_host = host or opened.settings.host
        bind_port = port or opened.settings.port
        store = "PostgreSQL" if opened.settings.uses_postgres else "embedded SQLite"
        url = f"http://{bind_host}:{bind_port}"
        out.print(f"tickettape on {store}: API docs at [bold]{url}/docs[/]")
        out.print("Authenticate with: Authorization: Bearer <token>")
        # Commands to copy: never wrapped, whatever the terminal's width.
        me = escape(own_command())
        hint = f"More tokens: {me} token create --role agent --subject LOGIN"
        out.print(hint, soft_wrap=True)
        if not opened.start_views():
            views = f"Views: kept by separate `{me} projections run` workers"
            out.print(views, soft_wrap=True)
        if not opened.start_escalations():
            sla = f"SLA warnings and breaches: recorded by `{me} sla run`"
            out.print(sla, soft_wrap=True)
        if opened.start_mail():
            where = f"{opened.settings.mail_host}:{opened.settings.mail_port}"
            out.print(f"Mail: listening on {where}", soft_wrap=True)
        if opened.settings.smtp_url:
            try:
                sending = opened.start_outbox()
            except ValueError as error:
                raise fail(f"TICKETTAPE_SMTP_URL: {error}") from None
            if sending and opened.outbox is not None:
                relay = opened.outbox.relay.describe()
                out.print(f"Mail out: via {escape(relay)}", soft_wrap=True)
            else:
                outbox = f"Mail out: sent by `{me} mail send`"
                out.print(outbox, soft_wrap=True)
        if not opened.start_chain():
            chain = f"Audit chain: kept by `{me} replay chain --follow`"
            out.print(chain, soft_wrap=True)
        uvicorn.run(
            build_app(opened),
            host=bind_host,
            port=bind_port,
            http=prompt_clients(opened.settings.request_head_seconds),
        )


@ticket_app.command("show")
def ticket_show(
    number: str,
    version: Annotated[
        int | None, typer.Option(min=1, help="Show the ticket as it was then")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show a ticket with all its articles, internal ones included."""
    with runtime() as opened:
        ticket = opened.desk.ticket(number, version)
    show_ticket(ticket, as_json)


@views_app.command("status")
def projections_status() -> None:
    """Each view's (and the audit chain's) position in the log and its lag."""
    with runtime() as opened:
        positions = opened.views.positions()
        chain = opened.chain.position()
    table = Table("view", "position", "lag")
    for view in positions:
        table.add_row(view.name, str(view.position), str(view.lag))
    table.add_row("(audit chain)", str(chain.position), str(chain.lag))
    out.print(table)


@views_app.command("run")
def projections_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="The views to keep; default all")
    ] = None,
) -> None:
    """Keep views caught up in this process until SIGTERM or Ctrl-C."""
    views = known_views(names or [])
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with runtime(views) as opened:
        listed = ", ".join(view.name for view in views)
        out.print(
            f"keeping {listed} caught up; stop with SIGTERM or Ctrl-C", soft_wrap=True
        )
        work(opened.views)
        for view in opened.views.positions():
            out.print(f"{view.name} stopped at position {view.position}")


@views_app.command("rebuild")
def projections_rebuild(
    name: Annotated[
        str | None, typer.Argument(help="The view, e.g. ticket_summary")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Rebuild every view")] = False,
) -> None:
    """Replay the log into a fresh copy of a view, swapped in once caught up."""
    if every == (name is not None):
        raise fail("name one view, or give --all")
    views = known_views([] if name is None else [name])
    with runtime(views) as opened:
        rebuilt = rebuild_views(opened, views)
    for rebuilt_name, at in rebuilt:
        out.print(f"{rebuilt_name} rebuilt up to position {at}")


def main() -> None:
    """Entry point of the `tickettape` script."""
    app()
