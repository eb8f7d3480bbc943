"""Text with NUL characters never stops a view, on either store.

PostgreSQL text cannot hold NUL: a row or a query parameter with one would raise,
and a view that raises on an event stops at it for good.
"""

from __future__ import annotations

from projections.engine.store import ViewStore


def test_nul_characters_are_stored_and_queried_without_error(
    view_store: ViewStore,
) -> None:
    with view_store.transaction(write=True) as cursor:
        cursor.execute("CREATE TABLE view_nul_probe (body TEXT NOT NULL)")
        cursor.execute("INSERT INTO view_nul_probe VALUES (?)", ["a\x00b"])
        cursor.executemany("INSERT INTO view_nul_probe VALUES (?)", [["c\x00d"]])
    with view_store.transaction() as cursor:
        cursor.execute("SELECT body FROM view_nul_probe ORDER BY body")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM view_nul_probe WHERE body = ?", ["x\x00"])
        assert cursor.fetchone() == (0,)
    replacement = "\ufffd" if cursor.postgres else "\x00"
    assert stored == [f"a{replacement}b", f"c{replacement}d"]
