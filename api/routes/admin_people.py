"""Admin: agents, customers and the organizations customers belong to."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from api.deps import ADMIN_ONLY, CONFIG_READ, CommandOrigin, Desk
from api.routes.admin_common import PageWindow, configure, created, describe
from api.schemas.admin import Page
from api.schemas.admin_people import (
    AgentIn,
    AgentOut,
    AgentPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
)
from api.workers import Router
from domain.configuration_commands import (
    HireAgent,
    RegisterCustomer,
    RegisterOrganization,
    UpdateAgent,
    UpdateCustomer,
    UpdateOrganization,
)
from domain.people import Agent, Customer, Organization

router = Router()

Key = Annotated[str, Path(min_length=1, max_length=254)]


@router.get("/agents", response_model=Page[AgentOut], dependencies=[CONFIG_READ])
def list_agents(desk: Desk, window: PageWindow) -> Page[AgentOut]:
    """Every agent, oldest first."""
    return window.page(desk.all_of(Agent), AgentOut.of)


@router.get("/agents/{login}", response_model=AgentOut, dependencies=[CONFIG_READ])
def read_agent(login: Key, desk: Desk, response: Response) -> AgentOut:
    """One agent."""
    agent = desk.agent(login)
    describe(response, agent)
    return AgentOut.of(agent)


@router.post(
    "/agents", status_code=201, response_model=AgentOut, dependencies=[ADMIN_ONLY]
)
def hire_agent(
    body: AgentIn, desk: Desk, origin: CommandOrigin, response: Response
) -> AgentOut:
    """Hire an agent into groups, with skills."""
    command = HireAgent(
        body.login, body.name, body.email, tuple(body.groups), tuple(body.skills)
    )
    agent = configure(desk, command, origin, Agent, response)
    created(response, "agents", agent.login)
    return AgentOut.of(agent)


@router.patch("/agents/{login}", response_model=AgentOut, dependencies=[ADMIN_ONLY])
def update_agent(
    login: Key,
    body: AgentPatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> AgentOut:
    """Change an agent's name, email, groups, skills or active flag."""
    command = UpdateAgent(login, **body.changes())
    return AgentOut.of(configure(desk, command, origin, Agent, response))


@router.get("/customers", response_model=Page[CustomerOut], dependencies=[CONFIG_READ])
def list_customers(desk: Desk, window: PageWindow) -> Page[CustomerOut]:
    """Every customer, oldest first."""
    return window.page(desk.all_of(Customer), CustomerOut.of)


@router.get(
    "/customers/{email:name}", response_model=CustomerOut, dependencies=[CONFIG_READ]
)
def read_customer(email: Key, desk: Desk, response: Response) -> CustomerOut:
    """One customer."""
    customer = desk.customer(email)
    describe(response, customer)
    return CustomerOut.of(customer)


@router.post(
    "/customers",
    status_code=201,
    response_model=CustomerOut,
    dependencies=[ADMIN_ONLY],
)
def register_customer(
    body: CustomerIn, desk: Desk, origin: CommandOrigin, response: Response
) -> CustomerOut:
    """Register a customer, optionally in an existing organization."""
    command = RegisterCustomer(body.email, body.name, body.organization)
    customer = configure(desk, command, origin, Customer, response)
    created(response, "customers", customer.email)
    return CustomerOut.of(customer)


@router.patch(
    "/customers/{email:name}", response_model=CustomerOut, dependencies=[ADMIN_ONLY]
)
def update_customer(
    email: Key,
    body: CustomerPatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> CustomerOut:
    """Change a customer's name or organization."""
    command = UpdateCustomer(email, **body.changes())
    return CustomerOut.of(configure(desk, command, origin, Customer, response))


@router.get(
    "/organizations",
    response_model=Page[OrganizationOut],
    dependencies=[CONFIG_READ],
)
def list_organizations(desk: Desk, window: PageWindow) -> Page[OrganizationOut]:
    """Every organization, oldest first."""
    return window.page(desk.all_of(Organization), OrganizationOut.of)


@router.get(
    "/organizations/{name:name}",
    response_model=OrganizationOut,
    dependencies=[CONFIG_READ],
)
def read_organization(name: Key, desk: Desk, response: Response) -> OrganizationOut:
    """One organization."""
    organization = desk.organization(name)
    describe(response, organization)
    return OrganizationOut.of(organization)


@router.post(
    "/organizations",
    status_code=201,
    response_model=OrganizationOut,
    dependencies=[ADMIN_ONLY],
)
def register_organization(
    body: OrganizationIn, desk: Desk, origin: CommandOrigin, response: Response
) -> OrganizationOut:
    """Register an organization with its mail domains."""
    command = RegisterOrganization(body.name, tuple(body.domains))
    organization = configure(desk, command, origin, Organization, response)
    created(response, "organizations", organization.name)
    return OrganizationOut.of(organization)


@router.patch(
    "/organizations/{name:name}",
    response_model=OrganizationOut,
    dependencies=[ADMIN_ONLY],
)
def update_organization(
    name: Key,
    body: OrganizationPatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> OrganizationOut:
    """Replace an organization's mail domains."""
    command = UpdateOrganization(name, **body.changes())
    return OrganizationOut.of(configure(desk, command, origin, Organization, response))
