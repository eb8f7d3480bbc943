"""`tickettape projections status|rebuild` on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from projections.catalogue import all_views
from tickettape.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(cli_env: dict[str, str]) -> dict[str, str]:
    """The environment of an empty store of each kind, after `tickettape init`."""
    assert runner.invoke(app, ["init"], env=cli_env).exit_code == 0
    return cli_env


def test_status_shows_the_lag_and_a_rebuild_ends_it(cli_env: dict[str, str]) -> None:
    before = runner.invoke(app, ["projections", "status"], env=cli_env)
    assert before.exit_code == 0, before.output
    assert "ticket_summary" in before.output
    rebuilt = runner.invoke(
        app, ["projections", "rebuild", "ticket_summary"], env=cli_env
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    position = int(rebuilt.output.split()[-1])
    after = runner.invoke(app, ["projections", "status"], env=cli_env)
    row = re.search(r"ticket_summary\W+(\d+)\W+(\d+)", after.output)
    assert row is not None, after.output
    assert (int(row.group(1)), int(row.group(2))) == (position, 0)


def test_rebuilding_an_unknown_view_says_which_exist(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["projections", "rebuild", "nope"], env=cli_env)
    assert result.exit_code == 1
    assert "ticket_summary" in result.output


def test_rebuild_all_rebuilds_every_view(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["projections", "rebuild", "--all"], env=cli_env)
    assert result.exit_code == 0, result.output
    rebuilt = re.findall(r"^(\w+) rebuilt up to position \d+$", result.output, re.M)
    assert rebuilt == [view.name for view in all_views()]


@pytest.mark.parametrize(
    "arguments",
    [["rebuild"], ["rebuild", "ticket_summary", "--all"], ["run", "nope"]],
)
def test_a_wrong_choice_of_views_is_refused(
    cli_env: dict[str, str], arguments: list[str]
) -> None:
    result = runner.invoke(app, ["projections", *arguments], env=cli_env)
    assert result.exit_code == 1, result.output
    assert "error:" in result.output
