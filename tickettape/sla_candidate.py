"""A candidate SLA book from an analyst's file, checked as the admin API checks it.

The file is JSON: {"policies": [...], "calendars": [...]}, each policy a body
POST /admin/sla-policies takes and each calendar one POST /admin/calendars
takes ("calendars" may be left out). The bodies are checked by the API's own
models, then by the domain as a definition would be (references to priorities,
queues, types and organizations included), but nothing is stored. A policy
naming a calendar not in the file counts in the store's current calendar of
that name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from api.schemas.sla import CalendarIn, SlaPolicyIn
from api.schemas.text import Strict
from domain.audit import Origin
from domain.business_time import BusinessHours
from domain.calendars import BusinessCalendar
from domain.desk import HelpDesk
from domain.desk.sla_rules import checked_policy
from domain.errors import DomainError, NotFound
from domain.sla_book import PolicyRules, SlaBook


class CandidateError(Exception):
    """What is wrong with a candidate file, in words the analyst can act on."""


class CandidateIn(Strict):
    """The candidate file: the policies to try, and calendars they may name."""

    policies: Annotated[list[SlaPolicyIn], Field(min_length=1, max_length=1000)]
    calendars: Annotated[list[CalendarIn], Field(max_length=1000)] = Field(
        default_factory=list
    )


def read_candidate(path: Path) -> CandidateIn:
    """The file's policies and calendars, as the admin API would take them."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CandidateError(f"cannot read {path}: {error}") from None
    try:
        return CandidateIn.model_validate_json(text)
    except ValidationError as error:
        raise CandidateError(f"{path}: {_first(error)}") from None


def candidate_book(desk: HelpDesk, candidate: CandidateIn, origin: Origin) -> SlaBook:
    """The SLA book of the candidate's policies and calendars; nothing is stored."""
    calendars = _calendars(candidate, origin)
    policies: list[PolicyRules] = []
    for body in candidate.policies:
        if any(p.name.casefold() == body.name.casefold() for p in policies):
            raise CandidateError(f"policy {body.name!r} is in the file twice")
        try:
            policy = checked_policy(desk, body.command(), origin, calendars)
        except DomainError as error:
            raise CandidateError(f"policy {body.name!r}: {error.message}") from None
        policies.append(policy.rules())
    for rules in policies:
        named = rules.calendar
        if named is not None and named.casefold() not in calendars:
            calendars[named.casefold()] = _stored_hours(desk, named)
    return SlaBook(tuple(policies), calendars)


def _calendars(candidate: CandidateIn, origin: Origin) -> dict[str, BusinessHours]:
    """The file's calendars' hours, by their names case-folded."""
    found: dict[str, BusinessHours] = {}
    for body in candidate.calendars:
        key = body.name.casefold()
        if key in found:
            raise CandidateError(f"calendar {body.name!r} is in the file twice")
        try:
            cmd = body.command()
            calendar = BusinessCalendar.define(
                cmd.name,
                cmd.time_zone,
                cmd.week,
                cmd.holidays,
                cmd.holiday_preset,
                cmd.active,
                origin,
            )
        except DomainError as error:
            raise CandidateError(f"calendar {body.name!r}: {error.message}") from None
        found[key] = calendar.hours()
    return found


def _stored_hours(desk: HelpDesk, name: str) -> BusinessHours:
    try:
        return desk.calendar(name).hours()
    except NotFound:
        raise CandidateError(
            f"calendar {name!r} is neither in the file nor in the store"
        ) from None


def _first(error: ValidationError) -> str:
    """The first problem pydantic found, with where it is in the file."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"])
    return f"{where}: {problem['msg']}" if where else problem["msg"]
