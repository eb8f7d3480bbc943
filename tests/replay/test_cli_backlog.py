"""`tickettape replay backlog` on SQLite and PostgreSQL: table, JSON, bad dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from tests.replay.cli import replay, store_env
from tickettape.cli import app

runner = CliRunner()
# The customer writes late in the evening of 5 March 2024 (UTC).
WRITTEN = datetime(2024, 3, 5, 22, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The TICKETTAPE_* environment of a store with one ticket, opened at WRITTEN."""
    env = {"TICKETTAPE_DATA_DIR": str(tmp_path / "var"), "TICKETTAPE_DATABASE_URL": ""}
    if request.param == "postgres":
        env["TICKETTAPE_DATABASE_URL"] = request.getfixturevalue("postgres_schema_url")
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    desk = HelpDesk(env=store_env(env))
    try:
        desk.open_ticket(
            TicketDraft(title="Printer", customer="bob@acme.test", priority="high"),
            Article("a1", "customer", "public", "web", "The printer smokes."),
            Origin("customer:bob@acme.test", at=WRITTEN),
        )
    finally:
        desk.close()
    return env


def backlog_json(env: dict[str, str], as_of: str) -> dict[str, object]:
    """The backlog the CLI prints as JSON."""
    result = runner.invoke(
        app, ["replay", "backlog", "--as-of", as_of, "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.output)
    return parsed


def test_json_counts_the_ticket_from_its_time_on(cli_env: dict[str, str]) -> None:
    before = backlog_json(cli_env, "2024-03-05T22:00:00Z")
    assert (before["open_tickets"], before["by_queue"]) == (0, {})
    after = backlog_json(cli_env, "2024-03-05T23:30:00+01:00")
    assert (after["open_tickets"], after["by_queue"]) == (1, {"General": 1})
    assert after["by_priority"] == {"low": 0, "normal": 0, "high": 1, "critical": 0}
    assert after["as_of"] == "2024-03-05T23:30:00+01:00"


def test_a_bare_date_is_the_end_of_that_day_in_utc(cli_env: dict[str, str]) -> None:
    that_day = backlog_json(cli_env, "2024-03-05")
    assert that_day["as_of"] == "2024-03-05T23:59:59.999999Z"
    assert that_day["by_status_category"] == {
        "new": 1,
        "open": 0,
        "pending": 0,
        "resolved": 0,
        "closed": 0,
        "merged": 0,
    }
    assert backlog_json(cli_env, "2024-03-04")["open_tickets"] == 0


def test_the_table_names_each_count(cli_env: dict[str, str]) -> None:
    code, said = replay(cli_env, "backlog", "--as-of", "2024-03-06")
    assert code == 0, said
    assert "1 open of 1 tickets" in said
    for words in ("status category", "queue (open only)", "General", "high"):
        assert words in said


@pytest.mark.parametrize(
    "as_of", ["2024-03-05T10:00:00", "yesterday", "2024-13-01", "2024-03-05 10:00Z"]
)
def test_a_time_without_a_zone_or_a_bad_date_is_a_usage_error(
    cli_env: dict[str, str], as_of: str
) -> None:
    code, said = replay(cli_env, "backlog", "--as-of", as_of)
    assert code == 2
    assert "--as-of" in said
