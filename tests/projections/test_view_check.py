"""A live view checked against a replay of the log: alike when nobody touched
it, and the tables named when a row was edited, added or removed by hand; the
scratch tables never stay behind (SQLite and PostgreSQL, every view)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import TicketDraft
from projections.catalogue import all_views
from projections.engine.check import CHECK_SUFFIX, check_view
from projections.engine.view import View
from tests.replay.cli import tickettape
from tickettape.bootstrap import Runtime

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")


def busy_desk(runtime: Runtime) -> str:
    """A few tickets with articles, tags and a status change; one's number."""
    desk = runtime.desk
    numbers = []
    for n in range(3):
        article = Article(f"a{n}", "customer", "public", "web", f"Printer {n} smokes")
        draft = TicketDraft(f"Printer {n}", "bob@acme.test")
        numbers.append(desk.open_ticket(draft, article, BOB).number)
    desk.tag(numbers[0], "hardware", ALICE)
    desk.change_priority(numbers[1], "high", ALICE)
    return numbers[0]


def tables_left(runtime: Runtime) -> list[str]:
    """Tables whose name says they are a check's scratch copy."""
    store = runtime.views.store
    with store.transaction() as cursor:
        if cursor.postgres:
            cursor.execute(
                "SELECT table_name AS name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r.name for r in cursor.fetchall() if r.name.endswith(CHECK_SUFFIX)]


@pytest.mark.parametrize("view", all_views(), ids=lambda v: v.name)
def test_an_untouched_view_equals_its_replay(runtime: Runtime, view: View) -> None:
    busy_desk(runtime)
    runtime.views.catch_up()
    found = check_view(runtime.desk, runtime.views.store, view, batch_size=3)
    assert found.equal, found.differences
    assert found.position == runtime.desk.recorder.max_notification_id()
    assert tables_left(runtime) == []


def test_rows_edited_added_or_removed_by_hand_are_found(runtime: Runtime) -> None:
    number = busy_desk(runtime)
    runtime.views.catch_up()
    [summary] = [v for v in all_views() if v.name == "ticket_summary"]
    store = runtime.views.store
    with store.transaction(write=True) as cursor:
        cursor.execute(
            "UPDATE view_tickets SET title = 'Nothing to see' WHERE number = ?",
            (number,),
        )
    found = check_view(runtime.desk, store, summary)
    assert [(d.table, d.live_only, d.replay_only) for d in found.differences] == [
        ("view_tickets", 1, 1)
    ]
    # The check reports; it does not mend.
    with store.transaction() as cursor:
        cursor.execute("SELECT title FROM view_tickets WHERE number = ?", (number,))
        row = cursor.fetchone()
        assert row is not None
        assert row.title == "Nothing to see"
    with store.transaction(write=True) as cursor:
        cursor.execute("DELETE FROM view_tickets WHERE number = ?", (number,))
    found = check_view(runtime.desk, store, summary)
    assert [(d.table, d.live_only, d.replay_only) for d in found.differences] == [
        ("view_tickets", 0, 1)
    ]
    assert tables_left(runtime) == []


def test_the_cli_exits_3_naming_the_view_that_differs(
    runtime: Runtime, tmp_path: Path
) -> None:
    busy_desk(runtime)
    runtime.views.catch_up()
    settings = runtime.settings
    env = {
        "TICKETTAPE_DATA_DIR": str(settings.data_dir),
        "TICKETTAPE_DATABASE_URL": settings.database_url,
    }
    code, said = tickettape(env, "projections", "verify", "--all")
    assert code == 0, said
    assert "ticket_summary" in said
    with runtime.views.store.transaction(write=True) as cursor:
        cursor.execute("UPDATE view_tickets SET priority = 'low'")
    code, said = tickettape(env, "projections", "verify", "ticket_summary")
    assert code == 3, said
    assert "view_tickets" in said
    assert "rebuild" in said
    code, said = tickettape(env, "projections", "verify")
    assert code == 1
