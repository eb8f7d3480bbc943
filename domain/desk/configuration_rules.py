"""What each configuration command decides: the record it creates or changes.

A change loads a private copy of the record as stored (the desk's cached one is
shared with every reader) and checks the caller's expected version first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from domain import configuration_commands as c
from domain import ids
from domain.audit import Origin
from domain.choices import ChoiceList
from domain.configuration_commands import kept
from domain.desk.records import Outcome
from domain.errors import AlreadyExists
from domain.fields import FieldDefinition
from domain.people import Agent, Customer, Organization
from domain.queues import Queue
from domain.statuses import Status, StatusCatalogue
from domain.tokens import ApiToken, new_secret

if TYPE_CHECKING:
    from domain.desk.application import HelpDesk

Decision = Callable[["HelpDesk", Any, Origin], Outcome]


def new_record(desk: HelpDesk, record: Aggregate) -> Outcome:
    """A new record to save, unless one with its id exists."""
    if desk.exists(record.id):
        raise AlreadyExists(f"that {type(record).__name__} exists")
    return Outcome(record)


def _reconfigure_queue(
    desk: HelpDesk, cmd: c.ReconfigureQueue, origin: Origin
) -> Outcome:
    queue = desk.record_to_change(ids.queue_id(cmd.name), Queue, f"queue {cmd.name!r}")
    origin.expect(queue.version)
    queue.reconfigure(
        kept(cmd.group, queue.group),
        kept(cmd.follow_up, queue.follow_up),
        kept(cmd.reopen_within_days, queue.reopen_within_days),
        kept(cmd.active, queue.active),
        origin,
    )
    queue.share_solution_due(
        kept(cmd.show_solution_due, queue.show_solution_due), origin
    )
    queue.set_mail(
        kept(cmd.acknowledge, queue.acknowledges), dict(cmd.mail_templates), origin
    )
    return Outcome(queue)


def _update_agent(desk: HelpDesk, cmd: c.UpdateAgent, origin: Origin) -> Outcome:
    agent = desk.record_to_change(
        ids.agent_id(cmd.login), Agent, f"agent {cmd.login!r}"
    )
    origin.expect(agent.version)
    agent.update(
        kept(cmd.name, agent.name),
        kept(cmd.email, agent.email),
        list(kept(cmd.groups, tuple(agent.groups))),
        list(kept(cmd.skills, tuple(agent.skills))),
        kept(cmd.active, agent.active),
        origin,
    )
    return Outcome(agent)


def _register_customer(
    desk: HelpDesk, cmd: c.RegisterCustomer, origin: Origin
) -> Outcome:
    organization = desk.known_organization(cmd.organization)
    return new_record(
        desk, Customer.register(cmd.email, cmd.name, organization, origin)
    )


def _update_customer(desk: HelpDesk, cmd: c.UpdateCustomer, origin: Origin) -> Outcome:
    customer = desk.record_to_change(
        ids.customer_id(cmd.email), Customer, f"customer {cmd.email!r}"
    )
    origin.expect(customer.version)
    organization = kept(cmd.organization, customer.organization)
    if organization != customer.organization:
        organization = desk.known_organization(organization)
    customer.update(kept(cmd.name, customer.name), organization, origin)
    return Outcome(customer)


def _update_organization(
    desk: HelpDesk, cmd: c.UpdateOrganization, origin: Origin
) -> Outcome:
    organization = desk.record_to_change(
        ids.organization_id(cmd.name), Organization, f"organization {cmd.name!r}"
    )
    origin.expect(organization.version)
    organization.update(list(kept(cmd.domains, tuple(organization.domains))), origin)
    return Outcome(organization)


def _catalogue(desk: HelpDesk, origin: Origin) -> StatusCatalogue:
    catalogue = desk.record_to_change(
        ids.STATUS_CATALOGUE_ID, StatusCatalogue, "status catalogue"
    )
    origin.expect(catalogue.version)
    return catalogue


def _add_status(desk: HelpDesk, cmd: c.AddStatus, origin: Origin) -> Outcome:
    catalogue = _catalogue(desk, origin)
    status = Status(cmd.name, cmd.category, cmd.pending_until_required)
    catalogue.add(status, origin)
    return Outcome(catalogue)


def _retire_status(desk: HelpDesk, cmd: c.RetireStatus, origin: Origin) -> Outcome:
    catalogue = _catalogue(desk, origin)
    catalogue.retire(cmd.name, origin)
    return Outcome(catalogue)


def _replace_choices(desk: HelpDesk, cmd: c.ReplaceChoices, origin: Origin) -> Outcome:
    record_id, what = (
        (ids.PRIORITIES_ID, "priority list")
        if isinstance(cmd, c.ReplacePriorities)
        else (ids.TICKET_TYPES_ID, "ticket type list")
    )
    choices = desk.record_to_change(record_id, ChoiceList, what)
    origin.expect(choices.version)
    choices.replace(list(cmd.values), cmd.default, origin)
    return Outcome(choices)


def _update_field(desk: HelpDesk, cmd: c.UpdateField, origin: Origin) -> Outcome:
    field = desk.record_to_change(
        ids.field_id(cmd.name), FieldDefinition, f"field {cmd.name!r}"
    )
    origin.expect(field.version)
    field.update(
        kept(cmd.label, field.label),
        list(kept(cmd.options, tuple(field.options))),
        kept(cmd.active, field.active),
        origin,
    )
    return Outcome(field)


def _issue_token(desk: HelpDesk, cmd: c.IssueToken, origin: Origin) -> Outcome:
    secret = new_secret()
    subject = desk.token_subject(cmd.role, cmd.subject)
    token = ApiToken.issue(secret, cmd.name, cmd.role, subject, origin)
    return Outcome(token, secret=secret)


def _revoke_token(desk: HelpDesk, cmd: c.RevokeToken, origin: Origin) -> Outcome:
    token = desk.record_to_change(cmd.token_id, ApiToken, "token")
    origin.expect(token.version)
    token.revoke(origin)
    return Outcome(token)


RULES: dict[type[Any], Decision] = {
    c.OpenQueue: lambda d, cmd, o: new_record(
        d,
        Queue.open(cmd.name, cmd.group, cmd.follow_up, cmd.reopen_within_days, o),
    ),
    c.ReconfigureQueue: _reconfigure_queue,
    c.HireAgent: lambda d, cmd, o: new_record(
        d,
        Agent.hire(
            cmd.login, cmd.name, cmd.email, list(cmd.groups), list(cmd.skills), o
        ),
    ),
    c.UpdateAgent: _update_agent,
    c.RegisterCustomer: _register_customer,
    c.UpdateCustomer: _update_customer,
    c.RegisterOrganization: lambda d, cmd, o: new_record(
        d, Organization.register(cmd.name, list(cmd.domains), o)
    ),
    c.UpdateOrganization: _update_organization,
    c.AddStatus: _add_status,
    c.RetireStatus: _retire_status,
    c.ReplacePriorities: _replace_choices,
    c.ReplaceTicketTypes: _replace_choices,
    c.DefineField: lambda d, cmd, o: new_record(
        d,
        FieldDefinition.define(cmd.name, cmd.label, cmd.kind, list(cmd.options), o),
    ),
    c.UpdateField: _update_field,
    c.IssueToken: _issue_token,
    c.RevokeToken: _revoke_token,
}
