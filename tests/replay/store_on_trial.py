"""A store on trial: a few tickets, its audit tables, and raw access to them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.ids import ticket_id
from replay.chain import extend_chain
from replay.checkpoint import Checkpoint, sign_checkpoint
from replay.findings import verify_aggregate
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.seals import Keyring
from replay.verdicts import Verdict
from replay.verify import verify_log
from tests.replay.sealing import keyring_of
from tests.replay.tamper import Tamper

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")
Row = tuple[int, str, int, str, bytes]


@dataclass
class Archive:
    """A store with a few tickets, its chain, and raw access to its tables."""

    desk: HelpDesk
    ledger: Ledger
    keyring: Keyring
    tamper: Tamper
    numbers: list[str]

    def add_ticket(self, title: str) -> str:
        """Open a ticket with a customer's article and tag it."""
        number = self.desk.open_ticket(
            TicketDraft(title=title, customer="bob@acme.test"),
            Article(
                article_id=f"{title}-1",
                sender="customer",
                visibility="public",
                channel="web",
                body=f"{title}: the printer smokes.",
            ),
            BOB,
        ).number
        self.desk.tag(number, "printer", ALICE)
        self.desk.tag(number, "fire", ALICE)
        self.numbers.append(number)
        return number

    def row_of(self, number: str, version: int) -> Row:
        """The stored row of one version of a ticket."""
        wanted = str(ticket_id(number))
        return next(r for r in self.tamper.rows() if r[1] == wanted and r[2] == version)

    def chain(self) -> int:
        """Chain what is unchained, as the keeper does; how many."""
        added, stopped = extend_chain(self.ledger, self.keyring)
        assert stopped is None, stopped
        return added

    def verify(
        self, checkpoint: Checkpoint | None = None, key: Ed25519PrivateKey | None = None
    ) -> Verdict:
        """Verify the whole log (against a checkpoint, with its key)."""
        public = None if key is None else key.public_key()
        return verify_log(self.ledger, self.keyring, checkpoint, public)

    def verify_ticket(self, originator_id: str) -> Verdict:
        """Verify one aggregate, as `replay verify --ticket` does."""
        return verify_aggregate(self.ledger, self.keyring, originator_id)

    def signed(self, key: Ed25519PrivateKey) -> Checkpoint:
        """Chain and verify the archive, then sign its head."""
        self.chain()
        verdict = self.verify()
        assert verdict.clean, verdict.finding
        return sign_checkpoint(
            key, verdict.position, verdict.head, verdict.checked, datetime.now(UTC)
        )


@contextlib.contextmanager
def chained_archive(
    desk: HelpDesk, env: dict[str, str], titles: Sequence[str]
) -> Iterator[Archive]:
    """The store with a ticket of each title, all chained; its ledger closed after."""
    ledger = open_ledger(desk)
    made = Archive(desk, ledger, keyring_of(env), Tamper(env), [])
    try:
        for title in titles:
            made.add_ticket(title)
        made.chain()
        yield made
    finally:
        ledger.close()
