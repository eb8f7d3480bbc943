"""The search index and its query, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import InvalidValue
from domain.people import Agent
from domain.queues import FollowUp, Queue
from domain.ticket import Ticket
from projections.engine.rebuild import rebuild
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.search.index import MAX_SEARCHABLE, TITLE, SearchIndex
from projections.search.query import (
    CANDIDATES,
    SearchPage,
    encode_cursor,
    search_tickets,
)
from projections.tickets.listing import TicketFilter
from projections.tickets.summary import TicketSummary
from tests.projections.search import (
    every_match_ranked,
    expected_documents,
    indexed_documents,
)

ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")
EVERYTHING = Scope()
BOBS = Scope(customer="bob@acme.test")
ANY = TicketFilter()


def open_ticket(
    desk: HelpDesk,
    title: str,
    body: str = "Help!",
    queue: str = "General",
    hidden: bool = False,
) -> str:
    """A ticket opened by bob; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", body)
    draft = TicketDraft(title, "bob@acme.test", queue=queue, hidden=hidden)
    return desk.open_ticket(draft, article, BOB).number


def note(desk: HelpDesk, number: str, body: str, visibility: str = "internal") -> str:
    """An agent's article on the ticket; its id."""
    article = Article(desk.new_article_id(), "agent", visibility, "note", body)
    desk.add_article(number, article, ALICE)
    return article.article_id


