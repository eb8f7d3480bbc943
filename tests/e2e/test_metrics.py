"""GET /metrics: gauges of the log position and of each view's position and lag."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.throttle import AuthThrottle
from domain.desk import HelpDesk
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from tests.e2e.memory_desk import Auth, MemoryBlobs, post_ticket


@pytest.fixture
def views(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """Every view, caught up only when a test says so."""
    return ViewRunner(desk, view_store, all_views())


def scrape(client: TestClient) -> dict[str, int]:
    """The samples of /metrics, by name and labels, fetched without a token."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in response.text.splitlines():
        if not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = int(value)
    return samples


def test_the_gauges_show_the_lag_until_the_views_catch_up(
    desk: HelpDesk, blobs: MemoryBlobs, views: ViewRunner, auth: Auth
) -> None:
    with TestClient(create_app(Services(desk, blobs, views=views))) as client:
        post_ticket(client, auth)
        top = post_ticket(client, auth)["position"]
        behind = scrape(client)
        views.catch_up()
        current = scrape(client)
    names = [view.name for view in views.views]
    assert behind["tickettape_log_position"] == current["tickettape_log_position"]
    assert current["tickettape_log_position"] == top
    for name in names:
        assert behind[f'tickettape_view_position{{view="{name}"}}'] == 0
        assert behind[f'tickettape_view_lag_events{{view="{name}"}}'] == top
        assert current[f'tickettape_view_position{{view="{name}"}}'] == top
        assert current[f'tickettape_view_lag_events{{view="{name}"}}'] == 0
    sla = {name: value for name, value in current.items() if "_sla_" in name}
    assert sla == {
        "tickettape_sla_breached_clocks": 0,
        "tickettape_sla_warned_clocks": 0,
        "tickettape_sla_oldest_overdue_seconds": 0,
    }
    assert current["tickettape_activity_streams_open"] == 0
    assert len(current) == 2 + 2 * len(names) + len(sla)


def test_without_views_only_the_log_position_is_shown(
    desk: HelpDesk, blobs: MemoryBlobs, auth: Auth
) -> None:
    with TestClient(create_app(Services(desk, blobs))) as client:
        top = post_ticket(client, auth)["position"]
        assert scrape(client) == {
            "tickettape_log_position": top,
            "tickettape_activity_streams_open": 0,
        }


def test_clients_held_back_for_bad_tokens_are_counted(
    desk: HelpDesk, blobs: MemoryBlobs
) -> None:
    throttle = AuthThrottle(2)
    app = create_app(Services(desk, blobs, auth_throttle=throttle))
    bad = {"Authorization": "Bearer tt_nope"}
    with TestClient(app, client=("10.0.0.9", 1)) as probe:
        assert scrape(probe)["tickettape_auth_held_back_clients"] == 0
        for _ in range(2):
            probe.get("/api/v1/tickets/1", headers=bad)
        assert scrape(probe)["tickettape_auth_held_back_clients"] == 1
