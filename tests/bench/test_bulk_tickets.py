"""The bulk path writes tickets the desk and the views take as their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.bulk_tickets import SPREAD, BulkTickets
from bench.helpdesk import CUSTOMER_ORIGIN, article
from bench.run import parse
from bench.views_scale import reads
from domain.articles import Sender
from projections.catalogue import all_views
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import PostgresViewStore, SQLiteViewStore, ViewStore
from projections.tickets.listing import TicketFilter, find_tickets
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """An empty SQLite or PostgreSQL store."""
    if request.param == "sqlite":
        return Settings(database_url="", data_dir=tmp_path)
    url = request.getfixturevalue("postgres_schema_url")
    return Settings(database_url=url, postgres_pool_size=2, data_dir=tmp_path)


@pytest.fixture
def bulk(settings: Settings) -> Iterator[BulkTickets]:
    """A bulk desk with 30 tickets."""
    seeded = BulkTickets(settings, NOW)
    seeded.seed(30, per_save=7)
    yield seeded
    seeded.close()


@pytest.fixture
def views(settings: Settings, bulk: BulkTickets) -> Iterator[ViewStore]:
    """Every view, caught up with the seeded tickets."""
    store: ViewStore = (
        PostgresViewStore(libpq_conninfo(settings), 2)
        if settings.uses_postgres
        else SQLiteViewStore(settings.views_path)
    )
    ViewRunner(bulk.desk, store, all_views()).catch_up()
    yield store
    store.close()


def test_seeded_tickets_are_the_desks_own(bulk: BulkTickets, views: ViewStore) -> None:
    """The desk loads and changes them; their numbers date them by creation day."""
    page = find_tickets(views, Scope(), TicketFilter(), limit=100)

    assert page.total == 30
    for row in page.tickets:
        ticket = bulk.desk.ticket(row.number)
        assert ticket.status == row.status
        assert row.number.startswith(f"{row.created_at:%Y%m%d}")
        assert NOW - SPREAD <= row.created_at <= NOW
    assert len({row.queue for row in page.tickets}) > 5
    assert {row.status for row in page.tickets} > {"new"}
    open_one = next(t for t in page.tickets if t.status_category != "closed")
    done = bulk.desk.add_article(
        open_one.number, article(Sender.CUSTOMER), CUSTOMER_ORIGIN
    )
    assert done.version > open_one.version


def test_every_read_path_answers(bulk: BulkTickets, views: ViewStore) -> None:
    """The scenario's reads run on the seeded views."""
    for name, read in reads(bulk).items():
        assert read(views) is not None, name


@pytest.mark.parametrize("count", ["5", "lots", "-1"])
def test_views_tickets_must_be_a_count(
    count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad --views-tickets is a usage error (exit 2) naming the value."""
    with pytest.raises(SystemExit) as stopped:
        parse(["--views-tickets", count])

    assert stopped.value.code == 2
    assert f"{count!r} is not a count of 10 or more" in capsys.readouterr().err


def test_views_tickets_is_read() -> None:
    """A million, when asked for."""
    assert parse(["--views-tickets", "1000000"]).views_tickets == 1_000_000
