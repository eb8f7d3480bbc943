"""Admin: API tokens, listed without secrets, issued once, revocable."""

from __future__ import annotations

from uuid import UUID

from fastapi import Response

from api.deps import ADMIN_ONLY, CONFIG_READ, CommandOrigin, Desk
from api.routes.admin_common import PageWindow, configure, created, describe
from api.schemas.admin import Page
from api.schemas.admin_people import TokenIn, TokenIssuedOut, TokenOut
from api.workers import Router
from domain.configuration_commands import IssueToken, RevokeToken
from domain.tokens import ApiToken

router = Router()


@router.get("/tokens", response_model=Page[TokenOut], dependencies=[CONFIG_READ])
def list_tokens(desk: Desk, window: PageWindow) -> Page[TokenOut]:
    """Every token, live and revoked, oldest first; never a secret."""
    return window.page(desk.all_of(ApiToken), TokenOut.of)


@router.get("/tokens/{token_id}", response_model=TokenOut, dependencies=[CONFIG_READ])
def read_token(token_id: UUID, desk: Desk, response: Response) -> TokenOut:
    """One token, without its secret."""
    token = desk.token(token_id)
    describe(response, token)
    return TokenOut.of(token)


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenIssuedOut,
    dependencies=[ADMIN_ONLY],
)
def issue_token(
    body: TokenIn, desk: Desk, origin: CommandOrigin, response: Response
) -> TokenIssuedOut:
    """Issue a token; the response holds its secret, which is never shown again.

    A retry under the same Idempotency-Key answers the same token with `secret`
    null: only its hash is kept. Revoke it and issue another if the first
    answer was lost.
    """
    issued = desk.handle(IssueToken(body.name, body.role.value, body.subject), origin)
    token = desk.record_at(issued.record_id, issued.version, ApiToken)
    describe(response, token)
    created(response, "tokens", str(token.id))
    response.headers["Cache-Control"] = "no-store"
    return TokenIssuedOut.issued(issued.secret, token)


@router.post(
    "/tokens/{token_id}/revoke", response_model=TokenOut, dependencies=[ADMIN_ONLY]
)
def revoke_token(
    token_id: UUID, desk: Desk, origin: CommandOrigin, response: Response
) -> TokenOut:
    """Revoke a token: requests bearing it get 401 from now on."""
    command = RevokeToken(token_id)
    return TokenOut.of(configure(desk, command, origin, ApiToken, response))
