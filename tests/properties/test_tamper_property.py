"""No edit of the event, seal or chain tables by someone without the key goes unseen.

Whatever single change an attacker makes to a SQLite store (a row's payload,
version or position edited, a row deleted or copied, in any of the three tables),
verify finds something, and names no position before the first one the change
touched. A store nobody touched verifies clean.
"""

from __future__ import annotations

import tempfile
from contextlib import closing
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.desk import HelpDesk
from replay.chain import extend_chain
from replay.ledger_stores import open_ledger
from replay.verify import verify_log
from tests.replay.sealing import keyring_of
from tests.replay.tamper import Tamper
from tests.replay.tamper_changes import CHANGES, NEEDS_A_CHAIN, Change
from tests.writing import open_tickets
from tickettape.settings import Settings
from tickettape.stores import event_store_env


@settings(max_examples=60, deadline=None)
@given(
    tickets=st.integers(min_value=1, max_value=3),
    chained=st.booleans(),
    change=st.sampled_from([None, *CHANGES]),
    aim=st.integers(min_value=0, max_value=10_000),
)
def test_every_change_is_found_at_or_after_where_it_was_made(
    tickets: int, chained: bool, change: Change | None, aim: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = event_store_env(Settings(database_url="", data_dir=Path(scratch)))
        with closing(HelpDesk(env=env)) as desk, closing(open_ledger(desk)) as ledger:
            desk.initialize()
            open_tickets(desk, tickets)
            keyring = keyring_of(env)
            if chained:
                assert extend_chain(ledger, keyring)[1] is None
            tamper = Tamper(env)
            if change is None:
                assert verify_log(ledger, keyring).clean
                return
            if change in NEEDS_A_CHAIN and not chained:
                return
            touched = change(tamper, aim % len(tamper.rows()))
            verdict = verify_log(ledger, keyring)
            assert verdict.finding is not None, change
            named = verdict.finding.notification_id
            assert named is not None
            assert named >= touched, verdict.finding
