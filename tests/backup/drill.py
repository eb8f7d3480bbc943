"""Writers that keep a desk busy on threads and note every write acknowledged."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from domain.articles import Article
from domain.attachments import AttachmentRef, BlobStore
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft

ALICE = Origin("agent:alice")
LONG = Origin("customer:long@acme.test")
# At most this many writes per writer, so a drill is bounded whatever happens.
MOST_WRITES = 400


@dataclass(frozen=True)
class Write:
    """An acknowledged write: the ticket, its new article and its attachment."""

    number: str
    article_id: str
    sha256: str


class Writers:
    """Threads that open tickets and add articles with attachments until stopped."""

    def __init__(self, desk: HelpDesk, blobs: BlobStore, count: int = 3) -> None:
        self.desk, self.blobs = desk, blobs
        self.acknowledged: list[Write] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._threads = [
            threading.Thread(target=self._write, args=(n,), daemon=True)
            for n in range(count)
        ]

    def grow_long_ticket(self, articles: int) -> None:
        """One ticket with many articles, so the store holds snapshots too."""
        article = Article(self.desk.new_article_id(), "customer", "public", "web", "!")
        draft = TicketDraft("A long story", "long@acme.test")
        number = self.desk.open_ticket(draft, article, LONG).number
        for n in range(articles):
            note = Article(
                self.desk.new_article_id(), "agent", "internal", "note", f"{n}"
            )
            self.desk.add_article(number, note, ALICE)
            self._acknowledge(Write(number, note.article_id, ""))

    def start(self) -> None:
        """Start writing."""
        for thread in self._threads:
            thread.start()

    def wait_for(self, count: int, timeout: float = 120) -> None:
        """Wait until at least `count` writes were acknowledged (or writing ended)."""
        with self._progress:
            self._progress.wait_for(
                lambda: len(self.acknowledged) >= count or self.finished(), timeout
            )

    def so_far(self) -> list[Write]:
        """The writes acknowledged until now."""
        with self._progress:
            return list(self.acknowledged)

    def finished(self) -> bool:
        """Whether every writer has stopped."""
        return not any(thread.is_alive() for thread in self._threads)

    def stop(self) -> None:
        """Stop writing and wait for the writers to finish their current write."""
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _acknowledge(self, write: Write) -> None:
        with self._progress:
            self.acknowledged.append(write)
            self._progress.notify_all()

    def _write(self, writer: int) -> None:
        number = None
        try:
            for n in range(MOST_WRITES):
                if self._stop.is_set():
                    return
                content = f"scan {writer}-{n} ".encode() * (50 + n)
                digest = self.blobs.put(content)
                article = Article(
                    self.desk.new_article_id(),
                    "customer" if number is None else "agent",
                    "public",
                    "web",
                    f"Writer {writer}, write {n}",
                    attachments=[
                        AttachmentRef(
                            f"scan-{n}.txt", "text/plain", len(content), digest
                        )
                    ],
                )
                # Every third write opens a ticket, the others add to the last one.
                if number is None or n % 3 == 0:
                    # A customer per writer: two first tickets of one new
                    # customer would race to register them.
                    customer = f"customer{writer}@acme.test"
                    draft = TicketDraft(f"Drill {writer}-{n}", customer)
                    origin = Origin(f"customer:{customer}")
                    number = self.desk.open_ticket(draft, article, origin).number
                else:
                    self.desk.add_article(number, article, ALICE)
                self._acknowledge(Write(number, article.article_id, digest))
        except BaseException as error:
            self.errors.append(error)
        finally:
            with self._progress:
                self._progress.notify_all()
