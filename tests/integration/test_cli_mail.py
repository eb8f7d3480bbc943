"""`tickettape mail import` and `mail serve` on SQLite and PostgreSQL: each
message once, also when the listener is killed between receipt and commit."""

from __future__ import annotations

import mailbox
import random
import smtplib
import socket
import time
from pathlib import Path

from typer.testing import CliRunner

from domain.desk import HelpDesk
from domain.mail import InboundMail
from domain.ticket import Ticket
from mail.smtp_server import free_port
from tests.projections.worker_process import PATIENCE, cli_process
from tests.stores import cli_settings
from tickettape.cli import app
from tickettape.stores import event_store_env

runner = CliRunner()


def mail(n: int, message_id: str | None = None) -> bytes:
    return (
        "From: bob@acme.test\r\nTo: support@desk.test\r\n"
        f"Subject: Printer {n}\r\nMessage-ID: {message_id or f'<cli{n}@acme.test>'}"
        "\r\n\r\nIt smokes.\r\n"
    ).encode()


def articles_with(env: dict[str, str], message_id: str) -> int:
    """How many articles of every ticket carry this Message-ID."""
    desk = HelpDesk(env=event_store_env(cli_settings(env)))
    try:
        tickets: list[Ticket] = [
            desk.repository.get(ticket_id)
            for ticket_id in desk.created_ids(Ticket.Created)
        ]
        return sum(
            article.message_id == message_id
            for ticket in tickets
            for article in ticket.articles
        )
    finally:
        desk.close()


def records(env: dict[str, str]) -> int:
    desk = HelpDesk(env=event_store_env(cli_settings(env)))
    try:
        kinds = (InboundMail.Taken, InboundMail.Quarantined)
        return sum(len(list(desk.created_ids(kind))) for kind in kinds)
    finally:
        desk.close()


def test_import_takes_each_message_once(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert runner.invoke(app, ["init"], env=cli_env).exit_code == 0
    box = mailbox.mbox(tmp_path / "in.mbox")
    for raw in (
        mail(1),
        mail(2),
        b"no headers, no message",
        mail(3, "<cli1@acme.test>"),
    ):
        box.add(raw)
    box.close()
    eml = tmp_path / "one.eml"
    eml.write_bytes(mail(4))
    done = runner.invoke(
        app, ["mail", "import", str(tmp_path / "in.mbox"), str(eml)], env=cli_env
    )
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    # A quarantined message is kept, not taken: the summary tells them apart.
    mbox = "in.mbox: 4 messages: 2 taken as articles (2 new tickets), 1 quarantined"
    assert f"{mbox} (see `" in said
    assert "mail quarantine`), 1 received before" in said
    eml_said = "one.eml: 1 message: 1 taken as an article (1 new ticket), 0 quarantined"
    assert eml_said in said
    # The duplicate Message-ID made no second article; the garbage is kept aside.
    assert articles_with(cli_env, "<cli1@acme.test>") == 1
    assert records(cli_env) == 4
    again = runner.invoke(
        app, ["mail", "import", str(tmp_path / "in.mbox")], env=cli_env
    )
    assert again.exit_code == 0, again.output
    again_said = " ".join(again.output.split())
    seen = "4 messages: 0 taken as articles (0 new tickets), 0 quarantined"
    assert f"{seen}, 4 received before" in again_said
    assert records(cli_env) == 4
    missing = runner.invoke(
        app, ["mail", "import", str(tmp_path / "nowhere")], env=cli_env
    )
    assert missing.exit_code != 0
    assert "nowhere" in missing.output


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _send_until_taken(port: int, raw: bytes) -> None:
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
                client.sendmail("bob@acme.test", ["support@desk.test"], raw)
            return
        except (OSError, smtplib.SMTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_listener_killed_mid_delivery_takes_the_redelivered_message_once(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert runner.invoke(app, ["init"], env=cli_env).exit_code == 0
    settings = cli_settings(cli_env)
    port = free_port("127.0.0.1")
    extra = {"TICKETTAPE_MAIL_PORT": str(port)}
    pick = random.Random(15)
    for n in range(3):
        raw = mail(10 + n)
        with cli_process(
            settings, tmp_path / f"serve{n}.log", ["mail", "serve"], **extra
        ) as first:
            deadline = time.monotonic() + PATIENCE
            while not _listening(port):
                assert first.process.poll() is None, first.output()
                assert time.monotonic() < deadline, first.output()
                time.sleep(0.05)
            client = smtplib.SMTP("127.0.0.1", port, timeout=30)
            client.mail("bob@acme.test")
            client.rcpt("support@desk.test")
            client.putcmd("data")
            client.getreply()
            client.send(raw + b".\r\n")
            # The listener dies somewhere between the message's receipt and its
            # commit, or just after: the MTA got no answer, so it delivers again.
            time.sleep(pick.uniform(0, 0.05))
            first.process.kill()
            first.process.wait(PATIENCE)
            client.close()
        with cli_process(
            settings, tmp_path / f"again{n}.log", ["mail", "serve"], **extra
        ) as again:
            _send_until_taken(port, raw)
            assert again.process.poll() is None, again.output()
        assert articles_with(cli_env, f"<cli{10 + n}@acme.test>") == 1


def test_retry_refuses_what_is_no_message_id(cli_env: dict[str, str]) -> None:
    assert runner.invoke(app, ["init"], env=cli_env).exit_code == 0
    bad = runner.invoke(app, ["mail", "retry", "not-an-id"], env=cli_env)
    assert bad.exit_code == 1
    assert "no message id" in bad.output
