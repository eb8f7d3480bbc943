"""Admin: SLA policies, the targets each ticket's clocks run to."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from api.deps import ADMIN_ONLY, WORK_READ, CommandOrigin, Desk
from api.routes.admin_common import PageWindow, configure, created, describe
from api.schemas.admin import Page
from api.schemas.sla import SlaPolicyIn, SlaPolicyOut, SlaPolicyPatch
from api.workers import Router
from domain.configuration_commands import ReconfigureSlaPolicy
from domain.sla_policies import SlaPolicy

router = Router()

PolicyName = Annotated[str, Path(min_length=1, max_length=100)]


@router.get(
    "/sla-policies", response_model=Page[SlaPolicyOut], dependencies=[WORK_READ]
)
def list_sla_policies(desk: Desk, window: PageWindow) -> Page[SlaPolicyOut]:
    """Every SLA policy in the order they are tried: by rank, then name."""
    return window.page(desk.sla_policies(), SlaPolicyOut.of)


@router.get(
    "/sla-policies/{name:name}", response_model=SlaPolicyOut, dependencies=[WORK_READ]
)
def read_sla_policy(name: PolicyName, desk: Desk, response: Response) -> SlaPolicyOut:
    """One SLA policy; the ETag is its version."""
    policy = desk.sla_policy(name)
    describe(response, policy)
    return SlaPolicyOut.of(policy)


@router.post(
    "/sla-policies",
    status_code=201,
    response_model=SlaPolicyOut,
    dependencies=[ADMIN_ONLY],
)
def define_sla_policy(
    body: SlaPolicyIn, desk: Desk, origin: CommandOrigin, response: Response
) -> SlaPolicyOut:
    """Define an SLA policy: targets per priority, its calendar, when it warns,
    what pauses it and which tickets it applies to."""
    policy = configure(desk, body.command(), origin, SlaPolicy, response)
    created(response, "sla-policies", policy.name)
    return SlaPolicyOut.of(policy)


@router.patch(
    "/sla-policies/{name:name}",
    response_model=SlaPolicyOut,
    dependencies=[ADMIN_ONLY],
)
def reconfigure_sla_policy(
    name: PolicyName,
    body: SlaPolicyPatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> SlaPolicyOut:
    """Change any of a policy's settings; targets and applies_to are replaced whole."""
    command = ReconfigureSlaPolicy(name, **body.changes())
    return SlaPolicyOut.of(configure(desk, command, origin, SlaPolicy, response))
