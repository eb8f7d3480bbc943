"""Sealing each event in the transaction that stores it: what both recorders share.

eventsourcing's SQLite and PostgreSQL recorders each get one change on the write
path (tickettape/sealing_sqlite.py, tickettape/sealing_postgres.py): after the
events are inserted and their log positions known, a row per event goes into
`audit_seals` in the same transaction, holding the keyed MAC of the event's
position and hash (replay/seals.py). The keyring file is read when the store is
opened; a new, empty store gets a new keyring, a store that holds events but whose
keyring is missing refuses every write until it is found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    OperationalError,
    PersistenceError,
    StoredEvent,
)

from replay.chain import event_hash
from replay.records import StoredRecord
from replay.seals import (
    Keyring,
    KeyringError,
    KeyringFile,
    create_keyring,
    event_message,
    load_keyring,
)

log = logging.getLogger(__name__)

KEYRING_KEY = "SEAL_KEYRING"
log = logging.getLogger(__name__)


class SealKeyMissing(OperationalError):
    """The store holds events but its seal keyring cannot be used: no writes."""


def seal_rows(
    keyring: Keyring, stored_events: Sequence[StoredEvent], positions: Sequence[int]
) -> list[tuple[int, UUID | str, int, str, bytes]]:
    """Each event's seal row: position, originator id, version, key id, seal."""
    rows = []
    for event, position in zip(stored_events, positions, strict=True):
        own = event_hash(
            StoredRecord(
                position,
                str(event.originator_id),
                event.originator_version,
                event.topic,
                event.state,
            )
        )
        key_id, seal = keyring.sign(event_message(position, own))
        rows.append(
            (position, event.originator_id, event.originator_version, key_id, seal)
        )
    return rows


class Sealing:
    """The keyring file a recorder seals with, or why it has none."""

    keyring_file: KeyringFile | None = None
    keyring_problem = "no seal keyring was configured"

    def use_keyring(self, path: Path | None, recorder: ApplicationRecorder) -> None:
        """Read the keyring; make one for an empty store; else remember why not."""
        if path is None:
            return
        try:
            load_keyring(path)
        except KeyringError as error:
            if path.exists():
                self.keyring_problem = str(error)
                return
            if recorder.max_notification_id():
                self.keyring_problem = (
                    f"{error}; the store holds events, so none can be written until "
                    "the keyring that sealed them is back (set TICKETTAPE_SEAL_KEY)"
                )
                return
            try:
                create_keyring(path)
                log.info("created the seal keyring %s", path)
            except FileExistsError:
                pass  # another process made it between our read and our write
            except OSError as failed:
                self.keyring_problem = (
                    f"cannot create the seal keyring {path}: {failed}"
                )
                return
        self.keyring_file = KeyringFile(path)

    def sealing_keyring(self) -> Keyring:
        """The keyring as its file holds it now, or SealKeyMissing saying why not."""
        if self.keyring_file is None:
            raise SealKeyMissing(self.keyring_problem)
        try:
            return self.keyring_file.keyring()
        except KeyringError as error:
            raise SealKeyMissing(str(error)) from None


def keyring_path(env: Any) -> Path | None:
    value = env.get(KEYRING_KEY)
    return Path(value) if value else None


def snapshots_stored(
    insert: Callable[..., Sequence[int] | None],
    stored_events: Sequence[StoredEvent],
    **kwargs: Any,
) -> Sequence[int] | None:
    # Application.save stores the events, then the snapshots: an exception here
    # would answer a failure for a command whose events are stored. A snapshot
    # only shortens later loads, so one that is lost is not worth it.
    try:
        return insert(stored_events, **kwargs)
    except PersistenceError as error:
        log.warning("a snapshot was not stored (%s); loads replay a little more", error)
        return None


def sealing_problem(recorder: ApplicationRecorder) -> str | None:
    """Why a sealing recorder cannot write; None when it can (or does not seal)."""
    if not isinstance(recorder, Sealing):
        return None
    try:
        recorder.sealing_keyring()
    except SealKeyMissing as error:
        return str(error)
    return None


def keyring_file_of(recorder: ApplicationRecorder) -> KeyringFile | None:
    """The keyring file a sealing recorder uses (None for any other recorder)."""
    return recorder.keyring_file if isinstance(recorder, Sealing) else None
