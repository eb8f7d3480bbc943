"""Verify since a checkpoint misses no change made after it.

A store with tickets, a checkpoint signed over them, then more on one of them
and more tickets (chained or not yet): whatever single change someone without
the key makes to a row after the checkpoint, verify since the checkpoint finds
something, at or after the first position the change touched, and agrees with
the whole verify on it. A store nobody touched verifies clean, with the whole
verify's count.
"""

from __future__ import annotations

import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.audit import Origin
from domain.desk import HelpDesk
from replay.chain import extend_chain
from replay.checkpoint import sign_checkpoint
from replay.ledger_stores import open_ledger
from replay.verify import verify_log, verify_since
from tests.replay.sealing import keyring_of
from tests.replay.tamper import Tamper
from tests.replay.tamper_changes import CHANGES, NEEDS_A_CHAIN, Change
from tests.writing import open_tickets
from tickettape.settings import Settings
from tickettape.stores import event_store_env

KEY = Ed25519PrivateKey.generate()


@settings(max_examples=60, deadline=None)
@given(
    before=st.integers(min_value=1, max_value=2),
    after=st.integers(min_value=1, max_value=2),
    chained=st.booleans(),
    change=st.sampled_from([None, *CHANGES]),
    aim=st.integers(min_value=0, max_value=10_000),
)
def test_every_change_after_the_checkpoint_is_found(
    before: int, after: int, chained: bool, change: Change | None, aim: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = event_store_env(Settings(database_url="", data_dir=Path(scratch)))
        with closing(HelpDesk(env=env)) as desk, closing(open_ledger(desk)) as ledger:
            desk.initialize()
            first = open_tickets(desk, before)[0]
            keyring = keyring_of(env)
            assert extend_chain(ledger, keyring)[1] is None
            whole = verify_log(ledger, keyring)
            checkpoint = sign_checkpoint(
                KEY, whole.position, whole.head, whole.checked, datetime.now(UTC)
            )
            # Tickets of before the checkpoint go on after it, and new ones come.
            desk.tag(first, "later", Origin("agent:alice"))
            open_tickets(desk, after)
            if chained:
                assert extend_chain(ledger, keyring)[1] is None
            tamper = Tamper(env)
            public = KEY.public_key()
            if change is None:
                verdict = verify_since(ledger, keyring, checkpoint, public)
                assert verdict.clean
                assert verdict == verify_log(ledger, keyring, checkpoint, public)
                return
            if change in NEEDS_A_CHAIN and not chained:
                return
            rows = tamper.rows()
            later = [i for i, row in enumerate(rows) if row[0] > checkpoint.position]
            touched = change(tamper, later[aim % len(later)])
            if touched <= checkpoint.position:
                return
            verdict = verify_since(ledger, keyring, checkpoint, public)
            assert verdict.finding is not None, change
            named = verdict.finding.notification_id
            assert named is not None
            assert named >= touched, verdict.finding
            assert verdict == verify_log(ledger, keyring, checkpoint, public)
