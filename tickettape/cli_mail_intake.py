"""`tickettape mail import | serve | retry`: the ways mail comes in, and a retry."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.markup import escape

from mail.delivery import Envelope
from mail.intake import describe
from mail.smtp_server import serve_forever
from mail.sources import MailSourceError, import_messages
from tickettape.bootstrap import mail_listener
from tickettape.console import CLI_ACTOR, err, fail, out, runtime


def import_mail(
    paths: Annotated[
        list[Path],
        typer.Argument(help=".eml files, mbox files, Maildir directories; - for stdin"),
    ],
) -> None:
    """Take messages from files: each becomes an article or is quarantined."""
    failed = 0
    with runtime() as opened:
        for path in paths:
            if str(path) == "-":
                receipt = opened.mail.deliver(
                    sys.stdin.buffer.read(), Envelope(None, (), "import:stdin")
                )
                out.print(f"stdin: {escape(receipt.detail)}", soft_wrap=True)
                continue
            try:
                report = import_messages(path, opened.mail.deliver)
            except MailSourceError as error:
                raise fail(str(error)) from None
            for where, detail in report.failed:
                err.print(f"{escape(where)}: {escape(detail)}", soft_wrap=True)
            failed += len(report.failed)
            out.print(
                f"{escape(str(path))}: {report.taken} taken, {report.refused} refused, "
                f"{len(report.failed)} failed",
                soft_wrap=True,
            )
    if failed:
        raise typer.Exit(1)


def serve_mail() -> None:
    """Listen for mail (SMTP, or LMTP) until stopped: the settings say where."""
    with runtime() as opened:
        settings = opened.settings
        listener = mail_listener(opened.mail, settings)
        protocol = "LMTP" if settings.mail_lmtp else "SMTP"
        out.print(
            f"tickettape mail: {protocol} on {settings.mail_host}:{listener.port}",
            soft_wrap=True,
        )
        serve_forever(listener)


def retry_mail(
    record: Annotated[str, typer.Argument(help="The quarantined message's id")],
) -> None:
    """Read a quarantined message afresh and try it again."""
    try:
        record_id = UUID(record)
    except ValueError:
        raise fail(f"{record!r} is no message id") from None
    with runtime() as opened:
        receipt = opened.mail.retry(record_id, CLI_ACTOR)
    out.print(describe(receipt), soft_wrap=True)
