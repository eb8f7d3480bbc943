"""The operator's CLI on SQLite and PostgreSQL: init, tokens, ticket show, serve."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from tickettape.cli import app
from tickettape.settings import Settings
from tickettape.stores import event_store_env

runner = CliRunner()


def desk_for(env: dict[str, str]) -> HelpDesk:
    """A desk on the store the CLI environment points at."""
    settings = Settings(
        data_dir=Path(env["TICKETTAPE_DATA_DIR"]),
        database_url=env["TICKETTAPE_DATABASE_URL"],
    )
    return HelpDesk(env=event_store_env(settings))


def test_init_prints_the_first_admin_token_once(cli_env: dict[str, str]) -> None:
    first = runner.invoke(app, ["init"], env=cli_env)
    assert first.exit_code == 0, first.output
    secret = next(w for w in first.output.split() if w.startswith("tt_"))
    second = runner.invoke(app, ["init"], env=cli_env)
    assert second.exit_code == 0
    assert "Already initialized" in second.output
    assert "tt_" not in second.output
    desk = desk_for(cli_env)
    try:
        token = desk.authenticate(secret)
        assert token is not None
        assert token.role == "admin"
    finally:
        desk.close()


def test_token_create_checks_its_subject(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["init"], env=cli_env)
    auditor = runner.invoke(
        app, ["token", "create", "--role", "auditor", "--subject", "kim"], env=cli_env
    )
    assert auditor.exit_code == 0, auditor.output
    assert "tt_" in auditor.output
    stranger = runner.invoke(
        app,
        ["token", "create", "--role", "customer", "--subject", "nobody@x.test"],
        env=cli_env,
    )
    assert stranger.exit_code == 1
    assert "customer" in stranger.output
    bad_role = runner.invoke(app, ["token", "create", "--role", "boss"], env=cli_env)
    assert bad_role.exit_code == 2


def test_ticket_show_prints_every_article(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["init"], env=cli_env)
    desk = desk_for(cli_env)
    try:
        article = Article(
            article_id="a1",
            sender="customer",
            visibility="public",
            channel="web",
            body="The printer smokes.",
        )
        number = desk.open_ticket(
            TicketDraft(title="Printer", customer="bob@acme.test"),
            article,
            Origin("customer:bob@acme.test"),
        ).number
        desk.tag(number, "fire", Origin("agent:alice"))
    finally:
        desk.close()
    shown = runner.invoke(app, ["ticket", "show", number], env=cli_env)
    assert shown.exit_code == 0, shown.output
    assert "The printer smokes." in shown.output
    as_json = runner.invoke(
        app, ["ticket", "show", number, "--json", "--version", "2"], env=cli_env
    )
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert (data["version"], data["tags"]) == (2, [])
    missing = runner.invoke(app, ["ticket", "show", "19990101000000"], env=cli_env)
    assert missing.exit_code == 1
    assert "not found" in missing.output


def test_a_malformed_database_url_is_a_clear_error(tmp_path: Path) -> None:
    env = {"TICKETTAPE_DATABASE_URL": "postgresql://u@:notaport/db"}
    result = runner.invoke(app, ["init"], env=env)
    assert result.exit_code == 1
    assert "cannot open the store" in result.output


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_initializes_and_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TICKETTAPE_DATA_DIR": str(tmp_path),
        "TICKETTAPE_PORT": str(port),
    }
    env.pop("TICKETTAPE_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "tickettape", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz") as reply:
                    assert json.load(reply)["status"] == "ready"
                    break
            except OSError:
                assert server.poll() is None, "serve exited early"
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/docs" in output
    assert "tt_" in output
    assert (tmp_path / "events.sqlite3").exists()
    # The hint names a command that works from here, on the PATH or not.
    hint = next(line for line in output.splitlines() if "More tokens:" in line)
    command = hint.split("More tokens: ", 1)[1].split(" token create")[0]
    listed = subprocess.run(
        [*shlex.split(command), "token", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert "admin" in listed.stdout


def test_replay_history_and_show_read_the_past(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["init"], env=cli_env)
    desk = desk_for(cli_env)
    try:
        article = Article("a1", "customer", "public", "web", "The printer smokes.")
        draft = TicketDraft(title="Printer", customer="bob@acme.test")
        number = desk.open_ticket(draft, article, Origin("customer:bob")).number
        desk.change_priority(number, "high", Origin("agent:alice", "req-9"))
        created = desk.ticket(number, 1).created_on
    finally:
        desk.close()
    lines = runner.invoke(app, ["replay", "history", number, "--json"], env=cli_env)
    assert lines.exit_code == 0, lines.output
    entries = [json.loads(line) for line in lines.output.splitlines()]
    assert [e["event"] for e in entries] == [
        "Created",
        "ArticleAdded",
        "PriorityChanged",
    ]
    assert entries[-1]["changes"]["priority"] == {"before": "normal", "after": "high"}
    assert entries[-1]["correlation_id"] == "req-9"
    table = runner.invoke(app, ["replay", "history", number], env=cli_env)
    assert table.exit_code == 0, table.output
    assert '"high"' in table.output
    moment = created.isoformat()
    shown = runner.invoke(
        app, ["replay", "show", number, "--as-of", moment, "--json"], env=cli_env
    )
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["priority"] == "normal"
    early = (created - timedelta(days=1)).isoformat()
    before = runner.invoke(
        app, ["replay", "show", number, "--as-of", early], env=cli_env
    )
    assert before.exit_code == 1
    assert "did not exist" in before.output
    naive = runner.invoke(
        app, ["replay", "show", number, "--as-of", "2026-01-01T00:00:00"], env=cli_env
    )
    assert naive.exit_code == 2
