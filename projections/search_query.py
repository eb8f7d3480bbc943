"""Searching the index: ranked tickets, each with a snippet the reader may see."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue
from projections.cursors import pack, unpack
from projections.search_index import CONFIGURATION, NAME, TITLE
from projections.store import ViewCursor, ViewStore
from projections.ticket_list import (
    COLUMNS,
    TICKETS,
    Scope,
    TicketFilter,
    TicketSummaryRow,
    summary_row,
    ticket_conditions,
    ticket_tags,
)
from projections.ticket_summary import NAME as SUMMARY
from projections.tracking import position

DOCUMENTS, TEXT = "view_search_documents", "view_search_text"
#: Ranked pages are found by offset, and deep pages cost a rank of every match.
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
    """A page of hits, best first; the total that match; where the views stand."""

    hits: list[SearchHit]
    total: int
    next_cursor: str | None
    position: int


def search_tickets(
    store: ViewStore,
    scope: Scope,
    wanted: TicketFilter,
    text: str,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """The tickets whose title or visible articles hold every word of the text.

    A customer's scope never matches an internal article, so neither the
    ranking nor the snippet can reveal one.
    """
    offset = 0 if cursor is None else decode_cursor(cursor, text)
    public_only = scope.customer is not None
    where, params = ticket_conditions(scope, wanted)
    with store.transaction() as rows:
        at = min(position(rows, NAME), position(rows, SUMMARY))
        words = _words(rows, text)
        if words is None:
            return SearchPage([], 0, None, at)
        ranked, ranked_params = _ranked(rows.postgres, words, public_only)
        matching = (
            f"FROM ({ranked}) h JOIN {TICKETS} t ON t.id = h.ticket "
            f"WHERE h.n = 1 AND {' AND '.join(where)}"
        )
        rows.execute(f"SELECT COUNT(*) {matching}", [*ranked_params, *params])
        total = int((rows.fetchone() or (0,))[0])
        rows.execute(
            f"SELECT {COLUMNS}, h.doc {matching} "
            "ORDER BY h.score, t.number LIMIT ? OFFSET ?",
            [*ranked_params, *params, limit, offset],
        )
        found = rows.fetchall()
        tags = ticket_tags(rows, [row[0] for row in found])
        snippets = _snippets(rows, words, [row[-1] for row in found])
    hits = [
        SearchHit(summary_row(row, tags.get(row[0], [])), *snippets[row[-1]])
        for row in found
    ]
    more = offset + len(found) < total
    next_cursor = encode_cursor(text, offset + limit) if more and found else None
    return SearchPage(hits, total, next_cursor, at)


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


def _ranked(postgres: bool, words: str, public_only: bool) -> tuple[str, list[Any]]:
    """Each matching document, its score (lower is better) and its place (n)."""
    visible = " AND d.internal = 0" if public_only else ""
    if postgres:
        hits = (
            f"SELECT d.ticket, d.doc, -ts_rank(s.words, {_QUERY}) AS score "
            f"FROM {TEXT} s JOIN {DOCUMENTS} d ON d.doc = s.rowid "
            f"WHERE s.words @@ {_QUERY}{visible}"
        )
        params = [words, words]
    else:
        # Title and subject words weigh more than body words, as on PostgreSQL.
        hits = (
            f"SELECT d.ticket, d.doc, bm25({TEXT}, 4.0, 1.0) AS score "
            f"FROM {TEXT} JOIN {DOCUMENTS} d ON d.doc = {TEXT}.rowid "
            f"WHERE {TEXT} MATCH ?{visible}"
        )
        params = [words]
    ranked = (
        "SELECT ticket, doc, score, ROW_NUMBER() OVER "
        f"(PARTITION BY ticket ORDER BY score, doc) AS n FROM ({hits}) x"
    )
    return ranked, params


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
            f"WHERE {TEXT} MATCH ? AND {TEXT}.rowid IN ({among})",
            [words, *docs],
        )
    return {int(doc): _marked(article, text) for doc, article, text in rows.fetchall()}


def _marked(article: str, text: str) -> tuple[str | None, list[SnippetPart]]:
    pieces = re.split(f"[{START}{STOP}]", text)
    parts = [SnippetPart(p, i % 2 == 1) for i, p in enumerate(pieces) if p]
    return (None if article == TITLE else article), parts
