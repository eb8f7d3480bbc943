"""The SMTP/LMTP listener on loopback: it answers 250 only once a message is
recorded, 451 when it could not be, 550 and 552 when it is refused."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aiosmtpd.smtp import SMTP

from mail.delivery import Envelope, Receipt
from mail.intake import DEFAULT_TERMS, MailIntake
from mail.smtp_server import _SMTP, ListenerSettings, MailListener, serve_forever
from tests.e2e.memory_desk import MemoryBlobs, staffed_desk

MESSAGE = (
    b"From: bob@acme.test\r\nTo: support@desk.test\r\nSubject: Printer\r\n"
    b"Message-ID: <smtp1@acme.test>\r\n\r\nIt smokes.\r\n"
)


class Recorder:
    """A deliver callable that records, refuses or fails, as told."""

    def __init__(self) -> None:
        self.got: list[tuple[bytes, Envelope]] = []
        self.fail = False
        self.refuse = False

    def __call__(self, raw: bytes, envelope: Envelope) -> Receipt:
        if self.fail:
            raise ConnectionError("the store is away")
        if self.refuse:
            return Receipt(False, "not for us")
        self.got.append((raw, envelope))
        return Receipt(True, "taken onto ticket 1")


@contextmanager
def listening(deliver: object, **settings: object) -> Iterator[MailListener]:
    listener = MailListener(
        deliver,  # type: ignore[arg-type]
        ListenerSettings(port=0, **settings),  # type: ignore[arg-type]
    )
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()


def send(
    listener: MailListener, raw: bytes = MESSAGE, to: str = "support@desk.test"
) -> None:
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=30) as client:
        client.sendmail("bob@acme.test", [to], raw)


def test_a_message_is_handed_in_with_its_envelope() -> None:
    recorder = Recorder()
    with listening(recorder) as listener:
        send(listener)
    [(raw, envelope)] = recorder.got
    assert (
        raw.replace(b"\r\n", b"\n").strip() == MESSAGE.replace(b"\r\n", b"\n").strip()
    )
    assert (envelope.mail_from, envelope.recipients) == (
        "bob@acme.test",
        ("support@desk.test",),
    )
    assert envelope.peer == "127.0.0.1"


def test_a_failed_intake_answers_451_and_the_next_message_is_taken() -> None:
    recorder = Recorder()
    with listening(recorder) as listener:
        recorder.fail = True
        with pytest.raises(smtplib.SMTPDataError) as answered:
            send(listener)
        assert answered.value.smtp_code == 451
        assert recorder.got == []
        recorder.fail = False
        send(listener)
    assert len(recorder.got) == 1


def test_refused_and_oversized_messages_get_their_codes() -> None:
    recorder = Recorder()
    with listening(recorder, max_bytes=1024) as listener:
        with pytest.raises(smtplib.SMTPDataError) as too_big:
            send(listener, MESSAGE + b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n" * 100)
        assert too_big.value.smtp_code == 552
        recorder.refuse = True
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(listener)
        assert refused.value.smtp_code == 550
    assert recorder.got == []


def test_recipients_outside_the_accepted_domains_are_refused() -> None:
    recorder = Recorder()
    with listening(recorder, accept_domains=("desk.test",)) as listener:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(listener, to="someone@elsewhere.test")
        send(listener)
    assert len(recorder.got) == 1


def test_lmtp_answers_once_per_recipient() -> None:
    recorder = Recorder()
    with listening(recorder, lmtp=True) as listener:
        client = smtplib.LMTP("127.0.0.1", listener.port, timeout=30)
        try:
            client.ehlo()  # LHLO, on an LMTP client
            client.mail("bob@acme.test")
            for recipient in ("support@desk.test", "billing@desk.test"):
                assert client.rcpt(recipient)[0] == 250
            # smtplib reads one answer to DATA; RFC 2033 sends one per recipient.
            first = client.data(MESSAGE)
            second = client.getreply()
        finally:
            client.quit()
    assert (first[0], second[0]) == (250, 250)
    [(_, envelope)] = recorder.got
    assert envelope.recipients == ("support@desk.test", "billing@desk.test")


def test_smtp_in_makes_a_ticket_once_however_often_it_is_sent() -> None:
    desk, blobs = staffed_desk(), MemoryBlobs()
    intake = MailIntake(desk, blobs, DEFAULT_TERMS)
    with listening(intake.deliver) as listener:
        send(listener)
        send(listener)
    # A third delivery, straight: the message's record says where it went.
    receipt = intake.take(MESSAGE)
    assert receipt.duplicate
    assert receipt.number is not None
    assert len(desk.ticket(receipt.number).articles) == 1


def lmtp_answers(listener: MailListener, raw: bytes, recipients: int) -> list[int]:
    """The codes an LMTP client reads after DATA: one per recipient."""
    client = smtplib.LMTP("127.0.0.1", listener.port, timeout=30)
    try:
        client.ehlo()
        client.mail("bob@acme.test")
        for n in range(recipients):
            assert client.rcpt(f"desk{n}@desk.test")[0] == 250
        client.putcmd("data")
        assert client.getreply()[0] == 354
        client.send(raw.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
        codes = [client.getreply()[0] for _ in range(recipients)]
        # The session goes on in step: a stray answer would be read here.
        assert client.noop()[0] == 250
        return codes
    finally:
        client.close()


def test_lmtp_refusals_and_failures_are_answered_per_recipient() -> None:
    recorder = Recorder()
    with listening(recorder, lmtp=True, max_bytes=1024) as listener:
        too_big = MESSAGE + b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n" * 100
        assert lmtp_answers(listener, too_big, 2) == [552, 552]
        recorder.refuse = True
        assert lmtp_answers(listener, MESSAGE, 2) == [550, 550]
        recorder.refuse, recorder.fail = False, True
        assert lmtp_answers(listener, MESSAGE, 3) == [451, 451, 451]
    assert recorder.got == []


def test_lmtp_answers_aiosmtpds_own_size_refusal_per_recipient() -> None:
    # Over the protocol's limit too, aiosmtpd answers 552 itself, before the
    # handler sees the message: LMTP still wants one answer per recipient.
    recorder = Recorder()
    with listening(recorder, lmtp=True, max_bytes=16) as listener:
        huge = MESSAGE + b"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n" * 2000
        assert lmtp_answers(listener, huge, 2) == [552, 552]
    assert recorder.got == []


def test_a_bounce_has_no_sender() -> None:
    recorder = Recorder()
    with (
        listening(recorder) as listener,
        smtplib.SMTP("127.0.0.1", listener.port, timeout=30) as client,
    ):
        client.sendmail("", ["support@desk.test"], MESSAGE)
    [(_, envelope)] = recorder.got
    assert envelope.mail_from is None


def test_serve_forever_stops_cleanly_on_sigterm() -> None:
    recorder = Recorder()
    listener = MailListener(recorder, ListenerSettings(port=0))
    before = signal.getsignal(signal.SIGTERM)

    def customer() -> None:
        try:
            for _ in range(300):  # until the listener listens
                try:
                    socket.create_connection(("127.0.0.1", listener.port), 1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            send(listener)
        finally:
            if signal.getsignal(signal.SIGTERM) is not before:  # serve_forever's
                os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=customer)
    thread.start()
    serve_forever(listener)
    thread.join()
    assert len(recorder.got) == 1
    assert signal.getsignal(signal.SIGTERM) is before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", listener.port), 1)


def test_serve_forever_on_a_taken_port_raises_and_leaves_the_signals_be() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = ListenerSettings(port=taken.getsockname()[1])
        with pytest.raises(OSError, match="in use"):
            serve_forever(MailListener(Recorder(), settings))
    assert signal.getsignal(signal.SIGTERM) is before


ADDRESSES = [
    "",
    "<>",
    "<bob@acme.test>",
    "<bob@acme.test> SIZE=1234 BODY=8BITMIME",
    "bob@acme.test",
    '<"bob smith"@acme.test>',
    "<jürgen@bücher.test> SMTPUTF8",
    "<@relay.test:bob@acme.test>",
    "<bob@acme.test",
    "bob",
    "<<>>",
    "  <bob@acme.test>",
    "<" + "b" * 70 + "@acme.test>",
    "\x00<bob@acme.test>",
]


@pytest.mark.parametrize("limit", [0, 64])
def test_addresses_are_read_as_aiosmtpd_reads_them(limit: int) -> None:
    theirs, ours = SMTP.__new__(SMTP), _SMTP.__new__(_SMTP)
    theirs.local_part_limit = ours.local_part_limit = limit

    for arg in ADDRESSES:
        assert ours._getaddr(arg) == theirs._getaddr(arg), arg


def banner(listener: MailListener) -> tuple[socket.socket, bytes]:
    """A raw connection to the listener, and the first line it says."""
    connection = socket.create_connection(("127.0.0.1", listener.port), timeout=10)
    return connection, connection.makefile("rb").readline()


def admitted_again(listener: MailListener) -> bytes:
    """The greeting of a new connection, once the listener admits one again
    (it hears of a client leaving a moment after the client left), or the
    refusal still said after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        probe, said = banner(listener)
        probe.close()
        if said.startswith(b"220") or time.monotonic() > deadline:
            return said
        time.sleep(0.05)


