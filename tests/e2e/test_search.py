"""GET /api/v1/search: ranked hits, snippets, filters, rights, paging and waits."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk
from domain.queues import FollowUp, Queue
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.search.index import SearchIndex
from projections.search.query import search_tickets
from projections.tickets.summary import TicketSummary
from tests.e2e.memory_desk import Auth, open_ticket, read

SEARCH = "/api/v1/search"
AGENT = Origin("agent:alice")


@pytest.fixture
def views(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """Summary and search in a SQLite file or a PostgreSQL schema, caught up by hand."""
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, AGENT))
    return ViewRunner(desk, view_store, [TicketSummary(), SearchIndex()], batch_size=7)


def add(desk: HelpDesk, number: str, body: str, visibility: str = "public") -> None:
    """An agent's reply or internal note."""
    article = Article(desk.new_article_id(), "agent", visibility, "web", body)
    desk.add_article(number, article, AGENT)


@pytest.fixture
def tickets(desk: HelpDesk, views: ViewRunner) -> dict[str, str]:
    """A small desk: numbers by nickname, the views caught up."""
    made = {
        "fire": open_ticket(desk, "bob@acme.test", "Printer on fire", "It smokes"),
        "cable": open_ticket(desk, "dave@acme.test", "Mouse", "printer cable too"),
        "invoice": open_ticket(
            desk, "erin@example.com", "Invoice", "printer bill", queue="Billing"
        ),
        "hidden": open_ticket(desk, "bob@acme.test", "Printer audit", hidden=True),
    }
    add(desk, made["fire"], "Customer broke it himself, do not tell", "internal")
    desk.tag(made["fire"], "hardware", AGENT)
    views.catch_up()
    return made


def searching(
    api: TestClient, auth: Auth, who: str = "admin", **params: Any
) -> dict[str, Any]:
    """A search as a caller makes it, expecting success."""
    return read(api, SEARCH, auth[who], **params)


def numbers(page: dict[str, Any]) -> list[str]:
    """The ticket numbers of a page, best first."""
    return [hit["number"] for hit in page["hits"]]


def test_a_hit_is_a_ticket_with_a_snippet(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    page = searching(api, auth, q="smokes")
    assert (page["total"], page["more_matches"]) == (1, False)
    [hit] = page["hits"]
    assert hit["number"] == tickets["fire"]
    assert hit["title"] == "Printer on fire"
    assert hit["tags"] == ["hardware"]
    assert hit["article_id"] is not None
    assert {"text": "smokes", "match": True} in hit["snippet"]
    assert page["caught_up"] is True
    title_hit = searching(api, auth, q="audit")["hits"][0]
    assert title_hit["article_id"] is None


def test_visibility_per_role(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    def found(who: str, q: str = "printer", **params: Any) -> set[str]:
        return set(numbers(searching(api, auth, who, q=q, **params)))

    everything = set(tickets.values())
    assert found("admin") == found("auditor") == everything
    assert found("alice") == everything - {tickets["invoice"]}
    assert found("carol") == {tickets["invoice"]}
    assert found("bob") == {tickets["fire"], tickets["cable"]}
    assert found("bob", hidden=True) == set()
    assert found("erin") == {tickets["invoice"]}


def test_customers_never_match_an_internal_note(
    api: TestClient, auth: Auth, tickets: dict[str, str]
) -> None:
    assert numbers(searching(api, auth, "alice", q="tell")) == [tickets["fire"]]
    nothing = searching(api, auth, "bob", q="tell")
    assert (nothing["hits"], nothing["total"]) == ([], 0)
    for hit in searching(api, auth, "bob", q="printer")["hits"]:
        assert "himself" not in "".join(part["text"] for part in hit["snippet"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"queue": "Billing"}, {"invoice"}),
        ({"tag": "hardware"}, {"fire"}),
        ({"customer": "dave@acme.test"}, {"cable"}),
        ({"organization": "ACME"}, {"fire", "cable", "hidden"}),
        ({"status": "new", "hidden": True}, {"hidden"}),
        ({"owner": "none", "hidden": False}, {"fire", "cable", "invoice"}),
        ({"priority": "normal", "type": "question", "queue": "Billing"}, {"invoice"}),
        ({"created_after": "2000-01-01T00:00:00Z", "queue": "Billing"}, {"invoice"}),
        ({"created_before": "2000-01-01T00:00:00Z"}, set()),
    ],
)
def test_filters_of_the_ticket_list_apply(
    api: TestClient,
    auth: Auth,
    tickets: dict[str, str],
    params: dict[str, Any],
    expected: set[str],
) -> None:
    page = searching(api, auth, q="printer", **params)
    assert set(numbers(page)) == {tickets[name] for name in expected}
    assert page["total"] == len(expected)


