"""What differs between SQLite's SQL and PostgreSQL's, said once."""

from __future__ import annotations

#: Column types by what they hold: (SQLite's, PostgreSQL's).
_TYPES = {
    "integer": ("INTEGER", "bigint"),
    "text": ("TEXT", "text"),
    "bytes": ("BLOB", "bytea"),
}


class Dialect:
    """SQLite's spelling of what the two stores spell differently."""

    name = "sqlite"
    #: Whether this is PostgreSQL's SQL (else SQLite's).
    postgres = False
    #: Appended to a SELECT in a write transaction to lock the rows it reads;
    #: SQLite needs none, a write transaction holds the whole file's write lock.
    lock_clause = ""

    def column_type(self, holds: str) -> str:
        """The type of a column that holds "integer", "text" or "bytes"."""
        return _TYPES[holds][self.postgres]

    def native(self, statement: str) -> str:
        """The statement with `?` placeholders in the driver's own spelling."""
        return statement

    def lock_table(self, table: str) -> str | None:
        """The statement that keeps other writers off a table until commit, if any."""
        return None

    def rename_table(self, old: str, new: str) -> tuple[str, ...]:
        """The statements that give a table (and its primary key) a new name."""
        # SQLite renames a table's automatic indexes with it.
        return (f"ALTER TABLE {old} RENAME TO {new}",)


class PostgresDialect(Dialect):
    """PostgreSQL's spelling."""

    name = "postgresql"
    postgres = True
    lock_clause = " FOR UPDATE"

    def native(self, statement: str) -> str:
        """The statement with psycopg's `%s` placeholders (and `%` escaped)."""
        return statement.replace("%", "%%").replace("?", "%s")

    def lock_table(self, table: str) -> str | None:
        """An exclusive lock: writers wait, readers of the table are not blocked."""
        return f"LOCK TABLE {table} IN EXCLUSIVE MODE"

    def rename_table(self, old: str, new: str) -> tuple[str, ...]:
        """PostgreSQL keeps the old primary key's name, so rename that too."""
        return (
            *super().rename_table(old, new),
            f"ALTER INDEX IF EXISTS {old}_pkey RENAME TO {new}_pkey",
        )


SQLITE = Dialect()
POSTGRES = PostgresDialect()


def quoted(*names: str) -> str:
    """A (schema-)qualified name, each part quoted as an SQL identifier."""
    return ".".join('"' + name.replace('"', '""') + '"' for name in names)
