"""Admin resources under /api/v1/admin: the configuration of the desk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.problems import PROBLEM_JSON
from api.routes import admin_catalogues, admin_people, admin_queues, admin_tokens
from api.routes.admin_common import PREFIX


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {}}}


router = APIRouter(
    prefix=PREFIX,
    tags=["admin"],
    responses={
        401: _problem("No token, or an unknown or revoked one."),
        403: _problem("Writes are for admins; customers may not read configuration."),
        404: _problem("No record with that name."),
        409: _problem("On writes: a duplicate, or a stale expected_version."),
        412: _problem("On updates: a stale If-Match."),
        422: _problem("A value the schema or the configuration refuses."),
    },
)
for part in (admin_queues, admin_catalogues, admin_people, admin_tokens):
    router.include_router(part.router)
