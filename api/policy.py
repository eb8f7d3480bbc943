"""Who may do what: every permission check the routes make lives here."""

from __future__ import annotations

from functools import cache

from api.principal import Principal
from api.problems import ApiProblem
from domain.articles import Article
from domain.desk import HelpDesk
from domain.disclosure import Disclosure, Reader
from domain.errors import NotFound
from domain.queues import Queue
from domain.ticket import Ticket
from domain.tokens import ApiToken, Role
from projections.engine.scope import Scope

STAFF = (Role.ADMIN, Role.AGENT)
WRITERS = (Role.ADMIN, Role.AGENT, Role.CUSTOMER)
READERS = (Role.ADMIN, Role.AGENT, Role.AUDITOR)
ADMINS = (Role.ADMIN,)
CONFIG_READERS = (Role.ADMIN, Role.AUDITOR)
#: Which reader of the disclosure policy each role is.
READER_OF = {
    Role.ADMIN: Reader.AGENT,
    Role.AGENT: Reader.AGENT,
    Role.CUSTOMER: Reader.CUSTOMER,
    Role.AUDITOR: Reader.AUDITOR,
    # A gateway reads nothing (every read route refuses it); the least, should one ask.
    Role.GATEWAY: Reader.CUSTOMER,
}
#: Who may hand in raw mail.
MAIL_SENDERS = (Role.GATEWAY, Role.ADMIN)


def principal_for(desk: HelpDesk, token: ApiToken) -> Principal | None:
    """The caller a live token stands for; None if its agent or customer is gone."""
    role = Role(token.role)
    try:
        if role is Role.AGENT:
            agent = desk.agent(token.subject)
            if not agent.active:
                return None
            return Principal(role, agent.login, groups=frozenset(agent.groups))
        if role is Role.CUSTOMER:
            customer = desk.customer(token.subject)
            return Principal(role, customer.email, organization=customer.organization)
    except NotFound:
        return None
    return Principal(role, token.subject)


def require(caller: Principal, *roles: Role) -> None:
    """Refuse (403) a caller whose role is not among these."""
    if caller.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise ApiProblem(
            403,
            "Forbidden",
            f"this needs one of the roles {allowed}; you are {caller.role.value}",
        )


def may_see(desk: HelpDesk, caller: Principal, ticket: Ticket) -> bool:
    """Whether the caller may know the ticket exists."""
    if caller.role in (Role.ADMIN, Role.AUDITOR):
        return True
    if caller.role is Role.AGENT:
        try:
            return desk.queue(ticket.queue).group in caller.groups
        except NotFound:
            return False
    if ticket.hidden:
        return False
    if ticket.customer == caller.subject:
        return True
    return (
        caller.organization is not None and ticket.organization == caller.organization
    )


def visible_ticket(desk: HelpDesk, caller: Principal, number: str) -> Ticket:
    """The ticket if the caller may see it; otherwise the same 404 as a missing one."""
    ticket = desk.ticket(number)
    if not may_see(desk, caller, ticket):
        raise NotFound(f"ticket {number} not found")
    return ticket


def disclosure(desk: HelpDesk, caller: Principal) -> Disclosure:
    """What the caller may be told, knowing which other tickets they may see."""

    # A history asks about the same links at every event: load each ticket once.
    @cache
    def knows(number: str) -> bool:
        try:
            return may_see(desk, caller, desk.ticket(number))
        except NotFound:
            return False

    return Disclosure(READER_OF[caller.role], knows)


def visible_articles(caller: Principal, ticket: Ticket) -> list[Article]:
    """The articles the caller may read, as the disclosure policy says."""
    return Disclosure(READER_OF[caller.role]).articles(ticket.articles)


def require_ticket_customer(caller: Principal, ticket: Ticket, what: str) -> None:
    """Refuse (403) a customer who is not the ticket's own: a colleague of the
    same organization may read it, but not speak for its customer."""
    if caller.is_customer and ticket.customer != caller.subject:
        raise ApiProblem(
            403, "Forbidden", f"only the ticket's own customer may {what} it"
        )


def ticket_scope(desk: HelpDesk, caller: Principal) -> Scope:
    """Which tickets the caller may know of, as a condition on the summary."""
    if caller.role in (Role.ADMIN, Role.AUDITOR):
        return Scope()
    if caller.role is Role.AGENT:
        queues = desk.all_of(Queue)
        return Scope(queues=tuple(q.name for q in queues if q.group in caller.groups))
    return Scope(customer=caller.subject, organization=caller.organization)


def require_queue(caller: Principal, queue: Queue) -> None:
    """Refuse (403) an agent who is not in the group working the queue."""
    if caller.role is Role.AGENT and queue.group not in caller.groups:
        raise ApiProblem(
            403, "Forbidden", f"queue {queue.name} is worked by another group"
        )


def dashboard_scope(caller: Principal, login: str | None = None) -> str | None:
    """Whose dashboard row the caller may read (None: everyone's); 403 otherwise.

    Admins and auditors read every agent's; an agent reads only their own.
    """
    require(caller, *READERS)
    if caller.role is not Role.AGENT:
        return login
    if login not in (None, caller.subject):
        raise ApiProblem(403, "Forbidden", "an agent sees only their own figures")
    return caller.subject
