"""Requests' store work on a few worker threads; waits for the views on none."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import pytest
from anyio import to_thread
from fastapi import FastAPI, Query
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from api.app import create_app
from api.services import Services
from api.workers import Router
from domain.desk import HelpDesk
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.memory_desk import Auth, MemoryBlobs
from tickettape.bootstrap import open_runtime
from tickettape.settings import SQLITE_WORKERS, Settings

TICKETS = "/api/v1/tickets"


def plain_router() -> Router:
    """A router with one plain endpoint that says which thread ran it."""
    router = Router()

    @router.get("/thread")
    def thread(word: Annotated[str, Query(max_length=5)]) -> dict[str, str]:
        return {"word": word, "thread": threading.current_thread().name}

    @router.get("/loop")
    async def loop() -> dict[str, str]:
        return {"thread": threading.current_thread().name}

    return router


def test_a_plain_endpoint_runs_on_a_worker_with_its_parameters_checked() -> None:
    app = FastAPI()
    app.include_router(plain_router())
    with TestClient(app) as client:
        on_loop = client.get("/loop").json()["thread"]
        answer = client.get("/thread", params={"word": "hello"})
        assert answer.status_code == 200
        assert answer.json()["word"] == "hello"
        assert answer.json()["thread"] != on_loop
        assert client.get("/thread", params={"word": "too long"}).status_code == 422
        assert client.get("/thread").status_code == 422
    # The OpenAPI document still describes the endpoint's own parameters.
    operation = app.openapi()["paths"]["/thread"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["word"]


def test_every_route_of_the_api_answers_from_the_loop(
    desk: HelpDesk, blobs: MemoryBlobs
) -> None:
    """No endpoint leaves FastAPI to check its answer on a second worker hop."""
    app = create_app(Services(desk=desk, blobs=blobs))
    endpoints = [route.endpoint for route in _api_routes(app.routes)]
    assert len(endpoints) > 90
    plain = [e.__qualname__ for e in endpoints if not inspect.iscoroutinefunction(e)]
    assert plain == []


def test_the_app_runs_as_many_workers_as_its_services_say(
    desk: HelpDesk, blobs: MemoryBlobs
) -> None:
    app = create_app(Services(desk=desk, blobs=blobs, worker_threads=3))
    counted: list[float] = []

    @app.get("/workers")
    async def workers() -> None:
        counted.append(to_thread.current_default_thread_limiter().total_tokens)

    with TestClient(app) as client:
        client.get("/workers")
    assert counted == [3]


@pytest.mark.parametrize(
    ("url", "configured", "expected"),
    [
        ("", None, 4),
        ("postgresql://u@localhost/db", None, 40),
        ("", 9, 9),
        ("postgresql://u@localhost/db", 2, 2),
    ],
)
def test_the_settings_pick_few_workers_on_sqlite_and_many_on_postgresql(
    url: str, configured: int | None, expected: int
) -> None:
    settings = Settings(database_url=url, worker_threads=configured)
    assert settings.request_workers == expected


def test_serve_gets_the_workers_its_settings_say(tmp_path: Path) -> None:
    runtime = open_runtime(Settings(database_url="", data_dir=tmp_path))
    try:
        assert runtime.services().worker_threads == SQLITE_WORKERS
    finally:
        runtime.close()


@pytest.fixture
def views(desk: HelpDesk, tmp_path: Path) -> Iterator[ViewRunner]:
    """Every view in a SQLite file, kept up to date only when a test starts it."""
    store = SQLiteViewStore(tmp_path / "views.sqlite3")
    runner = ViewRunner(desk, store, all_views(), poll_seconds=0.05)
    runner.catch_up()
    yield runner
    runner.stop()
    store.close()


@pytest.fixture
def one_worker(
    desk: HelpDesk, blobs: MemoryBlobs, views: ViewRunner
) -> Iterator[TestClient]:
    """The API with a single worker thread."""
    app = create_app(Services(desk=desk, blobs=blobs, views=views, worker_threads=1))
    with TestClient(app) as client:
        yield client


def test_a_caller_waiting_for_the_views_holds_no_worker(
    one_worker: TestClient, auth: Auth
) -> None:
    number = _opened(one_worker, auth)["number"]
    # The views are not kept: a wait for a far position lasts its whole second.
    beyond = {"after": 10**9, "wait": 1.0}
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(
            one_worker.get, TICKETS, params=beyond, headers=auth["admin"]
        )
        threading.Event().wait(0.2)
        # Meanwhile the only worker reads a ticket for somebody else.
        zoom = one_worker.get(f"{TICKETS}/{number}", headers=auth["admin"])
        assert zoom.status_code == 200
        assert not waiting.done()
        answer = waiting.result()
    assert answer.status_code == 200
    assert answer.json()["caught_up"] is False


def test_a_wait_ends_with_the_write_in_the_answer_once_the_views_have_it(
    one_worker: TestClient, views: ViewRunner, auth: Auth
) -> None:
    views.start()
    for _ in range(3):
        written = _opened(one_worker, auth)
        after = {"after": written["position"], "wait": 5.0}
        listed = one_worker.get(TICKETS, params=after, headers=auth["admin"]).json()
        assert listed["caught_up"] is True
        assert written["number"] in [t["number"] for t in listed["tickets"]]
        queues = one_worker.get(
            "/api/v1/views/queues", params=after, headers=auth["admin"]
        )
        assert queues.json()["caught_up"] is True


def test_without_a_runner_a_wait_runs_out_and_says_so(
    one_worker: TestClient, auth: Auth
) -> None:
    written = _opened(one_worker, auth)
    listed = one_worker.get(
        TICKETS,
        params={"after": written["position"], "wait": 0.2},
        headers=auth["admin"],
    ).json()
    assert listed["caught_up"] is False
    assert written["number"] not in [t["number"] for t in listed["tickets"]]


def test_without_after_an_answer_says_whether_it_holds_every_earlier_write(
    one_worker: TestClient, views: ViewRunner, auth: Auth
) -> None:
    for _ in range(2):
        _opened(one_worker, auth)
        behind = one_worker.get(TICKETS, headers=auth["admin"]).json()
        assert behind["caught_up"] is False
        views.catch_up()
        listed = one_worker.get(TICKETS, headers=auth["admin"]).json()
        assert listed["caught_up"] is True


def _opened(client: TestClient, auth: Auth) -> dict[str, Any]:
    """The answer to bob opening a ticket."""
    answer = client.post(
        TICKETS,
        json={"title": "Printer", "article": {"body": "jams"}},
        headers=auth["bob"],
    )
    assert answer.status_code == 201, answer.text
    opened: dict[str, Any] = answer.json()
    return opened


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, those of included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)
