"""Admin: business calendars, the opening hours SLA clocks count in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response

from api.deps import ADMIN_ONLY, WORK_READ, CommandOrigin, Desk
from api.routes.admin_common import PageWindow, configure, created, describe
from api.schemas.admin import Page
from api.schemas.sla import CalendarIn, CalendarOut, CalendarPatch
from api.workers import Router
from domain.calendars import BusinessCalendar

router = Router()

CalendarName = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/calendars", response_model=Page[CalendarOut], dependencies=[WORK_READ])
def list_calendars(desk: Desk, window: PageWindow) -> Page[CalendarOut]:
    """Every business calendar, oldest first."""
    return window.page(desk.all_of(BusinessCalendar), CalendarOut.of)


@router.get(
    "/calendars/{name:name}", response_model=CalendarOut, dependencies=[WORK_READ]
)
def read_calendar(name: CalendarName, desk: Desk, response: Response) -> CalendarOut:
    """One calendar; the ETag is its version."""
    calendar = desk.calendar(name)
    describe(response, calendar)
    return CalendarOut.of(calendar)


@router.post(
    "/calendars",
    status_code=201,
    response_model=CalendarOut,
    dependencies=[ADMIN_ONLY],
)
def define_calendar(
    body: CalendarIn, desk: Desk, origin: CommandOrigin, response: Response
) -> CalendarOut:
    """Define a calendar: its time zone, opening hours ("24/7" or ranges per
    weekday) and holidays, a country preset's among them."""
    calendar = configure(desk, body.command(), origin, BusinessCalendar, response)
    created(response, "calendars", calendar.name)
    return CalendarOut.of(calendar)


@router.patch(
    "/calendars/{name:name}", response_model=CalendarOut, dependencies=[ADMIN_ONLY]
)
def reconfigure_calendar(
    name: CalendarName,
    body: CalendarPatch,
    desk: Desk,
    origin: CommandOrigin,
    response: Response,
) -> CalendarOut:
    """Change a calendar's time zone, opening hours, holidays or active flag."""
    command = body.command(name)
    return CalendarOut.of(configure(desk, command, origin, BusinessCalendar, response))
