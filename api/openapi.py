"""The OpenAPI document, made honest: every operation lists what it can answer.

FastAPI documents an operation's success and a 422 of a shape we never send.
What else an operation can answer follows from what it depends on (a caller,
a role gate, the store, the views, the headers of a command) and from what it
takes (a path names a record that may not exist; any input may be invalid). It
is derived here, in one place, from each route's dependencies, so a new route
is documented as it is wired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from api.deps import RoleGate, get_origin, get_principal, get_services
from api.problems import PROBLEM_JSON, PROBLEM_SCHEMA
from api.reading import get_views
from domain.tokens import Role

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# The refusals each dependency can answer, besides its route's success.
_BY_DEPENDENCY: dict[Callable[..., Any], frozenset[int]] = {
    get_services: frozenset({503}),
    get_views: frozenset({503}),
    get_principal: frozenset({401, 429}),
    get_origin: frozenset({400, 409, 412}),
}
# What a body read by api/uploads.py (JSON or multipart) can answer.
_UPLOAD = frozenset({400, 408, 413, 415, 422})
# What any body can answer (api/body_limit.py).
_BODY = frozenset({408, 413})

_MEANINGS = {
    400: "A malformed Idempotency-Key, X-Request-Id or If-Match header, or a "
    "multipart body without its boundary.",
    401: "No bearer token, or an unknown or revoked one.",
    403: "The caller's role may not do this, or not to this record.",
    404: "The record the path names does not exist, or the caller may not see it.",
    408: "The request body stalled: its next part did not come in time.",
    409: "A stale expected_version (the problem carries current_version), a "
    "duplicate, or a command the record's state refuses now.",
    412: "A stale If-Match (the problem carries current_version).",
    413: "An attachment, or the request body, larger than its limit (the "
    "problem carries limit).",
    415: "A body that is neither application/json nor multipart/form-data.",
    422: "A value the schema or the configuration refuses; `errors` lists the "
    "schema's objections.",
    429: "This client address presented bad tokens too often, or the caller has "
    "too many activity streams open; Retry-After says when to try again.",
    503: "The database does not answer, or the views are not running here.",
}
_ETAG = {
    "description": "The record's version, for If-Match.",
    "required": True,
    "schema": {"type": "string", "pattern": r'^"\d+"$'},
}
_LOCATION = {
    "description": "Where the new record can be read (an article has no URL).",
    "schema": {"type": "string"},
}


def document_answers(app: FastAPI) -> None:
    """Make the app's OpenAPI document list every answer of every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        # Included routers nest; iter_route_contexts flattens them as the app
        # serves them (prefixes and the routers' dependencies applied).
        for route in iter_route_contexts(app.routes):
            if isinstance(route.original_route, APIRoute) and route.include_in_schema:
                for method in route.methods or ():
                    operation = document["paths"][route.path_format][method.lower()]
                    _document(route, operation["responses"])
        schemas = document["components"]["schemas"]
        schemas["Problem"] = PROBLEM_SCHEMA
        # FastAPI's own 422 shape is replaced everywhere by the problem.
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def answers(route: RouteContext) -> set[int]:
    """The statuses other than success that the route can answer."""
    statuses: set[int] = set()
    parts = list(_parts(route.dependant))
    for part in parts:
        if part.call is not None:
            statuses |= _BY_DEPENDENCY.get(part.call, frozenset())
        if isinstance(part.call, RoleGate) and set(part.call.roles) != set(Role):
            statuses.add(403)
    if any(part.path_params for part in parts):
        statuses.add(404)
    if any(
        part.path_params or part.query_params or part.header_params or part.body_params
        for part in parts
    ):
        statuses.add(422)
    if any(part.body_params for part in parts):
        statuses |= _BODY  # a body over its limit, or stalled (api/body_limit.py)
    if "requestBody" in (route.openapi_extra or {}):
        statuses |= _UPLOAD
    return statuses


def _document(route: RouteContext, responses: dict[str, Any]) -> None:
    derived = answers(route)
    # A refusal the route declares itself (and only it) keeps its description.
    declared = {
        int(status): answer.get("description")
        for status, answer in responses.items()
        if status.isdigit() and int(status) >= 400 and int(status) not in derived
    }
    for status in sorted(derived | set(declared)):
        responses[str(status)] = {
            "description": declared.get(status) or _MEANINGS[status],
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        }
    fields = getattr(route.response_model, "model_fields", {})
    success = responses.get(str(route.status_code or 200), {})
    if "version" in fields:
        success.setdefault("headers", {})["ETag"] = _ETAG
    if route.status_code == 201:
        success.setdefault("headers", {})["Location"] = _LOCATION
    # Listed by status, as a reader looks them up.
    ordered = sorted(responses.items())
    responses.clear()
    responses.update(ordered)


def _parts(dependant: Dependant) -> Iterator[Dependant]:
    """The dependant and everything it depends on, however deep."""
    yield dependant
    for dependency in dependant.dependencies:
        yield from _parts(dependency)
