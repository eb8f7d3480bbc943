"""What the search index should hold, from the aggregates, and what it holds."""

from __future__ import annotations

import re

from domain.desk import HelpDesk
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.search.index import CONFIGURATION, TITLE, searchable
from projections.tickets.listing import TicketFilter, ticket_conditions

Document = tuple[str, str, bool, str, str]
#: A ticket's number and its best-matching article (None for the title).
Hit = tuple[str, str | None]


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


def every_match_ranked(
    store: ViewStore, scope: Scope, wanted: TicketFilter, text: str
) -> tuple[list[Hit], int]:
    """The hits best first and how many documents matched, ranking every match.

    This is how search ranked before it ranked only the newest candidates: the
    answer it must still give when no more documents match than it ranks.
    """
    where, params = ticket_conditions(scope, wanted)
    visible = " AND d.internal = 0" if scope.customer is not None else ""
    words = re.findall(r"[^\W_]+", text)
    with store.transaction() as rows:
        if rows.postgres:
            query = f"plainto_tsquery('{CONFIGURATION}', ?)"
            matches = (
                f"SELECT d.ticket, d.doc, d.article, -ts_rank(s.words, {query}) "
                "AS score FROM view_search_text s JOIN view_search_documents d "
                f"ON d.doc = s.rowid WHERE s.words @@ {query}{visible}"
            )
            searched = [text, text]
        else:
            matches = (
                "SELECT d.ticket, d.doc, d.article, "
                "bm25(view_search_text, 4.0, 1.0) AS score FROM view_search_text "
                "JOIN view_search_documents d ON d.doc = view_search_text.rowid "
                f"WHERE view_search_text MATCH ?{visible}"
            )
            searched = [" ".join(f'"{word}"' for word in words)]
        rows.execute(
            "SELECT t.number, h.article, h.n FROM (SELECT ticket, article, score, "
            "ROW_NUMBER() OVER (PARTITION BY ticket ORDER BY score, doc) AS n "
            f"FROM ({matches}) x) h JOIN view_tickets t ON t.id = h.ticket "
            f"WHERE {' AND '.join(where)} ORDER BY h.score, t.number",
            [*searched, *params],
        )
        found = rows.fetchall()
    hits = [(number, article or None) for number, article, n in found if n == 1]
    return hits, len(found)
