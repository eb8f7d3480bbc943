"""Searching the index: ranked tickets, each with a snippet the reader may see."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue
from projections.engine.cursors import pack, unpack
from projections.engine.scope import Scope
from projections.engine.store import ViewCursor, ViewStore
from projections.engine.tracking import position
from projections.search.index import CONFIGURATION, NAME, TITLE
from projections.tickets.listing import (
    COLUMNS,
    TICKETS,
    TicketFilter,
    TicketSummaryRow,
    summary_row,
    ticket_conditions,
    ticket_tags,
)
from projections.tickets.summary import NAME as SUMMARY

DOCUMENTS, TEXT = "view_search_documents", "view_search_text"
#: How many of the newest matching documents a search ranks: enough for the
#: tickets anyone pages through (25 pages of 20), few enough that a common word
#: costs the same at any size of the desk. bm25 is most of a search's time
#: (~11 us a document at 1M tickets), so this is about half of 1,000's cost.
CANDIDATES = 500
#: Ranked pages are found by offset; a cursor past the candidates ends them.
MAX_OFFSET = 10_000
START, STOP = "\x02", "\x03"
#: What FTS5's unicode61 tokenizer keeps as words: letters and digits.
_WORD = re.compile(r"[^\W_]+")
_QUERY = f"plainto_tsquery('{CONFIGURATION}', ?)"
_HEADLINE = (
    "'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=24, "
    'MinWords=8, MaxFragments=2, FragmentDelimiter=" … "\''
)


@dataclass(frozen=True)
class SnippetPart:
    """A piece of a snippet; `match` pieces are the words searched for."""

    text: str
    match: bool


@dataclass(frozen=True)
class SearchHit:
    """A ticket that matches, and the best-matching text the reader may see."""

    ticket: TicketSummaryRow
    #: The matching article, or None when the ticket's title matched best.
    article_id: str | None
    snippet: list[SnippetPart]


@dataclass(frozen=True)
class SearchPage:
    """A page of hits, best first; the total that match; where the views stand.

    When `more_matches`, more documents matched than were ranked: only the
    newest candidates were, and `total` counts the tickets among them.
    """

    hits: list[SearchHit]
    total: int
    next_cursor: str | None
    position: int
    more_matches: bool = False


def search_tickets(
    store: ViewStore,
    scope: Scope,
    wanted: TicketFilter,
    text: str,
    limit: int = 20,
    cursor: str | None = None,
    candidates: int = CANDIDATES,
) -> SearchPage:
    """The tickets whose title or visible articles hold every word of the text.

    Only the newest `candidates` documents that match, that the reader may see
    and that the filter wants are ranked, so a common word costs no more in a
    big desk than in a small one. A customer's scope never matches an internal
    article, so neither the ranking nor the snippet can reveal one.
    """
    offset = 0 if cursor is None else decode_cursor(cursor, text)
    with store.transaction() as rows:
        at = min(position(rows, NAME), position(rows, SUMMARY))
        words = _words(rows, text)
        if words is None:
            return SearchPage([], 0, None, at)
        ranked, more_matches = _ranked(rows, scope, wanted, words, candidates)
        page = ranked[offset : offset + limit]
        tickets = _tickets(rows, [ticket for ticket, _ in page])
        snippets = _snippets(rows, words, [doc for _, doc in page])
    hits = [SearchHit(tickets[ticket], *snippets[doc]) for ticket, doc in page]
    more = offset + len(page) < len(ranked)
    next_cursor = encode_cursor(text, offset + limit) if more and page else None
    return SearchPage(hits, len(ranked), next_cursor, at, more_matches)


def encode_cursor(text: str, offset: int) -> str:
    """An opaque token for the page at this offset of this search."""
    return pack(["search", _digest(text), offset])


def decode_cursor(cursor: str, text: str) -> int:
    """The offset inside a cursor made for this search; InvalidValue otherwise."""
    found = unpack(cursor)
    if (
        not isinstance(found, list)
        or len(found) != 3
        or found[:2] != ["search", _digest(text)]
        or type(found[2]) is not int
        or not 0 <= found[2] <= MAX_OFFSET
    ):
        raise InvalidValue("the cursor is malformed or belongs to another search")
    return found[2]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _words(rows: ViewCursor, text: str) -> str | None:
    """The search as the store's query language takes it; None if it has no words.

    Every word is quoted for FTS5, so operators and quotes in the text are
    plain words; PostgreSQL's plainto_tsquery ignores operators by itself.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return text if rows.postgres else " ".join(f'"{word}"' for word in words)


