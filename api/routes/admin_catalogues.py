"""Admin: the status catalogue, priorities, ticket types and custom fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from api.deps import ADMIN_ONLY, WORK_READ, CommandOrigin, Desk
from api.routes.admin_common import PageWindow, configure, created, describe
from api.schemas.admin import (
    ChoiceListIn,
    ChoiceListOut,
    FieldDefinitionIn,
    FieldDefinitionOut,
    FieldDefinitionPatch,
    Page,
    StatusCatalogueOut,
    StatusIn,
    StatusOut,
)
from api.workers import Router
from domain.choices import ChoiceList
from domain.configuration_commands import (
    AddStatus,
    DefineField,
    ReplacePriorities,
    ReplaceTicketTypes,
    RetireStatus,
    UpdateField,
)
from domain.fields import FieldDefinition
from domain.statuses import StatusCatalogue

router = Router()

Name = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/statuses", response_model=StatusCatalogueOut, dependencies=[WORK_READ])
def read_statuses(desk: Desk, response: Response) -> StatusCatalogueOut:
    """Every status, active and retired, with its category."""
    catalogue = desk.statuses()
    describe(response, catalogue)
    return StatusCatalogueOut.of(catalogue)


@router.get("/statuses/{name:name}", response_model=StatusOut, dependencies=[WORK_READ])
def read_status(name: Name, desk: Desk) -> StatusOut:
    """One status and its category."""
    return StatusOut.of(desk.statuses().find(name))


@router.post(
    "/statuses",
    status_code=201,
    response_model=StatusCatalogueOut,
    dependencies=[ADMIN_ONLY],
)
def add_status(
    body: StatusIn, desk: Desk, origin: CommandOrigin, response: Response
) -> StatusCatalogueOut:
    """Add a status to a category; expected_version is the catalogue's."""
    command = AddStatus(body.name, body.category.value, body.pending_until_required)
    catalogue = configure(desk, command, origin, StatusCatalogue, response)
    created(response, "statuses", body.name)
    return StatusCatalogueOut.of(catalogue)


@router.post(
    "/statuses/{name:name}/retire",
    response_model=StatusCatalogueOut,
    dependencies=[ADMIN_ONLY],
)
def retire_status(
    name: Name, desk: Desk, origin: CommandOrigin, response: Response
) -> StatusCatalogueOut:
    """Retire a status: tickets in it keep it, none can enter it any more."""
    command = RetireStatus(name)
    catalogue = configure(desk, command, origin, StatusCatalogue, response)
    return StatusCatalogueOut.of(catalogue)


@router.get("/priorities", response_model=ChoiceListOut, dependencies=[WORK_READ])
def read_priorities(desk: Desk, response: Response) -> ChoiceListOut:
    """The priorities, lowest first, and the default."""
    priorities = desk.priorities()
    describe(response, priorities)
    return ChoiceListOut.of(priorities)


@router.put("/priorities", response_model=ChoiceListOut, dependencies=[ADMIN_ONLY])
def replace_priorities(
    body: ChoiceListIn, desk: Desk, origin: CommandOrigin, response: Response
) -> ChoiceListOut:
    """Replace the ordered priorities and the default; tickets keep old values."""
    command = ReplacePriorities(tuple(body.values), body.default)
    return ChoiceListOut.of(configure(desk, command, origin, ChoiceList, response))


@router.get("/ticket-types", response_model=ChoiceListOut, dependencies=[WORK_READ])
def read_ticket_types(desk: Desk, response: Response) -> ChoiceListOut:
    """The ticket types and the default."""
    types = desk.ticket_types()
    describe(response, types)
    return ChoiceListOut.of(types)


@router.put("/ticket-types", response_model=ChoiceListOut, dependencies=[ADMIN_ONLY])
def replace_ticket_types(
    body: ChoiceListIn, desk: Desk, origin: CommandOrigin, response: Response
) -> ChoiceListOut:
    """Replace the ticket types and the default; tickets keep old values."""
    command = ReplaceTicketTypes(tuple(body.values), body.default)
    return ChoiceListOut.of(configure(desk, command, origin, ChoiceList, response))


@router.get(
    "/fields", response_model=Page[FieldDefinitionOut], dependencies=[WORK_READ]
)
def list_fields(desk: Desk, window: PageWindow) -> Page[FieldDefinitionOut]:
    """Every custom field definition, oldest first."""
    return window.page(desk.all_of(FieldDefinition), FieldDefinitionOut.of)


@router.get(
    "/fields/{name:name}", response_model=FieldDefinitionOut, dependencies=[WORK_READ]
)
def read_field(name: Name, desk: Desk, response: Response) -> FieldDefinitionOut:
    """One custom field definition."""
    field = desk.field_definition(name)
    describe(response, field)
    return FieldDefinitionOut.of(field)


@router.post(
    "/fields",
    status_code=201,
    response_model=FieldDefinitionOut,
    dependencies=[ADMIN_ONLY],
)
def define_field(
    body: FieldDefinitionIn, desk: Desk, origin: CommandOrigin, response: Response
) -> FieldDefinitionOut:
    """Define a custom ticket field."""
    command = DefineField(body.name, body.kind, body.label, tuple(body.options))
    field = configure(desk, command, origin, FieldDefinition, response)
    created(response, "fields", field.name)
    return FieldDefinitionOut.of(field)


@router.patch(
    "/fields/{name:name}", response_model=FieldDefinitionOut, dependencies=[ADMIN_ONLY]
)
def update_field(
    name: Name,
    body: FieldDefinitionPatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> FieldDefinitionOut:
    """Change a field's label or options, or retire it."""
    command = UpdateField(name, **body.changes())
    return FieldDefinitionOut.of(
        configure(desk, command, origin, FieldDefinition, response)
    )
