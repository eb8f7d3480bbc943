"""The SQLite view store gathers the planner's statistics by itself."""

from __future__ import annotations

from pathlib import Path

from projections.store import Row, SQLiteViewStore


def stats_rows(store: SQLiteViewStore) -> list[Row]:
    with store.transaction() as cursor:
        cursor.execute("SELECT tbl, idx FROM sqlite_stat1 ORDER BY idx")
        return cursor.fetchall()


def test_the_first_write_gathers_statistics_and_later_ones_wait(
    tmp_path: Path,
) -> None:
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    try:
        with store.transaction(write=True) as cursor:
            cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, queue TEXT)")
            cursor.execute("CREATE INDEX t_queue ON t (queue)")
            cursor.executemany(
                "INSERT INTO t (queue) VALUES (?)", [(f"q{i % 5}",) for i in range(50)]
            )
        assert stats_rows(store) == [("t", "t_queue")]

        with store.transaction(write=True) as cursor:
            cursor.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, owner TEXT)")
            cursor.execute("CREATE INDEX u_owner ON u (owner)")
            cursor.execute("INSERT INTO u (owner) VALUES ('alice')")
        # Within the minute: not analyzed again, until asked.
        assert stats_rows(store) == [("t", "t_queue")]
        store.refresh_statistics()
        assert stats_rows(store) == [("t", "t_queue"), ("u", "u_owner")]
    finally:
        store.close()
