"""Keeping views caught up: in-process, in a worker process, and after a cut LISTEN."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from projections.catalogue import all_views
from projections.engine.notifications import LISTENER_NAME
from projections.engine.worker import chosen_views
from tests.projections.worker_process import caught_up, eventually, worker
from tests.writing import open_tickets
from tickettape.bootstrap import Runtime, initialize, open_runtime
from tickettape.settings import Settings
from tickettape.stores import libpq_conninfo

#: Longer than any test waits: only a wake-up, never the poll, can catch up in time.
NEVER = "3600"


def end_of_log(runtime: Runtime) -> int:
    """The log's last notification id."""
    return runtime.desk.recorder.max_notification_id() or 0


def test_a_worker_follows_new_events_and_stops_cleanly_on_sigterm(
    runtime_settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with worker(runtime_settings, log, TICKETTAPE_VIEWS_POLL_SECONDS=NEVER) as process:
        eventually(lambda: caught_up(runtime), "the first catch-up", process)
        open_tickets(runtime.desk, 3)
        eventually(lambda: caught_up(runtime), "a wake-up on new events", process)
        assert process.terminate() == 0, process.output()
    top = end_of_log(runtime)
    for view in runtime.views.views:
        assert f"{view.name} stopped at position {top}" in process.output()


def test_a_worker_keeps_only_the_views_it_is_given(
    runtime_settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    open_tickets(runtime.desk, 1)
    with worker(runtime_settings, tmp_path / "worker.log", "ticket_summary") as one:
        eventually(
            lambda: runtime.views.position("ticket_summary") == end_of_log(runtime),
            "catching up the summary",
            one,
        )
        assert one.terminate() == 0, one.output()
    others = [v for v in runtime.views.positions() if v.name != "ticket_summary"]
    assert others
    assert all(view.position == 0 for view in others)


@pytest.mark.postgres
def test_a_worker_listens_again_after_its_connection_is_cut(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=postgres_schema_url, data_dir=tmp_path / "var")
    opened = open_runtime(settings)
    try:
        initialize(opened)
        log = tmp_path / "worker.log"
        with (
            worker(settings, log, TICKETTAPE_VIEWS_POLL_SECONDS=NEVER) as process,
            psycopg.connect(libpq_conninfo(settings), autocommit=True) as admin,
        ):
            name = f"{LISTENER_NAME} {process.pid}"

            def listener() -> int | None:
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                    (name,),
                ).fetchone()
                return None if row is None else int(row[0])

            eventually(lambda: listener() is not None, "a LISTEN", process)
            cut = listener()
            admin.execute("SELECT pg_terminate_backend(%s)", (cut,))
            eventually(lambda: listener() not in (None, cut), "a new LISTEN", process)
            open_tickets(opened.desk, 2)
            eventually(lambda: caught_up(opened), "a wake-up on new events", process)
            assert process.terminate() == 0, process.output()
        assert "LISTEN failed" in process.output()
    finally:
        opened.close()


def test_writes_wake_the_views_of_the_api_process(runtime_settings: Settings) -> None:
    never = {"views_poll_seconds": float(NEVER)}
    opened = open_runtime(runtime_settings.model_copy(update=never))
    try:
        initialize(opened)
        assert opened.start_views()
        eventually(lambda: caught_up(opened), "the first catch-up", None)
        open_tickets(opened.desk, 2)
        eventually(lambda: caught_up(opened), "a wake-up on new events", None)
    finally:
        opened.close()


def test_serve_leaves_the_views_to_workers_when_told(
    runtime_settings: Settings,
) -> None:
    opened = open_runtime(
        runtime_settings.model_copy(update={"views_in_process": False})
    )
    try:
        assert not opened.start_views()
        assert not opened.views.running
    finally:
        opened.close()


def test_views_are_chosen_by_name_in_the_order_given() -> None:
    views = all_views()
    names = [view.name for view in views]
    assert [v.name for v in chosen_views(views, [])] == names
    picked = chosen_views(views, [names[-1], names[0], names[-1]])
    assert [v.name for v in picked] == [names[-1], names[0]]
    with pytest.raises(KeyError, match="nope"):
        chosen_views(views, [names[0], "nope"])
