"""`tickettape mail send` as a real process, on SQLite and PostgreSQL, against a
real relay on loopback: each reply is sent exactly once across a restart, and
the process refuses to start without a relay or with a bad URL."""

from __future__ import annotations

import json
import time
from pathlib import Path

from typer.testing import CliRunner

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.ids import ticket_id
from domain.ticket import Ticket
from tests.capture_relay import CaptureRelay, capture_relay
from tests.projections.worker_process import cli_process, eventually
from tickettape.bootstrap import Runtime, open_runtime
from tickettape.cli import app

AGENT = Origin("agent:admin")
CUSTOMER = "bob@acme.test"
SEND = ["mail", "send"]


def fast(relay: CaptureRelay) -> dict[str, str]:
    return {
        "TICKETTAPE_SMTP_URL": relay.url,
        "TICKETTAPE_MAIL_SEND_POLL_SECONDS": "0.1",
        "TICKETTAPE_MAIL_FROM": "support@desk.test",
    }


def answer(desk: HelpDesk, number: str, body: str) -> None:
    reply = Article(desk.new_article_id(), "agent", "public", "email", body)
    desk.add_article(number, reply, AGENT)


def sent(desk: HelpDesk, number: str) -> list[Ticket.MailSent]:
    return [
        e for e in desk.events.get(ticket_id(number)) if isinstance(e, Ticket.MailSent)
    ]


def test_each_reply_goes_once_across_a_restart(
    runtime: Runtime, tmp_path: Path
) -> None:
    desk = runtime.desk
    draft = TicketDraft(title="Printer", customer=CUSTOMER, queue="General")
    first = Article(desk.new_article_id(), "customer", "public", "web", "It smokes")
    number = desk.open_ticket(draft, first, Origin(f"customer:{CUSTOMER}")).number
    answer(desk, number, "one")
    answer(desk, number, "two")
    with capture_relay() as relay:
        env = fast(relay)
        with cli_process(runtime.settings, tmp_path / "one.log", SEND, **env) as one:
            eventually(lambda: len(sent(desk, number)) == 2, "two mails sent", one)
            assert one.terminate() == 0, one.output()
            assert "sending mail via smtp://127.0.0.1" in one.output()
        answer(desk, number, "three")
        with cli_process(runtime.settings, tmp_path / "two.log", SEND, **env) as two:
            eventually(lambda: len(sent(desk, number)) == 3, "the third sent", two)
            # Give a second send every chance to happen.
            time.sleep(1.0)
            assert two.terminate() == 0, two.output()
        bodies = [h.message.get_content().strip() for h in relay.to(CUSTOMER)]
    assert sorted(bodies) == ["one", "three", "two"]
    assert len({e.message_id for e in sent(desk, number)}) == 3
    # `mail outbox` lists the deliveries as they stand.
    env = {
        "TICKETTAPE_DATABASE_URL": runtime.settings.database_url,
        "TICKETTAPE_DATA_DIR": str(runtime.settings.data_dir),
        "COLUMNS": "200",
    }
    listed = CliRunner().invoke(app, ["mail", "outbox", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)["items"]
    assert [(i["recipient"], i["state"], i["attempts"]) for i in items] == [
        (CUSTOMER, "sent", 1)
    ] * 3
    table = CliRunner().invoke(app, ["mail", "outbox", "--state", "sent"], env=env)
    assert table.exit_code == 0, table.output
    assert table.output.count(CUSTOMER) == 3
    wrong = CliRunner().invoke(app, ["mail", "outbox", "--state", "lost"], env=env)
    assert wrong.exit_code == 1
    assert "unknown state 'lost'" in wrong.output


def test_mail_send_needs_a_relay(runtime: Runtime, tmp_path: Path) -> None:
    for env, said in (
        ({}, "TICKETTAPE_SMTP_URL is not set"),
        ({"TICKETTAPE_SMTP_URL": "smtp://relay.test?starttls=perhaps"}, "starttls"),
    ):
        with cli_process(runtime.settings, tmp_path / "x.log", SEND, **env) as worker:
            assert worker.process.wait(120) == 1
            assert said in worker.output()
            assert "Traceback" not in worker.output()


def test_serve_sends_mail_in_process_when_a_relay_is_set(runtime: Runtime) -> None:
    with capture_relay() as relay:
        settings = runtime.settings.model_copy(
            update={"smtp_url": relay.url, "mail_send_poll_seconds": 0.1}
        )
        serving = open_runtime(settings)
        try:
            serving.start_views()
            assert serving.start_outbox()
            desk = serving.desk
            draft = TicketDraft(title="Fax", customer=CUSTOMER, queue="General")
            first = Article(desk.new_article_id(), "customer", "public", "web", "Hi")
            number = desk.open_ticket(draft, first, Origin("customer:x")).number
            answer(desk, number, "in process")
            eventually(lambda: len(relay.to(CUSTOMER)) == 1, "the reply sent", None)
        finally:
            serving.close()
        quiet = settings.model_copy(update={"mail_send_in_process": False})
        idle = open_runtime(quiet)
        try:
            assert not idle.start_outbox()
        finally:
            idle.close()
