"""Scenario 8, mail in (issue 15): messages ingested end to end, against parsing.

Ours: each message sent over SMTP on loopback to the listener (`mail serve`'s),
which answers once the intake has kept the raw blob, parsed it, kept its
attachments and recorded the article with the message's record. The sending
mail server is a process of its own (bench.mail_sender), as it is in use, on
one connection for the whole run. The baseline: the same messages parsed by
the standard library alone (BytesParser with policy.default, the body's text
and every attachment's content read), in the same process. The two alternate
every CHUNK messages (a tenth of a second or so), so that the noise of a
shared machine falls on both alike; each round's rate is taken over its chunks.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from eventsourcing.utils import get_topic

from bench.counts import Counts
from bench.figures import Comparison, Figure, Target
from bench.mail_sender import messages
from bench.stores import BenchStores
from domain.mail import InboundMail
from mail.smtp_server import ListenerSettings, MailListener
from tickettape.bootstrap import Runtime, initialize, open_runtime

REPOSITORY = Path(__file__).resolve().parent.parent
#: The longest a round of sending may take.
SENDER_SECONDS = 600
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
#: Messages sent, then parsed, at a time.
CHUNK = 10


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
        # The default queue (General) the messages' address maps to.
        initialize(runtime)
        listener = MailListener(runtime.mail.deliver, ListenerSettings(port=0))
        listener.start()
        stack.callback(listener.stop)
        sender = stack.enter_context(_Sender(listener.port))
        for round_ in range(sizes.rounds + 1):
            sent: list[float] = []
            read: list[float] = []
            for start in range(0, sizes.messages, CHUNK):
                first = round_ * sizes.messages + start
                count = min(CHUNK, sizes.messages - start)
                sent += sender.send(count, first)
                read += _timed(_parse, messages(count, first))
            if round_:  # the first round warms both up
                ours += sent
                ours_rates.append(len(sent) / sum(sent))
                parsed += read
                parsed_rates.append(len(read) / sum(read))
        _all_taken(runtime, (sizes.rounds + 1) * sizes.messages)
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


def _all_taken(runtime: Runtime, sent: int) -> None:
    """Every message became an article: the figure is of the intake's whole path,
    not of quarantining (a store without its queue quarantines every message)."""
    recorder = runtime.desk.recorder
    top = recorder.max_notification_id() or 0

    def recorded(kind: type[object]) -> int:
        topics = [get_topic(kind)]
        return len(recorder.select_notifications(1, top + 1, stop=top, topics=topics))

    taken, quarantined = recorded(InboundMail.Taken), recorded(InboundMail.Quarantined)
    if taken != sent or quarantined:
        raise RuntimeError(
            f"of {sent} messages sent {taken} became articles and {quarantined} "
            "were quarantined"
        )


def _timed(each: Callable[[bytes], object], batch: list[bytes]) -> list[float]:
    timings = []
    for raw in batch:
        began = time.perf_counter()
        each(raw)
        timings.append(time.perf_counter() - began)
    return timings


class _Sender:
    """The sending mail server (bench.mail_sender), one SMTP connection kept."""

    def __init__(self, port: int) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.mail_sender", str(port)],
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> _Sender:
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=SENDER_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def send(self, count: int, start: int) -> list[float]:
        """The latency of each message sent; the sender gives up on a listener
        that does not answer within its SMTP timeout."""
        process = self._process
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps({"count": count, "start": start}) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the sender stopped (exit code {process.wait()})")
        latencies: list[float] = json.loads(line)
        return latencies


def _parse(raw: bytes) -> None:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    body = message.get_body(("plain", "html"))
    if body is not None:
        body.get_content()
    for part in message.iter_attachments():
        part.get_content()
