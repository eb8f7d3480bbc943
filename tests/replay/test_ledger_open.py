"""Opening the audit tables of a SQLite store that has them waits for no writer."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from eventsourcing.sqlite import SQLiteApplicationRecorder

from replay.ledger_stores import open_ledger
from tests.stores import DeskFactory
from tickettape.settings import Settings
from tickettape.stores import event_store_env

#: Seconds an opening may take on a busy machine; far below the lock timeout.
QUICK = 2.0


def test_a_second_opening_reads_only(tmp_path: Path, desk_factory: DeskFactory) -> None:
    settings = Settings(database_url="", data_dir=tmp_path, postgres_lock_timeout=10)
    desk = desk_factory(event_store_env(settings))
    open_ledger(desk).close()
    recorder = desk.recorder
    assert isinstance(recorder, SQLiteApplicationRecorder)

    with closing(sqlite3.connect(recorder.datastore.pool.db_name)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        began = time.monotonic()
        ledger = open_ledger(desk)
        took = time.monotonic() - began
        writer.execute("ROLLBACK")
    try:
        assert took < QUICK
        assert ledger.end() >= 0
    finally:
        ledger.close()