@pytest.mark.parametrize(
    "q", ['"', "NOT printer", "printer OR", "NEAR(a b)", "a:b", "print*", "(", "'--"]
)
def test_hostile_words_are_words(
    api: TestClient, auth: Auth, tickets: dict[str, str], q: str
) -> None:
    searching(api, auth, q=q)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 201},
        {"q": "printer\x00"},
        {"q": "printer", "limit": 0},
        {"q": "printer", "limit": 101},
        {"q": "printer", "cursor": "not a cursor"},
        {"q": "printer", "wait": 6},
        {"q": "printer", "sort": "created"},
    ],
)
def test_bad_searches_are_422_problems(
    api: TestClient, auth: Auth, params: dict[str, Any]
) -> None:
    response = api.get(SEARCH, params=params, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_the_cursor_pages_through_every_hit_once(
    api: TestClient, auth: Auth, desk: HelpDesk, views: ViewRunner
) -> None:
    made = {open_ticket(desk, "bob@acme.test", f"Printer {i}") for i in range(7)}
    views.catch_up()
    seen: list[str] = []
    params: dict[str, Any] = {"q": "printer", "limit": 3}
    while True:
        page = searching(api, auth, **params)
        assert page["total"] == 7
        seen += numbers(page)
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(made)
    other = api.get(SEARCH, params={**params, "q": "mouse"}, headers=auth["admin"])
    assert other.status_code == 422


def test_a_search_matching_more_than_it_ranks_says_so(
    api: TestClient,
    auth: Auth,
    tickets: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ranking_two = partial(search_tickets, candidates=2)
    monkeypatch.setattr("api.routes.search.search_tickets", ranking_two)
    page = searching(api, auth, q="printer", limit=1)
    assert page["more_matches"] is True
    assert page["total"] == 2, "the newest two documents are of two tickets"
    second = searching(api, auth, q="printer", limit=1, cursor=page["next_cursor"])
    assert second["next_cursor"] is None
    assert {*numbers(page), *numbers(second)} == {tickets["invoice"], tickets["hidden"]}
    bobs = searching(api, auth, "bob", q="printer")
    assert (bobs["total"], bobs["more_matches"]) == (2, False), "what bob may read"


def test_read_your_writes(
    api: TestClient, auth: Auth, views: ViewRunner, desk: HelpDesk
) -> None:
    body = {"title": "Printer on fire", "article": {"body": "It smokes."}}
    written = api.post("/api/v1/tickets", json=body, headers=auth["bob"]).json()
    early = searching(api, auth, "bob", q="smokes", after=written["position"], wait=0)
    assert not early["caught_up"]
    assert early["hits"] == []
    views.catch_up()
    late = searching(api, auth, "bob", q="smokes", after=written["position"], wait=0)
    assert late["caught_up"]
    assert numbers(late) == [written["number"]]


def test_without_views_search_is_unavailable(client: TestClient, auth: Auth) -> None:
    response = client.get(SEARCH, params={"q": "printer"}, headers=auth["admin"])
    assert response.status_code == 503
