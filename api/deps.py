"""FastAPI dependencies: the services, the caller, and the origin of a command."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.policy import (
    ADMINS,
    CONFIG_READERS,
    READERS,
    STAFF,
    WRITERS,
    principal_for,
    require,
)
from api.principal import Principal
from api.problems import ApiProblem
from api.request_ids import VALID_ID, request_id
from api.services import Services
from api.throttle import client_key
from domain.audit import Origin
from domain.desk import HelpDesk
from domain.tokens import Role

log = logging.getLogger("tickettape.api")
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')


async def get_services(request: Request) -> Services:
    """The services the app was created with."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_desk(services: ServicesDep) -> HelpDesk:
    """The HelpDesk application."""
    return services.desk


Desk = Annotated[HelpDesk, Depends(get_desk)]


# Declares the scheme in the OpenAPI document; the refusal is ours (problem+json).
_BEARER = HTTPBearer(
    scheme_name="bearer",
    description="An API token an admin issued: `Authorization: Bearer <token>`.",
    auto_error=False,
)


#: Where a mail gateway's token is good.
INBOUND = "/api/v1/inbound/"


def get_principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> Principal:
    """The caller behind the bearer token, or 401; a mail gateway's token opens
    the inbound mail routes only (403 elsewhere). A client that presented bad
    tokens too often is turned away for a while (429, api/throttle.py)."""
    challenge = {"WWW-Authenticate": 'Bearer realm="tickettape"'}
    if credentials is None:
        raise ApiProblem(
            401, "Unauthorized", "send 'Authorization: Bearer <token>'", challenge
        )
    throttle, client = services.auth_throttle, _client(request)
    if throttle is not None and (seconds := throttle.wait(client)):
        raise ApiProblem(
            429,
            "Too Many Requests",
            "too many requests with a bad token came from this address; "
            f"try again in {seconds} s",
            {"Retry-After": str(seconds)},
            code="too-many-requests",
            retry_after=seconds,
        )
    secret = credentials.credentials.strip()
    desk = services.desk
    token = desk.authenticate(secret) if VALID_ID.match(secret) else None
    principal = principal_for(desk, token) if token else None
    if principal is None:
        if throttle is not None and throttle.failed(client):
            log.warning(
                "%s presented %d bad tokens within %.0f s: its requests with a "
                "token are refused (429) until the oldest is that old",
                client or "a client",
                throttle.failures,
                throttle.window,
            )
        raise ApiProblem(
            401, "Unauthorized", "the token is unknown or revoked", challenge
        )
    if principal.role is Role.GATEWAY and not request.url.path.startswith(INBOUND):
        raise ApiProblem(403, "Forbidden", "a gateway token hands in mail, only")
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def _client(request: Request) -> str:
    """The client's address as the server sees it (the proxy's, unless uvicorn
    is told to trust the proxy's forwarded headers), an IPv6 one as its /64: a
    host is given a whole /64 and may pick any address in it."""
    host = request.client.host if request.client else ""
    return client_key(host)


class RoleGate:
    """A dependency that lets through only callers of these roles (others: 403).

    As a dependency it runs before the body is validated, so a forbidden caller
    gets 403, not 422; and the OpenAPI document learns which routes answer 403.
    """

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    async def __call__(self, caller: Caller) -> Principal:
        """The caller, if their role is among the gate's."""
        require(caller, *self.roles)
        return caller


Staff = Annotated[Principal, Depends(RoleGate(*STAFF))]
Writer = Annotated[Principal, Depends(RoleGate(*WRITERS))]
Reader = Annotated[Principal, Depends(RoleGate(*READERS))]
#: The ticket's customer, or an admin acting for them (rating, closing).
CustomerSide = Annotated[Principal, Depends(RoleGate(Role.CUSTOMER, Role.ADMIN))]
ADMIN_ONLY = Depends(RoleGate(*ADMINS))
CONFIG_READ = Depends(RoleGate(*CONFIG_READERS))
WORK_READ = Depends(RoleGate(*READERS))


async def get_origin(
    request: Request,
    caller: Caller,
    if_match: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
    x_request_id: Annotated[str | None, Header()] = None,
    expected_version: Annotated[int | None, Query(ge=1, le=10**12)] = None,
) -> Origin:
    """The actor, correlation id, expected version and idempotency key of a write.

    The correlation id is the request's id (X-Request-Id, or one made up and
    sent back in that header). `If-Match: *` asks only that the record exists
    (RFC 9110 13.1.1), which every command on an existing record checks anyway.
    """
    for name, value in (
        ("Idempotency-Key", idempotency_key),
        ("X-Request-Id", x_request_id),
    ):
        if value is not None and not VALID_ID.match(value):
            raise ApiProblem(
                400, "Bad Header", f"{name} has 1 to 200 visible ASCII characters"
            )
    if if_match is not None and if_match.strip() != "*":
        match = _ETAG.match(if_match.strip())
        if not match:
            raise ApiProblem(400, "Bad Header", 'If-Match takes an ETag like "7", or *')
        expected_version = int(match.group(1))
    return Origin(caller.actor, request_id(request), expected_version, idempotency_key)


CommandOrigin = Annotated[Origin, Depends(get_origin)]
