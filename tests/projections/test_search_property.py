"""For random command sequences: the index rebuilt equals the index built as it
went, a customer never finds an internal article or a hidden ticket, and search
ranks as it did when it ranked every match, unless more match than it ranks."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from projections.engine.rebuild import rebuild
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.search.index import SearchIndex
from projections.search.query import search_tickets
from projections.tickets.listing import TicketFilter
from projections.tickets.summary import TicketSummary
from tests.examples import examples_with_fixtures
from tests.projections.counting import staffed_desk
from tests.projections.search import (
    every_match_ranked,
    expected_documents,
    indexed_documents,
)
from tests.projections.steps import run_steps
from tests.projections.view_stores import wipe

ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")
SECRET = "zebracorn"
BOBS = Scope(customer="bob@acme.test", organization="ACME")

Command = Callable[[HelpDesk, list[str], int], object]


def _article(sender: str, visibility: str) -> Command:
    origin = BOB if sender == "customer" else ALICE
    # Only internal notes carry the secret, beside a word anyone may search.
    body = f"Words {SECRET}" if visibility == "internal" else "Words"

    def add(desk: HelpDesk, made: list[str], i: int) -> object:
        text = Article(desk.new_article_id(), sender, visibility, "web", body, body)
        return desk.add_article(made[i], text, origin)

    return add


def _open(desk: HelpDesk, made: list[str], i: int) -> object:
    # Hidden tickets carry the secret openly, in their title and first article.
    hidden = i > 2
    body = f"Help {SECRET}" if hidden else "Help"
    text = Article(desk.new_article_id(), "customer", "public", "web", body)
    title = f"T{len(made)} {SECRET if hidden else 'words'}"
    draft = TicketDraft(title=title, customer="bob@acme.test", hidden=hidden)
    made.append(desk.open_ticket(draft, text, BOB).number)
    return None


def _retitle(desk: HelpDesk, made: list[str], i: int) -> object:
    hidden = desk.ticket(made[i]).hidden
    return desk.retitle(made[i], f"R{i} {SECRET if hidden else 'words'}", ALICE)


COMMANDS: dict[str, Command] = {
    "open": _open,
    "customer reply": _article("customer", "public"),
    "agent reply": _article("agent", "public"),
    "agent note": _article("agent", "internal"),
    "retitle": _retitle,
    "move": lambda d, m, i: d.move(m[i], ("General", "Hardware")[i % 2], ALICE),
    "close": lambda d, m, i: d.change_status(m[i], "closed", None, "", ALICE),
    "merge": lambda d, m, i: d.merge(m[i], m[(i + 1) % len(m)], ALICE),
    "catch up": lambda d, m, i: None,
}
STEPS = st.lists(
    st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 4)), max_size=25
)


def played(
    store: ViewStore, steps: list[tuple[str, int]]
) -> tuple[HelpDesk, list[str]]:
    """A fresh desk after the steps, the index caught up; the tickets opened."""
    wipe(store, TicketSummary(), SearchIndex())
    desk = staffed_desk()
    runner = ViewRunner(desk, store, [TicketSummary(), SearchIndex()], batch_size=3)
    made = run_steps(desk, COMMANDS, steps, runner.catch_up)
    return desk, made


def numbers(store: ViewStore, scope: Scope, text: str) -> set[str]:
    """The tickets a search finds."""
    page = search_tickets(store, scope, TicketFilter(), text, limit=200)
    return {hit.ticket.number for hit in page.hits}


@examples_with_fixtures(20)
@given(steps=STEPS)
def test_rebuilt_index_equals_incremental(
    view_store: ViewStore, steps: list[tuple[str, int]]
) -> None:
    desk, made = played(view_store, steps)
    incremental = indexed_documents(view_store)
    assert incremental == expected_documents(desk, made)
    hits = numbers(view_store, Scope(), "words")
    rebuild(desk, view_store, SearchIndex(), batch_size=4)
    assert indexed_documents(view_store) == incremental
    assert numbers(view_store, Scope(), "words") == hits


@examples_with_fixtures(20)
@given(steps=STEPS)
def test_customers_never_find_internal_notes_or_hidden_tickets(
    view_store: ViewStore, steps: list[tuple[str, int]]
) -> None:
    desk, made = played(view_store, steps)
    secretive = {
        number
        for number in made
        if SECRET in desk.ticket(number).title
        or any(SECRET in a.body for a in desk.ticket(number).articles)
    }
    assert numbers(view_store, Scope(), SECRET) == secretive
    assert numbers(view_store, BOBS, SECRET) == set()
    page = search_tickets(view_store, BOBS, TicketFilter(), "words", limit=200)
    assert all(not hit.ticket.hidden for hit in page.hits)
    assert all(SECRET not in part.text for h in page.hits for part in h.snippet)


@examples_with_fixtures(20)
@given(steps=STEPS, candidates=st.integers(1, 8))
def test_search_ranks_every_match_unless_more_match_than_it_ranks(
    view_store: ViewStore, steps: list[tuple[str, int]], candidates: int
) -> None:
    played(view_store, steps)
    for scope in (Scope(), BOBS, Scope(queues=("Hardware",))):
        for text in ("words", "help words", SECRET):
            hits, documents = every_match_ranked(
                view_store, scope, TicketFilter(), text
            )
            page = search_tickets(
                view_store, scope, TicketFilter(), text, 200, None, candidates
            )
            found = [(hit.ticket.number, hit.article_id) for hit in page.hits]
            assert page.more_matches == (documents > candidates)
            if documents <= candidates:
                assert (found, page.total) == (hits, len(hits))
            else:
                # A ticket's best document among the candidates may be another.
                assert {n for n, _ in found} <= {n for n, _ in hits}
                assert 0 < page.total <= len(hits)
