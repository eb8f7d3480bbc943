"""`tickettape mail import | serve | retry`: the ways mail comes in, and a retry."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.markup import escape

from domain.mail import MailReceipt, MailState, Threading
from mail.delivery import Deliver, Envelope, Receipt
from mail.intake import MailIntake, describe
from mail.smtp_server import serve_forever
from mail.sources import MailSourceError, import_messages
from tickettape.bootstrap import mail_listener
from tickettape.console import CLI_ACTOR, err, fail, out, own_command, runtime

#: How a taken message found a ticket when it opened one.
OPENED = (Threading.NEW_TICKET, Threading.FOLLOW_UP_TICKET)


@dataclass
class ImportTally:
    """What became of one path's messages: a quarantined one is kept, not taken."""

    articles: int = 0
    tickets: int = 0
    quarantined: int = 0
    again: int = 0

    def count(self, receipt: MailReceipt) -> None:
        """Count one message by what the intake made of it."""
        if receipt.duplicate:
            self.again += 1
        elif receipt.state is MailState.TAKEN:
            self.articles += 1
            self.tickets += receipt.threaded_by in OPENED
        else:
            self.quarantined += 1

    def summary(self, failed: int) -> str:
        """One line: 12 messages: 10 taken as articles (4 new tickets), ..."""
        messages = self.articles + self.quarantined + self.again + failed
        taken = _many(self.articles, "taken as an article", "taken as articles")
        opened = _many(self.tickets, "new ticket", "new tickets")
        parts = [f"{taken} ({opened})", f"{self.quarantined} quarantined"]
        if self.quarantined:
            parts[-1] += f" (see `{own_command()} mail quarantine`)"
        if self.again:
            parts.append(f"{self.again} received before")
        if failed:
            parts.append(f"{failed} failed")
        return f"{_many(messages, 'message', 'messages')}: {', '.join(parts)}"


def _many(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def counted(intake: MailIntake, tally: ImportTally) -> Deliver:
    """The intake's way in for files, counting what became of each message."""

    def deliver(raw: bytes, envelope: Envelope) -> Receipt:
        receipt = intake.take(raw, tuple(envelope.recipients))
        tally.count(receipt)
        return Receipt(True, describe(receipt))

    return deliver


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
            tally = ImportTally()
            try:
                report = import_messages(path, counted(opened.mail, tally))
            except MailSourceError as error:
                raise fail(str(error)) from None
            for where, detail in report.failed:
                err.print(f"{escape(where)}: {escape(detail)}", soft_wrap=True)
            failed += len(report.failed)
            summary = tally.summary(len(report.failed))
            out.print(f"{escape(str(path))}: {escape(summary)}", soft_wrap=True)
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