@pytest.fixture
def runner(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The summary and the search index, with a second queue."""
    desk.save_config(Agent.hire("alice", "Alice", "a@x.test", ["support"], [], ALICE))
    desk.save_config(Queue.open("Hardware", "support", FollowUp.REOPEN, None, ALICE))
    return ViewRunner(desk, view_store, [TicketSummary(), SearchIndex()], batch_size=3)


def search(
    runner: ViewRunner,
    text: str,
    scope: Scope = EVERYTHING,
    wanted: TicketFilter = ANY,
    candidates: int = CANDIDATES,
) -> SearchPage:
    """Catch up, then search, ranking at most `candidates` documents."""
    runner.catch_up()
    return search_tickets(runner.store, scope, wanted, text, candidates=candidates)


def found(page: SearchPage) -> list[str]:
    """The ticket numbers of a page, best first."""
    return [hit.ticket.number for hit in page.hits]


def test_titles_subjects_and_bodies_are_found(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    printer = open_ticket(desk, "Printer on fire", "Smoke comes out of the tray")
    mouse = open_ticket(desk, "Mouse broken")
    reply = Article(
        desk.new_article_id(), "agent", "public", "email", "Try this", "Re: firmware"
    )
    desk.add_article(mouse, reply, ALICE)
    assert found(search(runner, "printer")) == [printer]
    assert found(search(runner, "SMOKE tray")) == [printer]
    assert found(search(runner, "firmware")) == [mouse]
    assert found(search(runner, "smoke mouse")) == [], "every word must match"
    assert indexed_documents(runner.store) == expected_documents(desk, [printer, mouse])


def test_a_hit_carries_the_ticket_and_a_marked_snippet(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number = open_ticket(desk, "Printer", "The toner is empty since monday")
    desk.tag(number, "hardware", ALICE)
    [hit] = search(runner, "toner").hits
    assert hit.ticket.number == number
    assert hit.ticket.tags == ["hardware"]
    assert hit.article_id == desk.ticket(number).articles[0].article_id
    assert [p.text for p in hit.snippet if p.match] == ["toner"]
    assert "toner is empty" in "".join(p.text for p in hit.snippet)
    [title_hit] = search(runner, "printer").hits
    assert title_hit.article_id is None


def test_a_retitled_ticket_is_found_by_its_new_title_only(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number = open_ticket(desk, "Printer on fire")
    search(runner, "printer")
    desk.retitle(number, "Toaster on fire", ALICE)
    assert found(search(runner, "toaster")) == [number]
    assert found(search(runner, "printer")) == []


def test_a_ticket_opened_and_retitled_in_one_batch_has_its_new_title(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    number = open_ticket(desk, "Printer on fire", "Smoke")
    desk.retitle(number, "Toaster on fire", ALICE)
    note(desk, number, "The toaster smokes too")
    # One batch holds the title's document and the retitle that changes it.
    rebuild(desk, view_store, SearchIndex(), batch_size=500)
    rebuild(desk, view_store, TicketSummary(), batch_size=500)
    assert found(search_tickets(view_store, EVERYTHING, ANY, "toaster")) == [number]
    assert found(search_tickets(view_store, EVERYTHING, ANY, "printer")) == []
    assert indexed_documents(view_store) == expected_documents(desk, [number])


def test_a_title_match_ranks_above_a_body_match(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    in_body = open_ticket(desk, "Paper jam", "The scanner beside the printer jams")
    in_title = open_ticket(desk, "Scanner does nothing")
    assert found(search(runner, "scanner")) == [in_title, in_body]


def test_customers_never_match_internal_articles_nor_hidden_tickets(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    noted = open_ticket(desk, "Printer", "It smokes")
    note(desk, noted, "Customer is a known troublemaker")
    hidden = open_ticket(desk, "Troublemaker list", hidden=True)
    strangers = Scope(customer="erin@example.com")
    assert set(found(search(runner, "troublemaker"))) == {noted, hidden}
    assert found(search(runner, "troublemaker", BOBS)) == []
    assert found(search(runner, "smokes", BOBS)) == [noted]
    assert found(search(runner, "smokes", strangers)) == []
    snippet = search(runner, "printer smokes", BOBS).hits
    assert all("troublemaker" not in p.text for h in snippet for p in h.snippet)


def test_agents_search_only_their_queues_and_filters_apply(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    general = open_ticket(desk, "Printer in general")
    hardware = open_ticket(desk, "Printer in hardware", queue="Hardware")
    desk.tag(general, "urgent", ALICE)
    assert found(search(runner, "printer", Scope(queues=("Hardware",)))) == [hardware]
    assert found(search(runner, "printer", Scope(queues=()))) == []
    urgent, in_hardware = (
        TicketFilter(tags=("urgent",)),
        TicketFilter(queues=("Hardware",)),
    )
    assert found(search(runner, "printer", wanted=urgent)) == [general]
    assert found(search(runner, "printer", wanted=in_hardware)) == [hardware]
    assert search(runner, "printer").total == 2


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "printer\"'",
        "NOT printer",
        "printer OR",
        "NEAR(printer fire)",
        "subject:printer",
        "print*",
        "^printer",
        "(printer",
        "printer & | ! <-> :*",
        "'; DROP TABLE view_search_text; --",
        "!!!",
        "?",
        "%s %%",
        "_",
        "é" * 200,
    ],
)
def test_any_text_is_plain_words(desk: HelpDesk, runner: ViewRunner, text: str) -> None:
    number = open_ticket(desk, "Printer on fire")
    page = search(runner, text)
    assert found(page) in ([], [number])
    assert search(runner, "printer").total == 1


def test_operators_are_words_not_syntax(desk: HelpDesk, runner: ViewRunner) -> None:
    number = open_ticket(desk, "Printer on fire")
    assert found(search(runner, "NOT fire")) == [], "NOT is a word the ticket lacks"
    assert found(search(runner, '"printer" "fire"')) == [number]


def test_huge_articles_are_searchable_at_their_start(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    words = " ".join(f"w{i}" for i in range(MAX_SEARCHABLE // 3))
    number = open_ticket(desk, "Log dump", f"needle\x00start {words} tailword")
    assert found(search(runner, "needle")) == [number]
    assert found(search(runner, "tailword")) == []


def test_the_cursor_pages_through_every_hit_once(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    made = {open_ticket(desk, f"Printer {i}") for i in range(7)}
    open_ticket(desk, "Scanner")
    runner.catch_up()
    seen: list[str] = []
    cursor = None
    while True:
        page = search_tickets(
            runner.store, EVERYTHING, TicketFilter(), "printer", 3, cursor
        )
        assert page.total == 7
        seen += found(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(made)
    with pytest.raises(InvalidValue):
        search_tickets(runner.store, EVERYTHING, TicketFilter(), "scanner", 3, cursor)


def test_a_rebuild_swaps_in_a_working_index(desk: HelpDesk, runner: ViewRunner) -> None:
    numbers = [open_ticket(desk, f"Printer {i}", "toner low") for i in range(5)]
    note(desk, numbers[0], "secret plan")
    before = search(runner, "printer toner")
    rebuild(desk, runner.store, SearchIndex(), batch_size=2)
    rebuild(desk, runner.store, SearchIndex(), batch_size=4)
    after = search(runner, "printer toner")
    assert found(after) == found(before)
    assert indexed_documents(runner.store) == expected_documents(desk, numbers)
    assert found(search(runner, "secret", BOBS)) == []
    note(desk, numbers[1], "more toner", "public")
    assert found(search(runner, "more"))[0] == numbers[1], "the live index grows"
    with runner.store.transaction() as rows:
        postgres = rows.postgres
        catalogue = (
            "indexname FROM pg_indexes" if postgres else "name FROM sqlite_master"
        )
        rows.execute(f"SELECT {catalogue}")
        names = {row[0] for row in rows.fetchall() if row[0].startswith("view_search")}
    assert not [name for name in names if "rebuild" in name]
    assert "view_search_documents_article" in names
    assert ("view_search_text_words" in names) == postgres


def test_a_document_id_is_the_log_position_of_its_event(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number = open_ticket(desk, "Printer on fire")
    note(desk, number, "Ordered a new one")
    desk.retitle(number, "Printer replaced", ALICE)
    runner.catch_up()
    logged = desk.recorder.select_notifications(1, 100, topics=SearchIndex().topics)
    added = {}
    for notification in logged:
        event = desk.mapper.to_domain_event(notification)
        if isinstance(event, Ticket.Created):
            added[str(event.originator_id), TITLE] = notification.id
        elif isinstance(event, Ticket.ArticleAdded):
            added[str(event.originator_id), event.article_id] = notification.id
    with runner.store.transaction() as rows:
        rows.execute("SELECT ticket, article, doc FROM view_search_documents")
        indexed = {(ticket, article): doc for ticket, article, doc in rows.fetchall()}
    assert indexed == added


def ranked(page: SearchPage) -> list[tuple[str, str | None]]:
    """Each hit's ticket number and article, as every_match_ranked gives them."""
    return [(hit.ticket.number, hit.article_id) for hit in page.hits]


def test_under_the_cap_every_match_is_ranked_as_before(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    numbers = [open_ticket(desk, f"Printer {i}", "toner low") for i in range(2)]
    note(desk, numbers[0], "printer toner ordered", "public")
    note(desk, numbers[1], "printer toner secret")
    note(desk, numbers[1], "printer fixed", "public")
    runner.catch_up()
    assert every_match_ranked(runner.store, EVERYTHING, ANY, "printer")[1] == 5
    for text, scope in [
        ("printer", EVERYTHING),
        ("printer", BOBS),
        ("printer toner", EVERYTHING),
        ("toner", BOBS),
    ]:
        hits, _ = every_match_ranked(runner.store, scope, ANY, text)
        page = search(runner, text, scope, candidates=5)
        assert (ranked(page), page.total) == (hits, len(hits))
        assert not page.more_matches, "as many documents as are ranked is not more"
        assert ranked(search(runner, text, scope)) == hits, "the default cap"


def test_over_the_cap_only_the_newest_documents_are_ranked(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    oldest = open_ticket(desk, "Printer 0")
    newer = [open_ticket(desk, f"Printer {i}") for i in range(1, 6)]
    page = search(runner, "printer", candidates=5)
    assert sorted(found(page)) == sorted(newer)
    assert oldest not in found(page)
    assert (page.total, page.more_matches) == (5, True)
    assert not search(runner, "printer", candidates=6).more_matches
    seen: list[str] = []
    cursor = None
    while True:
        page = search_tickets(runner.store, EVERYTHING, ANY, "printer", 2, cursor, 5)
        seen += found(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(newer)
    past = encode_cursor("printer", 6)
    beyond = search_tickets(runner.store, EVERYTHING, ANY, "printer", 2, past, 5)
    assert (beyond.hits, beyond.next_cursor, beyond.total) == ([], None, 5)


def test_the_cap_counts_only_what_the_reader_may_see_and_wants(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    in_hardware = [open_ticket(desk, f"Printer {i}", queue="Hardware") for i in (1, 2)]
    secretive = open_ticket(desk, "Printer of bob")
    for i in range(6):
        note(desk, secretive, f"printer note {i}")
    for i in range(6):
        open_ticket(desk, f"Printer {i} in general", hidden=True)
    hardware = Scope(queues=("Hardware",))
    for page in (
        search(runner, "printer", hardware, candidates=5),
        search(
            runner, "printer", wanted=TicketFilter(queues=("Hardware",)), candidates=5
        ),
    ):
        assert sorted(found(page)) == sorted(in_hardware)
        assert not page.more_matches
    bobs = search(runner, "printer", BOBS, candidates=5)
    assert sorted(found(bobs)) == sorted([*in_hardware, secretive])
    assert (bobs.total, bobs.more_matches) == (3, False)
    assert search(runner, "printer", candidates=5).more_matches


def test_postgres_plans_the_ranking_for_the_words_of_each_search(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    """psycopg prepares a statement after its fifth run, and the server may
    then rank with a generic plan blind to how many documents the words match
    (two to four times slower, measured); the ranking is never prepared."""
    if not runner.store.dialect.postgres:
        pytest.skip("SQLite plans every statement for its values")
    numbers = sorted(open_ticket(desk, f"Printer {i}") for i in range(3))
    for _ in range(8):
        assert sorted(found(search(runner, "printer"))) == numbers
    with runner.store.transaction() as rows:
        rows.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [str(row.statement) for row in rows.fetchall()]
    # The searches' other statements were prepared on this connection...
    assert any("view_ticket_tags" in statement for statement in prepared), prepared
    # ...but not the ranking.
    assert not any("ts_rank" in statement for statement in prepared), prepared
