"""What the search index should hold, from the aggregates, and what it holds."""

from __future__ import annotations

from domain.desk import HelpDesk
from projections.search_index import TITLE, searchable
from projections.store import ViewStore

Document = tuple[str, str, bool, str, str]


def indexed_documents(store: ViewStore) -> list[Document]:
    """Every document of the live index: ticket, article, internal, subject, body."""
    with store.transaction() as rows:
        rows.execute(
            "SELECT d.ticket, d.article, d.internal, s.subject, s.body "
            "FROM view_search_documents d JOIN view_search_text s ON s.rowid = d.doc"
        )
        found = rows.fetchall()
    return sorted((t, a, bool(i), s, b) for t, a, i, s, b in found)


def expected_documents(desk: HelpDesk, numbers: list[str]) -> list[Document]:
    """The documents these tickets imply: the title, then each article."""
    documents = []
    for number in numbers:
        ticket = desk.ticket(number)
        ticket_id = str(ticket.id)
        documents.append((ticket_id, TITLE, False, searchable(ticket.title), ""))
        documents.extend(
            (
                ticket_id,
                article.article_id,
                not article.is_public,
                searchable(article.subject),
                searchable(article.body),
            )
            for article in ticket.articles
        )
    return sorted(documents)
