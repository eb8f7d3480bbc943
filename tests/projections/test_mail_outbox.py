"""The outbox worker against a real SMTP relay on loopback, on SQLite and
PostgreSQL view stores: each reply goes out once per recipient, threaded and
tagged; passing failures are tried again with backoff, refusals fail for good,
and what happened is on the ticket."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.mail_out import MAIL_ACTOR, sent_message_id
from domain.ticket import Ticket
from mail.outbox import MailOutbox, Sweep
from mail.relay import Relay
from mail.smtp_server import free_port
from projections.engine.store import ViewStore
from projections.outbox.query import latest_deliveries
from projections.outbox.view import OutboxView
from tests.capture_relay import HOST, CaptureRelay, capture_relay, self_signed
from tests.projections.outbox_steps import (
    BOB_EMAIL,
    HEAD,
    MINUTE,
    TERMS,
    Outbox,
    mail_events,
    outbox_on,
    reply,
)
from tests.projections.view_stores import assert_rebuilt_alike, wipe
from tests.projections.work_desk import BOB, open_ticket, staffed_desk


def test_a_reply_goes_once_to_the_customer_and_the_cc_tagged_and_threaded(
    outbox: Outbox, relay: CaptureRelay, view_store: ViewStore
) -> None:
    desk = outbox.desk
    number = open_ticket(desk)
    asked = Article(
        desk.new_article_id(),
        "customer",
        "public",
        "email",
        "Still smoking",
        subject="Re: Printer",
        message_id="<m1@acme.test>",
    )
    desk.add_article(number, asked, BOB)
    first = reply(desk, number, cc=["boss@acme.test"], subject="Re: Printer")
    assert outbox.worker.catch_up().sent == 2
    assert outbox.worker.catch_up().sent == 0
    [to_bob] = relay.to(BOB_EMAIL)
    [to_boss] = relay.to("boss@acme.test")
    mail = to_bob.message
    assert to_bob.mail_from == "support@desk.test"
    assert mail["Subject"] == f"[Ticket#{number}] Re: Printer"
    assert mail["To"] == BOB_EMAIL
    assert mail["Cc"] == "boss@acme.test"
    assert mail["Message-ID"] == sent_message_id(
        number, first.article_id, BOB_EMAIL, "desk.test"
    )
    assert mail["Message-ID"] != to_boss.message["Message-ID"]
    assert mail["In-Reply-To"] == "<m1@acme.test>"
    assert mail["X-Loop"] == TERMS.loop_mark
    assert mail["Auto-Submitted"] is None
    assert mail.get_content().strip() == "We replaced the toner."
    # The next reply answers the first as bob got it, and names the thread.
    second = reply(desk, number, subject=f"[Ticket#{number}] Re: Printer")
    assert outbox.worker.catch_up().sent == 1
    latest = relay.to(BOB_EMAIL)[-1].message
    assert latest["Subject"] == f"[Ticket#{number}] Re: Printer"
    assert latest["In-Reply-To"] == mail["Message-ID"]
    assert latest["References"].split() == ["<m1@acme.test>", mail["Message-ID"]]
    sent = mail_events(desk, number)
    assert [(type(e).__name__, e.actor, e.attempt) for e in sent] == [  # type: ignore[attr-defined]
        ("MailSent", MAIL_ACTOR, 1)
    ] * 3
    outbox.runner.catch_up()
    rows = latest_deliveries(view_store)
    assert {(r.article_id, r.recipient, r.state, r.attempts) for r in rows} == {
        (first.article_id, BOB_EMAIL, "sent", 1),
        (first.article_id, "boss@acme.test", "sent", 1),
        (second.article_id, BOB_EMAIL, "sent", 1),
    }
    assert_rebuilt_alike(desk, view_store, OutboxView())


def test_notes_customer_articles_and_web_replies_are_never_mailed(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    desk = outbox.desk
    number = open_ticket(desk)
    reply(desk, number, visibility="internal", to=["boss@acme.test"], body="secret")
    reply(desk, number, channel="web")
    outbox.worker.catch_up()
    assert relay.taken == []
    assert mail_events(desk, number) == []


def test_a_passing_failure_is_tried_again_after_a_growing_wait(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    desk, clock = outbox.desk, outbox.clock
    number = open_ticket(desk)
    relay.answer = "451 4.3.0 try later"
    reply(desk, number)
    assert outbox.worker.catch_up().failed == 1
    clock.advance(MINUTE / 2)
    assert outbox.worker.catch_up() == Sweep()
    clock.advance(MINUTE / 2)
    assert outbox.worker.catch_up().failed == 1
    clock.advance(MINUTE)
    # The second wait is two minutes: not yet.
    assert outbox.worker.catch_up().failed == 0
    relay.answer = None
    clock.advance(MINUTE)
    assert outbox.worker.catch_up().sent == 1
    assert len(relay.to(BOB_EMAIL)) == 1
    first, second, sent = mail_events(desk, number)
    assert isinstance(first, Ticket.MailFailed)
    assert isinstance(second, Ticket.MailFailed)
    assert (first.attempt, first.final, first.reason) == (
        1,
        False,
        "451 4.3.0 try later",
    )
    assert second.retry_at is not None
    assert first.retry_at is not None
    assert second.retry_at - second.timestamp == 2 * (first.retry_at - first.timestamp)
    assert isinstance(sent, Ticket.MailSent)
    assert sent.attempt == 3
    assert len({e.message_id for e in (first, second, sent)}) == 1


def test_a_refusal_fails_for_good_and_so_do_too_many_tries(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    desk, clock = outbox.desk, outbox.clock
    number = open_ticket(desk)
    relay.answer = "550 5.1.1 no such user"
    reply(desk, number)
    outbox.worker.catch_up()
    relay.answer = "421 4.7.0 closing"
    reply(desk, number, to=["boss@acme.test"])
    for _ in range(6):
        outbox.worker.catch_up()
        clock.advance(10 * MINUTE)
    relay.answer = None
    outbox.worker.catch_up()
    outbox.runner.catch_up()
    assert relay.taken == []
    events = mail_events(desk, number)
    refused = [e for e in events if e.recipient == BOB_EMAIL]  # type: ignore[attr-defined]
    tired = [e for e in events if e.recipient == "boss@acme.test"]  # type: ignore[attr-defined]
    assert [(e.attempt, e.final) for e in refused] == [(1, True)]  # type: ignore[attr-defined]
    assert [(e.attempt, e.final) for e in tired] == [  # type: ignore[attr-defined]
        (1, False),
        (2, False),
        (3, True),
    ]
    assert {r.state for r in latest_deliveries(outbox.worker.store)} == {"failed"}


def test_a_relay_that_is_away_is_a_passing_failure(view_store: ViewStore) -> None:
    wipe(view_store, OutboxView())
    nobody = f"smtp://{HOST}:{free_port(HOST)}"
    outbox = outbox_on(view_store, nobody)
    number = open_ticket(outbox.desk)
    reply(outbox.desk, number)
    assert outbox.worker.catch_up().failed == 1
    [failed] = mail_events(outbox.desk, number)
    assert isinstance(failed, Ticket.MailFailed)
    assert not failed.final
    assert "relay smtp://" in failed.reason


def test_attachments_travel_and_a_missing_one_fails_the_mail(
    outbox: Outbox, relay: CaptureRelay
) -> None:
    desk = outbox.desk
    number = open_ticket(desk)
    content = b"%PDF-1.4 invoice"
    digest = outbox.blobs.put(content)
    invoice = AttachmentRef("invoice.pdf", "application/pdf", len(content), digest)
    gone = AttachmentRef("gone.txt", "text/plain", 3, "0" * 64)
    reply(desk, number, attachments=[invoice])
    reply(desk, number, attachments=[gone], to=["boss@acme.test"])
    outbox.worker.catch_up()
    [mail] = relay.to(BOB_EMAIL)
    [part] = list(mail.message.iter_attachments())
    assert part.get_filename() == "invoice.pdf"
    assert part.get_content() == content
    assert relay.to("boss@acme.test") == []
    failed = [e for e in mail_events(desk, number) if isinstance(e, Ticket.MailFailed)]
    assert [(e.final, "gone.txt" in e.reason) for e in failed] == [(True, True)]


def test_an_article_older_than_the_outbox_is_not_sent(view_store: ViewStore) -> None:
    wipe(view_store, OutboxView())
    desk, clock = staffed_desk()
    number = open_ticket(desk)
    reply(desk, number)
    clock.advance(timedelta(days=4))
    with capture_relay() as relay:
        outbox = outbox_on(view_store, relay.url, desk_clock=(desk, clock))
        outbox.worker.catch_up()
        assert relay.taken == []
    [failed] = mail_events(desk, number)
    assert isinstance(failed, Ticket.MailFailed)
    assert failed.final
    assert failed.reason.startswith("not sent")


def test_one_worker_sends_at_a_time(
    outbox: Outbox, relay: CaptureRelay, view_store: ViewStore
) -> None:
    desk, clock = outbox.desk, outbox.clock
    rival = MailOutbox(
        desk,
        view_store,
        outbox.blobs,
        Relay.from_url(relay.url),
        HEAD,
        clock=clock,
        before_tick=outbox.runner.catch_up,
    )
    number = open_ticket(desk)
    reply(desk, number)
    assert outbox.worker.catch_up().sent == 1
    reply(desk, number)
    # The first holds the lease: the rival sends nothing while it lasts.
    assert rival.catch_up().sent == 0
    clock.advance(10 * MINUTE)
    assert rival.catch_up().sent == 1
    assert outbox.worker.catch_up().sent == 0
    rival.stop()
    reply(desk, number)
    assert outbox.worker.catch_up().sent == 1
    assert len(relay.to(BOB_EMAIL)) == 3


def test_starttls_and_a_login(view_store: ViewStore, tmp_path: Path) -> None:
    wipe(view_store, OutboxView())
    certificate = self_signed(tmp_path)
    with capture_relay(login=("desk", "s3cr:t"), certificate=certificate) as relay:
        base = f"{HOST}:{relay.port}/?starttls=true&cafile={certificate}"
        wrong = outbox_on(view_store, f"smtp://desk:nope@{base}")
        number = open_ticket(wrong.desk)
        reply(wrong.desk, number)
        assert wrong.worker.catch_up().failed == 1
        wrong.worker.stop()
        right = outbox_on(
            view_store,
            f"smtp://desk:s3cr%3At@{base}",
            desk_clock=(wrong.desk, wrong.clock),
        )
        wrong.clock.advance(5 * MINUTE)
        assert right.worker.catch_up().sent == 1
        assert len(relay.to(BOB_EMAIL)) == 1


@pytest.mark.parametrize(
    "url",
    ["http://relay.test", "smtp://", "smtp://relay.test?starttls=maybe"],
)
def test_a_bad_relay_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"SMTP URL|starttls"):
        Relay.from_url(url)


def test_the_relay_url_reads_its_parts() -> None:
    relay = Relay.from_url("smtps://me%40x:p%2Fw@mx.example.com?cafile=/ca.pem")
    assert (relay.host, relay.port, relay.tls, relay.user, relay.password) == (
        "mx.example.com",
        465,
        True,
        "me@x",
        "p/w",
    )
    assert relay.cafile == "/ca.pem"
    assert "p/w" not in relay.describe()
    assert Relay.from_url("smtp://mx?starttls=auto").starttls == "auto"
