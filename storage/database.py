"""A database: transactions over a pool of connections, in one dialect."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager

from storage.cursor import Cursor
from storage.dialect import Dialect


class Database(ABC):
    """Transactions on SQLite or PostgreSQL, taking `?` placeholders on both."""

    dialect: Dialect

    @property
    def lock_clause(self) -> str:
        """Appended to a SELECT in a write transaction to lock the rows it reads."""
        return self.dialect.lock_clause

    @abstractmethod
    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """One transaction: committed when the block ends, rolled back on error."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection this database opened."""

    def rename_table(self, cursor: Cursor, old: str, new: str) -> None:
        """Give a table (and its primary key) a new name."""
        for statement in self.dialect.rename_table(old, new):
            cursor.execute(statement)

    def refresh_statistics(self) -> None:
        """Gather the planner's statistics now (PostgreSQL: autovacuum does it too)."""
        with self.transaction(write=True) as cursor:
            cursor.execute("ANALYZE")
