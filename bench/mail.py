"""Scenario 8, mail in (issue 15): messages ingested end to end, against parsing.

Ours: each message sent over SMTP on loopback to the listener (`mail serve`'s),
which answers once the intake has kept the raw blob, parsed it, kept its
attachments and recorded the article with the message's record. The baseline:
the same messages parsed by the standard library alone (BytesParser with
policy.default, the body's text and every attachment's content read), in the
same process. Rounds alternate, so noise falls on both alike.
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import partial

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.stores import BenchStores
from mail.smtp_server import ListenerSettings, MailListener
from tickettape.bootstrap import open_runtime

INGEST = Target(
    "mail_ingest",
    "Mail ingested end to end (SMTP in to committed article) >= 0.5 of parsing "
    "the same messages with the standard library alone",
    min_ratio=0.5,
)


@dataclass(frozen=True)
class Sizes:
    """Messages per round, and rounds of each."""

    messages: int
    rounds: int


SIZES = {"full": Sizes(400, 5), "quick": Sizes(150, 3), "tiny": Sizes(5, 1)}


def messages(count: int, start: int) -> list[bytes]:
    """New messages and replies: text with HTML, every fifth with a 20 KB PDF,
    every other one a reply to the one before by its ticket tag."""
    made = []
    for n in range(start, start + count):
        message = EmailMessage()
        message["From"] = f"Customer {n % 50} <customer{n % 50}@acme.test>"
        message["To"] = "support@desk.test"
        message["Subject"] = f"Printer {n // 2} on fire" + (" (more)" if n % 2 else "")
        message["Message-ID"] = f"<bench{n}@acme.test>"
        if n % 2:
            message["In-Reply-To"] = f"<bench{n - 1}@acme.test>"
        text = f"Hello,\n\nprinter {n} smokes since this morning.\n" * 8
        message.set_content(text)
        message.add_alternative(f"<p>{text}</p>", subtype="html")
        if n % 5 == 0:
            message.add_attachment(
                bytes(range(256)) * 80,
                maintype="application",
                subtype="pdf",
                filename=f"invoice-{n}.pdf",
            )
        made.append(message.as_bytes(policy=policy.SMTP))
    return made


def run(stores: BenchStores, counts: Counts) -> list[Comparison]:
    """Send the messages in rounds, parse the same, alternating."""
    sizes = SIZES[counts.mode]
    settings = stores.new("mail", pool_size=2)
    ours: list[float] = []
    ours_rates: list[float] = []
    parsed: list[float] = []
    parsed_rates: list[float] = []
    with contextlib.ExitStack() as stack:
        runtime = open_runtime(settings, views=[])
        stack.callback(runtime.close)
        listener = MailListener(runtime.mail.deliver, ListenerSettings(port=0))
        listener.start()
        stack.callback(listener.stop)
        client = smtplib.SMTP("127.0.0.1", listener.port, timeout=60)
        stack.callback(client.quit)
        for round_ in range(sizes.rounds + 1):
            batch = messages(sizes.messages, round_ * sizes.messages)
            sent = _timed(partial(_send, client), batch)
            read = _timed(_parse, batch)
            if round_:  # the first round warms both up
                ours += sent
                ours_rates.append(len(sent) / sum(sent))
                parsed += read
                parsed_rates.append(len(read) / sum(read))
    return [
        Comparison(
            scenario="mail",
            store=stores.kind,
            name="mail in: SMTP to a committed article, one connection "
            f"({sizes.messages} messages a round)",
            ours=Figure.of("messages/s", ours, ours_rates),
            baseline=Figure.of("messages/s", parsed, parsed_rates),
            baseline_name="the same messages parsed by the standard library "
            "alone (policy.default, body text and attachments read)",
            measure="rate",
            target=INGEST,
            notes={"messages": len(ours), "pdf_every": 5, "replies": "every other"},
        )
    ]


def _timed(each: Callable[[bytes], object], batch: list[bytes]) -> list[float]:
    timings = []
    for raw in batch:
        began = time.perf_counter()
        each(raw)
        timings.append(time.perf_counter() - began)
    return timings


def _send(client: smtplib.SMTP, raw: bytes) -> None:
    client.sendmail("customer@acme.test", ["support@desk.test"], raw)


def _parse(raw: bytes) -> None:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    body = message.get_body(("plain", "html"))
    if body is not None:
        body.get_content()
    for part in message.iter_attachments():
        part.get_content()
