"""What each ticket command decides: which records it loads, and what it asks them.

One function per command; `decide` finds it. A command on an existing ticket
loads a private copy of it and checks the caller's expected version first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from eventsourcing.domain import Aggregate

from domain import commands as c
from domain.articles import Article, Sender
from domain.audit import Origin
from domain.desk.records import Outcome, check_channel
from domain.desk.sla import sla_report
from domain.links import LinkKind, link_kind
from domain.queues import FollowUp
from domain.sla_clocks import due_marks
from domain.statuses import Step
from domain.ticket import Ticket

if TYPE_CHECKING:
    from domain.desk.application import HelpDesk

C = TypeVar("C", bound=c.TicketCommand)
Change = Callable[["HelpDesk", Ticket, C, Origin], list[Aggregate] | None]
Decision = Callable[["HelpDesk", Any, Origin], Outcome]


def open_ticket(desk: HelpDesk, command: c.OpenTicket, origin: Origin) -> Outcome:
    """A new ticket with its first article; a new customer is registered too."""
    ticket, others = _opened(desk, command.draft, command.article, origin)
    return Outcome(ticket, others, command.article.article_id)


def _opened(
    desk: HelpDesk, draft: c.TicketDraft, article: Article, origin: Origin
) -> tuple[Ticket, list[Aggregate]]:
    queue = desk.known_queue(draft.queue)
    customer, new_customer = desk.customer_for(draft.customer, origin)
    values = {
        name: desk.known_field(name).check(value)
        for name, value in draft.fields.items()
    }
    number = desk.new_number()
    ticket = Ticket.open(
        number,
        draft.title,
        customer.email,
        customer.organization,
        queue,
        desk.priorities().require(draft.priority or desk.priorities().default),
        desk.ticket_types().require(draft.type or desk.ticket_types().default),
        check_channel(draft.channel),
        draft.hidden,
        values,
        desk.statuses().for_step(Step.INITIAL),
        origin,
    )
    ticket.add_article(article, desk.statuses(), queue, origin.time(), origin)
    _account_article_time(ticket, article, origin)
    return ticket, [new_customer] if new_customer else []


def add_article(desk: HelpDesk, command: c.AddArticle, origin: Origin) -> Outcome:
    """The article on the ticket, or on a new linked ticket if the queue says so."""
    ticket = _ticket(desk, command, origin)
    article = command.article
    queue = desk.queue(ticket.queue)
    action = ticket.add_article(article, desk.statuses(), queue, origin.time(), origin)
    if action is not FollowUp.NEW_TICKET:
        _account_article_time(ticket, article, origin)
        return Outcome(ticket, [], article.article_id)
    draft = c.TicketDraft(
        title=ticket.title,
        customer=ticket.customer,
        queue=ticket.queue,
        channel=article.channel,
        hidden=ticket.hidden,
    )
    new, others = _opened(desk, draft, article, origin)
    new.link(ticket, LinkKind.RELATED, origin)
    ticket.link(new, LinkKind.RELATED, origin)
    return Outcome(ticket, [new, *others], article.article_id, new.number)


def _account_article_time(ticket: Ticket, article: Article, origin: Origin) -> None:
    if article.time_spent_minutes and article.sender == Sender.AGENT:
        ticket.account_time(
            article.time_spent_minutes, "article", article.article_id, origin
        )


def forward_article(
    desk: HelpDesk, command: c.ForwardArticle, origin: Origin
) -> Outcome:
    """The forward as a new internal mail on the ticket, under a fresh id."""
    ticket = _ticket(desk, command, origin)
    forward_id = desk.new_article_id()
    ticket.forward(
        command.article_id,
        forward_id,
        list(command.to),
        list(command.cc),
        command.comment,
        origin,
    )
    return Outcome(ticket, [], forward_id)


def schedule_task(desk: HelpDesk, command: c.ScheduleTask, origin: Origin) -> Outcome:
    """A task on the ticket, under the id asked for or a fresh one."""
    ticket = _ticket(desk, command, origin)
    task_id = desk.new_task_id() if command.task_id is None else command.task_id
    assignee = desk.known_agent(command.assignee)
    ticket.schedule_task(
        task_id, command.title, assignee, command.due_at, origin.time(), origin
    )
    return Outcome(ticket, task_id=task_id)


def _ticket(desk: HelpDesk, command: c.TicketCommand, origin: Origin) -> Ticket:
    ticket = desk.ticket_to_change(command.number)
    origin.expect(ticket.version)
    return ticket


def _on_ticket(change: Change[C]) -> Decision:
    """The decision of a command that changes one ticket (and maybe others)."""

    def decide(desk: HelpDesk, command: C, origin: Origin) -> Outcome:
        ticket = _ticket(desk, command, origin)
        return Outcome(ticket, change(desk, ticket, command, origin) or [])

    return decide


def _assign(desk: HelpDesk, t: Ticket, cmd: c.Assign, o: Origin) -> None:
    responsible = desk.agent(cmd.responsible) if cmd.responsible else None
    t.assign(desk.agent(cmd.owner), desk.queue(t.queue), responsible, o)


def _status(desk: HelpDesk, t: Ticket, cmd: c.ChangeStatus, o: Origin) -> None:
    status = desk.statuses().settable(cmd.status)
    t.change_status(status, cmd.pending_until, cmd.reason, o.time(), o)


def _field(desk: HelpDesk, t: Ticket, cmd: c.SetField, o: Origin) -> None:
    t.set_field(desk.known_field(cmd.name), cmd.value, o)


def _link(desk: HelpDesk, t: Ticket, cmd: c.Link, o: Origin) -> list[Aggregate]:
    kind = link_kind(cmd.kind)
    target = desk.ticket_to_change(cmd.other)
    t.link(target, kind, o)
    target.link(t, kind.inverse, o)
    return [target]


def _unlink(desk: HelpDesk, t: Ticket, cmd: c.Unlink, o: Origin) -> list[Aggregate]:
    kind = link_kind(cmd.kind)
    target = desk.ticket_to_change(cmd.other)
    t.unlink(target.number, kind, o)
    target.unlink(t.number, kind.inverse, o)
    return [target]


def _merge(desk: HelpDesk, t: Ticket, cmd: c.Merge, o: Origin) -> list[Aggregate]:
    if cmd.target == t.number:
        t.merge_into(t, desk.statuses(), o)
        return []
    target = desk.ticket_to_change(cmd.target)
    t.merge_into(target, desk.statuses(), o)
    return [target]


def _unassign(desk: HelpDesk, t: Ticket, cmd: c.Unassign, o: Origin) -> None:
    t.unassign(o)


def _close(desk: HelpDesk, t: Ticket, cmd: c.Close, o: Origin) -> None:
    t.close(desk.statuses(), o)


def _reopen(desk: HelpDesk, t: Ticket, cmd: c.Reopen, o: Origin) -> None:
    t.reopen(desk.statuses(), o)


def _priority(desk: HelpDesk, t: Ticket, cmd: c.ChangePriority, o: Origin) -> None:
    t.change_priority(desk.priorities().require(cmd.priority), o)


def _move(desk: HelpDesk, t: Ticket, cmd: c.Move, o: Origin) -> None:
    t.move(desk.known_queue(cmd.queue), o)


def _type(desk: HelpDesk, t: Ticket, cmd: c.ChangeType, o: Origin) -> None:
    t.change_type(desk.ticket_types().require(cmd.type), o)


def _retitle(desk: HelpDesk, t: Ticket, cmd: c.Retitle, o: Origin) -> None:
    t.retitle(cmd.title, o)


def _hide(desk: HelpDesk, t: Ticket, cmd: c.Hide, o: Origin) -> None:
    t.hide(cmd.hidden, o)


def _tag(desk: HelpDesk, t: Ticket, cmd: c.Tag, o: Origin) -> None:
    t.tag(cmd.tag, o)


def _untag(desk: HelpDesk, t: Ticket, cmd: c.Untag, o: Origin) -> None:
    t.untag(cmd.tag, o)


def _time(desk: HelpDesk, t: Ticket, cmd: c.AccountTime, o: Origin) -> None:
    t.account_time(cmd.minutes, cmd.activity, cmd.article_id, o)


def _sla_marks(desk: HelpDesk, t: Ticket, cmd: c.RecordSlaMarks, o: Origin) -> None:
    report = sla_report(desk, t.number, o.time())
    if report.applied is None:
        return
    for reading in report.clocks:
        for kind, due in due_marks(reading, o.time()):
            t.mark_sla(kind, reading.clock.value, due, report.applied.policy, o)


def _expire(desk: HelpDesk, t: Ticket, cmd: c.ExpirePending, o: Origin) -> None:
    t.expire_pending(desk.statuses(), o.time(), o)


def _delivery(desk: HelpDesk, t: Ticket, cmd: c.RecordDelivery, o: Origin) -> None:
    t.record_delivery(cmd.delivery, o)


def _rate(desk: HelpDesk, t: Ticket, cmd: c.Rate, o: Origin) -> None:
    t.rate(cmd.score, cmd.comment, o)


def _complete_task(desk: HelpDesk, t: Ticket, cmd: c.CompleteTask, o: Origin) -> None:
    t.complete_task(cmd.task_id, o)


def _reopen_task(desk: HelpDesk, t: Ticket, cmd: c.ReopenTask, o: Origin) -> None:
    t.reopen_task(cmd.task_id, o)


RULES: dict[type[Any], Decision] = {
    c.OpenTicket: open_ticket,
    c.AddArticle: add_article,
    c.ForwardArticle: forward_article,
    c.Assign: _on_ticket(_assign),
    c.Unassign: _on_ticket(_unassign),
    c.ChangeStatus: _on_ticket(_status),
    c.Close: _on_ticket(_close),
    c.Reopen: _on_ticket(_reopen),
    c.ChangePriority: _on_ticket(_priority),
    c.Move: _on_ticket(_move),
    c.ChangeType: _on_ticket(_type),
    c.Retitle: _on_ticket(_retitle),
    c.SetField: _on_ticket(_field),
    c.Hide: _on_ticket(_hide),
    c.Tag: _on_ticket(_tag),
    c.Untag: _on_ticket(_untag),
    c.Link: _on_ticket(_link),
    c.Unlink: _on_ticket(_unlink),
    c.Merge: _on_ticket(_merge),
    c.AccountTime: _on_ticket(_time),
    c.Rate: _on_ticket(_rate),
    c.RecordSlaMarks: _on_ticket(_sla_marks),
    c.ExpirePending: _on_ticket(_expire),
    c.RecordDelivery: _on_ticket(_delivery),
    # Scheduled tasks.
    c.ScheduleTask: schedule_task,
    c.CompleteTask: _on_ticket(_complete_task),
    c.ReopenTask: _on_ticket(_reopen_task),
}
