"""Fixtures of the audit tests: a store the CLI is pointed at."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from tests.replay.cli import runner, store_env
from tickettape.cli import app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The TICKETTAPE_* environment of an initialized store with one ticket."""
    env = {"TICKETTAPE_DATA_DIR": str(tmp_path / "var"), "TICKETTAPE_DATABASE_URL": ""}
    if request.param == "postgres":
        env["TICKETTAPE_DATABASE_URL"] = request.getfixturevalue("postgres_schema_url")
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    desk = HelpDesk(env=store_env(env))
    try:
        number = desk.open_ticket(
            TicketDraft(title="Printer", customer="bob@acme.test"),
            Article(
                article_id="a1",
                sender="customer",
                visibility="public",
                channel="web",
                body="The printer smokes.",
            ),
            Origin("customer:bob@acme.test"),
        ).number
    finally:
        desk.close()
    env["NUMBER"] = number
    return env
