"""`tickettape token list` and `revoke` on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

from typer.testing import CliRunner

from domain.desk import HelpDesk
from domain.tokens import ApiToken
from tickettape.cli import app
from tickettape.settings import Settings
from tickettape.stores import event_store_env

runner = CliRunner()
# Wide enough that no cell of the token table wraps.
WIDE = {"COLUMNS": "200"}


def desk_for(env: dict[str, str]) -> HelpDesk:
    """A desk on the store the CLI environment points at."""
    settings = Settings(
        data_dir=Path(env["TICKETTAPE_DATA_DIR"]),
        database_url=env["TICKETTAPE_DATABASE_URL"],
    )
    return HelpDesk(env=event_store_env(settings))


def issue(env: dict[str, str], *args: str) -> tuple[str, str]:
    """Issue a token with the CLI; its id and secret."""
    made = runner.invoke(app, ["token", "create", *args], env=env)
    assert made.exit_code == 0, made.output
    words = made.output.split()
    return words[1], next(w for w in words if w.startswith("tt_"))


def test_token_list_shows_every_token_but_no_secret(cli_env: dict[str, str]) -> None:
    first = runner.invoke(app, ["init"], env=cli_env)
    assert first.exit_code == 0, first.output
    admin_secret = next(w for w in first.output.split() if w.startswith("tt_"))
    token_id, secret = issue(cli_env, "--role", "auditor", "--subject", "kim")

    listed = runner.invoke(app, ["token", "list"], env={**cli_env, **WIDE})

    assert listed.exit_code == 0, listed.output
    assert token_id in listed.output
    assert "auditor" in listed.output
    assert "kim" in listed.output
    assert "admin" in listed.output
    assert secret not in listed.output
    assert admin_secret not in listed.output
    assert "tt_" not in listed.output


def test_token_revoke_locks_the_token_out(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["init"], env=cli_env)
    token_id, secret = issue(cli_env, "--role", "auditor", "--subject", "kim")

    revoked = runner.invoke(app, ["token", "revoke", token_id], env=cli_env)

    assert revoked.exit_code == 0, revoked.output
    assert f"token {token_id} (auditor kim) is revoked" in revoked.output
    desk = desk_for(cli_env)
    try:
        assert desk.authenticate(secret) is None
        token = desk.token(uuid.UUID(token_id))
        assert token.revoked
        # The same command path as the API: the event names the CLI as its actor.
        last = list(desk.repository.event_store.get(token.id))[-1]
        assert isinstance(last, ApiToken.Revoked)
        assert last.actor == "system:cli"
    finally:
        desk.close()
    listed = runner.invoke(app, ["token", "list"], env={**cli_env, **WIDE})
    row = next(line for line in listed.output.splitlines() if token_id in line)
    assert "revoked" in row


def test_revoking_an_unknown_token_is_a_clear_error(cli_env: dict[str, str]) -> None:
    runner.invoke(app, ["init"], env=cli_env)
    unknown = str(uuid.uuid4())

    missing = runner.invoke(app, ["token", "revoke", unknown], env=cli_env)

    assert missing.exit_code == 1
    assert "error:" in missing.output
    assert "not found" in missing.output
    assert "Traceback" not in missing.output
    assert missing.exception is None or isinstance(missing.exception, SystemExit)
    malformed = runner.invoke(app, ["token", "revoke", "nope"], env=cli_env)
    assert malformed.exit_code == 2
    assert "Traceback" not in malformed.output
