"""The keeper wired in: serve runs it, `replay chain --follow` runs it, both show it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from domain.desk import HelpDesk
from replay.ledger_stores import open_ledger
from tests.projections.worker_process import PATIENCE, eventually
from tests.replay.cli import replay, store_env
from tests.replay.tamper import Tamper
from tests.stores import cli_settings
from tests.writing import end_of_log, open_tickets
from tickettape.bootstrap import build_app, open_runtime
from tickettape.cli import app

runner = CliRunner()
KEEPER = "tickettape-chain"


def threads() -> set[str]:
    """The names of this process's live threads."""
    return {thread.name for thread in threading.enumerate()}


@pytest.mark.parametrize("in_process", [True, False])
def test_serve_starts_the_keeper_and_stops_it_on_close(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, in_process: bool
) -> None:
    seen: list[set[str]] = []
    monkeypatch.setattr(
        "tickettape.cli.uvicorn.run", lambda *args, **kwargs: seen.append(threads())
    )
    env = {**cli_env, "TICKETTAPE_CHAIN_IN_PROCESS": str(in_process).lower()}
    result = runner.invoke(app, ["serve"], env=env)
    assert result.exit_code == 0, result.output
    assert (KEEPER in seen[0]) == in_process
    assert ("replay chain --follow" in result.output) != in_process
    assert KEEPER not in threads()


def test_metrics_and_status_show_the_chain_position_and_lag(
    cli_env: dict[str, str],
) -> None:
    opened = open_runtime(cli_settings(cli_env))
    try:
        top = end_of_log(opened.desk)
        with TestClient(build_app(opened)) as client:
            behind = client.get("/metrics").text
            opened.chain.catch_up()
            current = client.get("/metrics").text
    finally:
        opened.close()
    assert "tickettape_chain_position 0\n" in behind
    assert f"tickettape_chain_lag_events {top}\n" in behind
    assert f"tickettape_chain_position {top}\n" in current
    assert "tickettape_chain_lag_events 0\n" in current
    assert "tickettape_chain_stopped 0\n" in current
    status = runner.invoke(app, ["projections", "status"], env=cli_env)
    assert status.exit_code == 0, status.output
    row = re.search(r"\(audit chain\)\W+(\d+)\W+(\d+)", status.output)
    assert row is not None, status.output
    assert (int(row.group(1)), int(row.group(2))) == (top, 0)


def test_metrics_show_a_chain_stopped_at_an_unsealed_event(
    cli_env: dict[str, str],
) -> None:
    tamper = Tamper(store_env(cli_env))
    nid, oid, version, topic, state = tamper.rows()[-1]
    tamper.insert(nid + 1, oid, version + 1, topic, state)
    opened = open_runtime(cli_settings(cli_env))
    try:
        with TestClient(build_app(opened)) as client:
            opened.chain.catch_up()
            scraped = client.get("/metrics").text
    finally:
        opened.close()
    assert f"tickettape_chain_position {nid}\n" in scraped
    assert "tickettape_chain_lag_events 1\n" in scraped
    assert "tickettape_chain_stopped 1\n" in scraped


@contextmanager
def follower(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`tickettape replay chain --follow` as a process; killed by its pid after."""
    variables = {**os.environ, **env, "TICKETTAPE_VIEWS_POLL_SECONDS": "3600"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tickettape", "replay", "chain", "--follow"],
            env=variables,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(PATIENCE)


def test_chain_follow_keeps_chaining_until_sigterm(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "follow.log"
    with (
        closing(HelpDesk(env=store_env(cli_env))) as desk,
        closing(open_ledger(desk)) as ledger,
        follower(cli_env, log) as process,
    ):

        def chained_to_the_end() -> bool:
            if process.poll() is not None:
                raise AssertionError(log.read_text())
            head = ledger.head()
            return head is not None and head.notification_id == end_of_log(desk)

        eventually(chained_to_the_end, "the first catch-up", None)
        open_tickets(desk, 2)
        eventually(chained_to_the_end, "a wake-up on new events", None)
        process.send_signal(signal.SIGTERM)
        assert process.wait(PATIENCE) == 0, log.read_text()
        top = end_of_log(desk)
    said = " ".join(log.read_text().split())
    assert f"the chain covers the log up to position {top}" in said


def test_chain_without_follow_chains_once(cli_env: dict[str, str]) -> None:
    with closing(HelpDesk(env=store_env(cli_env))) as desk:
        top = end_of_log(desk)
    code, said = replay(cli_env, "chain")
    assert code == 0, said
    assert f"up to position {top}" in said
