"""`tickettape token`: issue, list and revoke API tokens without HTTP."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from domain.audit import Origin
from domain.configuration_commands import RevokeToken
from domain.tokens import ApiToken, Role
from tickettape.console import CLI_ACTOR, out, runtime

token_app = typer.Typer(help="Create, list and revoke API tokens.")
#: Wide enough for every column of the token list, whatever the terminal.
LIST_WIDTH = 132


@token_app.command("create")
def token_create(
    role: Annotated[
        Role, typer.Option(help="admin, agent, customer, auditor or gateway (mail in)")
    ],
    subject: Annotated[
        str, typer.Option(help="Agent login, customer email, or a name")
    ] = "operator",
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
) -> None:
    """Issue a token and print its secret once."""
    with runtime() as opened:
        secret, token = opened.desk.issue_token(name, role, subject, Origin(CLI_ACTOR))
        out.print(f"token {token.id} for {role.value} {subject}:")
        out.print(secret)


@token_app.command("list")
def token_list() -> None:
    """Every token, live and revoked, oldest first; never a secret."""
    with runtime() as opened:
        tokens = opened.desk.all_of(ApiToken)
    table = Table("id", "name", "role", "subject", "created", "revoked")
    table.columns[0].no_wrap = True
    for token in tokens:
        table.add_row(
            str(token.id),
            escape(token.name),
            token.role,
            escape(token.subject),
            f"{token.created_on:%Y-%m-%d %H:%M}",
            "revoked" if token.revoked else "",
        )
    # A narrow terminal (or none: a pipe) must not cut ids and roles to "…".
    Console(file=out.file, width=max(out.width, LIST_WIDTH)).print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[UUID, typer.Argument(help="The token's id, from `list`")],
) -> None:
    """Revoke a token: requests bearing it are refused from now on."""
    with runtime() as opened:
        opened.desk.handle(RevokeToken(token_id), Origin(CLI_ACTOR))
        token = opened.desk.token(token_id)
    out.print(f"token {token.id} ({token.role} {escape(token.subject)}) is revoked")
