"""Fixtures of the audit tests: a store the CLI is pointed at."""

from __future__ import annotations

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from tests.replay.cli import runner, store_env
from tickettape.cli import app


@pytest.fixture
def cli_env(cli_env: dict[str, str]) -> dict[str, str]:
    """The TICKETTAPE_* environment of an initialized store with one ticket."""
    assert runner.invoke(app, ["init"], env=cli_env).exit_code == 0
    desk = HelpDesk(env=store_env(cli_env))
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
    cli_env["NUMBER"] = number
    return cli_env