def _ranked(
    rows: ViewCursor, scope: Scope, wanted: TicketFilter, words: str, candidates: int
) -> tuple[list[tuple[str, int]], bool]:
    """(ticket, best document) best first, and whether more matched than ranked.

    The candidates are the newest matching documents the scope and the filter
    allow, found by walking the matches from the newest; one more than asked
    tells whether there are more. Each ticket is ranked by its best document.
    """
    where, params = ticket_conditions(scope, wanted)
    if scope.customer is not None:
        where.append("d.internal = 0")
    newest, newest_params = _newest(rows.postgres, words, " AND ".join(where))
    rows.execute(
        f"WITH matched AS ({newest} LIMIT ?), "
        "candidates AS (SELECT * FROM matched ORDER BY doc DESC LIMIT ?), "
        "best AS (SELECT ticket, doc, number, score, ROW_NUMBER() OVER "
        "(PARTITION BY ticket ORDER BY score, doc) AS n FROM candidates) "
        "SELECT ticket, doc, (SELECT COUNT(*) FROM matched) AS matches FROM best "
        "WHERE n = 1 ORDER BY score, number",
        [*newest_params, *params, candidates + 1, candidates],
        # A generic plan guesses how many documents the words match; planned
        # for them, a search on PostgreSQL took half the time (3,000 tickets).
        planned_for_values=True,
    )
    found = rows.fetchall()
    more_matches = bool(found) and int(found[0].matches) > candidates
    return [(str(row.ticket), int(row.doc)) for row in found], more_matches


def _newest(postgres: bool, words: str, where: str) -> tuple[str, list[Any]]:
    """The matching documents the conditions allow, newest first, with a score.

    The score is lower for a better match; title and subject words weigh more
    than body words on both stores.
    """
    if postgres:
        matches = (
            f"SELECT d.ticket, d.doc, t.number, -ts_rank(s.words, {_QUERY}) AS score "
            f"FROM {TEXT} s JOIN {DOCUMENTS} d ON d.doc = s.rowid "
            f"JOIN {TICKETS} t ON t.id = d.ticket WHERE s.words @@ {_QUERY}"
        )
        # The planner walks the text backwards from the newest document while
        # it expects many matches, else sorts the few the GIN index finds.
        return f"{matches} AND {where} ORDER BY s.rowid DESC", [words, words]
    matches = (
        f"SELECT d.ticket, d.doc, t.number, bm25({TEXT}, 4.0, 1.0) AS score "
        f"FROM {TEXT} JOIN {DOCUMENTS} d ON d.doc = {TEXT}.rowid "
        f"JOIN {TICKETS} t ON t.id = d.ticket WHERE {TEXT} MATCH ?"
    )
    # FTS5 walks a match's rowids from the newest when asked for this order.
    return f"{matches} AND {where} ORDER BY {TEXT}.rowid DESC", [words]


def _tickets(rows: ViewCursor, ids: list[str]) -> dict[str, TicketSummaryRow]:
    """The summary of each of these tickets, with its tags, by id."""
    if not ids:
        return {}
    rows.execute(
        f"SELECT {COLUMNS} FROM {TICKETS} t "
        f"WHERE t.id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    found = rows.fetchall()
    tags = ticket_tags(rows, ids)
    return {row.id: summary_row(row, tags.get(row.id, [])) for row in found}


def _snippets(
    rows: ViewCursor, words: str, docs: list[int]
) -> dict[int, tuple[str | None, list[SnippetPart]]]:
    """The article and the marked-up matching text of each document."""
    if not docs:
        return {}
    among = ", ".join("?" for _ in docs)
    if rows.postgres:
        rows.execute(
            f"SELECT s.rowid, d.article, ts_headline('{CONFIGURATION}', "
            f"s.subject || ' ' || s.body, {_QUERY}, {_HEADLINE}) "
            f"FROM {TEXT} s JOIN {DOCUMENTS} d ON d.doc = s.rowid "
            f"WHERE s.rowid IN ({among})",
            [words, *docs],
        )
    else:
        rows.execute(
            f"SELECT {TEXT}.rowid, d.article, "
            f"snippet({TEXT}, -1, char(2), char(3), ' … ', 24) "
            f"FROM {TEXT} JOIN {DOCUMENTS} d ON d.doc = {TEXT}.rowid "
            # FTS5 finds a match's rowid by walking the match, so one walk
            # from the newest down to the page's oldest document (the `+`
            # keeps it from walking once per document).
            f"WHERE {TEXT} MATCH ? AND {TEXT}.rowid >= ? "
            f"AND +{TEXT}.rowid IN ({among}) ORDER BY {TEXT}.rowid DESC",
            [words, min(docs), *docs],
        )
    return {int(doc): _marked(article, text) for doc, article, text in rows.fetchall()}


def _marked(article: str, text: str) -> tuple[str | None, list[SnippetPart]]:
    pieces = re.split(f"[{START}{STOP}]", text)
    parts = [SnippetPart(p, i % 2 == 1) for i, p in enumerate(pieces) if p]
    return (None if article == TITLE else article), parts
