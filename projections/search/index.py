"""The search index: ticket titles and article subjects and bodies, full-text."""

from __future__ import annotations

import re
from typing import Any

from eventsourcing.utils import get_topic

from domain.disclosure import Disclosure, Reader
from domain.ticket import Ticket
from projections.engine.store import ViewCursor
from projections.engine.view import PerStore, Tables, Template

NAME = "search_index"
#: The article of a ticket's title document.
TITLE = ""
#: Only the start of a huge article is searchable: PostgreSQL refuses a tsvector
#: over 1 MB, and an event the view cannot apply would stop it for good.
MAX_SEARCHABLE = 100_000
#: The text search configuration: no stemming and no stop words, as FTS5's
#: unicode61 tokenizer, so both stores find the same tickets in any language.
CONFIGURATION = "simple"
#: A document's id (its event's log position), ticket, article and whether
#: it is internal (no customer may see it).
Document = tuple[int, str, str, bool]
CUSTOMERS = Disclosure(Reader.CUSTOMER)

_DOCUMENTS = (
    "CREATE TABLE IF NOT EXISTS {{search_documents}} (doc {key} PRIMARY KEY, "
    "ticket TEXT NOT NULL, article TEXT NOT NULL, internal INTEGER NOT NULL)"
)
TABLES: dict[str, Template] = {
    # Who may see each document: the ticket (for the ticket's visibility) and
    # whether it is an internal article (never for customers). On SQLite the
    # doc is the rowid itself, one lookup less for each match a search walks.
    "search_documents": PerStore(
        sqlite=_DOCUMENTS.format(key="INTEGER"),
        postgresql=_DOCUMENTS.format(key="BIGINT"),
    ),
    # The words, keyed by the document. On PostgreSQL the key is called rowid
    # too, so the same statements fill either store.
    "search_text": PerStore(
        sqlite=(
            "CREATE VIRTUAL TABLE IF NOT EXISTS {search_text} USING fts5("
            "subject, body, tokenize = 'unicode61 remove_diacritics 2')"
        ),
        postgresql=(
            "CREATE TABLE IF NOT EXISTS {search_text} ("
            "rowid BIGINT PRIMARY KEY, subject TEXT NOT NULL, body TEXT NOT NULL, "
            "words tsvector GENERATED ALWAYS AS ("
            f"setweight(to_tsvector('{CONFIGURATION}', subject), 'A') || "
            f"setweight(to_tsvector('{CONFIGURATION}', body), 'B')) STORED)"
        ),
    ),
}
INDEXES: list[Template] = [
    "CREATE UNIQUE INDEX IF NOT EXISTS {search_documents}_article "
    "ON {search_documents} (ticket, article)",
    PerStore(
        sqlite=None,
        postgresql=(
            "CREATE INDEX IF NOT EXISTS {search_text}_words "
            "ON {search_text} USING GIN (words)"
        ),
    ),
]

# NUL is no PostgreSQL text; STX and ETX mark the matches of a snippet.
_UNSEARCHABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def searchable(text: str) -> str:
    """The text as the index keeps it: control characters blanked, the start only."""
    return _UNSEARCHABLE.sub(" ", text[:MAX_SEARCHABLE])


class SearchIndex:
    """Keeps one document per ticket title and per article, with its visibility.

    A document's id is the log position of the event that added it, so a
    higher id is a newer document: search ranks the newest matches first.
    """

    name = NAME
    tables = TABLES
    indexes = INDEXES

    def __init__(self) -> None:
        self.topics = [
            get_topic(kind)
            for kind in (Ticket.Created, Ticket.ArticleAdded, Ticket.Retitled)
        ]

    def apply(self, event: Any, cursor: ViewCursor, tables: Tables) -> None:
        """Refuse: a document's id is its event's log position."""
        raise TypeError("the search index is applied with apply_at")

    def apply_at(
        self, position: int, event: Any, cursor: ViewCursor, tables: Tables
    ) -> None:
        """Index a new ticket's title or article, or a retitled ticket's title."""
        ticket = str(event.originator_id)
        internal = not CUSTOMERS.sees_event(event)
        if isinstance(event, Ticket.Created):
            _add(cursor, tables, (position, ticket, TITLE, internal), event.title, "")
        elif isinstance(event, Ticket.ArticleAdded):
            document = (position, ticket, event.article_id, internal)
            _add(cursor, tables, document, event.subject, event.body)
        elif isinstance(event, Ticket.Retitled):
            cursor.execute(
                f"UPDATE {tables['search_text']} SET subject = ? WHERE rowid = "
                f"(SELECT doc FROM {tables['search_documents']} "
                "WHERE ticket = ? AND article = ?)",
                (searchable(event.to_title), ticket, TITLE),
            )


def _add(
    cursor: ViewCursor, tables: Tables, document: Document, subject: str, body: str
) -> None:
    # Each event adds at most one document, so its position is a unique id.
    doc, ticket, article, internal = document
    cursor.execute(
        f"INSERT INTO {tables['search_documents']} (doc, ticket, article, internal) "
        "VALUES (?, ?, ?, ?)",
        (doc, ticket, article, int(internal)),
    )
    cursor.execute(
        f"INSERT INTO {tables['search_text']} (rowid, subject, body) VALUES (?, ?, ?)",
        (doc, searchable(subject), searchable(body)),
    )
