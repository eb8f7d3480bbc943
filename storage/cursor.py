"""A cursor that takes `?` placeholders on both stores and reads rows by name."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any, Self

from storage.dialect import Dialect


class Row(tuple[Any, ...]):
    """A fetched row: a tuple that also answers its columns by name (`row.title`)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not columns of the query.
        raise AttributeError(f"the row has no column {name!r} (it has {self._fields})")


@lru_cache(maxsize=512)
def row_class(columns: tuple[str, ...]) -> type[Row]:
    """The Row subclass for a query's columns, made once per set of column names."""
    getters: dict[str, Any] = {}
    for i, name in enumerate(columns):
        # `COUNT(*)` is no name, and `count` or `index` stay the tuple's own
        # methods (give such a column an alias); a join's second `id` is read
        # by position.
        if name.isidentifier() and not name.startswith("_") and not hasattr(Row, name):
            getters.setdefault(name, property(itemgetter(i)))
    return type("Row", (Row,), {"__slots__": (), "_fields": columns, **getters})


class Cursor:
    """A cursor that takes `?` placeholders on both stores."""

    def __init__(self, cursor: Any, dialect: Dialect, *, replace_nul: bool = False):
        self._cursor = cursor
        self.dialect = dialect
        self._replace_nul = replace_nul

    @property
    def postgres(self) -> bool:
        """Whether the statements run on PostgreSQL (else on SQLite)."""
        return self.dialect.postgres

    def execute(
        self,
        statement: str,
        params: Sequence[object] = (),
        *,
        planned_for_values: bool = False,
    ) -> Self:
        """Run one statement.

        `planned_for_values`: PostgreSQL plans it for these very values every
        time. psycopg prepares a statement after its fifth run, and the server
        may then settle on a generic plan, which cannot know how many rows a
        value selects (a full-text query's plan two to four times slower).
        """
        native, bound = self.dialect.native(statement), self._bound(params)
        if planned_for_values and self.postgres:
            self._cursor.execute(native, bound, prepare=False)
        else:
            self._cursor.execute(native, bound)
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement for each row of parameters."""
        if rows:
            self._cursor.executemany(
                self.dialect.native(statement), [self._bound(r) for r in rows]
            )

    def fetchone(self) -> Row | None:
        """The next row of the last query, or None."""
        row = self._cursor.fetchone()
        return None if row is None else self._row_class()(row)

    def fetchall(self) -> list[Row]:
        """The remaining rows of the last query."""
        rows = self._cursor.fetchall()
        if not rows:
            return []
        return list(map(self._row_class(), rows))

    def count(self, statement: str, params: Sequence[object] = ()) -> int:
        """Run a query whose answer is one number (COUNT, SUM) and give it."""
        self.execute(statement, params)
        row = self.fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    def _row_class(self) -> type[Row]:
        return row_class(tuple(column[0] for column in self._cursor.description))

    def _bound(self, params: Sequence[object]) -> Sequence[object]:
        if not self._replace_nul:
            return params
        # PostgreSQL text cannot hold NUL, and one such title would stop the view
        # for good; views are derived, so they keep a replacement character.
        return tuple(
            p.replace("\x00", "\ufffd") if isinstance(p, str) and "\x00" in p else p
            for p in params
        )
