"""The CLI as an operator runs it against a test store: env, invocation, exits."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tickettape.cli import app
from tickettape.settings import Settings
from tickettape.stores import event_store_env

runner = CliRunner()


def store_env(env: dict[str, str]) -> dict[str, str]:
    """The eventsourcing environment of the store the CLI environment names."""
    settings = Settings(
        data_dir=Path(env["TICKETTAPE_DATA_DIR"]),
        database_url=env["TICKETTAPE_DATABASE_URL"],
    )
    return event_store_env(settings)


def replay(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `tickettape replay ARGS`; the exit code and everything printed."""
    result = runner.invoke(app, ["replay", *args], env=env)
    return result.exit_code, " ".join(result.output.split())


def tickettape(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `tickettape ARGS`; the exit code and everything printed."""
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())
