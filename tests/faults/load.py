"""A bounded client load: agents opening tickets and adding notes, readers listing.

Every write carries an Idempotency-Key and is retried with it until acknowledged,
as a careful client does: after a 503 (waiting its Retry-After) and after no
answer at all (the API process died). Every answer is kept, with how long it took.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: Seconds a client waits for an answer; never reaching it fails the test.
CLIENT_TIMEOUT = 10.0
#: Writes per writer thread at most, and seconds between a thread's requests.
MAX_WRITES = 400
PAUSE = 0.05
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Reply:
    """One request and its answer (status None: no answer, `error` says why)."""

    what: str
    began: float
    seconds: float
    status: int | None
    retry_after: str | None = None
    content_type: str = ""
    title: str = ""
    error: str = ""
    body: Any = None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def honest(self) -> bool:
        """2xx, or a 503 problem saying when to retry (/readyz: any 503)."""
        if self.ok or (self.status == 503 and self.what == "readyz"):
            return True
        return (
            self.status == 503
            and self.retry_after is not None
            and self.content_type == PROBLEM_JSON
        )


@dataclass
class Write:
    """A command a writer sends until it is acknowledged."""

    key: str
    path: str
    payload: dict[str, Any]
    marker: str
    opens_ticket: bool
    number: str | None = None
    acknowledged: bool = False
    replies: list[Reply] = field(default_factory=list)

    @property
    def outcome_unknown(self) -> bool:
        """Some answer was 503 Outcome Unknown."""
        return any(r.title == "Outcome Unknown" for r in self.replies)


def send(
    port: int, what: str, method: str, path: str, token: str, **extra: Any
) -> Reply:
    """One request on a fresh connection, answered within CLIENT_TIMEOUT or not."""
    headers = {"Authorization": f"Bearer {token}", **extra.get("headers", {})}
    body = None
    if "payload" in extra:
        body = json.dumps(extra["payload"]).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    began = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as error:
        return Reply(what, began, time.monotonic() - began, None, error=repr(error))
    finally:
        conn.close()
    seconds = time.monotonic() - began
    content_type = response.getheader("content-type", "")
    parsed = json.loads(data) if data and "json" in content_type else None
    title = ""
    if isinstance(parsed, dict) and content_type == PROBLEM_JSON:
        title = str(parsed.get("title", ""))
    return Reply(
        what,
        began,
        seconds,
        response.status,
        response.getheader("retry-after"),
        content_type,
        title,
        body=parsed,
    )


@contextmanager
def under_load(port: int, token: str, name: str = "fault") -> Iterator[Load]:
    """A load on the API at the port, stopped when the block ends, however it ends;
    `name` keeps the keys, titles and customers of two loads apart."""
    load = Load(port, token, name=name)
    load.start()
    try:
        yield load
    finally:
        load.stop()


class Load:
    """Writer and reader threads against the API on a port, until stop()."""

    def __init__(
        self,
        port: int,
        token: str,
        writers: int = 4,
        readers: int = 2,
        name: str = "fault",
    ) -> None:
        self.port, self.token, self.name = port, token, name
        self.writer_count, self.reader_count = writers, readers
        self.replies: list[Reply] = []
        self.writes: list[Write] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the writers and the readers."""
        for number in range(self.writer_count):
            self._spawn(self._writer, number)
        for number in range(self.reader_count):
            self._spawn(self._reader, number)

    def stop(self) -> None:
        """Stop every thread after its current request (each is bounded)."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(CLIENT_TIMEOUT * 3)
        assert not any(t.is_alive() for t in self._threads), "a client hangs"

    def settle(self, patience: float = 60.0) -> None:
        """Send every write not yet acknowledged again (same key) until it is."""
        deadline = time.monotonic() + patience
        for write in self.writes:
            while not write.acknowledged and time.monotonic() < deadline:
                if not self._attempt(write):
                    time.sleep(0.2)
            assert write.acknowledged, f"never acknowledged: {write}"

    def _spawn(self, target: Any, number: int) -> None:
        thread = threading.Thread(target=target, args=(number,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _writer(self, writer: int) -> None:
        tickets: list[str] = []
        for count in range(MAX_WRITES):
            if self._stopping.is_set():
                return
            write = self._next_write(writer, count, tickets)
            with self._lock:
                self.writes.append(write)
            while not write.acknowledged and not self._stopping.is_set():
                if not self._attempt(write):
                    self._stopping.wait(self._retry_in(write.replies[-1]))
            if write.acknowledged and write.opens_ticket and write.number:
                tickets.append(write.number)
            self._stopping.wait(PAUSE)

    def _next_write(self, writer: int, count: int, tickets: list[str]) -> Write:
        key = f"{self.name}-{writer}-{count}"
        if not tickets or count % 4 == 0:
            title = f"Printer {key}"
            payload = {
                "title": title,
                # A customer per writer: registering one is a write of its own.
                "customer": f"{self.name}{writer}@acme.test",
                "article": {"body": "It smokes."},
            }
            return Write(key, "/api/v1/tickets", payload, title, opens_ticket=True)
        # A writer's own tickets only: writers never race for one ticket.
        number = random.choice(tickets)
        body = f"Note {key}"
        payload = {"body": body, "visibility": "internal"}
        path = f"/api/v1/tickets/{number}/articles"
        return Write(key, path, payload, body, opens_ticket=False, number=number)

    def _attempt(self, write: Write) -> bool:
        """Send the write once; True when acknowledged."""
        reply = send(
            self.port,
            "write",
            "POST",
            write.path,
            self.token,
            payload=write.payload,
            headers={"Idempotency-Key": write.key},
        )
        write.replies.append(reply)
        self._keep(reply)
        if reply.ok:
            write.number = reply.body["number"]
            write.acknowledged = True
        return write.acknowledged

    def _retry_in(self, reply: Reply) -> float:
        if reply.status is None:
            return 0.2
        if reply.status != 503:
            # A refusal other than 503 is a finding; do not hammer on it.
            return 1.0
        return min(float(reply.retry_after or 1), 2.0)

    def _reader(self, _: int) -> None:
        while not self._stopping.is_set():
            for what, path in (
                ("list", "/api/v1/tickets?limit=20"),
                ("readyz", "/readyz"),
                ("healthz", "/healthz"),
                ("ticket", self._some_ticket()),
            ):
                if path:
                    reply = send(self.port, what, "GET", path, self.token)
                    self._keep(reply)
                    if reply.status is None:
                        # No process listens: look again shortly, not at once.
                        self._stopping.wait(0.2)
            self._stopping.wait(PAUSE)

    def _some_ticket(self) -> str:
        with self._lock:
            numbers = [w.number for w in self.writes if w.acknowledged and w.number]
        return f"/api/v1/tickets/{random.choice(numbers)}" if numbers else ""

    def _keep(self, reply: Reply) -> None:
        with self._lock:
            self.replies.append(reply)
