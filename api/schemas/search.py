"""Query and response models of full-text search."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.views import MAX_WAIT_SECONDS, TicketFilterQuery, TicketSummaryOut
from domain.disclosure import Disclosure
from projections.search.query import CANDIDATES, SearchPage

MAX_SEARCH_LIMIT = 100
MAX_SEARCH_LENGTH = 200


class SearchQuery(TicketFilterQuery):
    """The words to find, the ticket list's filters, and paging."""

    q: Annotated[
        str,
        StringConstraints(
            min_length=1,
            max_length=MAX_SEARCH_LENGTH,
            # Printable, and not blank.
            pattern=r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$",
        ),
    ] = Field(
        description="Plain words, all of which must occur; quotes and operators "
        "are words too."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_SEARCH_LIMIT)] = 20
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = (
        Field(None, description="next_cursor of the previous page, same q.")
    )
    after: Annotated[int, Field(ge=0, le=2**62)] | None = Field(
        None, description="A write's position: answer once search includes it."
    )
    wait: Annotated[float, Field(ge=0, le=MAX_WAIT_SECONDS)] = Field(
        2.0, description="Seconds to wait for `after` before answering anyway."
    )


class SnippetPartOut(BaseModel):
    """A piece of plain text; `match` pieces are words that were searched for."""

    text: str
    match: bool


class SearchHitOut(TicketSummaryOut):
    """A ticket that matches, with a snippet of text the caller may read."""

    article_id: str | None = Field(
        description="The best-matching article, or null when the title matched best."
    )
    snippet: list[SnippetPartOut]


class SearchOut(BaseModel):
    """Tickets best first; `caught_up` is false when search lagged behind `after`."""

    hits: list[SearchHitOut]
    total: int = Field(description="The tickets that match (among those ranked).")
    more_matches: bool = Field(
        description="The search matched more documents than are ranked: only the "
        f"newest {CANDIDATES:,} were ranked, so total and the pages count the "
        "tickets among those; narrow the search to find the others."
    )
    next_cursor: str | None
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: SearchPage, caught_up: bool, told: Disclosure) -> SearchOut:
        """The response form of a page, as the reader may be told it."""
        hits = [
            SearchHitOut(
                **TicketSummaryOut.of(hit.ticket, told).model_dump(),
                article_id=hit.article_id,
                snippet=[
                    SnippetPartOut(text=p.text, match=p.match) for p in hit.snippet
                ],
            )
            for hit in page.hits
        ]
        return cls(
            hits=hits,
            total=page.total,
            more_matches=page.more_matches,
            next_cursor=page.next_cursor,
            position=page.position,
            caught_up=caught_up,
        )
