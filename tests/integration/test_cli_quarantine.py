"""`tickettape mail quarantine`, `mail show` and `mail discard` on SQLite and
PostgreSQL: the held messages listed newest first, one shown or its raw bytes,
one set aside once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tickettape.cli import app

runner = CliRunner()
# Wide enough that no cell of the table wraps.
WIDE = {"COLUMNS": "200"}
GARBAGE = (b"no headers, no message", b"\x00\x01 not mail either")
GOOD = (
    b"From: bob@acme.test\r\nTo: support@desk.test\r\nSubject: Printer\r\n"
    b"Message-ID: <quarantine-cli@acme.test>\r\n\r\nIt smokes.\r\n"
)


def receive(env: dict[str, str], tmp_path: Path) -> None:
    """Initialize the store and import two unreadable messages, then a good one."""
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    paths = []
    for n, raw in enumerate((*GARBAGE, GOOD)):
        path = tmp_path / f"{n}.eml"
        path.write_bytes(raw)
        paths.append(str(path))
    done = runner.invoke(app, ["mail", "import", *paths], env=env)
    assert done.exit_code == 0, done.output


def listed(env: dict[str, str], *options: str) -> Any:
    """The JSON list of `mail quarantine`."""
    done = runner.invoke(app, ["mail", "quarantine", "--json", *options], env=env)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_the_quarantine_lists_shows_and_discards(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    receive(cli_env, tmp_path)
    held = listed(cli_env)
    assert held["total"] == 2
    assert [m["raw_size"] for m in held["items"]] == [len(GARBAGE[1]), len(GARBAGE[0])]
    assert {m["reason"] for m in held["items"]} == {"unparsable"}
    assert [m["subject"] for m in listed(cli_env, "--state", "taken")["items"]] == [
        "Printer"
    ]
    table = runner.invoke(app, ["mail", "quarantine"], env={**cli_env, **WIDE})
    assert table.exit_code == 0, table.output
    assert table.output.count("unparsable") == 2
    assert "2 of 2 quarantined" in table.output

    newest = held["items"][0]
    shown = runner.invoke(app, ["mail", "show", newest["id"], "--json"], env=cli_env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == newest
    raw = runner.invoke(app, ["mail", "show", newest["id"], "--raw"], env=cli_env)
    assert raw.exit_code == 0, raw.output
    assert raw.stdout_bytes == GARBAGE[1]

    gone = runner.invoke(
        app,
        ["mail", "discard", newest["id"], "--reason", "Line noise"],
        env={**cli_env, **WIDE},
    )
    assert gone.exit_code == 0, gone.output
    assert "discarded" in gone.output
    assert "Line noise" in gone.output
    assert [m["id"] for m in listed(cli_env, "--state", "discarded")["items"]] == [
        newest["id"]
    ]
    assert listed(cli_env)["total"] == 1
    again = runner.invoke(
        app, ["mail", "discard", newest["id"], "--reason", "x"], env=cli_env
    )
    assert again.exit_code == 1
    assert "not quarantined" in again.output


def test_bad_ids_and_reasons_are_refused(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    receive(cli_env, tmp_path)
    record = listed(cli_env)["items"][0]["id"]
    for argv in (
        ["mail", "show", "not-an-id"],
        ["mail", "show", "00000000-0000-0000-0000-000000000000"],
        ["mail", "discard", "not-an-id", "--reason", "x"],
        ["mail", "discard", "00000000-0000-0000-0000-000000000000", "--reason", "x"],
        ["mail", "discard", record, "--reason", ""],
        ["mail", "discard", record, "--reason", "x" * 1001],
    ):
        done = runner.invoke(app, argv, env=cli_env)
        assert done.exit_code == 1, (argv, done.output)
        assert "error:" in done.output
    assert listed(cli_env)["total"] == 2, "nothing was discarded"
