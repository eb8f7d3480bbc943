"""What differs between SQLite's SQL and PostgreSQL's, said once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """One store's spelling of what the two spell differently."""

    name: str
    #: Whether this is PostgreSQL's SQL (else SQLite's).
    postgres: bool
    #: Appended to a SELECT in a write transaction to lock the rows it reads.
    lock_clause: str
    #: Column types by what they hold: "integer", "text", "bytes".
    types: dict[str, str]

    def native(self, statement: str) -> str:
        """The statement with `?` placeholders in the driver's own spelling."""
        if not self.postgres:
            return statement
        return statement.replace("%", "%%").replace("?", "%s")

    def lock_table(self, table: str) -> str | None:
        """The statement that keeps other writers off a table until commit, if any.

        SQLite needs none: a write transaction holds the whole file's write lock.
        """
        if not self.postgres:
            return None
        # Readers of the table are not blocked.
        return f"LOCK TABLE {table} IN EXCLUSIVE MODE"

    def rename_table(self, old: str, new: str) -> tuple[str, ...]:
        """The statements that give a table (and its primary key) a new name."""
        rename = f"ALTER TABLE {old} RENAME TO {new}"
        if not self.postgres:
            # SQLite renames a table's automatic indexes with it.
            return (rename,)
        # PostgreSQL keeps the old primary key's name, so rename that too.
        return (rename, f"ALTER INDEX IF EXISTS {old}_pkey RENAME TO {new}_pkey")


SQLITE = Dialect(
    "sqlite", False, "", {"integer": "INTEGER", "text": "TEXT", "bytes": "BLOB"}
)
POSTGRES = Dialect(
    "postgresql",
    True,
    " FOR UPDATE",
    {"integer": "bigint", "text": "text", "bytes": "bytea"},
)


def quoted(*names: str) -> str:
    """A (schema-)qualified name, each part quoted as an SQL identifier."""
    return ".".join('"' + name.replace('"', '""') + '"' for name in names)