@pytest.mark.parametrize("lmtp", [False, True])
def test_a_connection_past_the_limit_is_told_421_and_closed(lmtp: bool) -> None:
    recorder = Recorder()
    with listening(recorder, max_connections=2, lmtp=lmtp) as listener:
        first, said = banner(listener)
        assert said.startswith(b"220")
        second, said = banner(listener)
        assert said.startswith(b"220")
        third, said = banner(listener)
        assert said.startswith(b"421 4.7.0")
        assert third.recv(100) == b""  # closed
        third.close()
        first.close()
        # Once one leaves, another gets in (the listener counts the one that left).
        assert admitted_again(listener).startswith(b"220")
        second.close()
        if not lmtp:
            send(listener)
            assert len(recorder.got) == 1


def test_recipients_past_the_limit_are_told_452() -> None:
    recorder = Recorder()
    recipients = [f"support{n}@desk.test" for n in range(5)]
    with (
        listening(recorder, max_recipients=3) as listener,
        smtplib.SMTP("127.0.0.1", listener.port, timeout=30) as client,
    ):
        refused = client.sendmail("bob@acme.test", recipients, MESSAGE)
    assert refused == {
        f"support{n}@desk.test": (452, b"4.5.3 Too many recipients") for n in (3, 4)
    }
    [(_, envelope)] = recorder.got
    assert envelope.recipients == tuple(f"support{n}@desk.test" for n in range(3))


def test_a_client_leaving_mid_message_hands_nothing_in_and_frees_its_seat() -> None:
    recorder = Recorder()
    with listening(recorder, max_connections=1) as listener:
        client = socket.create_connection(("127.0.0.1", listener.port), timeout=10)
        replies = client.makefile("rb")

        def say(command: bytes) -> bytes:
            client.sendall(command + b"\r\n")
            while (line := replies.readline())[3:4] == b"-":
                pass  # a reply of several lines: its last one has a space
            return line[:3]

        assert replies.readline().startswith(b"220")
        assert say(b"EHLO a.test") == b"250"
        assert say(b"MAIL FROM:<bob@acme.test>") == b"250"
        assert say(b"RCPT TO:<support@desk.test>") == b"250"
        assert say(b"DATA") == b"354"
        client.sendall(MESSAGE[:40])  # and no end: the sender goes away
        replies.close()
        client.close()
        # Its seat is given back, so the one allowed connection is free again.
        assert admitted_again(listener).startswith(b"220")
        send(listener)
    [(raw, _)] = recorder.got  # the whole message sent after, and nothing else
    assert (
        raw.replace(b"\r\n", b"\n").strip() == MESSAGE.replace(b"\r\n", b"\n").strip()
    )
