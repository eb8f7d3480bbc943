"""PostgreSQL goes away under load: every request is answered in bounded time and
honestly, nothing acknowledged is lost, and everything resumes by itself.

Two shapes: a 20 s outage with the production layout (the API, a view worker and
a chain follower as separate processes), and an immediate restart with the views
and the chain kept inside the API process.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.faults.checks import assert_followed, assert_sound, figures, within
from tests.faults.load import under_load
from tests.faults.served import (
    Command,
    environment,
    first_admin_token,
    running,
    seconds_until_ready,
    serving,
)
from tickettape.settings import Settings
from tools.throwaway_postgres import ThrowawayServer, with_schema

pytestmark = pytest.mark.postgres

#: Seconds of load before the fault, and after the restart.
BEFORE, AFTER = 3.0, 2.0
#: Seconds after the restart within which /readyz must say 200 again.
READY_AGAIN = 10.0
#: The views and the chain kept by worker processes: the production layout.
WORKERS = {
    "TICKETTAPE_VIEWS_IN_PROCESS": "false",
    "TICKETTAPE_CHAIN_IN_PROCESS": "false",
}


@pytest.mark.parametrize(
    ("outage", "workers"),
    [(20.0, True), (0.0, False)],
    ids=["20s-outage-with-workers", "restart-with-views-in-the-api"],
)
def test_the_database_going_away_is_answered_in_bounded_time_and_loses_nothing(
    crashable_postgres: ThrowawayServer, tmp_path: Path, outage: float, workers: bool
) -> None:
    schema = f"faults_{uuid.uuid4().hex[:12]}"
    url = with_schema(crashable_postgres.url, schema)
    settings = Settings(database_url=url, data_dir=tmp_path / "var")
    token = first_admin_token(settings)
    env = environment(settings)
    followers = [
        Command(["projections", "run"], env, tmp_path / "views.log"),
        Command(["replay", "chain", "--follow"], env, tmp_path / "chain.log"),
    ]
    layout = WORKERS if workers else {}
    with ExitStack() as stack:
        server = stack.enter_context(
            serving(settings, tmp_path / "serve.log", **layout)
        )
        for follower in followers if workers else []:
            stack.enter_context(running(follower))
            # Started: what a worker does when the store is away at start is
            # not what this test is about (it exits, for its supervisor).
            follower.wait_for("stop with SIGTERM or Ctrl-C")
        with under_load(server.port, token) as load:
            time.sleep(BEFORE)
            down = time.monotonic()
            crashable_postgres.crash()
            try:
                time.sleep(outage)
            finally:
                restarting = time.monotonic()
                crashable_postgres.start()
            ready_after = seconds_until_ready(server.port, READY_AGAIN)
            time.sleep(AFTER)
        load.settle()
        assert_followed(settings, server, *(followers if workers else []))

    away = within(load.replies, (down, restarting))
    print(f"\nwhile away ({outage:.0f} s): {figures(away)}")
    print(f"/readyz 200 again {ready_after:.2f} s after the restart")
    print(f"whole run: {figures(load.replies)}")
    unknown = sum(w.outcome_unknown for w in load.writes)
    refused = sum(any(r.status == 503 for r in w.replies) for w in load.writes)
    print(
        f"writes: {len(load.writes)} acknowledged; {refused} answered 503 at "
        f"least once, {unknown} of them Outcome Unknown"
    )
    assert ready_after < READY_AGAIN
    assert all(r.status == 200 for r in load.replies if r.what == "healthz")
    if workers:
        assert any(r.status == 503 for r in away if r.what == "readyz")
        for follower in followers:
            assert "catching up failed" in follower.output()
            assert "caught up again" in follower.output()
    assert_sound(settings, load)
